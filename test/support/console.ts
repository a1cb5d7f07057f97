import { chromium, type Browser } from 'playwright-core';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { deliveryWiring } from '../../src/cli/deliveryWiring.ts';
import { loadConfig } from '../../src/config.ts';
import { buildConsole } from '../../src/console/server.ts';
import type { DbHandle } from '../../src/db/database.ts';

/** A session secret for tests only; the tests check it never shows in a page, header or log. */
export const TEST_SESSION_SECRET = 'test-session-secret-8c1f0e2a9b7d4c6e5f3a1b0c9d8e7f6a';

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
  database: DbHandle,
  options: { now?: Date; redisUrl?: string; usersFile?: string; loginLimit?: { max: number; timeWindowMs: number }; metricsRefreshMs?: number } = {},
): Promise<RunningConsole> {
  let now = options.now ?? new Date();
  let logs = '';
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs += String(chunk);
      done();
    },
  });
  const config = loadConfig({ ...env, ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}) });
  const app = await buildConsole({
    config,
    db: database.db,
    pool: database.pool,
    clock: () => now,
    logger: pino({ level: 'info' }, sink),
    sessionSecret: TEST_SESSION_SECRET,
    usersFile: options.usersFile ?? '/nonexistent/console-users',
    delivery: deliveryWiring(config),
    loginLimit: options.loginLimit ?? { max: 1000, timeWindowMs: 60_000 },
    metricsRefreshMs: options.metricsRefreshMs,
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, app, logs: () => logs, setNow: (at) => (now = at), close: () => app.close() };
}

/**
 * Debian's chromium (/usr/bin/chromium, installed by .ci/run) through playwright-core, headless;
 * without the background-networking flags it keeps calling hosts this closed network refuses.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
