import type { WarningSource } from '../status/collectStatus.ts';
import { countByStatus } from './reminderQueries.ts';

/**
 * `status`: reminders that failed (attempts spent) or have no address, counted while their
 * deadline is ahead (the registrant can still be told another way); after it, `report
 * reminders` still lists them, but a monitor (`status --check`) is not kept failing for ever.
 */
export const reminderWarnings: WarningSource = async (db, at) => {
  const counts = await countByStatus(db, at.now);
  const warnings = [];
  if (counts.FAILED) {
    warnings.push({
      code: 'REMINDERS_FAILED',
      message: `${counts.FAILED} reminder(s) FAILED with the deadline still ahead (the mail server refused every attempt): see \`cet-uploader report reminders --state FAILED\`.`,
    });
  }
  if (counts.UNREACHABLE) {
    warnings.push({
      code: 'REMINDERS_UNREACHABLE',
      message: `${counts.UNREACHABLE} reminder(s) UNREACHABLE with the deadline still ahead (registrant without an email address): see \`cet-uploader report reminders --state UNREACHABLE\`.`,
    });
  }
  return warnings;
};

