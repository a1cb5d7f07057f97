import { sql } from 'kysely';
import type { Db } from './database.ts';
import { decisionSql, holdWindowEndSql, pendingDecisionsSql, type Decision, type ReadinessWindow } from './readiness.ts';
import { currentSnapshot } from './stateSnapshot.ts';

export interface BatchPreview {
  carry: { records: number; points: number; interactive: number; nonInteractive: number; downgraded14: number; downgradedAtCutoff: number };
  held: number;
  quarantined: number;
  /** The held completions (FINAL: those it would downgrade), first 50 in file order. */
  heldSample: Array<{ provider_ref: string; goc_number: string; event_ref: string; hold_end: Date }>;
  /** Where the decisions came from: the current state snapshot (stateSnapshot.ts), or the tables. */
  source: 'snapshot' | 'live';
}

type PreviewRow = {
  decision: Decision;
  valid: boolean;
  n: string;
  points: string;
  provider_ref: string | null;
  goc_number: string | null;
  event_ref: string | null;
  hold_end: Date | null;
};

export const HELD_SAMPLE = 50;

/**
 * What a batch with this window would carry now, read-only: one pass over the batch's own
 * decision query (pendingDecisionsSql), grouped by decision and validity. The held ones (in a
 * FINAL window those downgraded at the cutoff: the completions a weekly window would hold)
 * are one group each, so that the first 50 in file order come from the same pass instead of a
 * second run of the decision query (issue 14: at a million pending, half the dry run's time).
 */
export async function previewBatch(db: Db, window: ReadinessWindow): Promise<BatchPreview> {
  const { rows, source } = await db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(async (trx) =>
    (await currentSnapshot(trx)) ? { rows: await fromSnapshot(trx, window), source: 'snapshot' as const } : { rows: await fromTables(trx, window), source: 'live' as const },
  );
  return previewOf(rows, source);
}

const sampled = sql`d.valid AND d.decision IN ('HELD', 'DOWNGRADE_CUTOFF')`;

/** The batch's own decision query over the tables. */
async function fromTables(trx: Db, window: ReadinessWindow): Promise<PreviewRow[]> {
  const { rows } = await sql<PreviewRow>`
    WITH g AS (
      SELECT d.decision, d.valid, CASE WHEN ${sampled} THEN d.provider_ref END AS held_ref,
             min(d.goc_number) AS goc_number, min(d.event_ref) AS event_ref, min(d.hold_end) AS hold_end,
             count(*) AS n, coalesce(sum(d.points), 0) AS points
        FROM (${pendingDecisionsSql(window, { unfenced: true })}) AS d
       GROUP BY 1, 2, 3)
    SELECT g.decision, g.valid, sum(g.n) AS n, sum(g.points) AS points,
           NULL AS provider_ref, NULL AS goc_number, NULL AS event_ref, NULL::timestamptz AS hold_end
      FROM g GROUP BY g.decision, g.valid
    UNION ALL
    (SELECT g.decision, g.valid, 0, 0, g.held_ref, g.goc_number, g.event_ref, g.hold_end
       FROM g WHERE g.held_ref IS NOT NULL
      ORDER BY g.event_ref, g.goc_number, g.held_ref LIMIT ${HELD_SAMPLE})`.execute(trx);
  return rows;
}

/**
 * The same decisions over the current state snapshot (one narrow table; its facts do not
 * depend on the cutoff): only the held ones fetch their names, for the sample.
 */
async function fromSnapshot(trx: Db, window: ReadinessWindow): Promise<PreviewRow[]> {
  const holdEnd = holdWindowEndSql(window.holdDays, sql<Date>`f.completed_at`);
  const decision = decisionSql(window, { interactive: sql`f.interactive`, registrantAt: sql`f.confirmed_at`, peerAt: sql`f.confirmed_at` }, holdEnd);
  const { rows } = await sql<PreviewRow>`
    WITH g AS (
      SELECT d.decision, d.valid, CASE WHEN ${sampled} THEN d.completion_id END AS held_id,
             count(*) AS n, coalesce(sum(d.points), 0) AS points
        FROM (SELECT f.completion_id, f.points, f.valid, ${decision} AS decision
                FROM state_snapshot f
               WHERE f.completed_at >= ${window.cycleStartsAt.toISOString()}::timestamptz
                 AND f.completed_at < ${window.cutoff.toISOString()}::timestamptz) AS d
       GROUP BY 1, 2, 3)
    SELECT g.decision, g.valid, sum(g.n) AS n, sum(g.points) AS points,
           NULL AS provider_ref, NULL AS goc_number, NULL AS event_ref, NULL::timestamptz AS hold_end
      FROM g GROUP BY g.decision, g.valid
    UNION ALL
    (SELECT g.decision, g.valid, 0, 0, c.provider_ref, r.goc_number, e.event_ref, ${holdWindowEndSql(window.holdDays)}
       FROM g JOIN completion c ON c.id = g.held_id JOIN registrant r ON r.id = c.registrant_id JOIN event e ON e.id = c.event_id
      ORDER BY e.event_ref, r.goc_number, c.provider_ref LIMIT ${HELD_SAMPLE})`.execute(trx);
  return rows;
}

function previewOf(rows: PreviewRow[], source: BatchPreview['source']): BatchPreview {
  const preview: BatchPreview = {
    carry: { records: 0, points: 0, interactive: 0, nonInteractive: 0, downgraded14: 0, downgradedAtCutoff: 0 },
    held: 0,
    quarantined: 0,
    heldSample: [],
    source,
  };
  for (const row of rows) {
    if (row.provider_ref !== null) {
      preview.heldSample.push({ provider_ref: row.provider_ref, goc_number: row.goc_number!, event_ref: row.event_ref!, hold_end: row.hold_end! });
      continue;
    }
    const n = Number(row.n);
    if (!row.valid) {
      preview.quarantined += n;
      continue;
    }
    if (row.decision === 'HELD') {
      preview.held += n;
      continue;
    }
    preview.carry.records += n;
    preview.carry.points += Number(row.points);
    if (row.decision === 'INTERACTIVE') preview.carry.interactive += n;
    if (row.decision === 'NON_INTERACTIVE') preview.carry.nonInteractive += n;
    if (row.decision === 'DOWNGRADE_14') preview.carry.downgraded14 += n;
    if (row.decision === 'DOWNGRADE_CUTOFF') preview.carry.downgradedAtCutoff += n;
  }
  // In file order, whatever order the union gave them in (C collation: code-unit order).
  const key = (h: BatchPreview['heldSample'][number]) => [h.event_ref, h.goc_number, h.provider_ref];
  preview.heldSample.sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
    return 0;
  });
  return preview;
}
