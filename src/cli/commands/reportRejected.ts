import { rejectedRecordsSql } from '../../db/reportsRejected.ts';
import { streamRows } from '../../db/streamRows.ts';
import { formatOption, type OutputFormat } from '../output.ts';
import { printRowStream } from '../streamOutput.ts';
import type { RegisterCommand } from './types.ts';

export const registerReportRejected: RegisterCommand = (report, context) => {
  formatOption(report.command('rejected').description('records the regulator rejected, and whether each has been corrected')).action(
    async (options: { format: OutputFormat }) => {
      const rows = (async function* () {
        for await (const r of streamRows(context.db, context.database.pool, rejectedRecordsSql())) yield {
          file: r.file_name ?? '',
          batch: r.batch_seq ?? '',
          provider_ref: r.provider_ref,
          goc_number: r.goc_number,
          revision: r.revision,
          code: r.ack_code ?? '',
          message: r.ack_message ?? '',
          ack_file: r.ack_file ?? '',
          // yes: a corrected revision is waiting for the next batch.
          corrected_pending: r.corrected === 'pending' ? 'yes' : 'no',
          carried_again_in: r.carried_again_in ?? '',
        };
      })();
      await printRowStream(context, rows, options.format, 'The regulator has rejected no record.');
    },
  );
};
