import type { RawBuilder } from 'kysely';
import type pg from 'pg';
import Cursor from 'pg-cursor';
import type { Db } from './database.ts';

/**
 * The rows of a query as they come, `batch` at a time through a server-side cursor (pg-cursor):
 * the process holds one batch, whatever the number of rows. The pool's client is released when
 * the caller stops reading (a break or an error) as well as at the end.
 */
export async function* streamRows<Row>(db: Db, pool: pg.Pool, query: RawBuilder<Row>, batch = 2000): AsyncGenerator<Row> {
  const compiled = query.compile(db);
  const client = await pool.connect();
  // Read queries over a million rows: JIT compiling their CASEs cost more than it saved, and
  // their hash tables and a sort of a million rows fit in 256 MB (as the batch claim's); back
  // to the defaults before the client returns to the pool.
  await client.query(`SET jit = off; SET work_mem = '256MB'`);
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
    if (!failed) await client.query('RESET jit; RESET work_mem').catch(() => (failed = true));
    client.release(failed);
  }
}
