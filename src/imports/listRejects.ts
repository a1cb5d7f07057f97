import { sql, type RawBuilder } from 'kysely';
import type pg from 'pg';

export interface RejectRow {
  file: string;
  line: number;
  kind: string;
  key: string | null;
  codes: string[];
  message: string;
  import_id: string;
  imported_at: Date;
}

/** Rows refused at import, oldest import first; `file` matches a whole path or a file name. */
export async function listRejects(pool: pg.Pool, filter: { file?: string } = {}): Promise<RejectRow[]> {
  const result = await pool.query<RejectRow>(
    `SELECT r.file_name AS file, j.line, r.kind, j.row_key AS key, j.codes, j.message, r.id AS import_id, r.started_at AS imported_at
     FROM import_reject j JOIN import_run r ON r.id = j.import_id
     WHERE $1::text IS NULL OR r.file_name = $1 OR r.file_name LIKE '%/' || $1
     ORDER BY r.id, j.line`,
    [filter.file ?? null],
  );
  return result.rows;
}

/** The query of listRejects, to stream. */
export function rejectsSql(filter: { file?: string } = {}): RawBuilder<RejectRow> {
  const file = filter.file ?? null;
  return sql<RejectRow>`
    SELECT r.file_name AS file, j.line, r.kind, j.row_key AS key, j.codes, j.message, r.id AS import_id, r.started_at AS imported_at
      FROM import_reject j JOIN import_run r ON r.id = j.import_id
     WHERE ${file}::text IS NULL OR r.file_name = ${file} OR r.file_name LIKE '%/' || ${file}
     ORDER BY r.id, j.line`;
}
