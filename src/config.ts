import path from 'node:path';
import { validate as validateCron } from 'node-cron';
import { IANAZone } from 'luxon';
import * as v from 'valibot';
import { wholeNumber } from './configValues.ts';
import { deliveryConfigEntries, deliveryProblems } from './delivery/config.ts';
import { consoleConfigEntries } from './console/config.ts';
import { reminderConfigEntries } from './reminders/config.ts';
import { faultConfigEntries } from './faults/config.ts';
import { redactSecrets } from './faults/redact.ts';

// valibot rather than zod here: every command loads the configuration, and zod alone adds
// ~18 MB to each process against ~2 MB (measured with Node 24; issue 6's memory targets).

// URLs and numbers are trimmed first (an env file with CRLF line ends leaves a "\r"), and a
// number is any JavaScript numeral that is whole ("30000", "3e4", " 14"), as zod's coercion took it.
function urlWithScheme(schemes: readonly string[], example: string) {
  return v.pipe(
    v.string(),
    v.trim(),
    v.check((text) => {
      try {
        return schemes.includes(new URL(text).protocol.replace(/:$/, ''));
      } catch {
        return false;
      }
    }, `not a ${schemes.join(' or ')} URL, e.g. ${example}`),
  );
}


const configSchema = v.object({
  DATABASE_URL: v.optional(urlWithScheme(['postgres', 'postgresql'], 'postgresql://user@host:5432/db'), 'postgresql://localhost:5432/cet_uploader'),
  REDIS_URL: v.optional(urlWithScheme(['redis', 'rediss'], 'redis://127.0.0.1:6379'), 'redis://127.0.0.1:6379'),
  QUEUE_PREFIX: v.optional(
    v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - only (BullMQ uses ":" itself)')),
    'cet',
  ),
  // Resolved once, when the configuration is read: every later use (and every message) names
  // the same absolute directory, wherever the process goes afterwards.
  OUTBOX_DIR: v.optional(v.pipe(v.string(), v.minLength(1), v.transform((dir) => path.resolve(dir))), './outbox'),
  PROVIDER_CODE: v.optional(v.pipe(v.string(), v.regex(/^[A-Z0-9]{1,16}$/, '1-16 characters of A-Z 0-9'))),
  BUSINESS_TIME_ZONE: v.optional(
    v.pipe(v.string(), v.check((zone) => IANAZone.isValidZone(zone), 'not a time zone known to the zone database')),
    'Europe/London',
  ),
  WEEKLY_CRON: v.optional(v.pipe(v.string(), v.check((expression) => validateCron(expression), 'not a valid cron expression')), '0 6 * * 5'),
  INTERACTIVE_HOLD_DAYS: v.optional(wholeNumber(1, 365), '14'),
  // When the scheduler asks the worker to rebuild the state snapshot `status` counts from, if the
  // data changed (src/db/stateSnapshot.ts). Six fields (seconds first) are allowed, for tests.
  STATE_SNAPSHOT_CRON: v.optional(v.pipe(v.string(), v.check((expression) => validateCron(expression), 'not a valid cron expression')), '* * * * *'),
  // A UTF-8 import file of this many bytes or more is parsed in two threads (src/imports/stageParallel.ts):
  // ~600,000 completions. The second thread costs ~25-45 MB of memory and saves ~1.5 s at 55 MB.
  IMPORT_SPLIT_FROM_BYTES: v.optional(wholeNumber(1, Number.MAX_SAFE_INTEGER), String(32 * 1024 * 1024)),
  // How long a worker may go silent before its job counts as stalled and is run again.
  JOB_LOCK_MS: v.optional(wholeNumber(1000, 600_000), '30000'),
  LOG_LEVEL: v.optional(
    v.picklist(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'not one of fatal, error, warn, info, debug, trace, silent'),
    'info',
  ),
  ...deliveryConfigEntries,
  ...consoleConfigEntries,
  ...reminderConfigEntries,
  ...faultConfigEntries,
});

export type Config = v.InferOutput<typeof configSchema>;

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`The configuration is not usable:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

/** Reads the configuration from the environment; every bad value is reported together. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(
    Object.keys(configSchema.entries).flatMap((key) => {
      const value = env[key];
      return value === undefined || value === '' ? [] : [[key, value]];
    }),
  );
  // One problem per variable (its first), every variable checked.
  const parsed = v.safeParse(configSchema, present, { abortPipeEarly: true });
  if (parsed.success) {
    const problems = deliveryProblems(parsed.output);
    if (problems.length) throw new ConfigError(problems);
    return parsed.output;
  }
  throw new ConfigError(
    parsed.issues.map((issue) => {
      const key = String(v.getDotPath(issue) ?? '');
      // Never a password: URLs are shown without theirs; SMTP_URL not at all.
      return key === 'SMTP_URL' ? `${key}: ${issue.message} (value not shown)` : `${key}: ${issue.message} (got ${redactSecrets(JSON.stringify(present[key]))})`;
    }),
  );
}

/** The provider code is needed only by commands that write upload files. */
export function requireProviderCode(config: Config): string {
  if (!config.PROVIDER_CODE) {
    throw new ConfigError(['PROVIDER_CODE: required to write upload files; set it to your GOC provider code, e.g. PROVIDER_CODE=P01234']);
  }
  return config.PROVIDER_CODE;
}
