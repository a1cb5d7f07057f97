import type { UploadDeps } from '../usecases/uploadDeps.ts';
import { checkOutboxFile } from './outboxFile.ts';
import {
  ensureDeliveryRows,
  listDeliveries,
  markAttemptFailed,
  markDelivered,
  markSending,
  noteWaiting,
  type DeliveryView,
} from './deliveryQueries.ts';
import { TransportError, type Transport, type TransportSession } from './transport.ts';

// Deliveries take turns through one PostgreSQL advisory lock, held for a whole run: files go
// out in sequence order whoever runs them (workers, `deliver`), and a file is never being sent
// by two processes at once. SENDING under the lock is therefore only ever this run's, or one
// left by a run that died, which the next run simply resumes.
const DELIVERY_LOCK = [0x4345_5403, 1] as const;

export interface DeliveryDeps {
  upload: Pick<UploadDeps, 'db' | 'pool' | 'format' | 'outboxDir' | 'zone' | 'clock'>;
  transport: Transport;
  /** Attempts per file before it is FAILED (the worker's runs; a run by hand always tries once more). */
  maxAttempts: number;
}

export type FileOutcome =
  | { seq: number; fileName: string; outcome: 'delivered'; remotePath: string; bytes: number; repaired: string | null }
  | { seq: number; fileName: string; outcome: 'found'; remotePath: string; bytes: number; repaired: string | null }
  | { seq: number; fileName: string; outcome: 'already-delivered' }
  | { seq: number; fileName: string; outcome: 'failed'; error: string; final: boolean; attempts: number }
  | { seq: number; fileName: string; outcome: 'waiting'; waitsFor: number };

export interface DeliveryRequest {
  /** Deliver files up to and including this one (the worker's job); all when absent. */
  upToSeq?: number;
  /** Only this file (with upToSeq equal to it): a lower-numbered undelivered file makes it wait, untried. */
  onlySeq?: number;
  /** By hand: FAILED files are tried again (one attempt each). The worker leaves them. */
  manual: boolean;
}

async function withDeliveryLock<T>(deps: DeliveryDeps, work: () => Promise<T>): Promise<T> {
  const client = await deps.upload.pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1, $2)', [...DELIVERY_LOCK]);
    try {
      return await work();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, $2)', [...DELIVERY_LOCK]).catch(() => {});
    }
  } finally {
    client.release();
  }
}

/** Sends every undelivered file (up to `upToSeq`) in sequence order; stops at the first that fails. */
export async function deliverFiles(deps: DeliveryDeps, request: DeliveryRequest): Promise<FileOutcome[]> {
  return withDeliveryLock(deps, async () => {
    const db = deps.upload.db;
    await ensureDeliveryRows(db);
    const rows = await listDeliveries(db, request.upToSeq === undefined ? {} : { upToSeq: request.upToSeq });
    const outcomes: FileOutcome[] = [];
    let session: TransportSession | undefined;
    let blockedBy: number | null = null;
    try {
      for (const row of rows) {
        if (row.state === 'DELIVERED') {
          if (request.upToSeq === row.seq) outcomes.push({ seq: row.seq, fileName: row.fileName, outcome: 'already-delivered' });
          continue;
        }
        if (request.onlySeq !== undefined && row.seq < request.onlySeq) {
          blockedBy = row.seq;
          continue;
        }
        if (blockedBy !== null) {
          await noteWaiting(db, row.batchId, `waits for file ${blockedBy}, which is not delivered`, deps.upload.clock());
          outcomes.push({ seq: row.seq, fileName: row.fileName, outcome: 'waiting', waitsFor: blockedBy });
          continue;
        }
        if (row.state === 'FAILED' && !request.manual) {
          // Attempts spent, or a problem retrying cannot fix: a person looks first (`deliver`).
          outcomes.push({ seq: row.seq, fileName: row.fileName, outcome: 'failed', error: row.lastError ?? 'FAILED', final: true, attempts: row.attempts });
          blockedBy = row.seq;
          continue;
        }
        const result = await deliverOne(deps, row, async () => (session ??= await deps.transport.open()), request.manual);
        outcomes.push(result);
        if (result.outcome === 'failed') {
          blockedBy = row.seq;
          // A broken connection is not reused for the files after it.
          await session?.close().catch(() => {});
          session = undefined;
        }
      }
    } finally {
      await session?.close().catch(() => {});
    }
    return outcomes;
  });
}

async function deliverOne(
  deps: DeliveryDeps,
  row: DeliveryView,
  connect: () => Promise<TransportSession>,
  manual: boolean,
): Promise<FileOutcome> {
  const db = deps.upload.db;
  const attempts = await markSending(db, row.batchId, deps.upload.clock());
  try {
    // The bytes sent are the bytes recorded: a missing or altered file is written again first.
    const file = await checkOutboxFile(deps.upload, row.batchId);
    const session = await connect();
    const remoteSize = await session.sizeOf(row.fileName);
    if (remoteSize === file.bytes) {
      await markDelivered(db, row.batchId, {
        by: 'found',
        remotePath: row.fileName,
        bytes: file.bytes,
        at: deps.upload.clock(),
        note: `already on the server with the same size (${file.bytes} bytes): an earlier attempt got through; not sent again`,
      });
      return { seq: row.seq, fileName: row.fileName, outcome: 'found', remotePath: row.fileName, bytes: file.bytes, repaired: file.repaired };
    }
    if (remoteSize !== null) {
      throw new DeliveryRefused(
        `a different file is already on the server under ${row.fileName} (${remoteSize} bytes there, ${file.bytes} here); nothing was sent. ` +
          'Ask the regulator which file it has, then mark it with `deliver --mark-delivered` or have it removed and run `deliver`.',
      );
    }
    const remotePath = await session.send(file.path, row.fileName, file.bytes);
    await markDelivered(db, row.batchId, { by: 'sftp', remotePath, bytes: file.bytes, at: deps.upload.clock(), note: file.repaired });
    return { seq: row.seq, fileName: row.fileName, outcome: 'delivered', remotePath, bytes: file.bytes, repaired: file.repaired };
  } catch (error) {
    const permanent = error instanceof DeliveryRefused || (error instanceof TransportError && error.permanent);
    const final = permanent || (!manual && attempts >= deps.maxAttempts);
    const message = (error as Error)?.message ?? String(error);
    await markAttemptFailed(db, row.batchId, message, final, deps.upload.clock());
    return { seq: row.seq, fileName: row.fileName, outcome: 'failed', error: message, final, attempts };
  }
}

/** Nothing was sent because sending would be wrong (not because it failed). */
export class DeliveryRefused extends Error {}
