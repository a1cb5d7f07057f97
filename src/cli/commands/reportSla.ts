import { businessDate, describeInstant } from '../../domain/businessTime.ts';
import { assessSla, latestReportableReadyDay, SLA_WARNING_WORKING_DAYS, SLA_WORKING_DAYS } from '../../domain/workingDays.ts';
import { slaCandidates } from '../../db/reportsStates.ts';
import { formatOption, printRows, type OutputFormat } from '../output.ts';
import { nowOption, parseNow } from '../nowOption.ts';
import type { RegisterCommand } from './types.ts';

// The 10-working-day rule (domain-rules.md; definitions in domain/workingDays.ts): every
// ready completion not yet carried by a batch whose deadline has passed or is within 2
// working days. "Ready" is the day it became ready: a non-interactive completion on its
// completion date, a confirmed interactive one on the date of its later confirmation, a
// downgraded one at the end of its hold window (or the cycle's cutoff); a corrected revision
// of a rejected record no earlier than the day the correction came in. Held completions are
// not ready yet; LATE, AFTER_CUTOFF and NO_OPEN_CYCLE are in `report late`.

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
    const found = await slaCandidates(context.db, { now, holdDays, zone }, latestReportableReadyDay(today));
    const rows = found.map((s) => {
      const sla = assessSla(s.ready_on!, today);
      return {
        standing: sla.standing,
        provider_ref: s.provider_ref,
        goc_number: s.goc_number,
        event_ref: s.event_ref,
        cycle: s.cycle ?? null,
        state: s.state,
        ready_on: s.ready_on,
        deadline: sla.deadline,
        working_days_left: sla.workingDaysLeft,
      };
    });
    printRows(context, rows, options.format, `No completion is past the ${SLA_WORKING_DAYS}-working-day limit or near it on ${describeInstant(now, zone)}.`);
  });
};
