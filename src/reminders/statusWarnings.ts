import type { WarningSource } from '../status/collectStatus.ts';
import { countByStatus } from './reminderQueries.ts';

/** `status`: reminders that failed (attempts spent) or have no address, counted. */
export const reminderWarnings: WarningSource = async (db) => {
  const counts = await countByStatus(db);
  const warnings = [];
  if (counts.FAILED) {
    warnings.push({
      code: 'REMINDERS_FAILED',
      message: `${counts.FAILED} reminder(s) FAILED (the mail server refused every attempt): see \`cet-uploader report reminders --state FAILED\`.`,
    });
  }
  if (counts.UNREACHABLE) {
    warnings.push({
      code: 'REMINDERS_UNREACHABLE',
      message: `${counts.UNREACHABLE} reminder(s) UNREACHABLE (registrant without an email address): see \`cet-uploader report reminders --state UNREACHABLE\`.`,
    });
  }
  return warnings;
};

