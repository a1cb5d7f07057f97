import { JobName, type JobPayloads, type ReminderJobName, type UploadJobName } from '../src/queue/jobNames.ts';
import type { ReminderJobDeps, ReminderJobResult } from '../src/reminders/reminderJobDeps.ts';
import type { UploadDeps } from '../src/usecases/uploadDeps.ts';
import { handleDeliverFile } from './deliverFile.ts';
import { handleFinalBatch } from './finalBatch.ts';
import { handleFetchAcks } from './fetchAcks.ts';
import { handleVerifyFiles } from './verifyFiles.ts';
import { handleRefreshStateSnapshot } from './refreshStateSnapshot.ts';
import { handleRemind } from './remind.ts';
import { handleSendReminder } from './sendReminder.ts';
import { handleWeeklyBatch } from './weeklyBatch.ts';

export type JobHandler<N extends JobName> = (deps: UploadDeps, payload: JobPayloads[N]) => Promise<unknown>;
/** Jobs of the reminders queue get the reminders' dependencies and the job's attempt. */
export type ReminderJobHandler<N extends ReminderJobName> = (deps: ReminderJobDeps, payload: JobPayloads[N], attempt: { lastAttempt: boolean }) => Promise<ReminderJobResult>;
type HandlerOf<N extends JobName> = N extends ReminderJobName ? ReminderJobHandler<N> : N extends UploadJobName ? JobHandler<N> : never;

/** One handler per job name; the type makes a missing one a compile error. */
export const jobHandlers: { [N in JobName]: HandlerOf<N> } = {
  [JobName.WeeklyBatch]: handleWeeklyBatch,
  [JobName.FinalBatch]: handleFinalBatch,
  [JobName.DeliverFile]: handleDeliverFile,
  [JobName.FetchAcks]: handleFetchAcks,
  [JobName.VerifyFiles]: handleVerifyFiles,
  [JobName.RefreshStateSnapshot]: handleRefreshStateSnapshot,
  [JobName.Remind]: handleRemind,
  [JobName.SendReminder]: handleSendReminder,
};

/** The check at start that every job has exactly one handler, and no handler is orphaned. */
export function assertEveryJobHasOneHandler(): void {
  const names = Object.values(JobName).sort();
  const handled = Object.keys(jobHandlers).sort();
  if (names.join() !== handled.join() || new Set(names).size !== names.length) {
    throw new Error(`job handlers do not match job names: names ${names.join(', ')}; handlers ${handled.join(', ')}`);
  }
}
