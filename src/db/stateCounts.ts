import { sql } from 'kysely';
import type { Db } from './database.ts';
import type { CompletionState } from './completionStates.ts';
import type { CycleRow } from './cycles.ts';
import { pendingStatesSql, type PendingState, type PendingStatesAt } from './pendingStates.ts';


export interface StateCounts {
  byState: Map<CompletionState, number>;
  /** WAITING or QUARANTINED completions whose ready day is on or before `overdueReadyDay`. */
  overdue: number;
  /** WAITING or QUARANTINED completions whose ready day is on or before `reportableReadyDay`. */
  reportable: number;
}

/**
 * How many completions stand in each state at `now`, counted by PostgreSQL in three set-based
 * queries (nothing is read row by row): the pending ones classified by pendingStatesSql; the
 * others by the acknowledgement of their latest carried revision; the rest (neither pending
 * nor carried) as NOT_QUEUED. The two days bound the SLA counts (see domain/workingDays.ts).
 */
export async function countStates(
  db: Db,
  cycles: readonly CycleRow[],
  at: PendingStatesAt,
  days: { overdueReadyDay: string; reportableReadyDay: string },
): Promise<StateCounts> {
  // One snapshot for the three counts, so that they add up while batches run.
  return db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(async (trx) => {
    await sql`SET LOCAL jit = off`.execute(trx); // compiling the CASEs cost ~0.7 s, more than it saved
    await sql`SET LOCAL work_mem = '64MB'`.execute(trx); // the joins' hash tables of a million pending rows in memory
    return countIn(trx, cycles, at, days);
  });
}

async function countIn(
  db: Db,
  cycles: readonly CycleRow[],
  at: PendingStatesAt,
  days: { overdueReadyDay: string; reportableReadyDay: string },
): Promise<StateCounts> {
  const byState = new Map<CompletionState, number>();
  const add = (state: CompletionState, n: number) => {
    if (n) byState.set(state, (byState.get(state) ?? 0) + n);
  };

  // Grouped by state and ready day first (a few hundred groups; the planner cannot estimate
  // the groups of a CASE, and sorted a million rows to disk when asked for two), then summed.
  const pending = await sql<{ state: PendingState; n: string; overdue: string; reportable: string }>`
    SELECT g.state, sum(g.n) AS n,
           coalesce(sum(g.n) FILTER (WHERE g.ready_on <= ${days.overdueReadyDay}::date), 0) AS overdue,
           coalesce(sum(g.n) FILTER (WHERE g.ready_on <= ${days.reportableReadyDay}::date), 0) AS reportable
      FROM (SELECT s.state, s.ready_on::date AS ready_on, count(*) AS n
              FROM (${pendingStatesSql(cycles, at)}) AS s
             GROUP BY 1, 2) AS g
     GROUP BY g.state`.execute(db);
  let overdue = 0;
  let reportable = 0;
  for (const row of pending.rows) {
    add(row.state, Number(row.n));
    overdue += Number(row.overdue);
    reportable += Number(row.reportable);
  }

  // The latest carried revision of each completion not pending: one pass over batch_item. An
  // item is superseded only when its completion was revised (revision > 1: the few rows of the
  // partial index completion_revised, migration 0006), so only those look for a later item.
  const carried = await sql<{ state: CompletionState; n: string }>`
    SELECT coalesce(i.ack_status, 'CARRIED') AS state, count(*) AS n
      FROM batch_item i
     WHERE NOT EXISTS (SELECT 1 FROM upload_pending p WHERE p.completion_id = i.completion_id)
       AND NOT (i.completion_id IN (SELECT c.id FROM completion c WHERE c.revision > 1)
                AND EXISTS (SELECT 1 FROM batch_item j WHERE j.completion_id = i.completion_id AND j.revision > i.revision))
     GROUP BY 1`.execute(db);
  for (const row of carried.rows) add(row.state, Number(row.n));

  const { rows: totals } = await sql<{ completions: string; pending: string }>`
    SELECT (SELECT count(*) FROM completion) AS completions, (SELECT count(*) FROM upload_pending) AS pending`.execute(db);
  const carriedTotal = carried.rows.reduce((sum, row) => sum + Number(row.n), 0);
  add('NOT_QUEUED', Number(totals[0]!.completions) - Number(totals[0]!.pending) - carriedTotal);
  return { byState, overdue, reportable };
}
