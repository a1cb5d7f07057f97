import type { RawBuilder } from 'kysely';
import type pg from 'pg';
import { addDays, businessDate, describeInstant } from '../domain/businessTime.ts';
import { latestReportableReadyDay, SLA_WARNING_WORKING_DAYS, SLA_WORKING_DAYS, workingDayCalendar } from '../domain/workingDays.ts';
import { listCycles } from '../db/cycles.ts';
import type { Db } from '../db/database.ts';
import type { PendingStateRow } from '../db/pendingStates.ts';
import { pendingInStatesSql, slaRowsSql } from '../db/reportQueries.ts';
import { rejectedRecordsSql } from '../db/reportsRejected.ts';
import { streamRows } from '../db/streamRows.ts';
import { rejectsSql } from '../imports/listRejects.ts';

// The rows of each `report` (cli.md), built once for the CLI and the console alike, so a CSV
// downloaded from the console is byte for byte what `report … --format csv` prints. Each
// report is a source: one set-based query and a mapping of its rows. The CLI streams it
// (streamReport: a server-side cursor, a batch of rows at a time, whatever their number); the
// console's pages gather it (the *Report functions).

export interface ReportAt {
  now: Date;
  zone: string;
  holdDays: number;
}

export interface ReportSources {
  db: Db;
  pool: pg.Pool;
}

export type ReportRow = Record<string, unknown>;

export interface ReportTable {
  rows: ReportRow[];
  /** The columns in order, when they must show even without rows. */
  columns?: string[];
  /** What a table says when there is no row. */
  empty: string;
}

/** A report before it is read: its query, how each row is shown, its columns and empty message. */
export interface ReportSource<Row = never> {
  query: RawBuilder<Row>;
  map: (row: Row) => ReportRow;
  columns?: string[];
  empty: string;
}

/** The report's rows as they come from the database (a cursor), mapped. */
export async function* streamReport<Row>(sources: ReportSources, source: ReportSource<Row>): AsyncGenerator<ReportRow> {
  for await (const row of streamRows(sources.db, sources.pool, source.query)) yield source.map(row);
}

/** The whole report in memory (the console's pages, which show it at once). */
export async function gatherReport<Row>(db: Db, source: ReportSource<Row>): Promise<ReportTable> {
  const { rows } = await source.query.execute(db);
  return { rows: rows.map(source.map), columns: source.columns, empty: source.empty };
}

export async function heldSource(db: Db, at: ReportAt): Promise<ReportSource<PendingStateRow>> {
  return {
    query: pendingInStatesSql(await listCycles(db), at, ['HELD']),
    map: (s) => ({
      provider_ref: s.provider_ref,
      goc_number: s.goc_number,
      event_ref: s.event_ref,
      cycle: s.cycle,
      completed_at: s.completed_at.toISOString(),
      confirmations: s.confirmations,
      hold_end: s.hold_end?.toISOString() ?? '',
      hold_end_local: s.hold_end ? describeInstant(s.hold_end, at.zone) : '',
    }),
    empty: `No interactive completion is held at ${describeInstant(at.now, at.zone)}.`,
  };
}

// Never uploaded and never dropped: late arrivals of sealed cycles, completions at or after a
// cutoff, and completions no cycle contains (domain-rules.md), each with the reason.
export async function lateSource(db: Db, at: ReportAt): Promise<ReportSource<PendingStateRow>> {
  return {
    query: pendingInStatesSql(await listCycles(db), at, ['LATE', 'AFTER_CUTOFF', 'NO_OPEN_CYCLE']),
    map: (s) => ({
      state: s.state,
      provider_ref: s.provider_ref,
      goc_number: s.goc_number,
      event_ref: s.event_ref,
      points: s.points,
      completed_at: s.completed_at.toISOString(),
      received_at: s.received_at.toISOString(),
      cycle: s.cycle ?? '',
      cutoff: s.final_cutoff?.toISOString() ?? '',
      reason: lateReason(s, at.zone),
    }),
    empty: 'No late, after-cutoff or no-open-cycle completions.',
  };
}

function lateReason(s: PendingStateRow, zone: string): string {
  const cutoff = s.final_cutoff ? describeInstant(s.final_cutoff, zone) : '';
  if (s.state === 'LATE') return `completed before the cutoff (${cutoff}) but reached the system after cycle ${s.cycle} was sealed by its FINAL batch`;
  if (s.state === 'AFTER_CUTOFF') return `completed at or after the final-upload cutoff of ${s.cycle} (${cutoff})`;
  return 'no configured cycle contains its completion date; carried once a cycle that contains it is added';
}

export function rejectedSource(): ReportSource<ReturnType<typeof rejectedRecordsSql> extends RawBuilder<infer R> ? R : never> {
  return {
    query: rejectedRecordsSql(),
    map: (r) => ({
      file: r.file_name ?? '',
      batch: r.batch_seq ?? '',
      provider_ref: r.provider_ref,
      goc_number: r.goc_number,
      revision: r.revision,
      code: r.ack_code ?? '',
      message: r.ack_message ?? '',
      ack_file: r.ack_file ?? '',
      // yes: a corrected revision is waiting for the next batch.
      corrected_pending: r.corrected === 'pending' ? 'yes' : 'no',
      carried_again_in: r.carried_again_in ?? '',
    }),
    empty: 'The regulator has rejected no record.',
  };
}

/** Rows refused at import. `codesAsList` keeps the codes a list (JSON); else ;-separated, as the rejects file has them. */
export function rejectsSource(options: { file?: string; codesAsList?: boolean } = {}): ReportSource<ReturnType<typeof rejectsSql> extends RawBuilder<infer R> ? R : never> {
  return {
    query: rejectsSql({ file: options.file }),
    map: (r) => ({
      file: r.file,
      line: r.line,
      kind: r.kind,
      key: r.key,
      codes: options.codesAsList ? r.codes : r.codes.join(';'),
      message: r.message,
      import: r.import_id,
    }),
    columns: ['file', 'line', 'kind', 'key', 'codes', 'message', 'import'],
    empty: 'No rows were refused at import.',
  };
}

// The 10-working-day rule (domain-rules.md; definitions in domain/workingDays.ts): every
// ready completion not yet carried by a batch whose deadline has passed or is within 2
// working days. "Ready" is the day it became ready: a non-interactive completion on its
// completion date, a confirmed interactive one on the date of its later confirmation, a
// downgraded one at the end of its hold window (or the cycle's cutoff); a corrected revision
// of a rejected record no earlier than the day the correction came in. Held completions are
// not ready yet; LATE, AFTER_CUTOFF and NO_OPEN_CYCLE are in `report late`.
// PostgreSQL finds the rows and looks each deadline up in a calendar of working-day ordinals
// (from date-holidays: a year before the first cycle to two months after today).
export async function slaSource(db: Db, at: ReportAt): Promise<ReportSource<ReturnType<typeof slaRowsSql> extends RawBuilder<infer R> ? R : never>> {
  const today = businessDate(at.now, at.zone);
  const cycles = await listCycles(db);
  const first = [today, ...cycles.map((c) => c.first_day)].sort()[0]!;
  const calendar = workingDayCalendar(addDays(first, -366), addDays(today, 62));
  return {
    query: slaRowsSql(cycles, at, { today, reportableReadyDay: latestReportableReadyDay(today), workingDays: SLA_WORKING_DAYS, calendar }),
    map: (r) => ({ ...r }),
    empty: `No completion is past the ${SLA_WORKING_DAYS}-working-day limit or near it on ${describeInstant(at.now, at.zone)}.`,
  };
}

export const heldReport = async (db: Db, at: ReportAt) => gatherReport(db, await heldSource(db, at));
export const lateReport = async (db: Db, at: ReportAt) => gatherReport(db, await lateSource(db, at));
export const rejectedReport = (db: Db) => gatherReport(db, rejectedSource());
export const rejectsReport = (db: Db, options: { file?: string; codesAsList?: boolean } = {}) => gatherReport(db, rejectsSource(options));
export const slaReport = async (db: Db, at: ReportAt) => gatherReport(db, await slaSource(db, at));

export const SLA_DESCRIPTION = `completions not yet uploaded that are past the ${SLA_WORKING_DAYS}-working-day limit or within ${SLA_WARNING_WORKING_DAYS} working days of it`;
