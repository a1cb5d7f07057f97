import { sql, type RawBuilder } from 'kysely';
import type { CycleRow } from './cycles.ts';
import type { CompletionState } from './completionStates.ts';
import type { Decision } from './readiness.ts';
import { holdWindowEndSql, pendingCompletionsSql, stillValidSql } from './readiness.ts';

// Where each PENDING completion stands at `now`, as one set-based SELECT over upload_pending
// (hash or merge joins, whatever the number pending): the same rules as completionStatesSql
// (which classifies one registrant's completions for `trace`), without a lookup per row.
//   - its cycle: the configured cycles are few and never overlap, so they come in as a VALUES
//     list with what a batch at `now` would use (its window cutoff: the earlier of now and the
//     final cutoff; past the final cutoff, the FINAL batch's window);
//   - its confirmations: one join per party (a completion has at most one of each);
//   - OFFSET 0 fences the row's columns from the outer query: flattened, the state's CASE was
//     copied into every reference to it (each FILTER of a count) and computed over again;
//   - a correction is pending when its latest carried revision was REJECTED (few rows: the
//     partial index batch_item_rejected of migration 0006).

export interface PendingStatesAt {
  now: Date;
  holdDays: number;
  zone: string;
}

export type PendingState = Extract<CompletionState, 'HELD' | 'WAITING' | 'QUARANTINED' | 'LATE' | 'AFTER_CUTOFF' | 'NO_OPEN_CYCLE'>;

/** Columns of pendingStatesSql. */
export interface PendingStateRow {
  completion_id: string;
  provider_ref: string;
  revision: number;
  goc_number: string;
  event_ref: string;
  points: number;
  completed_at: Date;
  completed_on: string;
  received_at: Date;
  cycle: string | null;
  final_cutoff: Date | null;
  hold_end: Date | null;
  decision: Decision | null;
  /** Confirmations given before the earlier of now and the end of its hold window (0 unless interactive). */
  confirmations: number;
  correction_pending: boolean;
  /** The business-zone day it became ready (YYYY-MM-DD); null unless WAITING or QUARANTINED. */
  ready_on: string | null;
  state: PendingState;
}

function cyclesValues(cycles: readonly CycleRow[], now: Date): RawBuilder<unknown> {
  if (!cycles.length) {
    return sql`(SELECT NULL::int AS id, NULL::text AS code, NULL::timestamptz AS starts_at, NULL::timestamptz AS ends_at,
                       NULL::timestamptz AS final_cutoff, NULL::boolean AS sealed, NULL::timestamptz AS window_cutoff,
                       NULL::boolean AS is_final WHERE false)`;
  }
  const rows = cycles.map((cycle) => {
    const pastCutoff = now >= cycle.final_cutoff;
    const windowCutoff = pastCutoff ? cycle.final_cutoff : now;
    return sql`(${cycle.id}::int, ${cycle.code}::text, ${cycle.starts_at.toISOString()}::timestamptz, ${cycle.ends_at.toISOString()}::timestamptz,
                ${cycle.final_cutoff.toISOString()}::timestamptz, ${cycle.sealed}::boolean, ${windowCutoff.toISOString()}::timestamptz, ${pastCutoff}::boolean)`;
  });
  return sql`(VALUES ${sql.join(rows)})`;
}

/**
 * The joins every pending completion is classified over: completion `c`, event `e`, registrant
 * `r` (with the span covering the date, `registered` says whether there is one), the cycle `y`
 * (the given relation, with starts_at and ends_at) holding its instant, its confirmations `fr`
 * and `fp` (an interactive completion's only), and `rj` when its latest carried revision was
 * REJECTED. Shared by pendingStatesSql and the state snapshot (stateSnapshot.ts).
 */
export function pendingJoinsSql(cycles: RawBuilder<unknown>): { joins: RawBuilder<unknown>; registered: RawBuilder<boolean> } {
  const pending = pendingCompletionsSql('by row');
  // Only an interactive completion's confirmations are read (nothing decides a non-interactive
  // one by them): the others join on a NULL key, which PostgreSQL does not look up at all
  // (status with no current snapshot at 1M pending, two thirds non-interactive: its count
  // 0.1-0.3 s faster).
  const interactiveId = sql`CASE WHEN e.interactive THEN c.id END`;
  const joins = sql`
      ${pending.from}
      LEFT JOIN ${cycles}
             ON c.completed_at >= y.starts_at AND c.completed_at < y.ends_at
      LEFT JOIN confirmation fr ON fr.completion_id = ${interactiveId} AND fr.party = 'registrant'
      LEFT JOIN confirmation fp ON fp.completion_id = ${interactiveId} AND fp.party = 'peer'
      LEFT JOIN (
        SELECT i.completion_id FROM batch_item i
         WHERE i.ack_status = 'REJECTED'
           AND NOT EXISTS (SELECT 1 FROM batch_item j WHERE j.completion_id = i.completion_id AND j.revision > i.revision)
      ) AS rj ON rj.completion_id = c.id`;
  return { joins, registered: pending.registered };
}

/**
 * One row per pending completion (see PendingStateRow), to use as a subquery
 * (`FROM (...) AS s`); `cycles` are every configured cycle (listCycles), sealed or not;
 * `where` a condition on completion `c` (trace: one registrant's), event `e` or the cycle `y`
 * (a report's necessary conditions: see PREFILTERS), applied where the joins can use it.
 */
export function pendingStatesSql(cycles: readonly CycleRow[], at: PendingStatesAt, where: RawBuilder<boolean> = sql<boolean>`true`): RawBuilder<PendingStateRow> {
  const zone = at.zone;
  const holdEnd = holdWindowEndSql(at.holdDays);
  const now = at.now.toISOString();
  const limit = sql`least(y.window_cutoff, ${holdEnd})`;
  const decision = sql<string>`CASE
           WHEN y.id IS NULL OR y.sealed OR c.completed_at >= y.window_cutoff THEN NULL
           WHEN NOT e.interactive THEN 'NON_INTERACTIVE'
           WHEN fr.confirmed_at < ${limit} AND fp.confirmed_at < ${limit} THEN 'INTERACTIVE'
           WHEN ${holdEnd} <= y.window_cutoff THEN 'DOWNGRADE_14'
           WHEN y.is_final THEN 'DOWNGRADE_CUTOFF'
           ELSE 'HELD'
         END`;
  const pending = pendingJoinsSql(sql`${cyclesValues(cycles, at.now)} AS y (id, code, starts_at, ends_at, final_cutoff, sealed, window_cutoff, is_final)`);
  return sql<PendingStateRow>`
    SELECT x.completion_id, x.provider_ref, x.revision, x.goc_number, x.event_ref, x.points, x.completed_at, x.completed_on,
           x.received_at, x.cycle, x.final_cutoff, x.hold_end, x.decision, x.confirmations, x.correction_pending,
           CASE WHEN x.state IN ('WAITING', 'QUARANTINED') THEN
             CASE WHEN x.correction_pending THEN greatest(x.base_ready_on, (x.changed_at AT TIME ZONE ${zone})::date)
                  ELSE x.base_ready_on END::text
           END AS ready_on,
           x.state
      FROM (
    SELECT c.id AS completion_id, c.provider_ref, c.revision, r.goc_number, e.event_ref, e.points, c.completed_at, c.completed_on,
           c.received_at, c.changed_at, y.code AS cycle, y.final_cutoff,
           CASE WHEN e.interactive THEN ${holdEnd} END AS hold_end,
           d.decision,
           (coalesce((fr.confirmed_at < least(${now}::timestamptz, ${holdEnd}))::int, 0)
             + coalesce((fp.confirmed_at < least(${now}::timestamptz, ${holdEnd}))::int, 0)) AS confirmations,
           (rj.completion_id IS NOT NULL) AS correction_pending,
           CASE d.decision
             WHEN 'NON_INTERACTIVE' THEN c.completed_on::date
             WHEN 'INTERACTIVE' THEN (greatest(fr.confirmed_at, fp.confirmed_at) AT TIME ZONE ${zone})::date
             WHEN 'DOWNGRADE_14' THEN (${holdEnd} AT TIME ZONE ${zone})::date
             WHEN 'DOWNGRADE_CUTOFF' THEN (y.final_cutoff AT TIME ZONE ${zone})::date
           END AS base_ready_on,
           CASE
             WHEN y.id IS NULL THEN 'NO_OPEN_CYCLE'
             WHEN c.completed_at >= y.final_cutoff THEN 'AFTER_CUTOFF'
             WHEN y.sealed THEN 'LATE'
             WHEN NOT ${stillValidSql(pending.registered)} THEN 'QUARANTINED'
             WHEN d.decision = 'HELD' THEN 'HELD'
             ELSE 'WAITING'
           END AS state
      ${pending.joins}
      CROSS JOIN LATERAL (SELECT ${decision} AS decision) AS d
     WHERE ${where}
      ) AS x`;
}

/**
 * Conditions every row of some states meets, over `c`, `e` and `y` of pendingStatesSql: given
 * as its `where`, they cut the rows before the registrant, span and confirmation joins.
 *   LATE, AFTER_CUTOFF, NO_OPEN_CYCLE: no cycle, at or after its cutoff, or a sealed cycle;
 *   HELD: an interactive event in an unsealed cycle before the FINAL window (so the window's
 *   cutoff is now), completed before it, its hold window still open: completed within the last
 *   hold days, a condition on completion alone, applied as it is read.
 */
export const PREFILTERS = {
  late: () => sql<boolean>`(y.id IS NULL OR c.completed_at >= y.final_cutoff OR y.sealed)`,
  held: (holdDays: number, now: Date) =>
    sql<boolean>`(c.completed_at > ${now.toISOString()}::timestamptz - make_interval(hours => ${holdDays * 24})
                  AND e.interactive AND y.id IS NOT NULL AND NOT y.sealed AND NOT y.is_final
                  AND c.completed_at < y.window_cutoff AND ${holdWindowEndSql(holdDays)} > y.window_cutoff)`,
};
