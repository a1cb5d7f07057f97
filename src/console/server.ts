import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Db } from '../db/database.ts';
import type { DeliveryWiring } from '../delivery/deliveryWiring.ts';
import { openQueue } from '../queue/enqueueAndWait.ts';
import { countLiveWorkers } from '../queue/workerPresence.ts';
import { registerAuth, requireOperator } from './auth.ts';
import { checkReadiness } from './health.ts';
import { createMetrics, PROMETHEUS_CONTENT_TYPE } from './metrics.ts';
import { registerPages } from './pages.ts';
import { readPresence } from '../status/presence.ts';

export interface ConsoleOptions {
  config: Config;
  db: Db;
  pool: pg.Pool;
  /** Connections for the FINAL batch (generous statement timeout); default: db and pool. */
  writes?: () => { db: Db; pool: pg.Pool };
  /** The console's "now": the real clock, or a fixed instant (serve --now) for tests. */
  clock: () => Date;
  logger: Logger;
  /** CONSOLE_SESSION_SECRET, checked by the caller (32 bytes or more). */
  sessionSecret: string;
  usersFile: string;
  /** The delivery wiring when DELIVERY=sftp (src/cli/deliveryWiring.ts): the Deliveries page's Retry queues with it. */
  delivery: DeliveryWiring | undefined;
  /** How often the metrics' gauges are read from PostgreSQL in the background; 0 (default): at each scrape. */
  metricsRefreshMs?: number;
  /** Login attempts per address and window; default 10 a minute. */
  loginLimit?: { max: number; timeWindowMs: number };
}

/** The console's HTTP server (console.md), not yet listening. close() closes what it opened. */
export async function buildConsole(options: ConsoleOptions): Promise<FastifyInstance> {
  const { config, db } = options;
  const app = Fastify({ loggerInstance: options.logger as FastifyBaseLogger, trustProxy: Boolean(config.CONSOLE_PUBLIC_URL) });

  // The health connection fails at once while Redis is down, rather than queueing the PING.
  const healthRedis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: (times) => Math.min(times * 200, 2_000) });
  healthRedis.on('error', () => {});
  const queueRedis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null, retryStrategy: (times) => Math.min(times * 200, 2_000) });
  queueRedis.on('error', () => {});
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
    outboxDir: config.OUTBOX_DIR,
  });
  // The worker's and the scheduler's readiness, from their heartbeats in Redis.
  const presence = () => readPresence(queueRedis, config.QUEUE_PREFIX);
  const metrics = createMetrics({ db, queue, statusAt, refreshMs: options.metricsRefreshMs, presence });
  app.addHook('onClose', async () => metrics.close());

  // A page's query cut short by the statement timeout (PG_READ_STATEMENT_TIMEOUT_MS in `serve`):
  // one line saying which timeout, and the variable that raises it; every other error as before.
  app.setErrorHandler((error, _request, reply) => {
    if ((error as { code?: string }).code === '57014' && /statement timeout/i.test((error as Error).message)) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send(
          `PostgreSQL cancelled a statement of this page that ran longer than the statement timeout of read-only commands and the console, ` +
            `PG_READ_STATEMENT_TIMEOUT_MS (${config.PG_READ_STATEMENT_TIMEOUT_MS / 1000} s): the database may be busy or locked. Try again, or raise PG_READ_STATEMENT_TIMEOUT_MS.\n`,
        );
    }
    throw error;
  });

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

  await registerAuth(app, {
    db,
    usersFile: options.usersFile,
    sessionSecret: options.sessionSecret,
    secureCookies: config.CONSOLE_PUBLIC_URL?.startsWith('https:') ?? false,
    loginLimit: options.loginLimit ?? { max: 10, timeWindowMs: 60_000 },
  });
  registerPages(app, {
    config,
    db,
    pool: options.pool,
    writes: options.writes ?? (() => ({ db, pool: options.pool })),
    presence,
    clock: options.clock,
    logger: options.logger,
    queue,
    delivery: options.delivery,
    liveWorkers: () => countLiveWorkers(queueRedis, config.QUEUE_PREFIX),
  });

  // Bull Board, operator only, read-only: its own API calls carry no CSRF token, so it may not change anything.
  const operatorOnly = requireOperator(db);
  await app.register(async (scope) => {
    scope.addHook('preHandler', operatorOnly);
    const board = new FastifyAdapter();
    board.setBasePath('/queue');
    createBullBoard({ queues: [new BullMQAdapter(queue, { readOnlyMode: true })], serverAdapter: board, options: { uiConfig: { boardTitle: 'CET uploads queue' } } });
    await scope.register(board.registerPlugin(), { prefix: '/queue' });
  });

  return app;
}
