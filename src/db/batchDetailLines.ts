import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { CompiledQuery, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, DummyDriver, sql } from 'kysely';
import type { UploadFormat } from '../format/uploadFormat.ts';

// Compiles SQL built with kysely's sql tag without a connection (COPY cannot take parameters,
// so the batch id is inlined as a checked integer).
const compiler = new Kysely<unknown>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

function copyDetailLinesSql(format: UploadFormat, batchId: string): string {
  if (!/^\d+$/.test(batchId)) throw new Error(`not a batch id: ${batchId}`);
  const query = sql`SELECT ${format.detailFieldsSql()} FROM batch_item bi
                     WHERE bi.batch_id = ${sql.raw(batchId)} ORDER BY ${format.detailOrderSql()}`;
  const compiled: CompiledQuery = query.compile(compiler);
  if (compiled.parameters.length) throw new Error('detail line SQL must not take parameters');
  // COPY's own CSV writer quotes the fields (in C: a third faster on a million rows than
  // rendering each line with SQL string functions); rows end with LF, made CRLF by the writer.
  return `COPY (${compiled.sql}) TO STDOUT WITH (FORMAT csv)`;
}

/** The batch's detail lines in file order, streamed by COPY, each ended by LF. */
export async function* streamDetailLines(client: pg.PoolClient, format: UploadFormat, batchId: string): AsyncGenerator<Buffer> {
  const stream = client.query(copyTo(copyDetailLinesSql(format, batchId)));
  for await (const chunk of stream) yield chunk as Buffer;
}
