import path from 'node:path';
import { batchFileRecords } from '../../db/writtenFiles.ts';
import { ensureBatchFile } from '../../outbox/ensureBatchFile.ts';
import type { CommandContext } from '../context.ts';
import { ExitCode } from '../errors.ts';
import { uploadDeps } from '../wiring.ts';
import type { RegisterCommand } from './types.ts';

export const registerVerify: RegisterCommand = (program, context, setExit) => {
  program
    .command('verify')
    .description("check every batch's upload file against its recorded SHA-256 and size; write a missing one again, move an altered one aside and write it again (exit 1 if any was)")
    .action(async () => {
      const counts = await verifyAll(context);
      context.print(
        `Checked ${counts.checked} upload files against their recorded SHA-256 and size: ${counts.ok} as recorded, ` +
          `${counts.missing} missing (written again), ${counts.altered} altered (moved aside, written again)` +
          (counts.failed ? `, ${counts.failed} could not be repaired.` : '.'),
      );
      if (counts.missing + counts.altered + counts.failed > 0) setExit(ExitCode.failed);
    });
};

async function verifyAll(context: CommandContext) {
  const deps = uploadDeps(context);
  const counts = { checked: 0, ok: 0, missing: 0, altered: 0, failed: 0 };
  for (const record of await batchFileRecords(context.db)) {
    counts.checked++;
    try {
      const file = await ensureBatchFile(deps, record.id);
      if (!file || file.state === 'ok') {
        counts.ok++;
      } else if (file.state === 'moved-aside-and-rewritten') {
        counts.altered++;
        context.print(`REPAIRED: ${record.fileName} (batch ${record.seq}) differed from its record; moved aside to ${path.basename(file.movedTo ?? '')} and written again.`);
      } else {
        counts.missing++;
        context.print(`REPAIRED: ${record.fileName} (batch ${record.seq}) was missing; written again from the batch's snapshot.`);
      }
    } catch (error) {
      counts.failed++;
      context.warn(`NOT REPAIRED: ${record.fileName} (batch ${record.seq}): ${(error as Error).message}`);
    }
  }
  return counts;
}
