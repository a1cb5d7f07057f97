import { heldReport } from '../../reports/reportRows.ts';
import { formatOption, type OutputFormat } from '../output.ts';
import { printReport } from '../streamOutput.ts';
import { nowOption, parseNow } from '../nowOption.ts';
import type { RegisterCommand } from './types.ts';

export const registerReportHeld: RegisterCommand = (report, context) => {
  formatOption(
    report
      .command('held')
      .description('interactive completions still held for peer confirmation, with the end of each hold window')
      .addOption(nowOption()),
  ).action(async (options: { now?: string; format: OutputFormat }) => {
    const now = parseNow(options.now);
    const { BUSINESS_TIME_ZONE: zone, INTERACTIVE_HOLD_DAYS: holdDays } = context.config;
    await printReport(context, await heldReport({ db: context.db, pool: context.database.pool }, { now, holdDays, zone }), options.format);
  });
};
