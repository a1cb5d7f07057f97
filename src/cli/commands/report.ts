import { registerReportAudit } from './reportAudit.ts';
import { registerReportHeld } from './reportHeld.ts';
import { registerReportLate } from './reportLate.ts';
import { registerReportRejected } from './reportRejected.ts';
import { registerReportRejects } from './reportRejects.ts';
import { registerReportSla } from './reportSla.ts';
import { registerReportReminders } from './reportReminders.ts';
import type { RegisterCommand } from './types.ts';

export const registerReport: RegisterCommand = (program, context, setExit) => {
  const report = program
    .command('report')
    .description('lists held, late, rejected (by the regulator), rejects (refused at import), sla, audit (console), reminders')
    // Every report only reads: PG_READ_STATEMENT_TIMEOUT_MS.
    .hook('preAction', () => context.readOnly());
  for (const register of [registerReportHeld, registerReportLate, registerReportRejected, registerReportRejects, registerReportSla, registerReportAudit, registerReportReminders]) {
    register(report, context, setExit);
  }
};
