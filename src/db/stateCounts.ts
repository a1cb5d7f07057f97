import { sql } from 'kysely';
import type { Db } from './database.ts';
import type { CycleRow } from './cycles.ts';
import { pendingStatesSql, type PendingState, type PendingStatesAt } from './pendingStates.ts';
import { settledCounts, sumPending, withSettled, type SlaDays, type StateCounts } from './settledCounts.ts';
import { snapshotCounts } from './stateSnapshot.ts';

export type { SlaDays, StateCounts } from './settledCounts.ts';

/**
 * How many completions stand in each state at `now`, counted by PostgreSQL in set-based queries
 * (nothing is read row by row): from the state snapshot when it is current for this zone and
 * hold (a scan of one narrow table), else from the tables: the pending ones classified by
 * pendingStatesSql; the others by the acknowledgement of their latest carried revision; the rest
 * (neither pending nor carried) as NOT_QUEUED. The two days bound the SLA counts (see
 * domain/workingDays.ts).
 */
export async function countStates(db: Db, cycles: readonly CycleRow[], at: PendingStatesAt, days: SlaDays): Promise<StateCounts> {
  // One snapshot for the three counts, so that they add up while batches run.
  return db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(async (trx) => {
    await sql`SET LOCAL work_mem = '64MB'`.execute(trx); // the joins' hash tables of a million pending rows in memory
    return (await snapshotCounts(trx, cycles, at, days)) ?? countLive(trx, cycles, at, days);
  });
}

async function countLive(db: Db, cycles: readonly CycleRow[], at: PendingStatesAt, days: SlaDays): Promise<StateCounts> {
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
  return withSettled(sumPending(pending.rows), await settledCounts(db), 'live');
}

