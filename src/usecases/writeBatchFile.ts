import path from 'node:path';
import { businessDate } from '../domain/businessTime.ts';
import { findBatchById, recordFileWritten, type BatchView } from '../db/batches.ts';
import { streamDetailLines } from '../db/batchDetailLines.ts';
import { ensurePrivateDir, removeStaleTemps, writeFileAtomically } from '../files/atomicFile.ts';
import { LfToCrlf } from '../files/crlf.ts';
import { failpoint } from '../files/failpoint.ts';
import type { BatchForFile } from '../format/uploadFormat.ts';
import { checkFile, moveAside } from '../outbox/checkFile.ts';
import type { UploadDeps } from './uploadDeps.ts';

const WRITE_LOCK_CLASS = 0x4345_5402;

export interface WrittenBatchFile {
  path: string;
  sha256: string;
  bytes: number;
  /** False when the file was already written and on disk: nothing was done. */
  written: boolean;
  /**
   * written: the first write; ok: on disk as recorded; rewritten: it was missing and was written
   * again from the snapshot; moved-aside-and-rewritten: it differed from its record, was moved to
   * `movedTo` and written again. A rewrite gives the recorded bytes, or fails.
   */
  state: 'written' | 'ok' | 'rewritten' | 'moved-aside-and-rewritten';
  movedTo?: string;
}

export class RewriteMismatchError extends Error {
  override name = 'RewriteMismatchError';
}

/**
 * Writes a claimed batch's upload file and manifest from its snapshot. Safe to repeat and to
 * race: writers of one batch take turns (advisory lock), and every write gives the same bytes.
 */
export async function writeBatchFile(deps: Pick<UploadDeps, 'db' | 'pool' | 'format' | 'outboxDir' | 'zone' | 'clock' | 'onFileProgress'>, batchId: string): Promise<WrittenBatchFile | null> {
  const client = await deps.pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1, $2)', [WRITE_LOCK_CLASS, Number(BigInt(batchId) % 2147483647n)]);
    try {
      const batch = await findBatchById(deps.db, batchId);
      if (!batch || batch.seq === null || !batch.fileName) return null;
      const filePath = path.join(deps.outboxDir, batch.fileName);
      // A written file is checked against its record whenever its batch is asked for again.
      const recorded = batch.writtenAt && batch.sha256 ? { fileName: batch.fileName, sha256: batch.sha256, bytes: batch.bytes } : null;
      let movedTo: string | undefined;
      if (recorded) {
        const check = await checkFile(deps.outboxDir, recorded);
        if (check === 'ok') return { path: filePath, sha256: recorded.sha256, bytes: recorded.bytes ?? 0, written: false, state: 'ok' };
        if (check === 'altered') movedTo = await moveAside(deps.outboxDir, batch.fileName, deps.clock());
      }
      await ensurePrivateDir(deps.outboxDir);
      await removeStaleTemps(deps.outboxDir, batch.fileName);
      await removeStaleTemps(deps.outboxDir, manifestName(batch.fileName));
      const forFile = fileView(batch, deps.zone);
      const format = deps.format;
      const crlf = new LfToCrlf();
      const fileName = batch.fileName;
      const report = deps.onFileProgress;
      let written = 0;
      report?.({ file: fileName, written, records: batch.records });
      // writeFileAtomically is done with each chunk before it asks for the next, as LfToCrlf needs.
      const file = await writeFileAtomically(deps.outboxDir, batch.fileName, (async function* () {
        yield format.header(forFile);
        await failpoint('before-detail-lines');
        for await (const chunk of streamDetailLines(client, format, batch.id)) {
          if (report) {
            written += countLines(chunk);
            report({ file: fileName, written, records: batch.records });
          }
          yield crlf.convert(chunk);
        }
        yield format.trailer(forFile);
      })());
      if (recorded && (file.sha256 !== recorded.sha256 || file.bytes !== Number(recorded.bytes))) {
        throw new RewriteMismatchError(
          `Rewriting ${batch.fileName} from its batch's snapshot gave different bytes (SHA-256 ${file.sha256}, ${file.bytes} bytes) ` +
            `from those recorded (${recorded.sha256}, ${recorded.bytes} bytes); the snapshot or the format changed. Nothing was recorded.`,
        );
      }
      // A rewrite keeps the first write's instant, so its manifest is byte-identical too.
      const createdAt = recorded ? batch.writtenAt! : deps.clock();
      const manifest = {
        format: format.name,
        version: format.version,
        file: batch.fileName,
        sha256: file.sha256,
        bytes: file.bytes,
        provider: batch.providerCode,
        batch: batch.seq,
        cycle: batch.cycle,
        kind: batch.kind,
        period: batch.period,
        cutoff: batch.cutoff.toISOString(),
        records: batch.records,
        points: batch.points,
        interactivePoints: batch.interactivePoints,
        downgraded: batch.downgraded,
        createdAt: createdAt.toISOString(),
      };
      await writeFileAtomically(deps.outboxDir, manifestName(batch.fileName), [`${JSON.stringify(manifest, null, 2)}\n`]);
      if (!recorded) await recordFileWritten(deps.db, batch.id, { sha256: file.sha256, bytes: file.bytes, writtenAt: createdAt });
      const state = !recorded ? 'written' : movedTo ? 'moved-aside-and-rewritten' : 'rewritten';
      return { path: file.path, sha256: file.sha256, bytes: file.bytes, written: true, state, ...(movedTo ? { movedTo } : {}) };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, $2)', [WRITE_LOCK_CLASS, Number(BigInt(batchId) % 2147483647n)]).catch(() => {});
    }
  } finally {
    client.release();
  }
}

/** How many records a chunk of detail lines (LF-ended, as COPY gives them) holds. */
function countLines(chunk: Buffer): number {
  let count = 0;
  for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) count++;
  return count;
}

export function manifestName(fileName: string): string {
  return `${fileName}.manifest.json`;
}

function fileView(batch: BatchView, zone: string): BatchForFile {
  return {
    provider: batch.providerCode,
    seq: batch.seq!,
    cycle: batch.cycle,
    kind: batch.kind,
    cutoff: batch.cutoff,
    cutoffDate: businessDate(batch.cutoff, zone),
    records: batch.records,
    points: batch.points,
    interactivePoints: batch.interactivePoints,
  };
}
