import { rejectedReport } from '../../reports/reportRows.ts';
import { formatOption, type OutputFormat } from '../output.ts';
import { printReport } from '../streamOutput.ts';
import type { RegisterCommand } from './types.ts';

export const registerReportRejected: RegisterCommand = (report, context) => {
  formatOption(report.command('rejected').description('records the regulator rejected, and whether each has been corrected')).action(
    async (options: { format: OutputFormat }) => {
      await printReport(context, await rejectedReport(context.db), options.format);
    },
  );
};
