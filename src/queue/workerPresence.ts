import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { QUEUE_NAME } from './jobNames.ts';

// Workers announce themselves in a sorted set (member = worker id, score = last heartbeat),
// rather than through CLIENT LIST: that list is forbidden on some managed Redis services, and
// a worker renewing its blocking connection is briefly missing from it.

const HEARTBEAT_MS = 2_000;
const PRESENT_FOR_MS = 3 * HEARTBEAT_MS;

const presenceKey = (prefix: string) => `${prefix}:${QUEUE_NAME}:cet-workers`;

/** Starts heartbeats for a worker of this process; stop() removes it at once and closes `redis`. */
export async function announceWorker(redis: Redis, prefix: string): Promise<{ stop(): Promise<void> }> {
  const id = `${process.pid}-${randomUUID()}`;
  const beat = () => redis.zadd(presenceKey(prefix), Date.now(), id);
  await beat();
  const timer = setInterval(() => void beat().catch(() => {}), HEARTBEAT_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await redis.zrem(presenceKey(prefix), id).catch(() => {});
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
