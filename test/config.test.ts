import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, requireProviderCode } from '../src/config.ts';

// The configuration is read from the environment (README, "Configuration"); pure, no I/O.
describe('loadConfig', () => {
  it('fills every unset or empty variable with its documented default', () => {
    expect(loadConfig({ QUEUE_PREFIX: '' })).toEqual({
      DATABASE_URL: 'postgresql://localhost:5432/cet_uploader',
      REDIS_URL: 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: 'cet',
      OUTBOX_DIR: path.resolve('outbox'),
      BUSINESS_TIME_ZONE: 'Europe/London',
      WEEKLY_CRON: '0 6 * * 5',
      INTERACTIVE_HOLD_DAYS: 14,
      STATE_SNAPSHOT_CRON: '* * * * *',
      IMPORT_SPLIT_FROM_BYTES: 32 * 1024 * 1024,
      JOB_LOCK_MS: 30_000,
      LOG_LEVEL: 'info',
      // Reminders (src/reminders/config.ts)
      MAIL_FROM: 'cet-uploader@localhost.localdomain',
      PROVIDER_NAME: 'Your CET provider',
      MAIL_PER_MINUTE: 120,
      MAIL_ATTEMPTS: 8,
      MAIL_RETRY_DELAY_MS: 30_000,
      PG_CONNECT_TIMEOUT_MS: 10_000,
      PG_STATEMENT_TIMEOUT_MS: 900_000,
      PG_READ_STATEMENT_TIMEOUT_MS: 120_000,
      PG_LOCK_TIMEOUT_MS: 300_000,
      DELIVERY: 'none',
      DELIVERY_ATTEMPTS: 12,
      DELIVERY_RETRY_MS: 60_000,
      SFTP_TIMEOUT_MS: 30_000,
      SFTP_TRANSFER_TIMEOUT_MS: 3_600_000,
      ACK_POLL_CRON: '15 * * * *',
    });
  });

  it('reads numbers as numbers and keeps the values it is given', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://cet@db.internal:5433/cet',
      REDIS_URL: 'rediss://cache:6380',
      QUEUE_PREFIX: 'cet-prod.1',
      PROVIDER_CODE: 'P01234',
      BUSINESS_TIME_ZONE: 'Europe/Dublin',
      WEEKLY_CRON: '30 5 * * 4',
      INTERACTIVE_HOLD_DAYS: '7',
      JOB_LOCK_MS: '1000',
      LOG_LEVEL: 'warn',
    });
    expect(config).toMatchObject({ INTERACTIVE_HOLD_DAYS: 7, JOB_LOCK_MS: 1000, PROVIDER_CODE: 'P01234', QUEUE_PREFIX: 'cet-prod.1' });
    expect(requireProviderCode(config)).toBe('P01234');
  });

  it('reports every bad value at once, each with what was given and what is wanted', () => {
    let error: unknown;
    try {
      loadConfig({
        DATABASE_URL: 'mysql://db/cet',
        REDIS_URL: 'not a url',
        QUEUE_PREFIX: 'cet:prod',
        PROVIDER_CODE: 'p-1',
        BUSINESS_TIME_ZONE: 'Europe/Londres',
        WEEKLY_CRON: '0 6 * *',
        INTERACTIVE_HOLD_DAYS: '0',
        JOB_LOCK_MS: '2.5',
        LOG_LEVEL: 'loud',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'DATABASE_URL: not a postgres or postgresql URL, e.g. postgresql://user@host:5432/db (got "mysql://db/cet")',
      'REDIS_URL: not a redis or rediss URL, e.g. redis://127.0.0.1:6379 (got "not a url")',
      'QUEUE_PREFIX: letters, digits, _ . - only (BullMQ uses ":" itself) (got "cet:prod")',
      'PROVIDER_CODE: 1-16 characters of A-Z 0-9 (got "p-1")',
      'BUSINESS_TIME_ZONE: not a time zone known to the zone database (got "Europe/Londres")',
      'WEEKLY_CRON: not a valid cron expression (got "0 6 * *")',
      'INTERACTIVE_HOLD_DAYS: must be at least 1 (got "0")',
      'JOB_LOCK_MS: not a whole number (got "2.5")',
      'LOG_LEVEL: not one of fatal, error, warn, info, debug, trace, silent (got "loud")',
    ]);
  });

  it('takes numbers and URLs as zod did: trimmed (an env file with CRLF line ends), any whole numeral', () => {
    const config = loadConfig({
      INTERACTIVE_HOLD_DAYS: '14\r',
      JOB_LOCK_MS: ' 3e4 ',
      REDIS_URL: ' redis://cache:6379\r',
      DATABASE_URL: 'postgresql://db/cet\r',
    });
    expect(config).toMatchObject({ INTERACTIVE_HOLD_DAYS: 14, JOB_LOCK_MS: 30_000, REDIS_URL: 'redis://cache:6379', DATABASE_URL: 'postgresql://db/cet' });
    expect(() => loadConfig({ JOB_LOCK_MS: 'soon' })).toThrow('JOB_LOCK_MS: not a number (got "soon")');
  });

  it('bounds the hold and the job lock from above too', () => {
    expect(() => loadConfig({ INTERACTIVE_HOLD_DAYS: '366' })).toThrow('INTERACTIVE_HOLD_DAYS: must be at most 365 (got "366")');
    expect(() => loadConfig({ JOB_LOCK_MS: '600001' })).toThrow('JOB_LOCK_MS: must be at most 600000 (got "600001")');
  });

  it('asks for PROVIDER_CODE only where a file is written, saying how to set it', () => {
    expect(() => requireProviderCode(loadConfig({}))).toThrow(/PROVIDER_CODE: required to write upload files; set it/);
  });
});
