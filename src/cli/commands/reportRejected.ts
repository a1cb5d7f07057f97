import { rejectedRecords } from '../../db/reportsRejected.ts';
import { formatOption, printRows, type OutputFormat } from '../output.ts';
import type { RegisterCommand } from './types.ts';

export const registerReportRejected: RegisterCommand = (report, context) => {
  formatOption(report.command('rejected').description('records the regulator rejected, and whether each has been corrected')).action(
    async (options: { format: OutputFormat }) => {
      const rows = (await rejectedRecords(context.db)).map((r) => ({
        file: r.file_name ?? null,
        batch: r.batch_seq ?? null,
        provider_ref: r.provider_ref,
        goc_number: r.goc_number,
        revision: r.revision,
        code: r.ack_code ?? null,
        message: r.ack_message ?? null,
        ack_file: r.ack_file ?? null,
        // true: a corrected revision is waiting for the next batch.
        corrected_pending: r.corrected === 'pending',
        carried_again_in: r.carried_again_in ?? null,
      }));
      printRows(context, rows, options.format, 'The regulator has rejected no record.');
    },
  );
};
