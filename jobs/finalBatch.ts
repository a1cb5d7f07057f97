import type { JobPayloads } from '../src/queue/jobNames.ts';
import { runFinalBatch, type BatchOutcome } from '../src/usecases/runBatches.ts';
import type { UploadDeps } from '../src/usecases/uploadDeps.ts';

export async function handleFinalBatch(deps: UploadDeps, payload: JobPayloads['final-batch']): Promise<BatchOutcome[]> {
  return [await runFinalBatch(deps, { cycleId: payload.cycleId, trigger: payload.trigger, requestedAt: new Date(payload.requestedAt) })];
}
