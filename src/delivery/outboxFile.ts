import path from 'node:path';
import { ensureBatchFile, type FileDeps } from '../outbox/ensureBatchFile.ts';

// The bytes sent are the bytes recorded: the outbox's own check (issue 10's ensureBatchFile)
// runs before every send; a missing or altered file is written again from the snapshot first.

export interface CheckedFile {
  path: string;
  sha256: string;
  bytes: number;
  /** What was wrong and done, for the delivery's record; null when the file was as recorded. */
  repaired: string | null;
}

export async function checkOutboxFile(deps: FileDeps, batchId: string): Promise<CheckedFile> {
  const file = await ensureBatchFile(deps, batchId);
  if (!file) throw new Error(`batch ${batchId} has no upload file`);
  const repaired =
    file.state === 'ok'
      ? null
      : file.state === 'written'
        ? 'the file had not been written yet; written from the snapshot'
        : file.state === 'rewritten'
          ? 'the outbox file was missing; written again from the snapshot'
          : `the outbox file differed from its record; moved to ${path.basename(file.movedTo ?? '?')} and written again from the snapshot`;
  return { path: file.path, sha256: file.sha256, bytes: file.bytes, repaired };
}
