import type pg from 'pg';
import { addDays, businessDate, describeInstant } from '../domain/businessTime.ts';
import { latestReportableReadyDay, SLA_WARNING_WORKING_DAYS, SLA_WORKING_DAYS, workingDayCalendar } from '../domain/workingDays.ts';
import { listCycles } from '../db/cycles.ts';
import type { Db } from '../db/database.ts';
import { PREFILTERS, type PendingStateRow } from '../db/pendingStates.ts';
import { manyPending, pendingInStatesSql, slaRowsSql } from '../db/reportQueries.ts';
import { rejectedRecords } from '../db/reportsRejected.ts';
import { streamRows } from '../db/streamRows.ts';
import { listRejects } from '../imports/listRejects.ts';

// The rows of each `report` (cli.md), built here once for the CLI and the console alike, so a
// CSV downloaded from the console is byte for byte what `report … --format csv` prints.

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

/** A report's rows as they come (streamed from PostgreSQL where they may be many). */
export interface ReportStream {
  rows: AsyncIterable<ReportRow>;
  /** The columns in order, when they must show even without rows. */
  columns?: string[];
  /** What a table says when there is no row. */
  empty: string;
}

/** A report whose rows are all read (small reports). */
export interface ReportTable {
  rows: ReportRow[];
  columns?: string[];
  empty: string;
}

async function* fromArray(rows: ReportRow[]): AsyncGenerator<ReportRow> {
  yield* rows;
}

export function streamOf(table: ReportTable): ReportStream {
  return { rows: fromArray(table.rows), columns: table.columns, empty: table.empty };
}

export async function heldReport({ db, pool }: ReportSources, at: ReportAt): Promise<ReportStream> {
  const query = pendingInStatesSql(await listCycles(db), at, ['HELD'], PREFILTERS.held(at.holdDays, at.now));
  const rows = (async function* () {
    for await (const s of streamRows(db, pool, query)) {
      yield {
        provider_ref: s.provider_ref,
        goc_number: s.goc_number,
        event_ref: s.event_ref,
        cycle: s.cycle,
        completed_at: s.completed_at.toISOString(),
        confirmations: s.confirmations,
        hold_end: s.hold_end?.toISOString() ?? null,
        hold_end_local: s.hold_end ? describeInstant(s.hold_end, at.zone) : null,
      };
    }
  })();
  return { rows, empty: `No interactive completion is held at ${describeInstant(at.now, at.zone)}.` };
}

// Never uploaded and never dropped: late arrivals of sealed cycles, completions at or after a
// cutoff, and completions no cycle contains (domain-rules.md), each with the reason.
export async function lateReport({ db, pool }: ReportSources, at: ReportAt): Promise<ReportStream> {
  const query = pendingInStatesSql(await listCycles(db), at, ['LATE', 'AFTER_CUTOFF', 'NO_OPEN_CYCLE'], PREFILTERS.late());
  const rows = (async function* () {
    for await (const s of streamRows(db, pool, query)) {
      yield {
        state: s.state,
        provider_ref: s.provider_ref,
        goc_number: s.goc_number,
        event_ref: s.event_ref,
        points: s.points,
        completed_at: s.completed_at.toISOString(),
        received_at: s.received_at.toISOString(),
        cycle: s.cycle ?? null,
        cutoff: s.final_cutoff?.toISOString() ?? null,
        reason: lateReason(s, at.zone),
      };
    }
  })();
  return { rows, empty: 'No late, after-cutoff or no-open-cycle completions.' };
}

function lateReason(s: PendingStateRow, zone: string): string {
  const cutoff = s.final_cutoff ? describeInstant(s.final_cutoff, zone) : '';
  if (s.state === 'LATE') return `completed before the cutoff (${cutoff}) but reached the system after cycle ${s.cycle} was sealed by its FINAL batch`;
  if (s.state === 'AFTER_CUTOFF') return `completed at or after the final-upload cutoff of ${s.cycle} (${cutoff})`;
  return 'no configured cycle contains its completion date; carried once a cycle that contains it is added';
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
export async function slaReport({ db, pool }: ReportSources, at: ReportAt): Promise<ReportStream> {
  const today = businessDate(at.now, at.zone);
  const cycles = await listCycles(db);
  const first = [today, ...cycles.map((c) => c.first_day)].sort()[0]!;
  const calendar = workingDayCalendar(addDays(first, -366), addDays(today, 62));
  const query = slaRowsSql(cycles, at, { today, reportableReadyDay: latestReportableReadyDay(today), workingDays: SLA_WORKING_DAYS, calendar });
  // With most completions pending, the first rows come from a walk in report order (issue 14).
  return {
    rows: streamRows(db, pool, query, { fastStart: await manyPending(db) }) as AsyncIterable<ReportRow>,
    empty: `No completion is past the ${SLA_WORKING_DAYS}-working-day limit or near it on ${describeInstant(at.now, at.zone)}.`,
  };
}

export const SLA_DESCRIPTION = `completions not yet uploaded that are past the ${SLA_WORKING_DAYS}-working-day limit or within ${SLA_WARNING_WORKING_DAYS} working days of it`;

export async function rejectedReport(db: Db): Promise<ReportTable> {
  const rows = (await rejectedRecords(db)).map((r) => ({
    file: r.file_name ?? null,
    batch: r.batch_seq ?? null,
    provider_ref: r.provider_ref,
    goc_number: r.goc_number,
    revision: r.revision,
    code: r.ack_code ?? null,
    message: r.ack_message ?? null,
    ack_file: r.ack_file ?? null,
    // true: a corrected revision is waiting for the next batch.
    corrected_pending: r.corrected === 'pending',
    carried_again_in: r.carried_again_in ?? null,
  }));
  return { rows, empty: 'The regulator has rejected no record.' };
}

/**
 * Rows refused at import, each with whether its key was imported successfully since (resolved).
 * The codes are a list (a table or CSV cell shows them ;-separated, as the rejects file has them).
 */
export async function rejectsReport(pool: pg.Pool, options: { file?: string } = {}): Promise<ReportTable> {
  const rejects = await listRejects(pool, { file: options.file });
  const rows = rejects.map((r) => ({
    file: r.file,
    line: r.line,
    kind: r.kind,
    key: r.key,
    codes: r.codes,
    message: r.message,
    import: Number(r.import_id),
    resolved: r.resolved,
  }));
  return { rows, columns: ['file', 'line', 'kind', 'key', 'codes', 'message', 'import', 'resolved'], empty: 'No rows were refused at import.' };
}
