import { sql } from 'kysely';
import type { Db } from './database.ts';

export interface BatchTotals {
  kind: 'WEEKLY' | 'FINAL';
  batches: number;
  records: number;
  /** The cutoff of the latest batch of this kind. */
  lastCutoff: Date;
}

/** Batches, records and the latest cutoff per kind, in one pass over the batch table. */
export async function batchTotals(db: Db): Promise<BatchTotals[]> {
  const { rows } = await sql<{ kind: 'WEEKLY' | 'FINAL'; batches: string; records: string; last_cutoff: Date }>`
    SELECT kind, count(*) AS batches, coalesce(sum(records), 0) AS records, max(cutoff) AS last_cutoff
      FROM batch GROUP BY kind`.execute(db);
  return rows.map((r) => ({ kind: r.kind, batches: Number(r.batches), records: Number(r.records), lastCutoff: r.last_cutoff }));
}

/**
 * Batch files by delivery state. Until deliveries are recorded (delivery.md), a written file
 * counts as PENDING (written, not known to be sent) and a claimed batch whose file is not
 * written yet as NOT_WRITTEN.
 */
export async function filesByDeliveryState(db: Db): Promise<Map<string, number>> {
  const { rows } = await sql<{ pending: string; not_written: string }>`
    SELECT count(*) FILTER (WHERE written_at IS NOT NULL) AS pending,
           count(*) FILTER (WHERE written_at IS NULL) AS not_written
      FROM batch WHERE file_name IS NOT NULL`.execute(db);
  const row = rows[0];
  return new Map([
    ['PENDING', Number(row?.pending ?? 0)],
    ['NOT_WRITTEN', Number(row?.not_written ?? 0)],
  ]);
}
