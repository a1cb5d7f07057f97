import { SLA_DESCRIPTION, slaSource } from '../../reports/reportRows.ts';
import { formatOption, type OutputFormat } from '../output.ts';
import { printReportStream } from '../streamOutput.ts';
import { nowOption, parseNow } from '../nowOption.ts';
import type { RegisterCommand } from './types.ts';

// The 10-working-day rule: see slaSource (src/reports/reportRows.ts).

export const registerReportSla: RegisterCommand = (report, context) => {
  formatOption(report.command('sla').description(SLA_DESCRIPTION).addOption(nowOption())).action(
    async (options: { now?: string; format: OutputFormat }) => {
      const now = parseNow(options.now);
      const { BUSINESS_TIME_ZONE: zone, INTERACTIVE_HOLD_DAYS: holdDays } = context.config;
      await printReportStream(context, await slaSource(context.db, { now, holdDays, zone }), options.format);
    },
  );
};
