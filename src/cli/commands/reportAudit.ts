import { listAudit } from '../../db/audit.ts';
import { RefusedError } from '../errors.ts';
import { formatOption, printRows, type OutputFormat } from '../output.ts';
import type { RegisterCommand } from './types.ts';

export const registerReportAudit: RegisterCommand = (report, context) => {
  formatOption(
    report
      .command('audit')
      .description("the console's audit: every operator action, login and failed login, newest first")
      .option('--limit <n>', 'only the newest n entries'),
  ).action(async (options: { format: OutputFormat; limit?: string }) => {
    const limit = options.limit === undefined ? undefined : Number(options.limit);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new RefusedError(`--limit "${options.limit}" must be a whole number of 1 or more.`);
    const rows = (await listAudit(context.db, { limit })).map((a) => ({
      at: a.at.toISOString(),
      user: a.username,
      action: a.action,
      target: a.target ?? '',
      outcome: a.outcome,
      detail: a.detail ?? '',
      from: a.remote_address ?? '',
    }));
    printRows(context, rows, options.format, 'Nothing recorded yet: the console records logins and operator actions here.', ['at', 'user', 'action', 'target', 'outcome', 'detail', 'from']);
  });
};
