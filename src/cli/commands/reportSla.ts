import { slaReport, SLA_DESCRIPTION } from '../../reports/reportRows.ts';
import { formatOption, printReport, type OutputFormat } from '../output.ts';
import { nowOption, parseNow } from '../nowOption.ts';
import type { RegisterCommand } from './types.ts';

// The 10-working-day rule: see src/reports/reportRows.ts (slaReport).

export const registerReportSla: RegisterCommand = (report, context) => {
  formatOption(report.command('sla').description(SLA_DESCRIPTION).addOption(nowOption())).action(
    async (options: { now?: string; format: OutputFormat }) => {
      const now = parseNow(options.now);
      const { BUSINESS_TIME_ZONE: zone, INTERACTIVE_HOLD_DAYS: holdDays } = context.config;
      printReport(context, await slaReport(context.db, { now, holdDays, zone }), options.format);
    },
  );
};
