import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { CsvError, parse } from 'csv-parse';
import type pg from 'pg';
import { NewFile } from '../files/atomicFile.ts';
import { failpoint } from '../files/failpoint.ts';
import { from as copyFrom } from 'pg-copy-streams';
import { IMPORT_COLUMNS, type ImportKind } from '../domain/importRows.ts';
import type { ImportParameters, Query } from './checkedTable.ts';
import { checkCompletions, clashCompletions, mergeCompletions } from './completionsSql.ts';
import { checkConfirmations, mergeConfirmations } from './confirmationsSql.ts';
import { UnreadableFileError, UnusableFileError } from './errors.ts';
import { checkEvents, mergeEvents } from './eventsSql.ts';
import { checkRegistrants, mergeRegistrants } from './registrantsSql.ts';
import { storeRejects, writeRejectsFile, type FileColumn } from './rejects.ts';
import { StageRows, parseOptions, seenFilters } from './stageRows.ts';
import { cutInTwo, stageInTwo } from './stageParallel.ts';
import type { Cut } from './splitPoint.ts';
import { stripBom } from './stripBom.ts';
import { isUtf8File } from './utf8File.ts';
import { stageCopySql, stageTableSql } from './stageSql.ts';

const DEFAULT_SPLIT_FROM = 32 * 1024 * 1024;

const SQL: Record<ImportKind, {
  check(p: ImportParameters): Query;
  /** Run after the statistics of import_checked are taken, before the merge: changes to a few checked rows. */
  recheck?(p: ImportParameters): Query[];
  merge(p: ImportParameters): Query[];
}> = {
  registrants: { check: checkRegistrants, merge: mergeRegistrants },
  events: { check: checkEvents, merge: mergeEvents },
  completions: { check: checkCompletions, recheck: clashCompletions, merge: mergeCompletions },
  confirmations: { check: checkConfirmations, merge: mergeConfirmations },
};

export interface ImportCounts {
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
}

export interface ImportSummary {
  importId: string;
  kind: ImportKind;
  file: string;
  counts: ImportCounts;
  /** The rejects file written beside the input, or null when no row was rejected. */
  rejectsFile: string | null;
  /** The first rejected rows, for the operator's screen. */
  firstRejects: Array<{ line: number; row_key: string | null; codes: string[]; message: string }>;
}

export interface ImportOptions extends ImportParameters {
  kind: ImportKind;
  file: string;
  /** How many rejected rows the summary shows. */
  showRejects?: number;
  /** Told how long each step took (for the benchmark and CET_DEBUG). */
  onStep?: (step: string, ms: number) => void;
  /** A UTF-8 file of this many bytes or more is parsed in two threads (default 32 MiB). */
  splitFrom?: number;
  /** Told how many bytes of the file have been read so far, of how many (for a progress bar). */
  onRead?: (bytesRead: number, totalBytes: number) => void;
}

/**
 * Imports one file (import-files.md) in one transaction: rows are parsed and checked one by one
 * as a stream and copied into a staging table; every check across rows and tables and the merge
 * are set-based SQL; rejected rows are kept and streamed back out into `<file>.rejects.csv`.
 */
export async function importFile(pool: pg.Pool, options: ImportOptions): Promise<ImportSummary> {
  const file = path.resolve(options.file);
  const unreadable = (error: NodeJS.ErrnoException) =>
    new UnreadableFileError(`cannot read ${options.file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
  const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
    throw unreadable(error);
  });
  if (!info.isFile()) throw new UnreadableFileError(`${options.file} is not a file`);
  // Read before the transaction (and its lock) is taken: how staging parses the file, and where
  // a large UTF-8 file is cut to be parsed in two threads.
  const text = await isUtf8File(file).catch((error: NodeJS.ErrnoException) => {
    throw unreadable(error);
  });
  const cut = text && info.size >= (options.splitFrom ?? DEFAULT_SPLIT_FROM)
    ? await cutInTwo(file, info.size).catch((error: NodeJS.ErrnoException) => {
        throw unreadable(error);
      })
    : null;
  const rejectsPath = `${file}.rejects.csv`;
  let rejects: NewFile | null = null;
  const client = await pool.connect();
  let last = performance.now();
  const step = (name: string) => {
    const at = performance.now();
    options.onStep?.(name, at - last);
    last = at;
  };
  try {
    await client.query('BEGIN');
    // Imports run one at a time; each sees what the one before it stored.
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('cet-uploader import'))`);
    // Sorts of a million staged rows stay in memory.
    await client.query(`SET LOCAL work_mem = '256MB'`);
    const staged = await stage(client, options.kind, file, { size: info.size, text, cut }, options.now.getTime(), (read) => options.onRead?.(read, info.size));
    step(staged.inTwo ? 'parse and copy into staging, in two threads' : 'parse and copy into staging');
    await failpoint('import-staged');
    await client.query('ANALYZE import_stage');
    step('analyze');
    const run = await client.query<{ id: string }>(
      `INSERT INTO import_run (kind, file_name, started_at) VALUES ($1, $2, $3) RETURNING id`,
      [options.kind, file, options.now],
    );
    const importId = run.rows[0]!.id;
    const sql = SQL[options.kind];
    const check = sql.check(options);
    await client.query(check.text, check.values);
    // Statistics, so that the merge's joins are planned for the real number of rows.
    await client.query('ANALYZE import_checked');
    for (const statement of sql.recheck?.(options) ?? []) await client.query(statement.text, statement.values);
    step('check');
    for (const [i, statement] of sql.merge(options).entries()) {
      await client.query(statement.text, statement.values);
      step(`merge ${i + 1}`);
    }
    await storeRejects(client, importId, options.kind);
    step('store rejects');
    const counts = await countOutcomes(client);
    await client.query(
      `UPDATE import_run SET inserted = $2, updated = $3, unchanged = $4, rejected = $5,
         finished_at = $6::timestamptz + (clock_timestamp() - transaction_timestamp())
       WHERE id = $1`,
      [importId, counts.inserted, counts.updated, counts.unchanged, counts.rejected, options.now],
    );
    const firstRejects = await client.query<ImportSummary['firstRejects'][number]>(
      `SELECT line, row_key, codes, message FROM import_reject WHERE import_id = $1 ORDER BY line LIMIT $2`,
      [importId, options.showRejects ?? 20],
    );
    if (counts.rejected > 0) {
      // Created new under an unpredictable name beside the input (mode 0600), renamed after the commit.
      rejects = await NewFile.create(path.dirname(rejectsPath), path.basename(rejectsPath));
      await writeRejectsFile(client, importId, staged.columns, rejects);
    }
    step('write rejects file');
    await client.query('COMMIT');
    step('commit');
    if (rejects) await rejects.commit();
    // A rejects file left from an earlier import of this file no longer describes it.
    else await rm(rejectsPath, { force: true });
    return {
      importId,
      kind: options.kind,
      file,
      counts,
      rejectsFile: counts.rejected > 0 ? rejectsPath : null,
      firstRejects: firstRejects.rows,
    };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    await rejects?.discard();
    if (error instanceof CsvError) {
      throw new UnusableFileError(`${options.file} is not readable CSV: ${error.message}`);
    }
    if (error instanceof UnusableFileError) throw new UnusableFileError(`${options.file}: ${error.message}`);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Streams the file into the staging table, as text when it is UTF-8 throughout (`text`), else as
 * bytes; a UTF-8 file with a `cut` (cutInTwo) in two parts parsed at once (stageParallel.ts),
 * unless they turn out not to be what one pass would make. Returns the input's data columns, in
 * its order, and whether it was staged in two.
 */
async function stage(
  client: pg.PoolClient,
  kind: ImportKind,
  file: string,
  { size, text, cut }: { size: number; text: boolean; cut: Cut | null },
  nowMs: number,
  onRead: (bytesRead: number) => void,
): Promise<{ columns: FileColumn[]; inTwo: boolean }> {
  await client.query(stageTableSql(kind));
  const inTwo = cut ? await stageInTwo(client, kind, file, { size, cut }, nowMs, onRead) : null;
  if (inTwo) return { columns: fileColumns(kind, inTwo), inTwo: true };
  return { columns: fileColumns(kind, await stageInOne(client, kind, file, { size, text }, nowMs, onRead)), inTwo: false };
}

/** Stages the whole file in one pass, in this thread. */
async function stageInOne(
  client: pg.PoolClient,
  kind: ImportKind,
  file: string,
  { size, text }: { size: number; text: boolean },
  nowMs: number,
  onRead: (bytesRead: number) => void,
): Promise<StageRows> {
  const rows = new StageRows(kind, nowMs, seenFilters(kind, size));
  const input = createReadStream(file, { highWaterMark: 64 * 1024 });
  input.on('data', () => onRead(input.bytesRead));
  try {
    await pipeline(
      input,
      stripBom(),
      parse(parseOptions(text)),
      rows,
      client.query(copyFrom(stageCopySql(kind))),
    );
  } catch (error) {
    if (error instanceof CsvError && error.code === 'CSV_QUOTE_NOT_CLOSED') {
      // csv-parse names the line where the file ends; the problem starts where its row does.
      throw new UnusableFileError(`not readable CSV: the row starting on line ${rows.nextLine} opens a quoted field that is never closed (the file ends inside it); close the quote or double the " inside it`);
    }
    throw error;
  }
  return rows;
}

/** The input's data columns, in its order. */
function fileColumns(kind: ImportKind, rows: StageRows): FileColumn[] {
  const columns = IMPORT_COLUMNS[kind];
  return rows.positions
    .map((position, i) => ({ position, name: rows.header![position]!, column: columns[i]! }))
    .filter(({ position }) => position >= 0)
    .sort((a, b) => a.position - b.position)
    .map(({ name, column }) => ({ name, column }));
}

async function countOutcomes(client: pg.PoolClient): Promise<ImportCounts> {
  const result = await client.query<{ outcome: keyof ImportCounts; n: number }>(
    `SELECT outcome, count(*)::int AS n FROM import_checked GROUP BY outcome`,
  );
  const counts: ImportCounts = { inserted: 0, updated: 0, unchanged: 0, rejected: 0 };
  for (const { outcome, n } of result.rows) counts[outcome] = n;
  return counts;
}
