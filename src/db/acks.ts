import { sql } from 'kysely';
import { shownText, type AckLine } from '../domain/ackFile.ts';
import type { Db } from './database.ts';

// Reading an acknowledgement inside one transaction: its lines are staged in a temporary
// table, checked against the batch's items by set operations, and applied in one UPDATE.

export interface AckTarget {
  batchId: string;
  seq: number | null;
  fileName: string;
  records: number;
}

export interface EarlierAck {
  id: string;
  fileName: string;
  sha256: string;
  receivedAt: Date;
  accepted: number;
  rejected: number;
}

/** The batch that wrote `fileName`, locked so that two readers of acks for it take turns. */
export async function lockBatchByFileName(trx: Db, fileName: string): Promise<AckTarget | undefined> {
  const row = await trx
    .selectFrom('batch')
    .select(['id', 'seq', 'file_name', 'records'])
    .where('file_name', '=', fileName)
    .forUpdate()
    .executeTakeFirst();
  return row ? { batchId: row.id, seq: row.seq, fileName: row.file_name!, records: row.records } : undefined;
}

export async function findAckOfBatch(db: Db, batchId: string): Promise<EarlierAck | undefined> {
  return db
    .selectFrom('ack_file')
    .select(['id', 'file_name as fileName', 'sha256', 'received_at as receivedAt', 'accepted', 'rejected'])
    .where('batch_id', '=', batchId)
    .executeTakeFirst();
}

/** A temporary table for the lines, dropped when the transaction ends whatever happens. */
export async function createAckStaging(trx: Db): Promise<void> {
  await sql`
    CREATE TEMPORARY TABLE ack_line (
      line          integer NOT NULL,
      provider_ref  text COLLATE "C" NOT NULL,
      status        text NOT NULL,
      code          text,
      message       text
    ) ON COMMIT DROP`.execute(trx);
}

/** A line as staged: its status is as written, checked apart (domain/ackFile.ts). */
export type StagedAckLine = Pick<AckLine, 'line' | 'providerRef' | 'code' | 'message'> & { status: string };

export async function stageAckLines(trx: Db, lines: readonly StagedAckLine[]): Promise<void> {
  if (!lines.length) return;
  await sql`
    INSERT INTO ack_line (line, provider_ref, status, code, message)
    SELECT * FROM unnest(${lines.map((l) => l.line)}::int[], ${lines.map((l) => l.providerRef)}::text[],
                         ${lines.map((l) => l.status)}::text[], ${lines.map((l) => l.code)}::text[],
                         ${lines.map((l) => l.message)}::text[])`.execute(trx);
}

/** The staged lines measured against the batch: each problem as a sentence, in line order. */
export async function ackMismatches(trx: Db, target: AckTarget): Promise<string[]> {
  const unknown = await sql<{ line: number; provider_ref: string }>`
    SELECT a.line, a.provider_ref FROM ack_line a
     WHERE NOT EXISTS (SELECT 1 FROM batch_item i WHERE i.batch_id = ${target.batchId}::bigint AND i.provider_ref = a.provider_ref)
     ORDER BY a.line`.execute(trx);
  const repeated = await sql<{ provider_ref: string; lines: number[] }>`
    SELECT provider_ref, array_agg(line ORDER BY line) AS lines FROM ack_line
     GROUP BY provider_ref HAVING count(*) > 1 ORDER BY min(line)`.execute(trx);
  const missing = await sql<{ provider_ref: string }>`
    SELECT i.provider_ref FROM batch_item i
     WHERE i.batch_id = ${target.batchId}::bigint
       AND NOT EXISTS (SELECT 1 FROM ack_line a WHERE a.provider_ref = i.provider_ref)
     ORDER BY i.provider_ref`.execute(trx);
  const batch = `batch ${target.seq ?? '?'} (${target.fileName})`;
  return [
    ...unknown.rows.map((r) => `line ${r.line}: provider_ref ${shownText(r.provider_ref)} is not a record of ${batch}`),
    ...repeated.rows.map((r) => `provider_ref ${shownText(r.provider_ref)} appears ${r.lines.length} times (lines ${r.lines.join(', ')}); each record must be answered exactly once`),
    ...(missing.rows.length
      ? [`${missing.rows.length} of the ${target.records} records of ${batch} are left out: ${missing.rows.map((r) => r.provider_ref).join(', ')}`]
      : []),
  ];
}

/** Records the acknowledgement and each record's answer; returns the counts. */
export async function applyAck(
  trx: Db,
  target: AckTarget,
  ack: { fileName: string; sha256: string; receivedAt: Date },
): Promise<{ ackId: string; accepted: number; rejected: number }> {
  const { rows } = await sql<{ id: string; accepted: number; rejected: number }>`
    INSERT INTO ack_file (batch_id, file_name, sha256, received_at, accepted, rejected)
    SELECT ${target.batchId}::bigint, ${ack.fileName}, ${ack.sha256}, ${ack.receivedAt.toISOString()}::timestamptz,
           count(*) FILTER (WHERE status = 'ACCEPTED'), count(*) FILTER (WHERE status = 'REJECTED')
      FROM ack_line
    RETURNING id, accepted, rejected`.execute(trx);
  const row = rows[0]!;
  await sql`
    UPDATE batch_item i
       SET ack_status = a.status, ack_code = a.code, ack_message = a.message, ack_id = ${row.id}::bigint
      FROM ack_line a
     WHERE i.batch_id = ${target.batchId}::bigint AND i.provider_ref = a.provider_ref`.execute(trx);
  return { ackId: row.id, accepted: row.accepted, rejected: row.rejected };
}
