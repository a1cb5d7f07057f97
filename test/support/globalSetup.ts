import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { Redis } from 'ioredis';
import pg from 'pg';
import { connectionConfig, openDatabase } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { adminUrl, databaseUrl, redisUrl } from './urls.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string;
    runId: string;
  }
}

// graphile-worker's way: migrate one template per run, then every test file clones it
// (CREATE DATABASE … TEMPLATE), which takes milliseconds instead of a migration each.
export default async function setup(project: TestProject) {
  const runId = `${process.pid.toString(36)}${randomBytes(3).toString('hex')}`;
  const template = `cet_test_${runId}_tpl`;
  const admin = new pg.Client(connectionConfig(adminUrl()));
  await admin.connect();
  await admin.query(`CREATE DATABASE ${template}`);
  const handle = openDatabase(databaseUrl(template), { max: 1 });
  try {
    const result = await migrateToLatest(handle.db);
    if (result.error) throw result.error;
  } finally {
    await handle.close();
  }
  project.provide('templateDatabase', template);
  project.provide('runId', runId);

  return async () => {
    const leftovers = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1`,
      [`cet_test_${runId}_%`],
    );
    for (const { datname } of leftovers.rows) {
      await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(datname)} WITH (FORCE)`);
    }
    await admin.end();
    // Every test file's queue prefix starts with cettest-<runId>_ (testEnvironment.ts), which
    // deletes its BullMQ keys itself: anything left (a prefix derived from it, a key without an
    // expiry) is a leak the run must not hide.
    const left = await removeRedisKeys(`cettest-${runId}_*`);
    if (left.length) {
      throw new Error(`the test run left ${left.length} key(s) in Redis (now removed): ${left.slice(0, 10).join(', ')}`);
    }
  };
}

/** Deletes the keys matching `pattern` and returns their names. */
async function removeRedisKeys(pattern: string): Promise<string[]> {
  const redis = new Redis(redisUrl(), { lazyConnect: true });
  await redis.connect();
  const found: string[] = [];
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length) {
        found.push(...keys);
        await redis.unlink(...keys);
      }
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return found.sort();
}
