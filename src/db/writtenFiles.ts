import { sql } from 'kysely';
import type { Db } from './database.ts';

export interface BatchFileRecord {
  id: string;
  seq: number;
  cycle: string;
  kind: 'WEEKLY' | 'FINAL';
  period: string;
  fileName: string;
  /** Null while the batch is claimed but its file not yet written. */
  sha256: string | null;
  bytes: number | null;
  writtenAt: Date | null;
}

/** Every batch that has (or should have) an upload file, oldest first. */
export function batchFileRecords(db: Db): Promise<BatchFileRecord[]> {
  return db
    .selectFrom('batch as b')
    .innerJoin('cycle as y', 'y.id', 'b.cycle_id')
    .select([
      'b.id',
      sql<number>`b.seq`.as('seq'),
      'y.code as cycle',
      'b.kind',
      'b.period',
      sql<string>`b.file_name`.as('fileName'),
      'b.sha256',
      sql<number | null>`b.bytes::float8`.as('bytes'),
      'b.written_at as writtenAt',
    ])
    .where('b.seq', 'is not', null)
    .where('b.file_name', 'is not', null)
    .orderBy('b.id')
    .execute();
}
