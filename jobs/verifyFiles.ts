import { verifyAllFiles } from '../src/outbox/verifyAll.ts';
import type { JobPayloads } from '../src/queue/jobNames.ts';
import type { UploadDeps } from '../src/usecases/uploadDeps.ts';

/**
 * The scheduler's daily check of every written upload file (what `verify` does by hand). The
 * repairs are the job's result (the worker logs it); a file that could not be repaired fails the
 * job, so it is retried and the failure is logged.
 */
export async function handleVerifyFiles(deps: UploadDeps, payload: JobPayloads['verify-files']): Promise<unknown> {
  const repaired: string[] = [];
  const failed: string[] = [];
  const counts = await verifyAllFiles(deps, { repaired: (line) => repaired.push(line), failed: (line) => failed.push(line) });
  if (failed.length) throw new Error(`daily file check due ${payload.dueAt}: ${failed.join(' ')}`);
  return { ...counts, repaired };
}
