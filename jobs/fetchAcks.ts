import { UnrecoverableError } from 'bullmq';
import type { JobPayloads } from '../src/queue/jobNames.ts';
import type { UploadDeps } from '../src/usecases/uploadDeps.ts';

/** Fetches and reads new acknowledgement files (the scheduler's ack poll). */
export async function handleFetchAcks(deps: UploadDeps, payload: JobPayloads['fetch-acks']): Promise<unknown> {
  if (!deps.delivery) throw new UnrecoverableError('acknowledgements were to be fetched, but this worker runs with DELIVERY=none');
  const { fetchAcks } = await import('../src/delivery/fetchAcks.ts');
  void payload; // the due time names the job; the acknowledgements are received now
  return fetchAcks({ upload: deps, transport: deps.delivery.transport }, { receivedAt: deps.clock() });
}
