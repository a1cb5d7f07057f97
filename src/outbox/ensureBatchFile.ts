import type { UploadDeps } from '../usecases/uploadDeps.ts';
import { writeBatchFile } from '../usecases/writeBatchFile.ts';

/** What a batch's upload file was found to be, and what was done about it. */
export type EnsuredState = 'ok' | 'written' | 'rewritten' | 'moved-aside-and-rewritten';

export interface EnsuredFile {
  /**
   * ok: on disk as recorded (nothing done); written: the batch's first write (its writer had died
   * after the claim); rewritten: it was missing and was written again from the snapshot;
   * moved-aside-and-rewritten: it differed from the recorded SHA-256 or size, was moved to `movedTo`
   * and written again. Every rewrite gives the recorded bytes (it fails otherwise).
   */
  state: EnsuredState;
  path: string;
  sha256: string;
  bytes: number;
  movedTo?: string;
}

export type FileDeps = Pick<UploadDeps, 'db' | 'pool' | 'format' | 'outboxDir' | 'zone' | 'clock'>;

/**
 * Makes sure a batch's upload file is in the outbox with the bytes its batch recorded; call it
 * before using the file (asking for a batch again, `verify`, delivery). Safe to race: writers of
 * one batch take turns. Null for a batch with no file (an empty batch) or no such batch.
 */
export async function ensureBatchFile(deps: FileDeps, batchId: string): Promise<EnsuredFile | null> {
  const result = await writeBatchFile(deps, batchId);
  if (!result) return null;
  return {
    state: result.state,
    path: result.path,
    sha256: result.sha256,
    bytes: result.bytes,
    ...(result.movedTo ? { movedTo: result.movedTo } : {}),
  };
}
