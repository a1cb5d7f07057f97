import { sql, type RawBuilder } from 'kysely';
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
 * subscripts per row, no join, no walk. OFFSET 0 fences the pending rows: flattened, the ready
 * day's CASE (and the state's within it) was copied into each of the five columns using it.
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
  const readyOrdinal = sql`(${calendar.ordinals}::int[])[(s.ready_on::date - ${calendar.days[0]}::date) + 1]`;
  const deadline = sql`(${workingDays}::date[])[${readyOrdinal} + ${sla.workingDays}::int]`;
  return sql<SlaRow>`
    SELECT CASE WHEN ${sla.today}::date > x.deadline THEN 'OVERDUE' ELSE 'DUE_SOON' END AS standing,
           x.provider_ref, x.goc_number, x.event_ref, x.cycle, x.state, x.ready_on,
           x.deadline::text AS deadline, x.ready_ordinal + ${sla.workingDays}::int - ${todayOrdinal}::int AS working_days_left
      FROM (
        SELECT s.completed_at, s.provider_ref, s.goc_number, s.event_ref, coalesce(s.cycle, '') AS cycle, s.state, s.ready_on,
               ${readyOrdinal} AS ready_ordinal, ${deadline} AS deadline
          FROM (SELECT * FROM (${pendingStatesSql(cycles, at)}) AS s0
                 WHERE s0.state IN ('WAITING', 'QUARANTINED') AND s0.ready_on::date <= ${sla.reportableReadyDay}::date
                OFFSET 0) AS s
      ) AS x
     ORDER BY x.completed_at, x.provider_ref`;
}
