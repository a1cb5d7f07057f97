import { createDueReminders, type CreatedReminder } from './dueSql.ts';
import { dueReminderIds } from './reminderQueries.ts';
import type { ReminderJobDeps } from './reminderJobDeps.ts';
import { enqueueSends } from './reminderQueue.ts';
import type { Job } from 'bullmq';

/**
 * Creates the reminders due at `now`, then (with SMTP configured) queues a send job for every
 * reminder still DUE, including any an earlier run left behind.
 */
export async function remindAt(deps: ReminderJobDeps, now: Date): Promise<{ created: CreatedReminder[]; queued: Job[] }> {
  const created = await createDueReminders(deps.db, { now, holdDays: deps.holdDays, finalDelivered: deps.finalDelivered });
  const queued = deps.send ? await enqueueSends(deps.queue, await dueReminderIds(deps.db), deps.sendOptions) : [];
  return { created, queued };
}
