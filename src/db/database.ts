import { Kysely, PostgresDialect } from 'kysely';
import { userInfo } from 'node:os';
import pg from 'pg';
import type { ConnectionHealth } from '../faults/connectionHealth.ts';
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
    // No JIT compilation: this service's statements are joins of plain columns and CASEs, and
    // compiling them cost more than it saved wherever measured at a million rows (status ~0.7 s;
    // the dry run ~1.5 s of a 3 s run, in each parallel worker). libpq's PGOPTIONS still apply,
    // after it (the last setting wins); a DATABASE_URL with its own `options` replaces both.
    options: ['-c jit=off', process.env.PGOPTIONS].filter(Boolean).join(' '),
    // A dead peer (host gone, cable pulled) is noticed rather than waited on.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  };
}

export function openDatabase(url: string, options: { max?: number; timeouts?: DbTimeouts; health?: ConnectionHealth } = {}): DbHandle {
  // A service (health given) keeps one idle connection open, so that it notices a lost
  // PostgreSQL when that connection breaks, not only at its next query.
  const pool = new pg.Pool({ ...connectionConfig(url, options.timeouts), max: options.max ?? 10, min: options.health ? 1 : 0 });
  watchPool(pool, options.health);
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

/**
 * A client that loses its server, idle in the pool or checked out between queries, must not
 * crash the process ("Unhandled 'error' event"): every client gets an error listener, and the
 * next query on it fails (the step fails; BullMQ retries the job). With a health tracker (worker,
 * scheduler), the loss is logged once and probed with capped back-off until PostgreSQL is back.
 */
function watchPool(pool: pg.Pool, health: ConnectionHealth | undefined): void {
  let probing = false;
  const lost = (error: Error) => {
    if (!health || pool.ended) return;
    health.down('PostgreSQL', pool, error.message);
    if (probing) return;
    probing = true;
    void (async () => {
      for (let attempt = 0; !pool.ended; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(200 * 2 ** Math.min(attempt, 10), 5_000)).unref());
        if (pool.ended) break;
        try {
          await pool.query('SELECT 1');
          health.up('PostgreSQL', pool);
          break;
        } catch {
          // still down: back off and try again
        }
      }
      probing = false;
    })();
  };
  pool.on('error', lost);
  pool.on('connect', (client) => client.on('error', lost));
}
