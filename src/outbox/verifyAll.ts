import path from 'node:path';
import { batchFileRecords } from '../db/writtenFiles.ts';
import { ensureBatchFile } from './ensureBatchFile.ts';

export interface VerifyCounts {
  checked: number;
  ok: number;
  missing: number;
  altered: number;
  failed: number;
}

/**
 * Checks every batch's upload file against its recorded SHA-256 and size; writes a missing one
 * again and moves an altered one aside before writing it again (`verify`, and the scheduler's
 * daily job). Each repair or failure is told through `say`, one line each.
 */
export async function verifyAllFiles(
  deps: Parameters<typeof ensureBatchFile>[0],
  say: { repaired(line: string): void; failed(line: string): void },
): Promise<VerifyCounts> {
  const counts: VerifyCounts = { checked: 0, ok: 0, missing: 0, altered: 0, failed: 0 };
  for (const record of await batchFileRecords(deps.db)) {
    counts.checked++;
    try {
      const file = await ensureBatchFile(deps, record.id);
      if (!file || file.state === 'ok') {
        counts.ok++;
      } else if (file.state === 'moved-aside-and-rewritten') {
        counts.altered++;
        say.repaired(`REPAIRED: ${record.fileName} (batch ${record.seq}) differed from its record; moved aside to ${path.basename(file.movedTo ?? '')} and written again.`);
      } else {
        counts.missing++;
        say.repaired(`REPAIRED: ${record.fileName} (batch ${record.seq}) was missing; written again from the batch's snapshot.`);
      }
    } catch (error) {
      counts.failed++;
      say.failed(`NOT REPAIRED: ${record.fileName} (batch ${record.seq}): ${(error as Error).message}`);
    }
  }
  return counts;
}
