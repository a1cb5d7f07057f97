import { addDays, businessDate, describeInstant } from '../../domain/businessTime.ts';
import { latestReportableReadyDay, SLA_WARNING_WORKING_DAYS, SLA_WORKING_DAYS, workingDayCalendar } from '../../domain/workingDays.ts';
import { listCycles } from '../../db/cycles.ts';
import { slaRowsSql } from '../../db/reportQueries.ts';
import { streamRows } from '../../db/streamRows.ts';
import { formatOption, type OutputFormat } from '../output.ts';
import { printRowStream } from '../streamOutput.ts';
import { nowOption, parseNow } from '../nowOption.ts';
import type { RegisterCommand } from './types.ts';

// The 10-working-day rule (domain-rules.md; definitions in domain/workingDays.ts): every
// ready completion not yet carried by a batch whose deadline has passed or is within 2
// working days. "Ready" is the day it became ready: a non-interactive completion on its
// completion date, a confirmed interactive one on the date of its later confirmation, a
// downgraded one at the end of its hold window (or the cycle's cutoff); a corrected revision
// of a rejected record no earlier than the day the correction came in. Held completions are
// not ready yet; LATE, AFTER_CUTOFF and NO_OPEN_CYCLE are in `report late`.
// PostgreSQL finds the rows and looks each deadline up in a calendar of working-day ordinals
// (from date-holidays: a year before the first cycle to two months after today); the rows are
// streamed.

export const registerReportSla: RegisterCommand = (report, context) => {
  formatOption(
    report
      .command('sla')
      .description(`completions not yet uploaded that are past the ${SLA_WORKING_DAYS}-working-day limit or within ${SLA_WARNING_WORKING_DAYS} working days of it`)
      .addOption(nowOption()),
  ).action(async (options: { now?: string; format: OutputFormat }) => {
    const now = parseNow(options.now);
    const { BUSINESS_TIME_ZONE: zone, INTERACTIVE_HOLD_DAYS: holdDays } = context.config;
    const today = businessDate(now, zone);
    const cycles = await listCycles(context.db);
    const first = [today, ...cycles.map((c) => c.first_day)].sort()[0]!;
    const calendar = workingDayCalendar(addDays(first, -366), addDays(today, 62));
    const query = slaRowsSql(cycles, { now, holdDays, zone }, { today, reportableReadyDay: latestReportableReadyDay(today), workingDays: SLA_WORKING_DAYS, calendar });
    const rows = streamRows(context.db, context.database.pool, query);
    await printRowStream(context, rows, options.format, `No completion is past the ${SLA_WORKING_DAYS}-working-day limit or near it on ${describeInstant(now, zone)}.`);
  });
};
