import type { Redis } from 'ioredis';
import { QUEUE_NAME } from './jobNames.ts';

// The scheduler's heartbeat, for readiness outside its logs (console Overview, /metrics): a
// hash with the instant of its last beat (ms) and, once it stopped on purpose, when. It expires
// a day after the last beat, so a scheduler gone for good leaves nothing behind.

export const SCHEDULER_HEARTBEAT_MS = 10_000;
/** A scheduler silent for longer than this is taken for gone. */
export const SCHEDULER_SILENT_AFTER_MS = 3 * SCHEDULER_HEARTBEAT_MS;
const KEEP_MS = 86_400_000;

const schedulerKey = (prefix: string) => `${prefix}:${QUEUE_NAME}:cet-scheduler`;

export interface SchedulerHeartbeat {
  /** The last beat. */
  at: Date;
  /** Set when the scheduler stopped on purpose (SIGTERM), after that beat. */
  stoppedAt: Date | null;
}

/** Beats every `everyMs` (failures are retried at the next beat); stop() records the stop. */
export async function announceScheduler(redis: Redis, prefix: string, everyMs = SCHEDULER_HEARTBEAT_MS): Promise<{ stop(): Promise<void> }> {
  const key = schedulerKey(prefix);
  const beat = () => redis.multi().hset(key, 'at', String(Date.now())).hdel(key, 'stoppedAt').pexpire(key, KEEP_MS).exec();
  await beat();
  const timer = setInterval(() => void beat().catch(() => {}), everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await redis.multi().hset(key, 'stoppedAt', String(Date.now())).pexpire(key, KEEP_MS).exec().catch(() => {});
    },
  };
}

/** The scheduler's last heartbeat, or null when none was ever seen (or it is a day old). */
export async function lastSchedulerHeartbeat(redis: Redis, prefix: string): Promise<SchedulerHeartbeat | null> {
  const fields = await redis.hgetall(schedulerKey(prefix));
  if (!fields.at) return null;
  return { at: new Date(Number(fields.at)), stoppedAt: fields.stoppedAt ? new Date(Number(fields.stoppedAt)) : null };
}
