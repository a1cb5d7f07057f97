import type { RawBuilder } from 'kysely';
import type pg from 'pg';
import Cursor from 'pg-cursor';
import type { Db } from './database.ts';

export interface StreamOptions {
  /** Rows fetched at a time. */
  batch?: number;
  /**
   * Plan for the first rows rather than for all of them: the query runs as a DECLAREd cursor
   * (in a read-only transaction) with a low cursor_tuple_fraction, so that PostgreSQL may walk
   * an index in the query's order with a few lookups a row instead of joining every row as
   * sets and sorting them before the first comes out. A protocol-level cursor (pg-cursor) is
   * always planned for all its rows.
   */
  fastStart?: boolean;
}

/**
 * The rows of a query as they come, `batch` at a time through a server-side cursor (pg-cursor):
 * the process holds one batch, whatever the number of rows. The pool's client is released when
 * the caller stops reading (a break or an error) as well as at the end.
 */
export async function* streamRows<Row>(db: Db, pool: pg.Pool, query: RawBuilder<Row>, options: StreamOptions = {}): AsyncGenerator<Row> {
  const batch = options.batch ?? 2000;
  if (options.fastStart) {
    yield* streamDeclared(db, pool, query, batch);
    return;
  }
  const compiled = query.compile(db);
  const client = await pool.connect();
  // Read queries over a million rows: their hash tables and a sort of a million rows fit in
  // 256 MB (as the batch claim's); back to the default before the client returns to the pool.
  await client.query(`SET work_mem = '256MB'`);
  const cursor = client.query(new Cursor<Row>(compiled.sql, compiled.parameters as unknown[]));
  let failed = false;
  try {
    for (;;) {
      const rows = await cursor.read(batch);
      if (!rows.length) break;
      yield* rows;
    }
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    await cursor.close().catch(() => {});
    if (!failed) await client.query('RESET work_mem').catch(() => (failed = true));
    client.release(failed);
  }
}

async function* streamDeclared<Row>(db: Db, pool: pg.Pool, query: RawBuilder<Row>, batch: number): AsyncGenerator<Row> {
  const compiled = query.compile(db);
  const client = await pool.connect();
  let failed = false;
  try {
    // SET LOCAL: the settings end with the transaction.
    await client.query(`BEGIN READ ONLY; SET LOCAL cursor_tuple_fraction = 0.01`);
    await client.query(`DECLARE rows_cursor NO SCROLL CURSOR FOR ${compiled.sql}`, compiled.parameters as unknown[]);
    for (;;) {
      const { rows } = await client.query(`FETCH ${batch} FROM rows_cursor`);
      if (!rows.length) break;
      yield* rows as Row[];
    }
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    // Also when the caller stopped early: the transaction (and its cursor) ends here.
    await client.query(failed ? 'ROLLBACK' : 'COMMIT').catch(() => (failed = true));
    client.release(failed);
  }
}
