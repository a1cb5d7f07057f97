import { addDays, describeInstant, isCalendarDate, parseBusinessDateTime, startOfDay } from '../../domain/businessTime.ts';
import { findCycleByCode, insertCycle, listCycles } from '../../db/cycles.ts';
import { RefusedError } from '../errors.ts';
import { printRows, formatOption, type OutputFormat } from '../output.ts';
import type { RegisterCommand } from './types.ts';

export const registerCycle: RegisterCommand = (program, context) => {
  const cycle = program.command('cycle').description('CET cycles and their final-upload cutoffs');

  cycle
    .command('add <code>')
    .description('add a cycle; the cutoff is read in the business zone unless it carries an offset')
    .requiredOption('--first-day <date>', 'first day, YYYY-MM-DD')
    .requiredOption('--last-day <date>', 'last day, YYYY-MM-DD')
    .requiredOption('--cutoff <local date-time>', 'final-upload cutoff, e.g. 2021-12-30T12:00')
    .action(async (code: string, options: { firstDay: string; lastDay: string; cutoff: string }) => {
      const zone = context.config.BUSINESS_TIME_ZONE;
      const problems: string[] = [];
      if (!/^[A-Za-z0-9_-]{1,32}$/.test(code)) problems.push(`the code "${code}" must be 1-32 characters of A-Z a-z 0-9 _ - (e.g. 2019-2021)`);
      if (!isCalendarDate(options.firstDay)) problems.push(`--first-day "${options.firstDay}" is not a date YYYY-MM-DD`);
      if (!isCalendarDate(options.lastDay)) problems.push(`--last-day "${options.lastDay}" is not a date YYYY-MM-DD`);
      const cutoff = parseBusinessDateTime(options.cutoff, zone);
      if (!(cutoff instanceof Date)) problems.push(`--cutoff: ${cutoff.error}`);
      if (problems.length) throw new RefusedError(`Cycle not added:\n  - ${problems.join('\n  - ')}`);
      const startsAt = startOfDay(options.firstDay, zone);
      const endsAt = startOfDay(addDays(options.lastDay, 1), zone);
      const finalCutoff = cutoff as Date;
      if (options.lastDay < options.firstDay) throw new RefusedError('Cycle not added: --last-day is before --first-day.');
      if (finalCutoff <= startsAt || finalCutoff > endsAt) {
        throw new RefusedError(
          `Cycle not added: the cutoff ${describeInstant(finalCutoff, zone)} must fall after the first day begins and no later than the end of the last day.`,
        );
      }
      const result = await insertCycle(context.db, { code, firstDay: options.firstDay, lastDay: options.lastDay, startsAt, endsAt, finalCutoff });
      if ('duplicate' in result) {
        const existing = await findCycleByCode(context.db, code);
        const same =
          existing &&
          existing.first_day === options.firstDay &&
          existing.last_day === options.lastDay &&
          existing.final_cutoff.getTime() === finalCutoff.getTime();
        if (same) {
          context.print(`Cycle ${code} already exists with these dates; nothing changed.`);
          return;
        }
        throw new RefusedError(`Cycle not added: ${code} already exists with other dates (see \`cet-uploader cycle list\`).`);
      }
      if ('overlapsWith' in result) throw new RefusedError(`Cycle not added: its days overlap cycle ${result.overlapsWith}.`);
      context.print(
        `Added cycle ${code}: ${options.firstDay} to ${options.lastDay}, final-upload cutoff ${describeInstant(finalCutoff, zone)} (${finalCutoff.toISOString()}).`,
      );
    });

  formatOption(cycle.command('list').description('the cycles, their cutoffs, and whether each is sealed')).action(
    async (options: { format: OutputFormat }) => {
      const zone = context.config.BUSINESS_TIME_ZONE;
      const rows = (await listCycles(context.db)).map((c) => ({
        cycle: c.code,
        first_day: c.first_day,
        last_day: c.last_day,
        cutoff: describeInstant(c.final_cutoff, zone),
        cutoff_utc: c.final_cutoff.toISOString(),
        sealed: c.sealed,
      }));
      printRows(context, rows, options.format, 'No cycles yet. Add one with `cet-uploader cycle add`.');
    },
  );
};
