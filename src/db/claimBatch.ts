import { sql } from 'kysely';
import { failpoint } from '../files/failpoint.ts';
import type { Db } from './database.ts';
import { pendingDecisionsSql } from './readiness.ts';
import type { BatchKind, BatchTrigger } from './schema.ts';

// Serialises every claim of this provider: sequence numbers stay gapless and in claim order,
// and a second claimer of the same batch waits, then finds it.
const CLAIM_LOCK = 0x4345_5401; // "CET" + 1

export interface ClaimRequest {
  cycle: { id: number; startsAt: Date; finalCutoff: Date };
  kind: BatchKind;
  period: string;
  cutoff: Date;
  trigger: BatchTrigger;
  providerCode: string;
  holdDays: number;
  claimedAt: Date;
  fileNameFor: (seq: number) => string;
}

export interface ClaimedBatch {
  id: string;
  created: boolean;
  /** The cycle already had its FINAL batch, so nothing was claimed (WEEKLY only). */
  sealed: boolean;
}

/**
 * Claims a batch and snapshots what it carries in one transaction. The unique key
 * (cycle_id, period) makes it happen at most once; batch_item's primary key (completion_id,
 * revision) keeps any revision of a completion from being carried twice.
 */
export async function claimBatch(db: Db, request: ClaimRequest): Promise<ClaimedBatch> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${CLAIM_LOCK})`.execute(trx);
    // A million-row snapshot is sorted here (by key, for the insert); keep that sort in memory.
    await sql`SET LOCAL work_mem = '256MB'`.execute(trx);
    await failpoint('claim-locked');
    const existing = await trx
      .selectFrom('batch')
      .select('id')
      .where('cycle_id', '=', request.cycle.id)
      .where('period', '=', request.period)
      .executeTakeFirst();
    if (existing) return { id: existing.id, created: false, sealed: false };

    const final = await trx
      .selectFrom('batch')
      .select('id')
      .where('cycle_id', '=', request.cycle.id)
      .where('kind', '=', 'FINAL')
      .executeTakeFirst();
    if (final) return { id: final.id, created: false, sealed: true };

    const batch = await trx
      .insertInto('batch')
      .values({
        cycle_id: request.cycle.id,
        kind: request.kind,
        period: request.period,
        cutoff: request.cutoff,
        provider_code: request.providerCode,
        trigger: request.trigger,
        claimed_at: request.claimedAt,
        // A FINAL batch always has a file, so it takes its number now (the CHECK wants it).
        seq: request.kind === 'FINAL' ? sql<number>`(SELECT coalesce(max(seq), 0) + 1 FROM batch)` : null,
      })
      .returning(['id', 'seq'])
      .executeTakeFirstOrThrow();

    const drivenByPending = await fewPendingAgainstHistory(trx);
    const window = {
      cycleStartsAt: request.cycle.startsAt,
      cutoff: request.cutoff < request.cycle.finalCutoff ? request.cutoff : request.cycle.finalCutoff,
      isFinal: request.kind === 'FINAL',
      holdDays: request.holdDays,
    };
    // Insert in primary-key order: a million keys then append to the index instead of landing
    // on random pages (measured: 6.3 s -> 1.9 s); the file is sorted when it is written.
    const { rows } = await sql<{ records: string; points: string | null; interactive_points: string | null; downgraded: string }>`
      WITH carried AS (
        INSERT INTO batch_item (batch_id, completion_id, revision, provider_ref, goc_number, surname,
                                event_ref, completed_on, points, category, interactive, downgrade_reason)
        SELECT ${batch.id}::bigint, d.completion_id, d.revision, d.provider_ref, d.goc_number, d.surname,
               d.event_ref, d.completed_on, d.points, d.category, d.decision = 'INTERACTIVE',
               CASE d.decision WHEN 'DOWNGRADE_14' THEN 'PEER_UNCONFIRMED_14_DAYS'
                               WHEN 'DOWNGRADE_CUTOFF' THEN 'PEER_UNCONFIRMED_AT_CUTOFF' END
          FROM (${pendingDecisionsSql(window, { drivenByPending })}) AS d
         WHERE d.valid AND d.decision <> 'HELD'
         ORDER BY d.completion_id, d.revision
        RETURNING completion_id, points, interactive, downgrade_reason
      ), unqueued AS (
        DELETE FROM upload_pending p USING carried c WHERE p.completion_id = c.completion_id
      )
      SELECT count(*) AS records, sum(points) AS points,
             sum(points) FILTER (WHERE interactive) AS interactive_points,
             count(*) FILTER (WHERE downgrade_reason IS NOT NULL) AS downgraded
        FROM carried`.execute(trx);
    const totals = rows[0]!;
    const records = Number(totals.records);
    // An empty WEEKLY batch is recorded but writes no file, and so takes no number.
    const seq = batch.seq ?? (records > 0 ? await nextSeq(trx) : null);
    await trx
      .updateTable('batch')
      .set({
        seq,
        records,
        points: Number(totals.points ?? 0),
        interactive_points: Number(totals.interactive_points ?? 0),
        downgraded: Number(totals.downgraded),
        file_name: seq === null ? null : request.fileNameFor(seq),
      })
      .where('id', '=', batch.id)
      .execute();
    return { id: batch.id, created: true, sealed: false };
  });
}

/**
 * True when the pending completions are a small part of all completions (a normal week against
 * a long history): then reading them one by one beats scanning the history.
 */
async function fewPendingAgainstHistory(trx: Db): Promise<boolean> {
  const { rows } = await sql<{ pending: string; total: string }>`
    SELECT (SELECT count(*) FROM upload_pending) AS pending,
           (SELECT reltuples::bigint FROM pg_class WHERE oid = 'completion'::regclass) AS total`.execute(trx);
  const pending = Number(rows[0]!.pending);
  return pending < 200_000 && pending * 10 < Math.max(Number(rows[0]!.total), 1);
}

async function nextSeq(trx: Db): Promise<number> {
  const row = await trx
    .selectFrom('batch')
    .select(sql<number>`coalesce(max(seq), 0) + 1`.as('next'))
    .executeTakeFirstOrThrow();
  return Number(row.next);
}
