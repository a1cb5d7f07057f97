import type { JobPayloads } from '../src/queue/jobNames.ts';
import type { ReminderJobDeps, ReminderJobResult } from '../src/reminders/reminderJobDeps.ts';
import { sendReminder } from '../src/reminders/sendReminder.ts';

export async function handleSendReminder(deps: ReminderJobDeps, payload: JobPayloads['send-reminder'], attempt: { lastAttempt: boolean }): Promise<ReminderJobResult> {
  if (!deps.send) return { outcome: 'NOT_CONFIGURED' };
  return { outcome: await sendReminder(deps.send, payload.reminderId, attempt.lastAttempt) };
}
