import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { DeliveryState } from '../db/schema.ts';
import { describeDuration, describeInstant } from '../domain/businessTime.ts';
import type { StatusWarning, WarningSource } from '../status/collectStatus.ts';
import { refusedAcks, type RefusedAck } from './fetchAcks.ts';

export interface BatchDelivery {
  batchId: string;
  seq: number;
  fileName: string;
  kind: 'WEEKLY' | 'FINAL';
  cutoff: Date;
  state: DeliveryState;
  attempts: number;
  lastError: string | null;
  deliveredAt: Date | null;
  deliveredBy: string | null;
  ackFile: string | null;
}

export interface DeliveryStatus {
  counts: Record<DeliveryState, number>;
  /** Every file not delivered, and the latest delivered ones, by batch id. */
  byBatch: Map<string, BatchDelivery>;
  undelivered: BatchDelivery[];
  refusedAcks: RefusedAck[];
}

/** Every file's delivery state; a file without a delivery row yet is PENDING (read-only). */
async function fileDeliveries(db: Db): Promise<BatchDelivery[]> {
  const { rows } = await sql<BatchDelivery>`
    SELECT b.id AS "batchId", b.seq, b.file_name AS "fileName", b.kind, b.cutoff,
           coalesce(d.state, 'PENDING') AS state, coalesce(d.attempts, 0) AS attempts,
           d.last_error AS "lastError", d.delivered_at AS "deliveredAt", d.delivered_by AS "deliveredBy",
           a.file_name AS "ackFile"
      FROM batch b
      LEFT JOIN delivery d ON d.batch_id = b.id
      LEFT JOIN ack_file a ON a.batch_id = b.id
     WHERE b.seq IS NOT NULL AND b.file_name IS NOT NULL
     ORDER BY b.seq`.execute(db);
  return rows;
}

export async function collectDeliveryStatus(db: Db): Promise<DeliveryStatus> {
  const files = await fileDeliveries(db);
  const counts: Record<DeliveryState, number> = { PENDING: 0, SENDING: 0, DELIVERED: 0, FAILED: 0 };
  for (const file of files) counts[file.state] += 1;
  return {
    counts,
    byBatch: new Map(files.map((file) => [file.batchId, file])),
    undelivered: files.filter((file) => file.state !== 'DELIVERED'),
    refusedAcks: await refusedAcks(db),
  };
}

const FINAL_GRACE_MS = 60 * 60 * 1000;

/** status warns: a FAILED file (with why), a FINAL file undelivered an hour after its cutoff, a refused acknowledgement. */
export const deliveryWarnings: WarningSource = async (db, at) => {
  const status = await collectDeliveryStatus(db);
  const warnings: StatusWarning[] = [];
  for (const file of status.undelivered) {
    if (file.state === 'FAILED') {
      warnings.push({
        code: 'DELIVERY_FAILED',
        message: `delivery of file ${file.seq} (${file.fileName}) FAILED after ${file.attempts} attempts: ${file.lastError ?? 'no reason recorded'}. Fix the cause, then run \`cet-uploader deliver\`.`,
      });
    } else if (file.kind === 'FINAL' && at.now.getTime() - file.cutoff.getTime() > FINAL_GRACE_MS) {
      warnings.push({
        code: 'FINAL_UNDELIVERED',
        message: `the FINAL file ${file.seq} (${file.fileName}) is not delivered ${describeDuration(at.now.getTime() - file.cutoff.getTime())} after its cutoff (${describeInstant(file.cutoff, at.zone)}): run \`cet-uploader deliver\`, or record a manual upload with \`deliver --mark-delivered ${file.seq}\`.`,
      });
    }
  }
  for (const ack of status.refusedAcks) {
    warnings.push({
      code: 'ACK_REFUSED',
      message: `acknowledgement ${ack.fileName}, fetched ${ack.fetchedAt.toISOString()}, was refused whole (kept at ${ack.localPath}): ${ack.problems.join('; ')}`,
    });
  }
  return warnings;
};
