import { sql, type RawBuilder } from 'kysely';
import type { Db } from './database.ts';
import type { WorkingDayCalendar } from '../domain/workingDays.ts';
import type { CycleRow } from './cycles.ts';
import { pendingStatesSql, type PendingState, type PendingStateRow, type PendingStatesAt } from './pendingStates.ts';

// The queries of `report held`, `report late` and `report sla`: set-based over the pending
// completions (pendingStatesSql), in a stable order, meant to be streamed (streamRows).

/** Pending completions in some states, oldest completion first; `prefilter`: see PREFILTERS. */
export function pendingInStatesSql(
  cycles: readonly CycleRow[],
  at: PendingStatesAt,
  states: readonly PendingState[],
  prefilter: RawBuilder<boolean> = sql<boolean>`true`,
): RawBuilder<PendingStateRow> {
  return sql<PendingStateRow>`
    SELECT s.* FROM (${pendingStatesSql(cycles, at, prefilter)}) AS s
     WHERE s.state = ANY (${states}::text[])
     ORDER BY s.completed_at, s.provider_ref`;
}

export interface SlaRow {
  standing: 'OVERDUE' | 'DUE_SOON';
  provider_ref: string;
  goc_number: string;
  event_ref: string;
  cycle: string;
  state: 'WAITING' | 'QUARANTINED';
  ready_on: string;
  /** Null only for a ready day outside the calendar given. */
  deadline: string | null;
  working_days_left: number | null;
}

/**
 * Ready completions not yet carried whose ready day is on or before `reportableReadyDay`,
 * each with its deadline (`workingDays` working days after the ready day) and the working days
 * left on `today`, from the calendar of working-day ordinals passed as two arrays: the ordinal
 * of a day is ordinals[day - first day + 1], the n-th working day is workingDays[n]. Two array
 * subscripts per row, no join, no walk.
 * The ready day is handed once per row to a LATERAL subquery (OFFSET 0 keeps it from being
 * flattened): flattened, its CASE (and the state's within it) was copied into each column
 * using it. Nothing else is fenced, so that the whole query can be planned for its first rows
 * (streamRows' fastStart): completions in report order by the index completion_report_order
 * (migration 0008), each classified by key lookups.
 */
export function slaRowsSql(
  cycles: readonly CycleRow[],
  at: PendingStatesAt,
  sla: { today: string; reportableReadyDay: string; workingDays: number; calendar: WorkingDayCalendar },
): RawBuilder<SlaRow> {
  const { calendar } = sla;
  const todayIndex = calendar.days.indexOf(sla.today);
  if (todayIndex < 0) throw new RangeError(`the working-day calendar (${calendar.days[0]} to ${calendar.days.at(-1)}) does not hold ${sla.today}`);
  const todayOrdinal = calendar.ordinals[todayIndex]!;
  const workingDays = calendar.days.filter((_, i) => calendar.working[i]);
  // Outside the calendar the subscript gives NULL: no deadline rather than a wrong one.
  const readyOrdinal = sql`(${calendar.ordinals}::int[])[(r.ready_on - ${calendar.days[0]}::date) + 1]`;
  const deadline = sql`(${workingDays}::date[])[${readyOrdinal} + ${sla.workingDays}::int]`;
  return sql<SlaRow>`
    SELECT CASE WHEN ${sla.today}::date > o.deadline THEN 'OVERDUE' ELSE 'DUE_SOON' END AS standing,
           s.provider_ref, s.goc_number, s.event_ref, coalesce(s.cycle, '') AS cycle, s.state, o.ready_on::text AS ready_on,
           o.deadline::text AS deadline, o.ready_ordinal + ${sla.workingDays}::int - ${todayOrdinal}::int AS working_days_left
      FROM (${pendingStatesSql(cycles, at)}) AS s
     CROSS JOIN LATERAL (
       SELECT r.ready_on, ${readyOrdinal} AS ready_ordinal, ${deadline} AS deadline
         FROM (SELECT s.ready_on::date AS ready_on) AS r
       OFFSET 0) AS o
     WHERE s.state IN ('WAITING', 'QUARANTINED') AND s.ready_on::date <= ${sla.reportableReadyDay}::date
     ORDER BY s.completed_at, s.provider_ref`;
}

/**
 * Whether most completions are pending (the end of a cycle, a first upload): then a report in
 * completion order is best planned for its first rows (walking completions in order, few of
 * them not pending); with few pending against a long history, as sets (the walk would pass
 * every carried completion). The same rule as the batch claim's choice of plan.
 */
export async function manyPending(db: Db): Promise<boolean> {
  const { rows } = await sql<{ pending: string; total: string }>`
    SELECT (SELECT count(*) FROM upload_pending) AS pending,
           (SELECT reltuples::bigint FROM pg_class WHERE oid = 'completion'::regclass) AS total`.execute(db);
  const pending = Number(rows[0]!.pending);
  return !(pending < 200_000 && pending * 10 < Math.max(Number(rows[0]!.total), 1));
}
