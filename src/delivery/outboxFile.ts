import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { findBatchById } from '../db/batches.ts';
import type { UploadDeps } from '../usecases/uploadDeps.ts';
import { writeBatchFile } from '../usecases/writeBatchFile.ts';

// A minimal check until the outbox's own ensureBatchFile (issue 10) is on main: the bytes sent
// must be the bytes recorded; a missing or altered file is written again from the snapshot.

export interface CheckedFile {
  path: string;
  sha256: string;
  bytes: number;
  /** What was wrong and done, for the delivery's record; null when the file was as recorded. */
  repaired: string | null;
}

async function digestOf(file: string): Promise<{ sha256: string; bytes: number } | null> {
  try {
    const { size } = await stat(file);
    const hash = createHash('sha256');
    await pipeline(createReadStream(file), hash);
    return { sha256: hash.digest('hex'), bytes: size };
  } catch {
    return null;
  }
}

export async function checkOutboxFile(deps: Pick<UploadDeps, 'db' | 'pool' | 'format' | 'outboxDir' | 'zone' | 'clock'>, batchId: string): Promise<CheckedFile> {
  const batch = await findBatchById(deps.db, batchId);
  if (!batch?.fileName || batch.seq === null) throw new Error(`batch ${batchId} has no upload file`);
  const filePath = path.join(deps.outboxDir, batch.fileName);
  const recorded = batch.writtenAt && batch.sha256 ? { sha256: batch.sha256, bytes: Number(batch.bytes) } : null;
  const found = await digestOf(filePath);
  if (recorded && found && found.sha256 === recorded.sha256 && found.bytes === recorded.bytes) {
    return { path: filePath, ...recorded, repaired: null };
  }
  let repaired: string;
  if (!recorded) repaired = 'the file had not been written yet; written from the snapshot';
  else if (!found) repaired = 'the outbox file was missing; written again from the snapshot';
  else {
    const aside = `${filePath}.altered-${deps.clock().toISOString().replaceAll(':', '')}`;
    await rename(filePath, aside);
    repaired = `the outbox file differed from its record (SHA-256 ${found.sha256.slice(0, 12)}…, ${found.bytes} bytes); moved to ${path.basename(aside)} and written again from the snapshot`;
  }
  const written = await writeBatchFile(deps, batchId);
  if (!written) throw new Error(`batch ${batch.seq}'s file could not be written`);
  if (recorded && (written.sha256 !== recorded.sha256 || written.bytes !== recorded.bytes)) {
    throw new Error(`batch ${batch.seq}'s file written again from the snapshot has SHA-256 ${written.sha256}, not the recorded ${recorded.sha256}; not sent`);
  }
  return { path: written.path, sha256: written.sha256, bytes: written.bytes, repaired };
}
