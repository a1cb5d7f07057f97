import { refreshStateSnapshot } from '../src/db/stateSnapshot.ts';
import type { JobPayloads } from '../src/queue/jobNames.ts';
import type { UploadDeps } from '../src/usecases/uploadDeps.ts';

/**
 * Rebuilds the state snapshot that `status`, the console and /metrics count from, when the
 * tables changed since it was built (a scan of a million pending completions takes seconds, so
 * here rather than in every `status`); otherwise a single read. Busy (a change being written)
 * is not a failure: the next minute's job tries again.
 */
export async function handleRefreshStateSnapshot(deps: UploadDeps, payload: JobPayloads['refresh-state-snapshot']): Promise<unknown> {
  void payload; // the due minute is for the log; the snapshot is of the tables as they are now
  return refreshStateSnapshot(deps.db, { zone: deps.zone, holdDays: deps.holdDays }, deps.clock);
}
