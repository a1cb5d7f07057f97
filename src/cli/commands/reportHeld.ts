import { describeInstant } from '../../domain/businessTime.ts';
import { listCycles } from '../../db/cycles.ts';
import { pendingInStatesSql } from '../../db/reportQueries.ts';
import { streamRows } from '../../db/streamRows.ts';
import { formatOption, type OutputFormat } from '../output.ts';
import { printRowStream } from '../streamOutput.ts';
import { nowOption, parseNow } from '../nowOption.ts';
import type { RegisterCommand } from './types.ts';

export const registerReportHeld: RegisterCommand = (report, context) => {
  formatOption(
    report
      .command('held')
      .description('interactive completions still held for peer confirmation, with the end of each hold window')
      .addOption(nowOption()),
  ).action(async (options: { now?: string; format: OutputFormat }) => {
    const now = parseNow(options.now);
    const { BUSINESS_TIME_ZONE: zone, INTERACTIVE_HOLD_DAYS: holdDays } = context.config;
    const query = pendingInStatesSql(await listCycles(context.db), { now, holdDays, zone }, ['HELD']);
    const rows = (async function* () {
      for await (const s of streamRows(context.db, context.database.pool, query)) {
        yield {
          provider_ref: s.provider_ref,
          goc_number: s.goc_number,
          event_ref: s.event_ref,
          cycle: s.cycle,
          completed_at: s.completed_at.toISOString(),
          confirmations: s.confirmations,
          hold_end: s.hold_end?.toISOString() ?? null,
          hold_end_local: s.hold_end ? describeInstant(s.hold_end, zone) : null,
        };
      }
    })();
    await printRowStream(context, rows, options.format, `No interactive completion is held at ${describeInstant(now, zone)}.`);
  });
};
