import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.ts';
import { buildConsole } from '../../src/console/server.ts';
import type { Db } from '../../src/db/database.ts';

export interface RunningConsole {
  url: string;
  app: FastifyInstance;
  /** Every log line the console wrote so far. */
  logs: () => string;
  /** Moves the console's clock. */
  setNow: (now: Date) => void;
  close: () => Promise<void>;
}

/** The console in this process, listening on a free port of 127.0.0.1, with a settable clock. */
export async function startConsole(
  env: Record<string, string>,
  db: Db,
  options: { now?: Date; redisUrl?: string; extra?: Record<string, unknown> } = {},
): Promise<RunningConsole> {
  let now = options.now ?? new Date();
  let logs = '';
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs += String(chunk);
      done();
    },
  });
  const config = loadConfig(env);
  const app = await buildConsole({
    config,
    db,
    redis: () => new Redis(options.redisUrl ?? config.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: () => 500 }).on('error', () => {}),
    clock: () => now,
    logger: pino({ level: 'info' }, sink),
    ...options.extra,
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, app, logs: () => logs, setNow: (at) => (now = at), close: () => app.close() };
}
