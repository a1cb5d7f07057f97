import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { loadConfig, type Config } from '../../src/config.ts';
import { connectionConfig, openDatabase, type DbHandle } from '../../src/db/database.ts';
import { adminUrl, databaseUrl, redisUrl } from './urls.ts';

export interface TestEnvironment {
  /** The database of this test file, cloned from the migrated template. */
  readonly url: string;
  readonly handle: DbHandle;
  readonly db: DbHandle['db'];
  readonly queuePrefix: string;
  readonly outboxDir: string;
  /** A directory for input files this test writes. */
  readonly workDir: string;
  /** The environment for a CLI run or an in-process config against this database and prefix. */
  readonly env: Record<string, string>;
  readonly config: Config;
}

/**
 * Gives the calling test file its own database, queue prefix and outbox, removed afterwards.
 * Call at the top of a describe or file.
 */
export function useTestEnvironment(extraEnv: Record<string, string> = {}, options: { databaseTimeZone?: string } = {}): TestEnvironment {
  const state = {} as { -readonly [K in keyof TestEnvironment]: TestEnvironment[K] };
  beforeAll(async () => {
    const name = `cet_test_${inject('runId')}_${randomBytes(4).toString('hex')}`;
    await withAdmin((admin) =>
      admin.query(`CREATE DATABASE ${name} TEMPLATE ${pg.escapeIdentifier(inject('templateDatabase'))}`),
    );
    if (options.databaseTimeZone) {
      await withAdmin((admin) => admin.query(`ALTER DATABASE ${name} SET timezone = ${pg.escapeLiteral(options.databaseTimeZone!)}`));
    }
    state.url = databaseUrl(name);
    state.handle = openDatabase(state.url);
    state.db = state.handle.db;
    state.queuePrefix = `cettest-${name.slice(9)}`;
    state.workDir = mkdtempSync(path.join(tmpdir(), 'cet-test-'));
    state.outboxDir = path.join(state.workDir, 'outbox');
    state.env = {
      DATABASE_URL: state.url,
      REDIS_URL: redisUrl(),
      QUEUE_PREFIX: state.queuePrefix,
      OUTBOX_DIR: state.outboxDir,
      PROVIDER_CODE: 'P00001',
      ...extraEnv,
    };
    state.config = loadConfig(state.env);
  });
  afterAll(async () => {
    if (!state.url) return;
    await state.handle.close();
    await deleteQueueKeys(state.queuePrefix);
    const name = new URL(state.url).pathname.slice(1);
    await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    rmSync(state.workDir, { recursive: true, force: true });
  });
  return state;
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(connectionConfig(adminUrl()));
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function deleteQueueKeys(prefix: string): Promise<void> {
  const redis = new Redis(redisUrl(), { lazyConnect: true });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
