import { sql, type RawBuilder } from 'kysely';
import type { CompletionState } from './completionStates.ts';
import type { CycleRow } from './cycles.ts';
import type { Db } from './database.ts';
import { pendingJoinsSql, type PendingState, type PendingStatesAt } from './pendingStates.ts';
import { holdWindowEndSql, stillValidSql } from './readiness.ts';
import { settledCounts, sumPending, withSettled, type SlaDays, type StateCounts } from './settledCounts.ts';

// The state snapshot (migration 0011): for each pending completion, the facts its state is
// made of that do not depend on "now": its cycle, instant, whether its event is interactive,
// when both parties had confirmed, whether it is still valid, and the business days it would
// become ready on. `status` (the console's overview, /metrics) classifies those at any "now" in
// one scan of a narrow table instead of joining seven tables (issue 14: 4.75 s -> see
// BENCHMARKS.md at a million pending), but only while the snapshot is current: built at the
// state_version the tables are at now, for the same zone and hold. Otherwise the counts come
// from the tables, as before. The worker rebuilds it within a minute of a change
// (jobs/refreshStateSnapshot.ts).

/** Held by every statement that changes the tables the states are read from (migration 0011). */
const CHANGE_LOCK = 0x4345_5402; // "CET" + 2
/** Held by a build: one at a time (a second would delete rows the first wrote after its snapshot). */
const BUILD_LOCK = 0x4345_5403;

/** The version the tables are at: read outside any snapshot, so an uncommitted change counts. */
const CURRENT_VERSION = sql<string>`(SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM state_version)`;

export interface SnapshotConfig {
  zone: string;
  holdDays: number;
}

export type RefreshOutcome =
  | { status: 'current'; version: string }
  | { status: 'rebuilt'; version: string; rows: number; ms: number }
  /** A change was being written: the next refresh tries again. */
  | { status: 'busy' };

interface MetaRow {
  version: string;
  zone: string;
  hold_days: number;
  completions: string;
  pending: string;
  carried: Record<string, number>;
  current: string;
}

/**
 * The snapshot's meta row if the snapshot is current (built at the version the tables are at
 * now), else null. Must be the first statement of a REPEATABLE READ transaction: the snapshot's
 * rows are then read as of the same instant as its meta row.
 */
export async function currentSnapshot(trx: Db): Promise<Omit<MetaRow, 'current'> | null> {
  const { rows } = await sql<MetaRow>`
    SELECT m.version, m.zone, m.hold_days, m.completions, m.pending, m.carried, ${CURRENT_VERSION} AS current
      FROM state_snapshot_meta m`.execute(trx);
  const meta = rows[0];
  return meta && meta.version === meta.current ? meta : null;
}

/**
 * The counts of countStates from the snapshot, or null when it is not current for this zone
 * and hold (then the caller counts from the tables). First statement of a REPEATABLE READ
 * transaction (see currentSnapshot).
 */
export async function snapshotCounts(trx: Db, cycles: readonly CycleRow[], at: PendingStatesAt, days: SlaDays): Promise<StateCounts | null> {
  const meta = await currentSnapshot(trx);
  if (!meta || meta.zone !== at.zone || meta.hold_days !== at.holdDays) return null;

  const holdEnd = holdWindowEndSql(at.holdDays, sql<Date>`f.completed_at`);
  const decision = sql<string>`CASE
           WHEN y.id IS NULL OR y.sealed OR f.completed_at >= y.window_cutoff THEN NULL
           WHEN NOT f.interactive THEN 'NON_INTERACTIVE'
           WHEN f.confirmed_at < least(y.window_cutoff, ${holdEnd}) THEN 'INTERACTIVE'
           WHEN ${holdEnd} <= y.window_cutoff THEN 'DOWNGRADE_14'
           WHEN y.is_final THEN 'DOWNGRADE_CUTOFF'
           ELSE 'HELD'
         END`;
  // The same rules as pendingStatesSql, over the snapshot's columns (test/stateCounts.test.ts
  // holds both to the per-row classification).
  const settledState = sql`CASE
           WHEN y.id IS NULL THEN 'NO_OPEN_CYCLE'
           WHEN f.completed_at >= y.final_cutoff THEN 'AFTER_CUTOFF'
           WHEN y.sealed THEN 'LATE'
         END`;
  const { rows: pending } = await sql<{ state: PendingState; n: string; overdue: string; reportable: string }>`
    SELECT g.state, sum(g.n) AS n,
           coalesce(sum(g.n) FILTER (WHERE g.ready_on <= ${days.overdueReadyDay}::date), 0) AS overdue,
           coalesce(sum(g.n) FILTER (WHERE g.ready_on <= ${days.reportableReadyDay}::date), 0) AS reportable
      FROM (SELECT coalesce(${settledState},
                            CASE WHEN NOT f.valid THEN 'QUARANTINED' WHEN ${decision} = 'HELD' THEN 'HELD' ELSE 'WAITING' END) AS state,
                   CASE WHEN ${settledState} IS NOT NULL OR (f.valid AND ${decision} = 'HELD') THEN NULL
                        ELSE greatest(f.changed_on, CASE ${decision}
                               WHEN 'NON_INTERACTIVE' THEN f.completed_on
                               WHEN 'INTERACTIVE' THEN f.confirmed_on
                               WHEN 'DOWNGRADE_14' THEN f.hold_end_on
                               WHEN 'DOWNGRADE_CUTOFF' THEN y.final_on
                             END)
                   END AS ready_on,
                   count(*) AS n
              FROM state_snapshot f
              LEFT JOIN ${cyclesAt(cycles, at)} AS y (id, final_cutoff, sealed, window_cutoff, is_final, final_on) ON y.id = f.cycle_id
             GROUP BY 1, 2) AS g
     GROUP BY g.state`.execute(trx);
  const carried = new Map<CompletionState, number>(Object.entries(meta.carried) as Array<[CompletionState, number]>);
  return withSettled(sumPending(pending), { carried, completions: Number(meta.completions), pending: Number(meta.pending) }, 'snapshot');
}

/** Each cycle as a batch at `now` would see it (cf. pendingStatesSql's cycles). */
function cyclesAt(cycles: readonly CycleRow[], at: PendingStatesAt): RawBuilder<unknown> {
  if (!cycles.length) {
    return sql`(SELECT NULL::int, NULL::timestamptz, NULL::boolean, NULL::timestamptz, NULL::boolean, NULL::date WHERE false)`;
  }
  const rows = cycles.map((cycle) => {
    const pastCutoff = at.now >= cycle.final_cutoff;
    const windowCutoff = pastCutoff ? cycle.final_cutoff : at.now;
    const cutoff = cycle.final_cutoff.toISOString();
    return sql`(${cycle.id}::int, ${cutoff}::timestamptz, ${cycle.sealed}::boolean, ${windowCutoff.toISOString()}::timestamptz,
                ${pastCutoff}::boolean, (${cutoff}::timestamptz AT TIME ZONE ${at.zone})::date)`;
  });
  return sql`(VALUES ${sql.join(rows)})`;
}

/**
 * Rebuilds the snapshot unless it is current. Never waits for a change being written (an
 * import, a batch): it answers `busy`, and the next refresh tries again. `db` must be a pool
 * (the build holds one connection).
 */
export async function refreshStateSnapshot(db: Db, config: SnapshotConfig, clock: () => Date = () => new Date()): Promise<RefreshOutcome> {
  return db.connection().execute(async (conn) => {
    const { rows: before } = await sql<{ version: string | null; current: string; zone: string | null; hold_days: number | null }>`
      SELECT m.version, m.zone, m.hold_days, ${CURRENT_VERSION} AS current
        FROM (SELECT 1) AS one LEFT JOIN state_snapshot_meta m ON true`.execute(conn);
    const meta = before[0]!;
    if (meta.version === meta.current && meta.zone === config.zone && meta.hold_days === config.holdDays) return { status: 'current', version: meta.current };

    const { rows: building } = await sql<{ ok: boolean }>`SELECT pg_try_advisory_lock(${BUILD_LOCK}) AS ok`.execute(conn);
    if (!building[0]!.ok) return { status: 'busy' };
    try {
      return await build(conn, config, clock);
    } finally {
      await sql`SELECT pg_advisory_unlock(${BUILD_LOCK})`.execute(conn).catch(() => {});
    }
  });
}

async function build(conn: Db, config: SnapshotConfig, clock: () => Date): Promise<RefreshOutcome> {
  // No change may be in flight between reading the version and taking the snapshot: the
  // lock every changing statement holds to its commit is taken here exclusively, then let go.
  const { rows: locked } = await sql<{ ok: boolean }>`SELECT pg_try_advisory_lock(${CHANGE_LOCK}) AS ok`.execute(conn);
  if (!locked[0]!.ok) return { status: 'busy' };
  let holding = true;
  const started = performance.now();
  try {
    await sql`BEGIN ISOLATION LEVEL REPEATABLE READ`.execute(conn);
    const { rows } = await sql<{ version: string }>`SELECT ${CURRENT_VERSION} AS version`.execute(conn); // takes the snapshot
    await sql`SELECT pg_advisory_unlock(${CHANGE_LOCK})`.execute(conn);
    holding = false;
    const version = rows[0]!.version;
    await sql`SET LOCAL work_mem = '64MB'`.execute(conn);
    await sql`DELETE FROM state_snapshot`.execute(conn);
    const pending = pendingJoinsSql(sql`cycle AS y`);
    const inserted = await sql`
      INSERT INTO state_snapshot (completion_id, points, cycle_id, completed_at, interactive, confirmed_at, valid, completed_on, confirmed_on, hold_end_on, changed_on)
      SELECT c.id, e.points, y.id, c.completed_at, e.interactive, b.confirmed_at, ${stillValidSql(pending.registered)}, c.completed_on,
             (b.confirmed_at AT TIME ZONE ${config.zone})::date,
             CASE WHEN e.interactive THEN (${holdWindowEndSql(config.holdDays)} AT TIME ZONE ${config.zone})::date END,
             CASE WHEN rj.completion_id IS NOT NULL THEN (c.changed_at AT TIME ZONE ${config.zone})::date END
      ${pending.joins}
      CROSS JOIN LATERAL (SELECT CASE WHEN e.interactive AND fr.confirmed_at IS NOT NULL AND fp.confirmed_at IS NOT NULL
                                      THEN greatest(fr.confirmed_at, fp.confirmed_at) END AS confirmed_at) AS b`.execute(conn);
    const settled = await settledCounts(conn);
    const ms = Math.round(performance.now() - started);
    await sql`
      INSERT INTO state_snapshot_meta (one, version, zone, hold_days, built_at, build_ms, completions, pending, carried)
      VALUES (true, ${version}, ${config.zone}, ${config.holdDays}, ${clock().toISOString()}, ${ms}, ${settled.completions}, ${settled.pending},
              ${JSON.stringify(Object.fromEntries(settled.carried))}::jsonb)
      ON CONFLICT (one) DO UPDATE SET version = EXCLUDED.version, zone = EXCLUDED.zone, hold_days = EXCLUDED.hold_days,
        built_at = EXCLUDED.built_at, build_ms = EXCLUDED.build_ms, completions = EXCLUDED.completions,
        pending = EXCLUDED.pending, carried = EXCLUDED.carried`.execute(conn);
    await sql`COMMIT`.execute(conn);
    // The deleted rows' space, for the next build (the table is rewritten whole each time).
    await sql`VACUUM state_snapshot`.execute(conn);
    return { status: 'rebuilt', version, rows: Number(inserted.numAffectedRows ?? 0), ms };
  } catch (error) {
    await sql`ROLLBACK`.execute(conn).catch(() => {});
    throw error;
  } finally {
    if (holding) await sql`SELECT pg_advisory_unlock(${CHANGE_LOCK})`.execute(conn).catch(() => {});
  }
}
