import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { QUEUE_NAME } from './jobNames.ts';

// Workers announce themselves in a sorted set (member = worker id, score = last heartbeat),
// rather than through CLIENT LIST: that list is forbidden on some managed Redis services, and
// a worker renewing its blocking connection is briefly missing from it. The key expires a
// little after the last heartbeat, so a worker killed without stop() leaves nothing behind, and
// stop() deletes the key when it was the last member. A worker that has lost PostgreSQL (its
// pool's own health, src/faults/connectionHealth.ts) is also in a second sorted set, scored by
// when it lost it, and leaves it when it is back: it still beats, but cannot process a batch.

const HEARTBEAT_MS = 2_000;
const PRESENT_FOR_MS = 3 * HEARTBEAT_MS;

const presenceKey = (prefix: string) => `${prefix}:${QUEUE_NAME}:cet-workers`;
const postgresLostKey = (prefix: string) => `${prefix}:${QUEUE_NAME}:cet-workers-postgres-lost`;

/**
 * Starts heartbeats for a worker of this process; stop() removes it at once and closes `redis`.
 * postgresLostSince: when the worker lost PostgreSQL (ms since the epoch), or null while it has it.
 */
export async function announceWorker(redis: Redis, prefix: string, postgresLostSince: () => number | null = () => null): Promise<{ stop(): Promise<void> }> {
  const id = `${process.pid}-${randomUUID()}`;
  const key = presenceKey(prefix);
  const lostKey = postgresLostKey(prefix);
  const beat = () => {
    const lostAt = postgresLostSince();
    const multi = redis.multi().zadd(key, Date.now(), id).pexpire(key, PRESENT_FOR_MS);
    if (lostAt === null) multi.zrem(lostKey, id);
    else multi.zadd(lostKey, lostAt, id).pexpire(lostKey, PRESENT_FOR_MS);
    return multi.exec();
  };
  await beat();
  const timer = setInterval(() => void beat().catch(() => {}), HEARTBEAT_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      // Redis removes a sorted set with its last member; the EXPIRE covers a late heartbeat.
      await redis.multi().zrem(key, id).zrem(lostKey, id).exec().catch(() => {});
      redis.disconnect();
    },
  };
}

export interface LiveWorkers {
  /** Workers with a recent heartbeat. */
  live: number;
  /** Of those, the ones that have lost PostgreSQL, and since when the first of them lost it. */
  withoutPostgres: { count: number; since: Date | null };
}

/**
 * The workers with a recent heartbeat, and which of them have lost PostgreSQL, in one round
 * trip (a lost-PostgreSQL member of a worker gone without stop() is ignored: it is no longer
 * among the live ones).
 */
export async function readLiveWorkers(redis: Redis, prefix: string): Promise<LiveWorkers> {
  const key = presenceKey(prefix);
  const replies = await redis
    .multi()
    .zremrangebyscore(key, '-inf', Date.now() - PRESENT_FOR_MS)
    .zrange(key, '0', '-1')
    .zrange(postgresLostKey(prefix), '0', '-1', 'WITHSCORES')
    .exec();
  const failed = replies?.find(([error]) => error)?.[0];
  if (!replies || failed) throw failed ?? new Error('the worker heartbeats could not be read (transaction aborted)');
  const alive = new Set(replies[1]![1] as string[]);
  const lost = replies[2]![1] as string[];
  let count = 0;
  let since: number | null = null;
  for (let i = 0; i < lost.length; i += 2) {
    if (!alive.has(lost[i]!)) continue;
    count++;
    const at = Number(lost[i + 1]);
    since = since === null ? at : Math.min(since, at);
  }
  return { live: alive.size, withoutPostgres: { count, since: since === null ? null : new Date(since) } };
}

/** How many workers have sent a heartbeat recently. */
export async function countLiveWorkers(redis: Redis, prefix: string): Promise<number> {
  return (await readLiveWorkers(redis, prefix)).live;
}
