import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { QUEUE_NAME } from './jobNames.ts';

// Workers announce themselves in a sorted set (member = worker id, score = last heartbeat),
// rather than through CLIENT LIST: that list is forbidden on some managed Redis services, and
// a worker renewing its blocking connection is briefly missing from it. The key expires a
// little after the last heartbeat, so a worker killed without stop() leaves nothing behind, and
// stop() deletes the key when it was the last member.

const HEARTBEAT_MS = 2_000;
const PRESENT_FOR_MS = 3 * HEARTBEAT_MS;

const presenceKey = (prefix: string) => `${prefix}:${QUEUE_NAME}:cet-workers`;

/** Starts heartbeats for a worker of this process; stop() removes it at once and closes `redis`. */
export async function announceWorker(redis: Redis, prefix: string): Promise<{ stop(): Promise<void> }> {
  const id = `${process.pid}-${randomUUID()}`;
  const key = presenceKey(prefix);
  const beat = () => redis.multi().zadd(key, Date.now(), id).pexpire(key, PRESENT_FOR_MS).exec();
  await beat();
  const timer = setInterval(() => void beat().catch(() => {}), HEARTBEAT_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      // Redis removes a sorted set with its last member; the EXPIRE covers a late heartbeat.
      await redis.zrem(key, id).catch(() => {});
      redis.disconnect();
    },
  };
}

/** How many workers have sent a heartbeat recently. */
export async function countLiveWorkers(redis: Redis, prefix: string): Promise<number> {
  const key = presenceKey(prefix);
  await redis.zremrangebyscore(key, '-inf', Date.now() - PRESENT_FOR_MS);
  return redis.zcard(key);
}
