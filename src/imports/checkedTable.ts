import { IMPORT_COLUMNS, type ImportKind } from '../domain/importRows.ts';
import { contentSql } from './stageSql.ts';

export interface Query {
  text: string;
  values: unknown[];
}

export interface ImportParameters {
  now: Date;
  zone: string;
}

/** What one kind adds to the common checks. Expressions see the staging row as `s`, later `b`. */
export interface CheckedTableParts {
  kind: ImportKind;
  /** The row's key in normal form, NULL when a key field is bad. */
  key: string;
  /** The key as written (over the final row `f`), for a row whose key is bad. */
  rawKey: string;
  /** Typed columns computed once from the staged text (OFFSET 0 keeps the planner from inlining them back into every use). */
  prepare?: string;
  /** Columns the kind's checks and merge need, from the joins. */
  select: string;
  joins: string;
  /** CASE expressions over `b`, each giving a code or NULL. */
  codes: string[];
  /**
   * The columns of `prepare` and `select` that the recheck and the merge read. import_checked
   * keeps only these, beside the staged row (for the rejects) and the outcome: each later
   * statement scans it, so every byte it does not need costs again and again.
   */
  keep: string[];
  /** Over the final row `f`: no stored row has this key; a stored row has other content. */
  isNew: string;
  changed: string;
}

/**
 * The checks that need other rows or tables, in one pass over the staging table: the result,
 * import_checked, holds every row with all its codes and its outcome. A new table rather than
 * UPDATEs of the staging table, because writing a million rows once is cheaper than rewriting
 * them per check.
 */
export function checkedTableSql(parts: CheckedTableParts): string {
  const codes = parts.codes.map((code) => `,\n      ${code}`).join('');
  const staged = IMPORT_COLUMNS[parts.kind].map((column) => `f.r_${column}, f.n_${column}`).join(', ');
  const stage = parts.prepare ? `(SELECT s.*, ${parts.prepare} FROM import_stage s OFFSET 0) s` : 'import_stage s';
  // Keys on more than one line are few. Staging flagged each row whose key it had probably met
  // on another line before (bit 1 of seen): in one pass an earlier line; in two threads
  // (stageParallel.ts) whichever thread came second. Never missing one: every key on two lines
  // or more has a flagged row. Only the keys of flagged rows are grouped, and only their rows'
  // contents compared. Grouping a million keys to find them cost ~1 s, building every row's
  // content text another ~1 s.
  return `
CREATE TEMP TABLE import_checked ON COMMIT DROP AS
WITH repeated AS (
  SELECT ${parts.key} AS n_key, min(s.line) AS first_line,
         min(${contentSql(parts.kind)} COLLATE "C") <> max(${contentSql(parts.kind)} COLLATE "C") AS differs
  FROM import_stage s
  WHERE ${parts.key} IN (SELECT ${parts.key} FROM import_stage s WHERE s.seen & 1 <> 0)
  GROUP BY 1
  HAVING count(*) > 1
), base AS (
  SELECT s.*, ${parts.key} AS n_key, ${parts.select}
  FROM ${stage}
  ${parts.joins}
), coded AS (
  SELECT b.*, coalesce(d.first_line, b.line) AS first_line, array_remove(b.row_codes || ARRAY[
      CASE WHEN d.differs THEN 'DUPLICATE_KEY_IN_FILE' END${codes}
    ]::text[], NULL) AS codes1
  FROM base b LEFT JOIN repeated d ON d.n_key = b.n_key
), final AS (
  -- OFFSET 0: the codes are computed once per row; inlined, they were computed again for the outcome.
  SELECT c.*, c.codes1 AS codes FROM coded c OFFSET 0
)
SELECT f.line, f.extra, f.seen, ${staged}, f.n_key, f.codes, ${parts.keep.map((column) => `f.${column}`).join(', ')},
  CASE
    WHEN cardinality(f.codes) > 0 THEN 'rejected'
    WHEN f.line <> f.first_line THEN 'unchanged'
    WHEN ${parts.isNew} THEN 'inserted'
    WHEN ${parts.changed} THEN 'updated'
    ELSE 'unchanged'
  END AS outcome,
  coalesce(f.n_key, ${parts.rawKey}) AS row_key
FROM final f`;
}
