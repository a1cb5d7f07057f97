import { Option } from 'commander';
import type { ReminderKind, ReminderStatus } from '../../db/schema.ts';
import { listReminders } from '../../reminders/reminderQueries.ts';
import { formatOption, printRows, type OutputFormat } from '../output.ts';
import type { RegisterCommand } from './types.ts';

export const registerReportReminders: RegisterCommand = (report, context) => {
  formatOption(
    report
      .command('reminders')
      .description('reminders to registrants with their state (DUE, SENT, FAILED, UNREACHABLE)')
      .addOption(new Option('--kind <kind>', 'only this kind').choices(['PEER_CONFIRMATION', 'ACCEPT_PENDING_POINTS']))
      .addOption(new Option('--state <state>', 'only this state').choices(['DUE', 'SENT', 'FAILED', 'UNREACHABLE'])),
  ).action(async (options: { kind?: ReminderKind; state?: ReminderStatus; format: OutputFormat }) => {
    const rows = await listReminders(context.db, { kind: options.kind, status: options.state });
    printRows(context, rows, options.format, 'No reminder matches.');
  });
};
