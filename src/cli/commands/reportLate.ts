import { lateReport } from '../../reports/reportRows.ts';
import { formatOption, type OutputFormat } from '../output.ts';
import { printReport } from '../streamOutput.ts';
import { nowOption, parseNow } from '../nowOption.ts';
import type { RegisterCommand } from './types.ts';

// Never uploaded and never dropped: late arrivals of sealed cycles, completions at or after a
// cutoff, and completions no cycle contains (domain-rules.md), each with the reason.

export const registerReportLate: RegisterCommand = (report, context) => {
  formatOption(
    report
      .command('late')
      .description('LATE, AFTER_CUTOFF and NO_OPEN_CYCLE completions, with the reason')
      .addOption(nowOption()),
  ).action(async (options: { now?: string; format: OutputFormat }) => {
    const now = parseNow(options.now);
    const { BUSINESS_TIME_ZONE: zone, INTERACTIVE_HOLD_DAYS: holdDays } = context.config;
    await printReport(context, await lateReport({ db: context.db, pool: context.database.pool }, { now, holdDays, zone }), options.format);
  });
};
