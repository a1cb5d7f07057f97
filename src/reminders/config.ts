import * as v from 'valibot';
import { wholeNumber } from '../configValues.ts';

// The reminders' settings (spec reminders.md), spread into the configuration schema in
// src/config.ts. SMTP_URL may hold a password: it is never printed or logged.

function smtpUrl() {
  return v.pipe(
    v.string(),
    v.trim(),
    v.check((text) => {
      try {
        return ['smtp:', 'smtps:'].includes(new URL(text).protocol);
      } catch {
        return false;
      }
    }, 'not an smtp or smtps URL, e.g. smtps://user:password@mail.example.com:465'),
  );
}


export const reminderConfigEntries = {
  /** Without it, reminders are computed and listed but not sent. */
  SMTP_URL: v.optional(smtpUrl()),
  MAIL_FROM: v.optional(
    v.pipe(v.string(), v.trim(), v.regex(/^(?:[^<>]*<)?[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+>?$/, 'not an address, e.g. CET reminders <cet@example.com>')),
    'cet-uploader@localhost.localdomain',
  ),
  PROVIDER_NAME: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(100, 'at most 100 characters')), 'Your CET provider'),
  /** Messages per minute at most (a rate limit of the reminders queue). */
  MAIL_PER_MINUTE: v.optional(wholeNumber(1, 100_000), '120'),
  /** Attempts per message before it is marked FAILED, and the first back-off delay (doubling). */
  MAIL_ATTEMPTS: v.optional(wholeNumber(1, 50), '8'),
  MAIL_RETRY_DELAY_MS: v.optional(wholeNumber(1, 3_600_000), '30000'),
};
