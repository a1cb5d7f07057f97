import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Db } from '../db/database.ts';
import { openQueue } from '../queue/enqueueAndWait.ts';
import { checkReadiness } from './health.ts';
import { createMetrics, PROMETHEUS_CONTENT_TYPE } from './metrics.ts';

export interface ConsoleOptions {
  config: Config;
  db: Db;
  /** Opens a new Redis connection (closed by the console when it closes). */
  redis: () => Redis;
  /** The console's "now": the real clock, or a fixed instant (serve --now) for tests. */
  clock: () => Date;
  logger: Logger;
}

/** The console's HTTP server (console.md), not yet listening. close() closes what it opened. */
export async function buildConsole(options: ConsoleOptions): Promise<FastifyInstance> {
  const { config, db } = options;
  const app = Fastify({ loggerInstance: options.logger as FastifyBaseLogger, trustProxy: Boolean(config.CONSOLE_PUBLIC_URL) });

  // A health connection that fails at once when Redis is down, rather than queueing the PING.
  const healthRedis = options.redis();
  const queueRedis = options.redis();
  const queue = openQueue(queueRedis, config.QUEUE_PREFIX);
  queue.on('error', () => {}); // /readyz reports Redis; no stack on stderr meanwhile
  app.addHook('onClose', async () => {
    await queue.close().catch(() => {});
    healthRedis.disconnect();
    queueRedis.disconnect();
  });

  const statusAt = () => ({
    now: options.clock(),
    zone: config.BUSINESS_TIME_ZONE,
    holdDays: config.INTERACTIVE_HOLD_DAYS,
    weeklyCron: config.WEEKLY_CRON,
  });
  const metrics = createMetrics({ db, queue, statusAt });

  app.get('/livez', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const readiness = await checkReadiness(db, healthRedis);
    const failed = Object.entries(readiness.checks).filter(([, check]) => !check.ok).map(([name]) => name);
    reply.code(readiness.ready ? 200 : 503);
    return { status: readiness.ready ? 'ready' : 'not ready', failed, checks: readiness.checks };
  });

  app.get('/metrics', async (_request, reply) => {
    const text = await metrics.render();
    reply.type(PROMETHEUS_CONTENT_TYPE);
    return text;
  });

  return app;
}
