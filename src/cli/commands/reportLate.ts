import { describeInstant } from '../../domain/businessTime.ts';
import { listCycles } from '../../db/cycles.ts';
import type { PendingStateRow } from '../../db/pendingStates.ts';
import { pendingInStatesSql } from '../../db/reportQueries.ts';
import { streamRows } from '../../db/streamRows.ts';
import { formatOption, type OutputFormat } from '../output.ts';
import { printRowStream } from '../streamOutput.ts';
import { nowOption, parseNow } from '../nowOption.ts';
import type { RegisterCommand } from './types.ts';

// Never uploaded and never dropped: late arrivals of sealed cycles, completions at or after a
// cutoff, and completions no cycle contains (domain-rules.md), each with the reason.

export const registerReportLate: RegisterCommand = (report, context) => {
  formatOption(
    report
      .command('late')
      .description('LATE, AFTER_CUTOFF and NO_OPEN_CYCLE completions, with the reason')
      .addOption(nowOption()),
  ).action(async (options: { now?: string; format: OutputFormat }) => {
    const now = parseNow(options.now);
    const { BUSINESS_TIME_ZONE: zone, INTERACTIVE_HOLD_DAYS: holdDays } = context.config;
    const query = pendingInStatesSql(await listCycles(context.db), { now, holdDays, zone }, ['LATE', 'AFTER_CUTOFF', 'NO_OPEN_CYCLE']);
    const rows = (async function* () {
      for await (const s of streamRows(context.db, context.database.pool, query)) {
        yield {
          state: s.state,
          provider_ref: s.provider_ref,
          goc_number: s.goc_number,
          event_ref: s.event_ref,
          points: s.points,
          completed_at: s.completed_at.toISOString(),
          received_at: s.received_at.toISOString(),
          cycle: s.cycle ?? null,
          cutoff: s.final_cutoff?.toISOString() ?? null,
          reason: reason(s, zone),
        };
      }
    })();
    await printRowStream(context, rows, options.format, 'No late, after-cutoff or no-open-cycle completions.');
  });
};

function reason(s: PendingStateRow, zone: string): string {
  const cutoff = s.final_cutoff ? describeInstant(s.final_cutoff, zone) : '';
  if (s.state === 'LATE') return `completed before the cutoff (${cutoff}) but reached the system after cycle ${s.cycle} was sealed by its FINAL batch`;
  if (s.state === 'AFTER_CUTOFF') return `completed at or after the final-upload cutoff of ${s.cycle} (${cutoff})`;
  return 'no configured cycle contains its completion date; carried once a cycle that contains it is added';
}
