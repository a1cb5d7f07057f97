import { sql } from 'kysely';
import type { CompletionState } from './completionStates.ts';
import type { Db } from './database.ts';
import type { PendingState } from './pendingStates.ts';

// What countStates adds up, whether the pending completions were counted from the tables or
// from the state snapshot: the pending counts, and the completions not pending.

export interface StateCounts {
  byState: Map<CompletionState, number>;
  /** WAITING or QUARANTINED completions whose ready day is on or before `overdueReadyDay`. */
  overdue: number;
  /** WAITING or QUARANTINED completions whose ready day is on or before `reportableReadyDay`. */
  reportable: number;
  /** Where the counts came from: the current state snapshot (stateSnapshot.ts), or the tables. */
  source: 'snapshot' | 'live';
}

export interface SlaDays {
  overdueReadyDay: string;
  reportableReadyDay: string;
}

/** Counts of the completions not pending, by state, and the totals they are derived from. */
export interface SettledCounts {
  /** The latest carried revision of each completion not pending, by acknowledgement (CARRIED: none yet). */
  carried: Map<CompletionState, number>;
  completions: number;
  pending: number;
}

/** Adds the settled completions to the pending ones' counts. */
export function withSettled(pending: Omit<StateCounts, 'source'>, settled: SettledCounts, source: StateCounts['source']): StateCounts {
  const byState = new Map(pending.byState);
  const add = (state: CompletionState, n: number) => {
    if (n) byState.set(state, (byState.get(state) ?? 0) + n);
  };
  let carriedTotal = 0;
  for (const [state, n] of settled.carried) {
    add(state, n);
    carriedTotal += n;
  }
  add('NOT_QUEUED', settled.completions - settled.pending - carriedTotal);
  return { byState, overdue: pending.overdue, reportable: pending.reportable, source };
}

/** The pending counts from rows of (state, n, overdue, reportable). */
export function sumPending(rows: ReadonlyArray<{ state: PendingState; n: string; overdue: string; reportable: string }>): Omit<StateCounts, 'source'> {
  const byState = new Map<CompletionState, number>();
  let overdue = 0;
  let reportable = 0;
  for (const row of rows) {
    if (Number(row.n)) byState.set(row.state, (byState.get(row.state) ?? 0) + Number(row.n));
    overdue += Number(row.overdue);
    reportable += Number(row.reportable);
  }
  return { byState, overdue, reportable };
}

/**
 * The latest carried revision of each completion not pending: one pass over batch_item. An
 * item is superseded only when its completion was revised (revision > 1: the few rows of the
 * partial index completion_revised, migration 0006), so only those look for a later item.
 */
export async function settledCounts(db: Db): Promise<SettledCounts> {
  const carried = await sql<{ state: CompletionState; n: string }>`
    SELECT coalesce(i.ack_status, 'CARRIED') AS state, count(*) AS n
      FROM batch_item i
     WHERE NOT EXISTS (SELECT 1 FROM upload_pending p WHERE p.completion_id = i.completion_id)
       AND NOT (i.completion_id IN (SELECT c.id FROM completion c WHERE c.revision > 1)
                AND EXISTS (SELECT 1 FROM batch_item j WHERE j.completion_id = i.completion_id AND j.revision > i.revision))
     GROUP BY 1`.execute(db);
  const { rows: totals } = await sql<{ completions: string; pending: string }>`
    SELECT (SELECT count(*) FROM completion) AS completions, (SELECT count(*) FROM upload_pending) AS pending`.execute(db);
  return {
    carried: new Map(carried.rows.map((row) => [row.state, Number(row.n)])),
    completions: Number(totals[0]!.completions),
    pending: Number(totals[0]!.pending),
  };
}
