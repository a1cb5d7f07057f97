import { IMPORT_COLUMNS, OPTIONAL_COLUMNS, type ImportKind } from '../domain/importRows.ts';

// SQL pieces over the staging table. Column names come from IMPORT_COLUMNS, constants of the
// code, so interpolating them is safe.

export function stageTableSql(kind: ImportKind): string {
  const columns = IMPORT_COLUMNS[kind].map((c) => `r_${c} text, n_${c} text`).join(', ');
  // TEMP: no WAL, gone at commit; line numbers are unique per file.
  // seen: bit i set when the row's i-th repeat key (REPEAT_KEYS) was probably met before on another line.
  return `CREATE TEMP TABLE import_stage (line integer NOT NULL, row_codes text[] NOT NULL, extra jsonb, seen integer NOT NULL, ${columns}) ON COMMIT DROP`;
}

export function stageCopySql(kind: ImportKind): string {
  const columns = IMPORT_COLUMNS[kind].map((c) => `r_${c}, n_${c}`).join(', ');
  return `COPY import_stage (line, row_codes, extra, seen, ${columns}) FROM STDIN`;
}

/** The value as it was in the file. */
export function rawValue(column: string, alias = 's'): string {
  return `coalesce(${alias}.r_${column}, ${alias}.n_${column})`;
}

/** Text equal for two rows exactly when their normalised content is equal (bad values as written). */
export function contentSql(kind: ImportKind, alias = 's'): string {
  const parts = IMPORT_COLUMNS[kind].map((c) => `coalesce(${alias}.n_${c}, E'\\x1e' || ${alias}.r_${c}, E'\\x1d')`);
  return `concat_ws(E'\\x1f', ${parts.join(', ')})`;
}

/** The raw row as a JSON object of column → value, with any surplus fields under "_extra". */
export function rawJsonSql(kind: ImportKind, alias = 'k'): string {
  const optional: readonly string[] = OPTIONAL_COLUMNS[kind];
  const pairs = IMPORT_COLUMNS[kind].filter((c) => !optional.includes(c)).map((c) => `'${c}', ${rawValue(c, alias)}`).join(', ');
  // An optional column the file left out is not part of the row.
  const optionalPairs = optional.map((c) => ` || CASE WHEN ${rawValue(c, alias)} IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('${c}', ${rawValue(c, alias)}) END`).join('');
  return `jsonb_build_object(${pairs})${optionalPairs} || CASE WHEN ${alias}.extra IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('_extra', ${alias}.extra) END`;
}
