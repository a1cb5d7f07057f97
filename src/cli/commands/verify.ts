import { verifyAllFiles } from '../../outbox/verifyAll.ts';
import { ExitCode } from '../errors.ts';
import { uploadDeps } from '../wiring.ts';
import type { RegisterCommand } from './types.ts';

export const registerVerify: RegisterCommand = (program, context, setExit) => {
  program
    .command('verify')
    .description("check every batch's upload file against its recorded SHA-256 and size; write a missing one again, move an altered one aside and write it again (exit 1 if any was)")
    .action(async () => {
      const counts = await verifyAllFiles(uploadDeps(context), { repaired: (line) => context.print(line), failed: (line) => context.warn(line) });
      context.print(
        `Checked ${counts.checked} upload files against their recorded SHA-256 and size: ${counts.ok} as recorded, ` +
          `${counts.missing} missing (written again), ${counts.altered} altered (moved aside, written again)` +
          (counts.failed ? `, ${counts.failed} could not be repaired.` : '.'),
      );
      if (counts.missing + counts.altered + counts.failed > 0) setExit(ExitCode.failed);
    });
};
