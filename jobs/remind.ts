import type { JobPayloads } from '../src/queue/jobNames.ts';
import type { ReminderJobDeps, ReminderJobResult } from '../src/reminders/reminderJobDeps.ts';
import { remindAt } from '../src/reminders/remind.ts';

/** The scheduler's hourly tick: the reminders due at the tick's own time, then their sending. */
export async function handleRemind(deps: ReminderJobDeps, payload: JobPayloads['remind']): Promise<ReminderJobResult> {
  const { created, queued } = await remindAt(deps, new Date(payload.dueAt));
  return { created: created.length, queued: queued.length };
}
