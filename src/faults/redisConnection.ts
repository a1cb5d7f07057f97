import { Redis } from 'ioredis';
import type { ConnectionHealth } from './connectionHealth.ts';

/** Reconnect back-off: 200 ms doubling, capped (a few seconds' outage is ridden out quickly). */
export const REDIS_BACKOFF_CAP_MS = 2_000;

export interface RedisOptions {
  /**
   * 'command': a short-lived command gives up after a few attempts if Redis never answered
   * (so it can say so at once), but once connected rides out an outage like a service.
   * 'service': worker and scheduler reconnect forever.
   */
  role: 'command' | 'service';
  health?: ConnectionHealth;
}

/** A Redis connection for BullMQ (maxRetriesPerRequest: null) that reconnects with capped back-off. */
export function openRedis(url: string, options: RedisOptions): Redis {
  let everReady = false;
  const connection = new Redis(url, {
    maxRetriesPerRequest: null,
    connectTimeout: 5_000,
    retryStrategy: (times) => {
      if (!everReady && options.role === 'command' && times > 3) return null;
      return Math.min(200 * 2 ** Math.min(times - 1, 10), REDIS_BACKOFF_CAP_MS);
    },
  });
  watch(connection, options.health, () => (everReady = true));
  return connection;
}

/** Error listener (errors surface through the calls that fail) and health reports. */
function watch(connection: Redis, health: ConnectionHealth | undefined, onReady: () => void): void {
  connection.on('error', () => {});
  connection.on('ready', () => {
    onReady();
    health?.up('Redis', connection);
  });
  // 'reconnecting' follows only a close nobody asked for; 'end' is final (closed on purpose, or given up).
  connection.on('reconnecting', () => health?.down('Redis', connection, 'connection closed'));
  connection.on('end', () => health?.forget('Redis', connection));
}
