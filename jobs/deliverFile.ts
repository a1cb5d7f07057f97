import { UnrecoverableError } from 'bullmq';
import { deliverFiles, type FileOutcome } from '../src/delivery/deliverFiles.ts';
import type { JobPayloads } from '../src/queue/jobNames.ts';
import type { UploadDeps } from '../src/usecases/uploadDeps.ts';

/** Delivers file `seq` and any undelivered lower-numbered file before it; a failed attempt is retried with back-off. */
export async function handleDeliverFile(deps: UploadDeps, payload: JobPayloads['deliver-file']): Promise<FileOutcome[]> {
  if (!deps.delivery) {
    throw new UnrecoverableError(`file ${payload.seq} was queued for delivery, but this worker runs with DELIVERY=none; start it with DELIVERY=sftp, or run \`cet-uploader deliver\`.`);
  }
  const outcomes = await deliverFiles({ upload: deps, transport: deps.delivery.transport, maxAttempts: deps.delivery.maxAttempts }, { upToSeq: payload.seq, manual: false });
  const failed = outcomes.find((outcome) => outcome.outcome === 'failed');
  if (failed?.outcome === 'failed') {
    const message = `file ${failed.seq} (${failed.fileName}), attempt ${failed.attempts}: ${failed.error}`;
    // FAILED (attempts spent, or a problem retrying cannot fix): a person looks first.
    if (failed.final) throw new UnrecoverableError(message);
    throw new Error(message);
  }
  return outcomes;
}
