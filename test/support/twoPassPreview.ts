// The dry run's preview as it was before issue 14 (two runs of the batch's decision query:
// the counts, then the held sample): the oracle the one-pass previewBatch is checked against.
import { sql } from 'kysely';
import type { Db } from '../../src/db/database.ts';
import { pendingDecisionsSql, type Decision, type ReadinessWindow } from '../../src/db/readiness.ts';
import type { BatchPreview } from '../../src/db/previewBatch.ts';

/** What a batch with this window would carry now, read-only. */
export async function twoPassPreview(db: Db, window: ReadinessWindow): Promise<Omit<BatchPreview, 'source'>> {
  const decisions = pendingDecisionsSql(window);
  const { rows } = await sql<{ decision: Decision; valid: boolean; n: string; points: string }>`
    SELECT d.decision, d.valid, count(*) AS n, coalesce(sum(d.points), 0) AS points
      FROM (${decisions}) AS d GROUP BY d.decision, d.valid`.execute(db);
  const preview: Omit<BatchPreview, 'source'> = {
    carry: { records: 0, points: 0, interactive: 0, nonInteractive: 0, downgraded14: 0, downgradedAtCutoff: 0 },
    held: 0,
    quarantined: 0,
    heldSample: [],
  };
  for (const row of rows) {
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
  const heldWindow = { ...window, isFinal: false };
  const held = await sql<{ provider_ref: string; goc_number: string; event_ref: string; hold_end: Date }>`
    SELECT d.provider_ref, d.goc_number, d.event_ref, d.hold_end FROM (${pendingDecisionsSql(heldWindow)}) AS d
     WHERE d.valid AND d.decision = 'HELD' ORDER BY d.event_ref, d.goc_number, d.provider_ref LIMIT 50`.execute(db);
  preview.heldSample = held.rows;
  return preview;
}
