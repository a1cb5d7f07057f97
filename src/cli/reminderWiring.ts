import { Job, type Queue } from 'bullmq';

/** How long `remind` waits for a refused message's next attempt before leaving it to a worker. */
const WAIT_FOR_RETRY_MS = 30_000;
import { countLiveWorkers } from '../queue/workerPresence.ts';
import { smtpMailer } from '../reminders/mailer.ts';
import type { ReminderJobDeps } from '../reminders/reminderJobDeps.ts';
import { listReminders, type ReminderListRow } from '../reminders/reminderQueries.ts';
import { openReminderQueue, startReminderWorker } from '../reminders/reminderQueue.ts';
import type { CommandContext } from './context.ts';
import { createLogger } from '../logger.ts';

/** The reminders queue of this installation, closed with the command. */
export function reminderQueue(context: CommandContext): Queue {
  const queue = openReminderQueue(context.redis(), context.config.QUEUE_PREFIX);
  context.onClose(() => queue.close());
  return queue;
}

/** Wires the reminders' jobs to this process's database, queue and SMTP settings. */
export function reminderJobDeps(context: CommandContext, queue: Queue): ReminderJobDeps {
  const config = context.config;
  let send: ReminderJobDeps['send'];
  if (config.SMTP_URL) {
    const mailer = smtpMailer(config.SMTP_URL);
    context.onClose(async () => mailer.close());
    send = { db: context.db, mailer, mailFrom: config.MAIL_FROM, providerName: config.PROVIDER_NAME, zone: config.BUSINESS_TIME_ZONE, clock: () => new Date() };
  }
  return {
    db: context.db,
    holdDays: config.INTERACTIVE_HOLD_DAYS,
    finalDelivered: config.DELIVERY === 'sftp',
    queue,
    sendOptions: { attempts: config.MAIL_ATTEMPTS, retryDelayMs: config.MAIL_RETRY_DELAY_MS },
    send,
  };
}

/** A reminders worker in this process, closed with the command; it logs to stderr (stdout holds the listing). */
export function startLocalReminderWorker(context: CommandContext, deps: ReminderJobDeps, loggerName: string) {
  const config = context.config;
  const worker = startReminderWorker(deps, {
    connection: context.redis(),
    prefix: config.QUEUE_PREFIX,
    perMinute: config.MAIL_PER_MINUTE,
    lockDuration: config.JOB_LOCK_MS,
    logger: createLogger(loggerName, config.LOG_LEVEL, context.stderr),
  });
  context.onClose(() => worker.close());
  return worker;
}

/**
 * Waits for the send jobs to finish (sent, or attempts spent), processing them here when no
 * worker is running; returns the reminders as they then stand.
 */
export async function waitForSends(context: CommandContext, deps: ReminderJobDeps, jobs: Job[], progress: (line: string) => void): Promise<ReminderListRow[]> {
  if (!jobs.length) return [];
  const config = context.config;
  {
    if ((await countLiveWorkers(context.redis(), config.QUEUE_PREFIX)) === 0) {
      progress('No worker is running; sending in this process.');
      startLocalReminderWorker(context, deps, 'cet-uploader-remind');
    } else {
      progress(`Queued ${jobs.length} message(s) for the running worker; waiting for them.`);
    }
    // Until each job has finished (a job that failed for good leaves its reminder FAILED, which
    // the listing shows), or waits to be retried later than WAIT_FOR_RETRY_MS from now: that
    // retry is a worker's (or the next `remind`'s), and the reminder is listed as DUE.
    let open = [...jobs];
    const deferred: string[] = [];
    while (open.length) {
      const still: Job[] = [];
      for (const job of open) {
        const fresh = await Job.fromId(deps.queue, job.id!);
        const state = fresh ? await fresh.getState() : 'unknown';
        if (state === 'completed' || state === 'failed' || state === 'unknown') continue;
        if (state === 'delayed' && fresh) {
          const nextDelay = deps.sendOptions.retryDelayMs * 2 ** Math.max(0, fresh.attemptsMade - 1);
          if (nextDelay > WAIT_FOR_RETRY_MS) {
            deferred.push(String(fresh.id));
            continue;
          }
        }
        still.push(job);
      }
      open = still;
      if (open.length) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (deferred.length) progress(`${deferred.length} message(s) refused for now; they are retried with back-off by a worker (or the next \`remind\`).`);
  }
  const ids = new Set(jobs.map((job) => String((job.data as { reminderId: string }).reminderId)));
  return (await listReminders(context.db)).filter((row) => ids.has(row.id));
}
