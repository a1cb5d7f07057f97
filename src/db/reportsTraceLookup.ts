import { sql } from 'kysely';
import type { Db } from './database.ts';
import { REJECT_RESOLVED_SQL } from './importRejectResolved.ts';

export function findRegistrantByGocNumber(db: Db, gocNumber: string) {
  return db.selectFrom('registrant').select(['id', 'goc_number', 'surname', 'forenames']).where('goc_number', '=', gocNumber).executeTakeFirst();
}

export function findCompletionByRef(db: Db, providerRef: string) {
  return db.selectFrom('completion').select(['id', 'provider_ref', 'registrant_id']).where('provider_ref', '=', providerRef).executeTakeFirst();
}

export interface ImportRejectRow {
  file_name: string;
  line: number;
  row_key: string | null;
  codes: string[];
  message: string;
  imported_at: Date;
  /** The same key was imported successfully since (importRejectResolved.ts). */
  resolved: boolean;
}

/**
 * Rows refused at import that concern a GOC number (in any written form) or provider_refs:
 * by their key, or by the goc_number / provider_ref columns of the raw row.
 */
export async function importRejectsFor(db: Db, keys: { gocNumber: string | null; providerRefs: string[] }): Promise<ImportRejectRow[]> {
  // The GOC number compared without white space and hyphens, upper-cased, as the import normalises it.
  const compactGoc = keys.gocNumber?.replace(/[\s-]/g, '').toUpperCase() ?? null;
  const { rows } = await sql<ImportRejectRow>`
    SELECT r.file_name, j.line, j.row_key, j.codes, j.message, r.started_at AS imported_at, ${sql.raw(REJECT_RESOLVED_SQL)} AS resolved
      FROM import_reject j JOIN import_run r ON r.id = j.import_id
     WHERE (${compactGoc}::text IS NOT NULL AND (
              upper(regexp_replace(coalesce(j.raw->>'goc_number', ''), '[[:space:]-]', '', 'g')) = ${compactGoc}
           OR upper(regexp_replace(coalesce(j.row_key, ''), '[[:space:]-]', '', 'g')) = ${compactGoc}))
        OR j.raw->>'provider_ref' = ANY (${keys.providerRefs}::text[])
        OR j.row_key = ANY (${keys.providerRefs}::text[])
     ORDER BY r.started_at, j.import_id, j.line`.execute(db);
  return rows;
}
