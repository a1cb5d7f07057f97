import { describeInstant } from '../../domain/businessTime.ts';
import { listDue } from '../../reminders/dueSql.ts';
import { listReminders } from '../../reminders/reminderQueries.ts';
import { remindAt } from '../../reminders/remind.ts';
import { formatOption, printRows, type OutputFormat } from '../output.ts';
import { nowOption, parseNow } from '../nowOption.ts';
import { reminderJobDeps, reminderQueue, waitForSends } from '../reminderWiring.ts';
import { ExitCode } from '../errors.ts';
import type { RegisterCommand } from './types.ts';

/** host:port of SMTP_URL, never its credentials. */
function smtpHost(url: string | undefined): string {
  try {
    return new URL(url ?? '').host;
  } catch {
    return 'SMTP_URL';
  }
}

const COLUMNS = ['id', 'kind', 'status', 'goc_number', 'cycle', 'due_at', 'deadline', 'items', 'attempts', 'sent_at', 'last_error'];

export const registerRemind: RegisterCommand = (program, context, setExit) => {
  formatOption(
    program
      .command('remind')
      .description('creates the reminders due now (peer confirmations, pending points) and sends them by email')
      .addOption(nowOption())
      .option('--dry-run', 'list who would get what, changing nothing'),
  ).action(async (options: { now?: string; dryRun?: boolean; format: OutputFormat }) => {
    const now = parseNow(options.now);
    const { BUSINESS_TIME_ZONE: zone, INTERACTIVE_HOLD_DAYS: holdDays } = context.config;
    if (options.dryRun) {
      const due = await listDue(context.db, { now, holdDays, finalDelivered: context.config.DELIVERY === 'sftp' });
      printRows(
        context,
        due.map((d) => ({ kind: d.kind, goc_number: d.goc_number, provider_ref: d.provider_ref, stage: d.stage, due_at: d.due_at, deadline: d.deadline, address: d.email ? 'yes' : 'no' })),
        options.format,
        `No reminder is due at ${describeInstant(now, zone)} (dry run: nothing changed).`,
      );
      return;
    }
    const deps = reminderJobDeps(context, reminderQueue(context));
    const { created, queued } = await remindAt(deps, now);
    const unreachable = created.filter((r) => r.status === 'UNREACHABLE').length;
    context.warn(`Created ${created.length} reminder(s) due at ${describeInstant(now, zone)}; ${unreachable} without an email address (UNREACHABLE).`);
    if (!deps.send) {
      context.warn('SMTP_URL is not set: reminders are recorded and listed, not sent (set SMTP_URL to send them).');
      const ids = new Set(created.map((r) => r.id));
      printRows(context, (await listReminders(context.db)).filter((r) => ids.has(r.id)), options.format, 'No reminder was due.', COLUMNS);
      return;
    }
    const createdIds = new Set(created.map((r) => r.id));
    const sent = await waitForSends(context, deps, queued, (line) => context.warn(line));
    const shown = [...sent, ...(await listReminders(context.db, { status: 'UNREACHABLE' })).filter((r) => createdIds.has(r.id))];
    printRows(context, shown, options.format, 'No reminder was due.', COLUMNS);
    const failed = sent.filter((r) => r.status === 'FAILED').length;
    const waiting = sent.filter((r) => r.status === 'DUE').length;
    if (failed || waiting) {
      context.warn(
        `Not sent: ${failed} FAILED (attempts spent) and ${waiting} still to be retried; the mail server (${smtpHost(context.config.SMTP_URL)}) refused them: ` +
          'see `cet-uploader report reminders --state FAILED` and the last_error column.',
      );
      setExit(ExitCode.failed);
    }
  });
};
