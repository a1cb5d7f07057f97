import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { DeliveryState } from '../db/schema.ts';

export interface DeliveryView {
  batchId: string;
  seq: number;
  cycle: string;
  kind: 'WEEKLY' | 'FINAL';
  period: string;
  cutoff: Date;
  fileName: string;
  writtenAt: Date | null;
  state: DeliveryState;
  attempts: number;
  lastError: string | null;
  deliveredBy: 'sftp' | 'found' | 'manual' | null;
  remotePath: string | null;
  bytes: number | null;
  attemptedAt: Date | null;
  deliveredAt: Date | null;
}

/** Gives every batch that has (or is to have) a file its delivery state, PENDING at first. */
export async function ensureDeliveryRows(db: Db): Promise<void> {
  await sql`
    INSERT INTO delivery (batch_id, seq)
    SELECT id, seq FROM batch WHERE seq IS NOT NULL AND file_name IS NOT NULL
    ON CONFLICT DO NOTHING`.execute(db);
}

function deliveryQuery(db: Db) {
  return db
    .selectFrom('delivery as d')
    .innerJoin('batch as b', 'b.id', 'd.batch_id')
    .innerJoin('cycle as y', 'y.id', 'b.cycle_id')
    .select([
      'd.batch_id as batchId',
      'd.seq',
      'y.code as cycle',
      'b.kind',
      'b.period',
      'b.cutoff',
      sql<string>`b.file_name`.as('fileName'),
      'b.written_at as writtenAt',
      'd.state',
      'd.attempts',
      'd.last_error as lastError',
      'd.delivered_by as deliveredBy',
      'd.remote_path as remotePath',
      sql<number | null>`d.bytes::float8`.as('bytes'),
      'd.attempted_at as attemptedAt',
      'd.delivered_at as deliveredAt',
    ]);
}

/** Every delivery, in sequence order (optionally up to `upToSeq`). */
export function listDeliveries(db: Db, options: { upToSeq?: number } = {}): Promise<DeliveryView[]> {
  let query = deliveryQuery(db);
  if (options.upToSeq !== undefined) query = query.where('d.seq', '<=', options.upToSeq);
  return query.orderBy('d.seq').execute();
}

/** The deliveries of the given files (by sequence number), for `trace`. */
export async function deliveriesOfSeqs(db: Db, seqs: number[]): Promise<Map<number, DeliveryView>> {
  if (!seqs.length) return new Map();
  const rows = await deliveryQuery(db).where('d.seq', 'in', seqs).execute();
  return new Map(rows.map((row) => [row.seq, row]));
}

export function findDelivery(db: Db, seq: number): Promise<DeliveryView | undefined> {
  return deliveryQuery(db).where('d.seq', '=', seq).executeTakeFirst();
}

export async function markSending(db: Db, batchId: string, at: Date): Promise<number> {
  const row = await db
    .updateTable('delivery')
    .set((eb) => ({ state: 'SENDING', attempts: eb('attempts', '+', 1), attempted_at: at, updated_at: at }))
    .where('batch_id', '=', batchId)
    .returning('attempts')
    .executeTakeFirstOrThrow();
  return row.attempts;
}

export async function markDelivered(
  db: Db,
  batchId: string,
  how: { by: 'sftp' | 'found' | 'manual'; remotePath: string | null; bytes: number | null; at: Date; note: string | null },
): Promise<void> {
  await db
    .updateTable('delivery')
    .set({ state: 'DELIVERED', delivered_by: how.by, remote_path: how.remotePath, bytes: how.bytes, delivered_at: how.at, last_error: how.note, updated_at: how.at })
    .where('batch_id', '=', batchId)
    .execute();
}

/** An attempt failed: FAILED when `final`, else PENDING again for the next attempt. */
export async function markAttemptFailed(db: Db, batchId: string, error: string, final: boolean, at: Date): Promise<void> {
  await db
    .updateTable('delivery')
    .set({ state: final ? 'FAILED' : 'PENDING', last_error: error, updated_at: at })
    .where('batch_id', '=', batchId)
    .execute();
}

/** A later file waits for a lower-numbered one: it says which, and stays as it is. */
export async function noteWaiting(db: Db, batchId: string, reason: string, at: Date): Promise<void> {
  await db
    .updateTable('delivery')
    .set({ last_error: reason, updated_at: at })
    .where('batch_id', '=', batchId)
    .where('state', '!=', 'DELIVERED')
    .execute();
}

export async function deliveryCounts(db: Db): Promise<Record<DeliveryState, number>> {
  const rows = await db.selectFrom('delivery').select(['state', sql<string>`count(*)`.as('n')]).groupBy('state').execute();
  const counts: Record<DeliveryState, number> = { PENDING: 0, SENDING: 0, DELIVERED: 0, FAILED: 0 };
  for (const row of rows) counts[row.state] = Number(row.n);
  return counts;
}

/**
 * A person asked for a FAILED file to be tried again: PENDING, its attempts kept (they are the
 * file's history). Only from FAILED, so that two retries at once change it once; the attempts
 * after the change, or null when the file was not FAILED.
 */
export async function markRetried(db: Db, batchId: string, at: Date): Promise<number | null> {
  const row = await db
    .updateTable('delivery')
    .set({ state: 'PENDING', updated_at: at })
    .where('batch_id', '=', batchId)
    .where('state', '=', 'FAILED')
    .returning('attempts')
    .executeTakeFirst();
  return row?.attempts ?? null;
}

/** Undoes markRetried when the job could not be queued (the file is as it was: FAILED). */
export async function unmarkRetried(db: Db, batchId: string, attempts: number, at: Date): Promise<void> {
  await db
    .updateTable('delivery')
    .set({ state: 'FAILED', updated_at: at })
    .where('batch_id', '=', batchId)
    .where('state', '=', 'PENDING')
    .where('attempts', '=', attempts)
    .execute();
}
