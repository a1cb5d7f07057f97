import { rejectedSource } from '../../reports/reportRows.ts';
import { formatOption, type OutputFormat } from '../output.ts';
import { printReportStream } from '../streamOutput.ts';
import type { RegisterCommand } from './types.ts';

export const registerReportRejected: RegisterCommand = (report, context) => {
  formatOption(report.command('rejected').description('records the regulator rejected, and whether each has been corrected')).action(
    async (options: { format: OutputFormat }) => {
      await printReportStream(context, rejectedSource(), options.format);
    },
  );
};
