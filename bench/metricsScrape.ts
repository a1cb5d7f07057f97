// `node bench/metricsScrape.ts [--template cet_bench_t_history] [--scrapes 10] [--refresh 60]`: what a /metrics
// scrape costs against the bench's history (1,000,000 completions, after `npm run bench --
// --keep`). Clones the template, migrates the clone, starts the console in this process on a
// free port and times GET /metrics; prints the median and the spread, then drops the clone.

import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import pino from 'pino';
import { loadConfig } from '../src/config.ts';
import { buildConsole } from '../src/console/server.ts';
import { connectionConfig, openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const template = option('template') ?? 'cet_bench_t_history';
const scrapes = Number(option('scrapes') ?? 10);
// As `serve` runs by default (60 s); --refresh 0 times a scrape that queries PostgreSQL itself.
const refreshMs = Number(option('refresh') ?? 60) * 1000;
const server = process.env.BENCH_PG_SERVER ?? 'postgresql://postgres@127.0.0.1:5432';
const name = `cet_bench_metrics_${randomBytes(3).toString('hex')}`;

async function admin(sqlText: string): Promise<void> {
  const url = new URL(server);
  url.pathname = '/postgres';
  const client = new pg.Client(connectionConfig(url.toString()));
  await client.connect();
  try {
    await client.query(sqlText);
  } finally {
    await client.end();
  }
}

await admin(`CREATE DATABASE ${name} TEMPLATE ${pg.escapeIdentifier(template)}`);
const url = new URL(server);
url.pathname = `/${name}`;
const handle = openDatabase(url.toString());
try {
  const migrated = await migrateToLatest(handle.db);
  if (migrated.error) throw migrated.error;
  const { rows } = await handle.pool.query<{ n: string }>('SELECT count(*) AS n FROM completion');
  const config = loadConfig({ DATABASE_URL: url.toString(), REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379', QUEUE_PREFIX: `cetbenchmetrics${process.pid}` });
  const app = await buildConsole({
    config,
    db: handle.db,
    pool: handle.pool,
    clock: () => new Date('2023-06-30T12:00:00Z'),
    logger: pino({ level: 'warn' }),
    sessionSecret: randomBytes(32).toString('hex'),
    usersFile: '/nonexistent',
    delivery: undefined,
    metricsRefreshMs: refreshMs,
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const times: number[] = [];
  let bytes = 0;
  let last = '';
  for (let i = 0; i < scrapes + 1; i++) {
    const start = performance.now();
    const text = await (await fetch(`${address}/metrics`)).text();
    const ms = performance.now() - start;
    if (i > 0) times.push(ms); // the first computes the first snapshot (or warms the caches)
    bytes = text.length;
    last = text;
  }
  await app.close();
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  console.log(
    `${Number(rows[0]!.n).toLocaleString('en-GB')} completions: /metrics median ${median.toFixed(0)} ms ` +
      `(min ${times[0]!.toFixed(0)}, max ${times.at(-1)!.toFixed(0)}; ${scrapes} scrapes, refresh ${refreshMs / 1000} s, ${bytes} bytes; ` +
      `cet_uploader_metrics_compute_seconds ${/^cet_uploader_metrics_compute_seconds (\S+)$/m.exec(last)?.[1]})`,
  );
} finally {
  await handle.close();
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}
