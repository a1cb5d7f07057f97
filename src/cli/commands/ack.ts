import { describeAckRefusal } from '../../domain/ackFile.ts';
import { NotARegularFileError, readAck } from '../../usecases/readAck.ts';
import { InputRefusedError, RefusedError } from '../errors.ts';
import { parseNow } from '../nowOption.ts';
import type { RegisterCommand } from './types.ts';

export const registerAck: RegisterCommand = (program, context) => {
  program
    .command('ack <file>')
    .description("read the regulator's acknowledgement (GOC-CET-ACK) of an upload file")
    .option('--now <instant>', 'record it as received at this time (ISO 8601 with offset)')
    .action(async (file: string, options: { now?: string }) => {
      const receivedAt = parseNow(options.now);
      const result = await readAck(context.db, file, receivedAt).catch((error: unknown) => {
        if (error instanceof NotARegularFileError) throw new RefusedError(error.message);
        throw error;
      });
      if (result.outcome === 'refused') throw new InputRefusedError(describeAckRefusal(result.ackFile, result.problems));
      if (result.outcome === 'already-read') {
        context.print(
          `Acknowledgement ${result.ackFile} of batch ${result.seq} (${result.uploadFile}) was already read on ${result.earlier.receivedAt.toISOString()} ` +
            `(${result.earlier.accepted} accepted, ${result.earlier.rejected} rejected); nothing was changed.`,
        );
        return;
      }
      context.print(`Read acknowledgement ${result.ackFile} of batch ${result.seq} (${result.uploadFile}): ${result.accepted} accepted, ${result.rejected} rejected.`);
      if (result.rejected) {
        context.print('Rejected records are listed by `cet-uploader report rejected`; correct them with an import and the next batch carries them again.');
      }
    });
};
