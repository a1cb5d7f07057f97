import { sql, type RawBuilder } from 'kysely';
import type { Db } from './database.ts';
import { listCycles } from './cycles.ts';
import { pendingStatesSql } from './pendingStates.ts';
import { holdWindowEndSql, stillValidSql, type Decision } from './readiness.ts';

/**
 * Where a completion stands at an instant `now` (the answer to "where are my points?"):
 *   ACCEPTED       its latest carried revision was accepted by the regulator (final)
 *   REJECTED       its latest carried revision was rejected, and no correction has come in
 *   CARRIED        carried by a batch, no acknowledgement read yet
 *   HELD           interactive, waiting for confirmations; its hold window has not ended
 *   WAITING        ready: the next batch of its cycle carries it (decision says how)
 *   QUARANTINED    pending but fails the import checks now (stillValidSql): no batch carries it
 *   LATE           pending, completed before the cutoff of a cycle already sealed by its FINAL batch
 *   AFTER_CUTOFF   completed at or after its cycle's final-upload cutoff: never carried
 *   NO_OPEN_CYCLE  completed_at lies in no configured cycle: waits for one
 *   NOT_QUEUED     neither pending nor carried (should not happen; shown rather than hidden)
 * A corrected revision of a rejected completion is pending again: it gets a pending state
 * (WAITING, HELD, LATE, ...) with correction_pending = true and the earlier rejection beside it.
 */
export type CompletionState =
  | 'ACCEPTED'
  | 'REJECTED'
  | 'CARRIED'
  | 'HELD'
  | 'WAITING'
  | 'QUARANTINED'
  | 'LATE'
  | 'AFTER_CUTOFF'
  | 'NO_OPEN_CYCLE'
  | 'NOT_QUEUED';

export interface CompletionStateRow {
  completion_id: string;
  provider_ref: string;
  revision: number;
  goc_number: string;
  surname: string;
  event_ref: string;
  points: number;
  interactive_event: boolean;
  completed_at: Date;
  completed_on: string;
  received_at: Date;
  changed_at: Date;
  cycle: string | null;
  final_cutoff: Date | null;
  pending: boolean;
  valid: boolean;
  /** The end of the hold window; null for a non-interactive event. */
  hold_end: Date | null;
  /** For a pending completion of an open cycle: what a batch at `now` would do with it. */
  decision: Decision | null;
  confirmations: number;
  last_confirmed_at: Date | null;
  /** The latest batch that carried a revision of it. */
  batch_seq: number | null;
  batch_kind: 'WEEKLY' | 'FINAL' | null;
  batch_period: string | null;
  file_name: string | null;
  written_at: Date | null;
  carried_revision: number | null;
  carried_interactive: boolean | null;
  downgrade_reason: string | null;
  ack_status: 'ACCEPTED' | 'REJECTED' | null;
  ack_code: string | null;
  ack_message: string | null;
  ack_file: string | null;
  correction_pending: boolean;
  /** The business-zone day it became ready (10-working-day rule); null unless WAITING or QUARANTINED. */
  ready_on: string | null;
  state: CompletionState;
}

export interface StatesAt {
  now: Date;
  holdDays: number;
  zone: string;
}

export type StatesFilter = { registrantId: number } | { providerRef: string } | null;

/**
 * One SELECT classifying completions at `now`, to use as a subquery (`FROM (...) AS s`).
 * Readiness comes from pendingStatesSql, with the window a batch at `now` would have (its
 * cutoff: the earlier of now and the cycle's cutoff; once the cutoff has passed, the FINAL
 * batch's window), for the filtered completions only.
 */
export async function completionStatesSql(db: Db, at: StatesAt, filter: StatesFilter = null): Promise<RawBuilder<CompletionStateRow>> {
  const where =
    filter === null
      ? sql<boolean>`true`
      : 'registrantId' in filter
        ? sql<boolean>`c.registrant_id = ${filter.registrantId}`
        : sql<boolean>`c.provider_ref = ${filter.providerRef}`;
  // The decisions of the same completions only (the filter reaches the pending set's joins).
  const decisions = sql`SELECT ps.completion_id, ps.decision FROM (${pendingStatesSql(await listCycles(db), at, where)}) AS ps`;
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
