import { Transform, type TransformCallback } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import type { NewFile } from '../files/atomicFile.ts';
import { to as copyTo } from 'pg-copy-streams';
import { REJECT_REASONS } from '../domain/importCodes.ts';
import type { ImportKind } from '../domain/importRows.ts';
import { parseCopyLine } from './copyText.ts';
import { csvLine } from './csvText.ts';
import { rawJsonSql } from './stageSql.ts';

/** Keeps every rejected row of import_checked in import_reject, with a message from its codes. */
export async function storeRejects(client: pg.PoolClient, importId: string, kind: ImportKind): Promise<void> {
  const codes = Object.keys(REJECT_REASONS);
  const reasons = Object.values(REJECT_REASONS);
  await client.query(
    `
INSERT INTO import_reject (import_id, line, row_key, codes, message, raw)
SELECT $1, k.line, k.row_key, k.codes,
  (SELECT string_agg(u.code || ': ' || coalesce(m.reason, u.code), '; ' ORDER BY u.ord)
   FROM unnest(k.codes) WITH ORDINALITY AS u(code, ord)
   LEFT JOIN unnest($2::text[], $3::text[]) AS m(code, reason) ON m.code = u.code),
  ${rawJsonSql(kind, 'k')}
FROM import_checked k
WHERE k.outcome = 'rejected'`,
    [importId, codes, reasons],
  );
}

/** A data column of the input file: its name as written there and the column it is. */
export interface FileColumn {
  name: string;
  column: string;
}

/**
 * Streams the stored rejects of one import into a CSV file: line, codes, message, then the
 * row as it was, in the input's own columns, ready to fix and import again.
 */
export async function writeRejectsFile(client: pg.PoolClient, importId: string, columns: FileColumn[], file: NewFile): Promise<void> {
  const id = BigInt(importId); // a number, safe to put into COPY, which takes no parameters
  const source = client.query(
    copyTo(`COPY (SELECT line, array_to_string(codes, ';'), message, raw FROM import_reject WHERE import_id = ${id} ORDER BY line) TO STDOUT`),
  );
  let rest = '';
  const decoder = new StringDecoder('utf8'); // a chunk may end inside a character
  const toCsv = new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      const lines = (rest + decoder.write(chunk)).split('\n');
      rest = lines.pop() ?? '';
      done(null, lines.map(rejectLine).join(''));
    },
    flush(done: TransformCallback) {
      rest += decoder.end();
      done(null, rest ? rejectLine(rest) : '');
    },
  });
  function rejectLine(copyLine: string): string {
    const [line, codes, message, rawText] = parseCopyLine(copyLine);
    const raw = JSON.parse(rawText ?? '{}') as Record<string, unknown>;
    const extra = Array.isArray(raw._extra) ? raw._extra.map(String) : [];
    const values = columns.map(({ column }) => (raw[column] === null || raw[column] === undefined ? '' : String(raw[column])));
    return csvLine([line ?? '', codes ?? '', message ?? '', ...values, ...extra]);
  }
  await file.write(csvLine(['line', 'codes', 'message', ...columns.map((c) => c.name)]));
  await pipeline(source, toCsv, async (lines: AsyncIterable<string>) => {
    for await (const text of lines) await file.write(text);
  });
}
