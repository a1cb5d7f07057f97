import { validate as validateCron } from 'node-cron';
import { IANAZone } from 'luxon';
import { z } from 'zod';

const configSchema = z.object({
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).default('postgresql://localhost:5432/cet_uploader'),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379'),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - only (BullMQ uses ":" itself)')
    .default('cet'),
  OUTBOX_DIR: z.string().min(1).default('./outbox'),
  PROVIDER_CODE: z.string().regex(/^[A-Z0-9]{1,16}$/, '1-16 characters of A-Z 0-9').optional(),
  BUSINESS_TIME_ZONE: z
    .string()
    .refine((zone) => IANAZone.isValidZone(zone), 'not a time zone known to the zone database')
    .default('Europe/London'),
  WEEKLY_CRON: z
    .string()
    .refine((expression) => validateCron(expression), 'not a valid cron expression')
    .default('0 6 * * 5'),
  INTERACTIVE_HOLD_DAYS: z.coerce.number().int().min(1).max(365).default(14),
  // How long a worker may go silent before its job counts as stalled and is run again.
  JOB_LOCK_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = z.infer<typeof configSchema>;

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
    Object.keys(configSchema.shape).flatMap((key) => {
      const value = env[key];
      return value === undefined || value === '' ? [] : [[key, value]];
    }),
  );
  const parsed = configSchema.safeParse(present);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message} (got ${JSON.stringify(present[String(issue.path[0])])})`),
  );
}

/** The provider code is needed only by commands that write upload files. */
export function requireProviderCode(config: Config): string {
  if (!config.PROVIDER_CODE) {
    throw new ConfigError(['PROVIDER_CODE: required to write upload files; set it to your GOC provider code, e.g. PROVIDER_CODE=P01234']);
  }
  return config.PROVIDER_CODE;
}
