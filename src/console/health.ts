import { sql } from 'kysely';
import type { Redis } from 'ioredis';
import type { Db } from '../db/database.ts';
import { pendingMigrations } from '../db/migrate.ts';

export const READY_TIMEOUT_MS = 2_000;

export interface ReadinessCheck {
  ok: boolean;
  /** Why not, in one line (never a URL with a password). */
  error?: string;
}

export interface Readiness {
  ready: boolean;
  checks: { postgresql: ReadinessCheck; redis: ReadinessCheck; schema: ReadinessCheck };
}

/** Settles with the promise, or rejects after `ms` saying what timed out. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function check(work: () => Promise<string | undefined>, ms: number, what: string): Promise<ReadinessCheck> {
  try {
    const problem = await within(work(), ms, what);
    return problem ? { ok: false, error: problem } : { ok: true };
  } catch (error) {
    return { ok: false, error: oneLine(error) };
  }
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message || error.name : String(error);
  // Connection errors can carry a URL; keep any password out of the answer.
  return message.replace(/\/\/[^/@\s]*@/g, '//').split('\n')[0]!.slice(0, 300);
}

/** Waits for the connection to be ready (a connection made without an offline queue refuses commands until then). */
async function connected(redis: Redis): Promise<void> {
  if (redis.status === 'ready') return;
  if (redis.status === 'wait' || redis.status === 'end') redis.connect().catch(() => {});
  await new Promise<void>((resolve, reject) => {
    const onReady = () => {
      redis.off('error', onError);
      resolve();
    };
    const onError = (error: Error) => {
      redis.off('ready', onReady);
      reject(error);
    };
    redis.once('ready', onReady);
    redis.once('error', onError);
  });
}

/** PostgreSQL, Redis and the schema, each within `ms` (console.md, `/readyz`). */
export async function checkReadiness(db: Db, redis: Redis, ms = READY_TIMEOUT_MS): Promise<Readiness> {
  const [postgresql, redisCheck] = await Promise.all([
    check(async () => {
      await sql`SELECT 1`.execute(db);
      return undefined;
    }, ms, 'PostgreSQL'),
    check(async () => {
      await connected(redis);
      const answer = await redis.ping();
      return answer === 'PONG' ? undefined : `Redis answered ${answer} to PING`;
    }, ms, 'Redis'),
  ]);
  const schema: ReadinessCheck = postgresql.ok
    ? await check(async () => {
        const pending = await pendingMigrations(db);
        return pending.length ? `migrations not applied: ${pending.join(', ')}; run \`cet-uploader migrate\`` : undefined;
      }, ms, 'the schema check')
    : { ok: false, error: 'not checked: PostgreSQL is not reachable' };
  return { ready: postgresql.ok && redisCheck.ok && schema.ok, checks: { postgresql, redis: redisCheck, schema } };
}
