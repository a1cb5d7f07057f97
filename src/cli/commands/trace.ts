import { describeInstant } from '../../domain/businessTime.ts';
import { traceKey, TRACE_TABLE_COLUMNS } from '../../reports/trace.ts';
import { RefusedError } from '../errors.ts';
import { formatOption, printRows, type OutputFormat } from '../output.ts';
import { nowOption, parseNow } from '../nowOption.ts';
import type { RegisterCommand } from './types.ts';

// The answer to "where are my points?" (src/reports/trace.ts, shared with the console). When
// the key matches no registrant, no completion and no rejected import row, the command says
// so and exits 2: a script must not take a typing mistake for "this registrant has nothing".

export const registerTrace: RegisterCommand = (program, context) => {
  formatOption(
    program
      .command('trace <goc_number|provider_ref>')
      .description('every completion of a registrant (or one completion): its state, batch, file, downgrade, acknowledgement')
      .addOption(nowOption()),
  ).action(async (key: string, options: { now?: string; format: OutputFormat }) => {
    context.readOnly();
    const now = parseNow(options.now);
    const { BUSINESS_TIME_ZONE: zone, INTERACTIVE_HOLD_DAYS: holdDays } = context.config;
    const answer = await traceKey(context.db, key, { now, holdDays, zone });
    if (answer.nothing) throw new RefusedError(answer.nothing);
    if (options.format === 'table') {
      context.print(`${answer.who}, as of ${describeInstant(now, zone)}: ${answer.completions} completion(s), ${answer.rejectedAtImport} row(s) rejected at import and not imported since.`);
      printRows(context, answer.rows, 'table', 'No completions.', TRACE_TABLE_COLUMNS);
      return;
    }
    printRows(context, answer.rows, options.format, '');
  });
};
