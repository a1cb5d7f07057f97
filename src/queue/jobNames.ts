import type { BatchTrigger } from '../db/schema.ts';

export const QUEUE_NAME = 'uploads';

/** Every job this service runs; each has exactly one handler (checked when a worker starts). */
export const JobName = {
  WeeklyBatch: 'weekly-batch',
  FinalBatch: 'final-batch',
  DeliverFile: 'deliver-file',
  FetchAcks: 'fetch-acks',
  /** The scheduler's daily check of every written upload file against its batch's record. */
  VerifyFiles: 'verify-files',
  /** The scheduler's ask (every minute by default) to rebuild the state snapshot if the tables changed (src/db/stateSnapshot.ts). */
  RefreshStateSnapshot: 'refresh-state-snapshot',
  /** Reminders queue (src/reminders/): create the reminders due at an hourly tick, then send them. */
  Remind: 'remind',
  /** Reminders queue: send one reminder (rate-limited, retried with back-off). */
  SendReminder: 'send-reminder',
} as const;
export type JobName = (typeof JobName)[keyof typeof JobName];

/** Job data carries ids and instants only, never personal data. */
export interface JobPayloads {
  [JobName.WeeklyBatch]: {
    /** The slot the batch is for (its cutoff), ISO 8601 UTC: the time it was due, not run. */
    slot: string;
    /** ISO week of the slot, e.g. 2021-W48; also names the job. */
    period: string;
    trigger: BatchTrigger;
    /** The "now" of whoever asked (the scheduler's due time, or an operator's --now). */
    requestedAt: string;
  };
  [JobName.FinalBatch]: {
    cycleId: number;
    cycleCode: string;
    trigger: BatchTrigger;
    requestedAt: string;
  };
  /** Delivers upload file `seq` (and any undelivered lower-numbered ones first). */
  [JobName.DeliverFile]: { seq: number };
  /** The ack poll's due time (ISO 8601 UTC); also names the job. */
  [JobName.FetchAcks]: { dueAt: string };
  /** The daily check's due time (ISO 8601 UTC); also names the job. */
  [JobName.VerifyFiles]: { dueAt: string };
  /** When it was due (ISO 8601 UTC); the job id is fixed, so at most one waits. */
  [JobName.RefreshStateSnapshot]: { dueAt: string };
  [JobName.Remind]: {
    /** The hourly tick it is for, ISO 8601 UTC: the time it was due, not run. */
    dueAt: string;
  };
  [JobName.SendReminder]: {
    reminderId: string;
  };
}

/** The jobs of the reminders queue (its own queue, so its rate limit never slows an upload). */
export const REMINDER_JOBS = [JobName.Remind, JobName.SendReminder] as const;
export type ReminderJobName = (typeof REMINDER_JOBS)[number];
export type UploadJobName = Exclude<JobName, ReminderJobName>;

/**
 * The job id the scheduler, a worker and the CLI all use for the same batch, so that BullMQ
 * folds duplicates together while one is waiting. (PostgreSQL, not this id, guarantees one
 * batch.) BullMQ ids may not contain ':'.
 */
export function jobIdFor<N extends JobName>(name: N, payload: JobPayloads[N]): string {
  const id =
    name === JobName.WeeklyBatch
      ? `weekly-${(payload as JobPayloads['weekly-batch']).period}`
      : name === JobName.FinalBatch
        ? `final-${(payload as JobPayloads['final-batch']).cycleCode}`
        : name === JobName.DeliverFile
          ? `deliver-${(payload as JobPayloads['deliver-file']).seq}`
          : name === JobName.FetchAcks
            ? `fetch-acks-${(payload as JobPayloads['fetch-acks']).dueAt}`
            : name === JobName.VerifyFiles
              ? `verify-files-${(payload as JobPayloads['verify-files']).dueAt}`
            : name === JobName.RefreshStateSnapshot
              ? 'refresh-state-snapshot'
            : name === JobName.Remind
              ? `remind-${(payload as JobPayloads['remind']).dueAt}`
              : `send-reminder-${(payload as JobPayloads['send-reminder']).reminderId}`;
  return id.replaceAll(':', '_');
}
