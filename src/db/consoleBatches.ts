import { sql } from 'kysely';
import type { Db } from './database.ts';

export interface BatchListRow {
  id: string;
  cycle: string;
  kind: 'WEEKLY' | 'FINAL';
  period: string;
  cutoff: Date;
  seq: number | null;
  records: number;
  points: number;
  interactive_points: number;
  downgraded: number;
  file_name: string | null;
  written_at: Date | null;
  trigger: string;
  /** Acknowledgement counts; null until an acknowledgement file was read. */
  accepted: number | null;
  rejected: number | null;
}

/** Batches newest first, a page at a time, with their acknowledgement counts. */
export async function batchesPage(db: Db, limit: number, offset: number): Promise<BatchListRow[]> {
  const { rows } = await sql<BatchListRow>`
    SELECT b.id, y.code AS cycle, b.kind, b.period, b.cutoff, b.seq, b.records, b.points, b.interactive_points,
           b.downgraded, b.file_name, b.written_at, b.trigger, a.accepted, a.rejected
      FROM batch b JOIN cycle y ON y.id = b.cycle_id
      LEFT JOIN LATERAL (SELECT sum(accepted)::int AS accepted, sum(rejected)::int AS rejected FROM ack_file WHERE batch_id = b.id) a ON true
     ORDER BY b.id DESC LIMIT ${limit} OFFSET ${offset}`.execute(db);
  return rows;
}

export async function countBatches(db: Db): Promise<number> {
  const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM batch`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

export interface BatchItemRow {
  provider_ref: string;
  revision: number;
  goc_number: string;
  surname: string;
  event_ref: string;
  completed_on: string;
  points: number;
  category: string;
  interactive: boolean;
  downgrade_reason: string | null;
  ack_status: string | null;
  ack_code: string | null;
}

/** A batch's records by provider_ref, a page at a time. */
export async function batchItemsPage(db: Db, batchId: string, limit: number, offset: number): Promise<BatchItemRow[]> {
  const { rows } = await sql<BatchItemRow>`
    SELECT provider_ref, revision, goc_number, surname, event_ref, completed_on, points, category, interactive,
           downgrade_reason, ack_status, ack_code
      FROM batch_item WHERE batch_id = ${batchId}
     ORDER BY provider_ref LIMIT ${limit} OFFSET ${offset}`.execute(db);
  return rows;
}

/** Records and points of each WEEKLY batch of the cycle, for the chart, oldest first. */
export async function weeklySeries(db: Db, cycleId: number): Promise<Array<{ period: string; cutoff: Date; records: number; points: number }>> {
  const { rows } = await sql<{ period: string; cutoff: Date; records: number; points: number }>`
    SELECT period, cutoff, records, points FROM batch WHERE cycle_id = ${cycleId} AND kind = 'WEEKLY' ORDER BY cutoff`.execute(db);
  return rows;
}

/**
 * How many interactive completions of the cycle were held (completed, hold window still open,
 * not yet confirmed by both parties) at each instant. The chart asks at each weekly cutoff.
 */
export async function heldAt(db: Db, cycleStartsAt: Date, instants: readonly Date[], holdDays: number): Promise<number[]> {
  if (!instants.length) return [];
  const { rows } = await sql<{ n: string }>`
    SELECT (SELECT count(*) FROM completion c JOIN event e ON e.id = c.event_id
             WHERE e.interactive AND c.completed_at >= ${cycleStartsAt.toISOString()}::timestamptz AND c.completed_at < t.at
               AND c.completed_at + make_interval(hours => ${holdDays * 24}) > t.at
               AND NOT (EXISTS (SELECT 1 FROM confirmation f WHERE f.completion_id = c.id AND f.party = 'registrant' AND f.confirmed_at < t.at)
                    AND EXISTS (SELECT 1 FROM confirmation f WHERE f.completion_id = c.id AND f.party = 'peer' AND f.confirmed_at < t.at))) AS n
      FROM unnest(${instants.map((i) => i.toISOString())}::timestamptz[]) WITH ORDINALITY AS t(at, i)
     ORDER BY t.i`.execute(db);
  return rows.map((r) => Number(r.n));
}
