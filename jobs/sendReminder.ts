import { UnrecoverableError } from 'bullmq';
import type { JobPayloads } from '../src/queue/jobNames.ts';
import type { ReminderJobDeps, ReminderJobResult } from '../src/reminders/reminderJobDeps.ts';
import { sendReminder } from '../src/reminders/sendReminder.ts';

export async function handleSendReminder(deps: ReminderJobDeps, payload: JobPayloads['send-reminder'], attempt: { lastAttempt: boolean }): Promise<ReminderJobResult> {
  // The reminder stays DUE: the next `remind` queues it again for a worker that can send.
  if (!deps.send) throw new UnrecoverableError('this worker has no SMTP_URL, so it cannot send reminders: start the workers with SMTP_URL set');
  return { outcome: await sendReminder(deps.send, payload.reminderId, attempt.lastAttempt) };
}
