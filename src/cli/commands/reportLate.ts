import { lateSource } from '../../reports/reportRows.ts';
import { formatOption, type OutputFormat } from '../output.ts';
import { printReportStream } from '../streamOutput.ts';
import { nowOption, parseNow } from '../nowOption.ts';
import type { RegisterCommand } from './types.ts';

export const registerReportLate: RegisterCommand = (report, context) => {
  formatOption(
    report
      .command('late')
      .description('LATE, AFTER_CUTOFF and NO_OPEN_CYCLE completions, with the reason')
      .addOption(nowOption()),
  ).action(async (options: { now?: string; format: OutputFormat }) => {
    const now = parseNow(options.now);
    const { BUSINESS_TIME_ZONE: zone, INTERACTIVE_HOLD_DAYS: holdDays } = context.config;
    await printReportStream(context, await lateSource(context.db, { now, holdDays, zone }), options.format);
  });
};
