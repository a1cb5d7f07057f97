import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../src/db/database.ts';
import { unsealedCycles } from '../../src/db/cycles.ts';
import type { CompletionStateRow, StatesAt, StatesFilter } from '../../src/db/completionStates.ts';
import { holdWindowEndSql, pendingDecisionsSql, stillValidSql } from '../../src/db/readiness.ts';

// The per-row classification as it stood before issue 14 (decisions from the batch's own
// pendingDecisionsSql, a LATERAL lookup per completion): the oracle the set-based queries
// are compared with on small data (stateCounts.test.ts).

/**
 * One SELECT classifying completions at `now`, to use as a subquery (`FROM (...) AS s`).
 * Readiness comes from pendingDecisionsSql, run for each unsealed cycle with the window a
 * batch at `now` would have (its cutoff: the earlier of now and the cycle's cutoff; once the
 * cutoff has passed, the FINAL batch's window).
 */
export async function perRowStatesSql(db: Db, at: StatesAt, filter: StatesFilter = null): Promise<RawBuilder<CompletionStateRow>> {
  const cycles = await unsealedCycles(db);
  const decisionParts = cycles.map((cycle) => {
    const pastCutoff = at.now >= cycle.final_cutoff;
    const window = { cycleStartsAt: cycle.starts_at, cutoff: pastCutoff ? cycle.final_cutoff : at.now, isFinal: pastCutoff, holdDays: at.holdDays };
    return sql`SELECT d.completion_id, d.decision FROM (${pendingDecisionsSql(window)}) AS d`;
  });
  const decisions = decisionParts.length
    ? sql.join(decisionParts, sql` UNION ALL `)
    : sql`SELECT NULL::bigint AS completion_id, NULL::text AS decision WHERE false`;
  const where =
    filter === null
      ? sql`true`
      : 'registrantId' in filter
        ? sql`c.registrant_id = ${filter.registrantId}`
        : sql`c.provider_ref = ${filter.providerRef}`;
  const holdEnd = holdWindowEndSql(at.holdDays);
  const zone = at.zone;
  return sql<CompletionStateRow>`
    SELECT x.*,
           CASE WHEN x.state IN ('WAITING', 'QUARANTINED') THEN
             CASE WHEN x.correction_pending THEN greatest(x.base_ready_on, (x.changed_at AT TIME ZONE ${zone})::date)
                  ELSE x.base_ready_on END::text
           END AS ready_on
      FROM (
    SELECT c.id AS completion_id, c.provider_ref, c.revision, r.goc_number, r.surname, e.event_ref, e.points,
           e.interactive AS interactive_event, c.completed_at, c.completed_on, c.received_at, c.changed_at,
           y.code AS cycle, y.final_cutoff,
           (p.completion_id IS NOT NULL) AS pending,
           ${stillValidSql()} AS valid,
           CASE WHEN e.interactive THEN ${holdEnd} END AS hold_end,
           d.decision,
           conf.n::int AS confirmations, conf.last AS last_confirmed_at,
           li.seq AS batch_seq, li.kind AS batch_kind, li.period AS batch_period, li.file_name, li.written_at,
           li.revision AS carried_revision, li.interactive AS carried_interactive, li.downgrade_reason,
           li.ack_status, li.ack_code, li.ack_message, li.ack_file,
           (p.completion_id IS NOT NULL AND li.ack_status = 'REJECTED') AS correction_pending,
           CASE d.decision
             WHEN 'NON_INTERACTIVE' THEN c.completed_on
             WHEN 'INTERACTIVE' THEN (conf.last AT TIME ZONE ${zone})::date
             WHEN 'DOWNGRADE_14' THEN (${holdEnd} AT TIME ZONE ${zone})::date
             WHEN 'DOWNGRADE_CUTOFF' THEN (y.final_cutoff AT TIME ZONE ${zone})::date
           END AS base_ready_on,
           CASE
             WHEN p.completion_id IS NULL THEN
               CASE WHEN li.ack_status = 'ACCEPTED' THEN 'ACCEPTED'
                    WHEN li.ack_status = 'REJECTED' THEN 'REJECTED'
                    WHEN li.batch_id IS NOT NULL THEN 'CARRIED'
                    ELSE 'NOT_QUEUED' END
             WHEN y.id IS NULL THEN 'NO_OPEN_CYCLE'
             WHEN c.completed_at >= y.final_cutoff THEN 'AFTER_CUTOFF'
             WHEN EXISTS (SELECT 1 FROM batch fb WHERE fb.cycle_id = y.id AND fb.kind = 'FINAL') THEN 'LATE'
             WHEN NOT ${stillValidSql()} THEN 'QUARANTINED'
             WHEN d.decision = 'HELD' THEN 'HELD'
             ELSE 'WAITING'
           END AS state
      FROM completion c
      JOIN event e ON e.id = c.event_id
      JOIN registrant r ON r.id = c.registrant_id
      LEFT JOIN upload_pending p ON p.completion_id = c.id
      LEFT JOIN cycle y ON c.completed_at >= y.starts_at AND c.completed_at < y.ends_at
      LEFT JOIN (${decisions}) AS d ON d.completion_id = c.id
      LEFT JOIN LATERAL (
        SELECT count(*) AS n, max(f.confirmed_at) AS last
          FROM confirmation f
         WHERE f.completion_id = c.id AND f.confirmed_at < least(${at.now.toISOString()}::timestamptz, ${holdEnd})
      ) AS conf ON true
      LEFT JOIN LATERAL (
        SELECT i.batch_id, i.revision, i.interactive, i.downgrade_reason, i.ack_status, i.ack_code, i.ack_message,
               b.seq, b.kind, b.period, b.file_name, b.written_at, a.file_name AS ack_file
          FROM batch_item i
          JOIN batch b ON b.id = i.batch_id
          LEFT JOIN ack_file a ON a.id = i.ack_id
         WHERE i.completion_id = c.id
         ORDER BY i.revision DESC
         LIMIT 1
      ) AS li ON true
     WHERE ${where}
      ) AS x`;
}
