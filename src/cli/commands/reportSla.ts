import { slaReport, SLA_DESCRIPTION } from '../../reports/reportRows.ts';
import { formatOption, type OutputFormat } from '../output.ts';
import { printReport } from '../streamOutput.ts';
import { nowOption, parseNow } from '../nowOption.ts';
import type { RegisterCommand } from './types.ts';

// The 10-working-day rule: see slaReport in src/reports/reportRows.ts. The rows are streamed.

export const registerReportSla: RegisterCommand = (report, context) => {
  formatOption(report.command('sla').description(SLA_DESCRIPTION).addOption(nowOption())).action(
    async (options: { now?: string; format: OutputFormat }) => {
      const now = parseNow(options.now);
      const { BUSINESS_TIME_ZONE: zone, INTERACTIVE_HOLD_DAYS: holdDays } = context.config;
      await printReport(context, await slaReport({ db: context.db, pool: context.database.pool }, { now, holdDays, zone }), options.format);
    },
  );
};
