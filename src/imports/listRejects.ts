import { sql, type RawBuilder } from 'kysely';
import type pg from 'pg';
import { REJECT_RESOLVED_SQL } from '../db/importRejectResolved.ts';

export interface RejectRow {
  file: string;
  line: number;
  kind: string;
  key: string | null;
  codes: string[];
  message: string;
  import_id: string;
  imported_at: Date;
  /** The same key was imported successfully since: shown as resolved, not counted by status. */
  resolved: boolean;
}

/** Rows refused at import, oldest import first; `file` matches a whole path or a file name. */
export async function listRejects(pool: pg.Pool, filter: { file?: string } = {}): Promise<RejectRow[]> {
  const result = await pool.query<RejectRow>(
    `SELECT r.file_name AS file, j.line, r.kind, j.row_key AS key, j.codes, j.message, r.id AS import_id, r.started_at AS imported_at,
            ${REJECT_RESOLVED_SQL} AS resolved
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
