import { sql, type RawBuilder } from 'kysely';
import type { Db } from './database.ts';

export interface RejectedRecordRow {
  file_name: string | null;
  batch_seq: number | null;
  provider_ref: string;
  goc_number: string;
  revision: number;
  ack_code: string | null;
  ack_message: string | null;
  ack_file: string | null;
  /** no: not corrected; pending: a corrected revision waits for a batch; carried: a later batch carried a correction. */
  corrected: 'no' | 'pending' | 'carried';
  carried_again_in: number | null;
}

/** Every record the regulator rejected (each rejected revision once), oldest batch first. */
export async function rejectedRecords(db: Db): Promise<RejectedRecordRow[]> {
  return (await rejectedRecordsSql().execute(db)).rows;
}

/** The query of rejectedRecords, to stream (the rejected items found by the partial index batch_item_rejected). */
export function rejectedRecordsSql(): RawBuilder<RejectedRecordRow> {
  return sql<RejectedRecordRow>`
    SELECT b.file_name, b.seq AS batch_seq, i.provider_ref, i.goc_number, i.revision, i.ack_code, i.ack_message,
           a.file_name AS ack_file,
           CASE WHEN c.revision = i.revision THEN 'no'
                WHEN later.seq IS NOT NULL THEN 'carried'
                ELSE 'pending' END AS corrected,
           later.seq AS carried_again_in
      FROM batch_item i
      JOIN batch b ON b.id = i.batch_id
      JOIN completion c ON c.id = i.completion_id
      LEFT JOIN ack_file a ON a.id = i.ack_id
      LEFT JOIN LATERAL (
        SELECT lb.seq FROM batch_item li JOIN batch lb ON lb.id = li.batch_id
         WHERE li.completion_id = i.completion_id AND li.revision > i.revision
         ORDER BY li.revision LIMIT 1
      ) AS later ON true
     WHERE i.ack_status = 'REJECTED'
     ORDER BY b.seq, i.provider_ref, i.revision`;
}
