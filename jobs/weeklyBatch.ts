import type { JobPayloads } from '../src/queue/jobNames.ts';
import { runWeeklySlot, type BatchOutcome } from '../src/usecases/runBatches.ts';
import type { UploadDeps } from '../src/usecases/uploadDeps.ts';

export async function handleWeeklyBatch(deps: UploadDeps, payload: JobPayloads['weekly-batch']): Promise<BatchOutcome[]> {
  return runWeeklySlot(deps, {
    slot: new Date(payload.slot),
    trigger: payload.trigger,
    requestedAt: new Date(payload.requestedAt),
  });
}
