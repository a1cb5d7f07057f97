import { sql } from 'kysely';
import type { Db } from './database.ts';

export interface BatchView {
  id: string;
  cycleId: number;
  cycle: string;
  kind: 'WEEKLY' | 'FINAL';
  period: string;
  cutoff: Date;
  seq: number | null;
  providerCode: string;
  trigger: string;
  claimedAt: Date;
  records: number;
  points: number;
  interactivePoints: number;
  downgraded: number;
  fileName: string | null;
  sha256: string | null;
  bytes: number | null;
  writtenAt: Date | null;
}

function batchQuery(db: Db) {
  return db
    .selectFrom('batch as b')
    .innerJoin('cycle as y', 'y.id', 'b.cycle_id')
    .select([
      'b.id',
      'b.cycle_id as cycleId',
      'y.code as cycle',
      'b.kind',
      'b.period',
      'b.cutoff',
      'b.seq',
      'b.provider_code as providerCode',
      'b.trigger',
      'b.claimed_at as claimedAt',
      'b.records',
      'b.points',
      'b.interactive_points as interactivePoints',
      'b.downgraded',
      'b.file_name as fileName',
      'b.sha256',
      sql<number | null>`b.bytes::float8`.as('bytes'),
      'b.written_at as writtenAt',
    ]);
}

export function findBatchById(db: Db, id: string): Promise<BatchView | undefined> {
  return batchQuery(db).where('b.id', '=', id).executeTakeFirst();
}

export function findBatchByFileName(db: Db, fileName: string): Promise<BatchView | undefined> {
  return batchQuery(db).where('b.file_name', '=', fileName).executeTakeFirst();
}

export function latestBatches(db: Db, limit: number): Promise<BatchView[]> {
  return batchQuery(db).orderBy('b.id', 'desc').limit(limit).execute();
}

/** The latest batches that wrote (or are to write) a file: empty weeks left out. */
export function latestBatchesWithFiles(db: Db, limit: number): Promise<BatchView[]> {
  return batchQuery(db).where('b.file_name', 'is not', null).orderBy('b.id', 'desc').limit(limit).execute();
}

export function findFinalBatch(db: Db, cycleId: number): Promise<BatchView | undefined> {
  return batchQuery(db).where('b.cycle_id', '=', cycleId).where('b.kind', '=', 'FINAL').executeTakeFirst();
}

export async function recordFileWritten(db: Db, id: string, file: { sha256: string; bytes: number; writtenAt: Date }): Promise<void> {
  await db
    .updateTable('batch')
    .set({ sha256: file.sha256, bytes: file.bytes, written_at: file.writtenAt })
    .where('id', '=', id)
    .execute();
}

/** The slot (cutoff) of the cycle's latest WEEKLY batch, for the scheduler's catch-up. */
export async function latestWeeklyCutoff(db: Db, cycleId: number): Promise<Date | null> {
  const row = await db
    .selectFrom('batch')
    .select((eb) => eb.fn.max('cutoff').as('cutoff'))
    .where('cycle_id', '=', cycleId)
    .where('kind', '=', 'WEEKLY')
    .executeTakeFirst();
  return (row?.cutoff as Date | null) ?? null;
}

/** The WEEKLY batches of an ISO week, across cycles. */
export function findWeeklyBatches(db: Db, period: string): Promise<BatchView[]> {
  return batchQuery(db).where('b.kind', '=', 'WEEKLY').where('b.period', '=', period).orderBy('b.id').execute();
}
