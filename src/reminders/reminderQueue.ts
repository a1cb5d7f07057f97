import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { assertEveryJobHasOneHandler, jobHandlers, type ReminderJobHandler } from '../../jobs/index.ts';
import type { Logger } from '../logger.ts';
import { jobIdFor, JobName, REMINDER_JOBS, type ReminderJobName } from '../queue/jobNames.ts';
import type { ReminderJobDeps, ReminderJobResult, SendJobOptions } from './reminderJobDeps.ts';

export const REMINDER_QUEUE = 'reminders';

export function openReminderQueue(connection: Redis, prefix: string): Queue {
  return new Queue(REMINDER_QUEUE, { connection, prefix });
}

/**
 * Adds the send job of each reminder under an id derived from the reminder, so two `remind`
 * runs (or a run and a tick) never queue one reminder twice while its job waits or runs. A
 * finished job of that id is replaced: the row, not the job, says whether it is still DUE.
 */
export async function enqueueSends(queue: Queue, ids: readonly string[], options: SendJobOptions): Promise<Job[]> {
  const jobs: Job[] = [];
  for (const reminderId of ids) {
    const jobId = jobIdFor(JobName.SendReminder, { reminderId });
    const existing = await queue.getJob(jobId);
    if (existing) {
      const state = await existing.getState();
      if (state !== 'completed' && state !== 'failed' && state !== 'unknown') {
        jobs.push(existing);
        continue;
      }
      await existing.remove().catch(() => {});
    }
    jobs.push(
      await queue.add(JobName.SendReminder, { reminderId }, {
        jobId,
        attempts: options.attempts,
        backoff: { type: 'exponential', delay: options.retryDelayMs },
        removeOnComplete: { age: 7 * 86_400, count: 10_000 },
        removeOnFail: { age: 30 * 86_400 },
      }),
    );
  }
  return jobs;
}

export interface ReminderWorkerOptions {
  connection: Redis;
  prefix: string;
  perMinute: number;
  lockDuration: number;
  logger: Logger;
  concurrency?: number;
}

/** The worker of the reminders queue: at most MAIL_PER_MINUTE jobs a minute, across all workers. */
export function startReminderWorker(deps: ReminderJobDeps, options: ReminderWorkerOptions): Worker<unknown, ReminderJobResult, ReminderJobName> {
  assertEveryJobHasOneHandler();
  const worker = new Worker<unknown, ReminderJobResult, ReminderJobName>(
    REMINDER_QUEUE,
    async (job) => {
      if (!(REMINDER_JOBS as readonly string[]).includes(job.name)) throw new UnrecoverableError(`no handler for job ${job.name} on the reminders queue`);
      const handler = jobHandlers[job.name] as ReminderJobHandler<ReminderJobName>;
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      try {
        const result = await handler(deps, job.data as never, { lastAttempt });
        options.logger.info({ job: job.id, result }, 'reminder job finished');
        return result;
      } catch (error) {
        options.logger.warn({ job: job.id, attempt: job.attemptsMade + 1, err: (error as Error).message }, 'reminder job failed');
        throw error;
      }
    },
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency ?? 2,
      lockDuration: options.lockDuration,
      stalledInterval: options.lockDuration,
      limiter: { max: options.perMinute, duration: 60_000 },
      autorun: true,
    },
  );
  worker.on('error', (error) => options.logger.error({ err: error }, 'reminder worker error'));
  return worker;
}
