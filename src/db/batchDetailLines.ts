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
  const query = sql`SELECT ${format.detailLineSql()} FROM batch_item bi
                     WHERE bi.batch_id = ${sql.raw(batchId)} ORDER BY ${format.detailOrderSql()}`;
  const compiled: CompiledQuery = query.compile(compiler);
  if (compiled.parameters.length) throw new Error('detail line SQL must not take parameters');
  // CSV with delimiter and quote set to control characters the import refuses: each line then
  // comes out exactly as rendered, one per row, ended by LF.
  return `COPY (${compiled.sql}) TO STDOUT WITH (FORMAT csv, DELIMITER E'\\x01', QUOTE E'\\x02')`;
}

/** The batch's detail lines in file order, streamed by COPY, each ended by LF. */
export async function* streamDetailLines(client: pg.PoolClient, format: UploadFormat, batchId: string): AsyncGenerator<Buffer> {
  const stream = client.query(copyTo(copyDetailLinesSql(format, batchId)));
  for await (const chunk of stream) yield chunk as Buffer;
}
