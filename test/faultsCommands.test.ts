import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionConfig } from '../src/db/database.ts';
import { runCli, type CliResult } from './support/runCli.ts';
import { freePort, startPrivateRedis, type PrivateRedis } from './support/privateRedis.ts';
import { useTestEnvironment } from './support/testEnvironment.ts';
import { adminUrl, databaseUrl } from './support/urls.ts';

const WEEKLY = ['upload', 'weekly', '--week', '2021-W49', '--now', '2021-12-10T07:00:00Z'];

/** Runs the CLI, killed if it is still running after 15 s (then `code` is null and the test fails). */
async function within15s(args: string[], env: Record<string, string>): Promise<CliResult> {
  return Promise.race([
    runCli(args, env),
    new Promise<CliResult>((resolve) => setTimeout(() => resolve({ code: null, signal: null, stdout: '', stderr: 'still running after 15 s' }), 15_000)),
  ]);
}

/** Exit 1, and exactly one line on stderr: no stack, no password. */
function oneClearLine(result: CliResult, pattern: RegExp): void {
  expect(result.code, result.stderr).toBe(1);
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr + result.stdout).not.toContain('s3cret');
}

describe('commands against unreachable or wrong services fail at once with one clear line', () => {
  const env = useTestEnvironment({ LOG_LEVEL: 'warn' });
  let redis: PrivateRedis;
  beforeAll(async () => {
    redis = await startPrivateRedis();
  });
  afterAll(async () => redis?.kill());

  it('DATABASE_URL pointing at a Redis port: PostgreSQL did not answer (connect timeout)', async () => {
    const url = `postgresql://root:s3cret@127.0.0.1:${redis.port}/cet`;
    for (const args of [['status'], WEEKLY]) {
      const result = await within15s(args, { ...env.env, DATABASE_URL: url, PG_CONNECT_TIMEOUT_MS: '3000' });
      oneClearLine(result, new RegExp(`^PostgreSQL did not answer at postgresql://root:\\*\\*\\*@127\\.0\\.0\\.1:${redis.port}/cet within 3 s \\(PG_CONNECT_TIMEOUT_MS\\)`));
    }
  });

  it('PostgreSQL on a closed port: unreachable, named with its URL', async () => {
    const port = await freePort();
    const result = await within15s(['status'], { ...env.env, DATABASE_URL: `postgresql://root:s3cret@127.0.0.1:${port}/cet` });
    oneClearLine(result, new RegExp(`^PostgreSQL is unreachable at postgresql://root:\\*\\*\\*@127\\.0\\.0\\.1:${port}/cet \\(.*ECONNREFUSED.*\\)\\. Start it, or set DATABASE_URL\\.$`));
  });

  it('Redis on a closed non-default port: unreachable, named with its URL', async () => {
    const port = await freePort();
    const result = await within15s(WEEKLY, { ...env.env, REDIS_URL: `redis://:s3cret@127.0.0.1:${port}` });
    oneClearLine(result, new RegExp(`^Redis is unreachable at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port} \\(.*ECONNREFUSED.*\\)\\. Start it, or set REDIS_URL\\.$`));
  });

  it('a database that was never migrated: run `cet-uploader migrate`, at once (no retries)', async () => {
    const name = `cet_unmigrated_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client(connectionConfig(adminUrl()));
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    try {
      const result = await within15s(WEEKLY, { ...env.env, DATABASE_URL: databaseUrl(name) });
      oneClearLine(result, /^The database schema is missing or old \(relation "cycle" does not exist\)\. Run `cet-uploader migrate`\.$/);
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });

  it('a configuration error never prints the password', async () => {
    for (const url of ['mysql://root:s3cret@127.0.0.1/cet', 'postgresql://root:s3cret@127.0.0.1:99999/cet', 'postgresql://root:s3cret@bad host/cet']) {
      const result = await runCli(['status'], { ...env.env, DATABASE_URL: url });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('DATABASE_URL: not a postgres or postgresql URL');
      expect(result.stderr + result.stdout).not.toContain('s3cret');
    }
  });
});
