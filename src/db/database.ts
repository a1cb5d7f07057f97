import { Kysely, PostgresDialect } from 'kysely';
import { userInfo } from 'node:os';
import pg from 'pg';
import type { Database } from './schema.ts';

// Dates stay 'YYYY-MM-DD' text: turning them into JS Dates would put them at a local midnight
// and invite off-by-one-day errors. bigint (int8) stays text as well; ids are opaque.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);

export type Db = Kysely<Database>;

export interface DbHandle {
  db: Db;
  pool: pg.Pool;
  close(): Promise<void>;
}

/** Nothing waits forever on a server: connect, statement and lock timeouts (ms) on every connection. */
export interface DbTimeouts {
  connectMs: number;
  statementMs: number;
  lockMs: number;
}

export const DEFAULT_DB_TIMEOUTS: DbTimeouts = { connectMs: 10_000, statementMs: 900_000, lockMs: 300_000 };

/** Connection settings for a URL; like libpq, a URL without a user name means the OS user. */
export function connectionConfig(url: string, timeouts: DbTimeouts = DEFAULT_DB_TIMEOUTS): pg.ClientConfig {
  const parsed = new URL(url);
  if (!parsed.username) parsed.username = encodeURIComponent(process.env.PGUSER ?? process.env.USER ?? userInfo().username);
  return {
    connectionString: parsed.toString(),
    connectionTimeoutMillis: timeouts.connectMs,
    statement_timeout: timeouts.statementMs,
    lock_timeout: timeouts.lockMs,
    // A dead peer (host gone, cable pulled) is noticed rather than waited on.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  };
}

export function openDatabase(url: string, options: { max?: number; timeouts?: DbTimeouts } = {}): DbHandle {
  const pool = new pg.Pool({ ...connectionConfig(url, options.timeouts), max: options.max ?? 10 });
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    pool,
    async close() {
      // Kysely ends the pool only if it ran a query itself; COPY users borrow the pool directly.
      await db.destroy();
      if (!pool.ended) await pool.end();
    },
  };
}
