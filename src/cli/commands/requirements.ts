import { readFile } from 'node:fs/promises';
import Table from 'cli-table3';
import { Option } from 'commander';
import { loadRequirementsFacts } from '../../db/requirementsInputs.ts';
import { requirementsInputFromRegister } from '../../domain/requirements/fromRegister.ts';
import { normaliseGocNumber } from '../../domain/gocNumber.ts';
import { parseRequirementsInput } from '../../domain/requirements/input.ts';
import { calculateRequirements } from '../../domain/requirements/rules.ts';
import type { RequirementsResult } from '../../domain/requirements/types.ts';
import type { CommandContext } from '../context.ts';
import { InputRefusedError, RefusedError } from '../errors.ts';
import { printRows, type OutputFormat } from '../output.ts';
import type { RegisterCommand } from './types.ts';

interface Options {
  cycle?: string;
  input?: string;
  format?: OutputFormat;
}

export const registerRequirements: RegisterCommand = (program, context) => {
  program
    .command('requirements [goc_number]')
    .description('CET Rules 12-16: points required, obtained and short, for a registrant and cycle, or for explicit inputs (--input)')
    .option('--cycle <code>', 'the cycle (with <goc_number>)')
    .option('--input <file.json|->', 'explicit inputs as JSON (the form below), a file or - for standard input')
    .addOption(new Option('--format <format>', 'output format (default: table for <goc_number>, json for --input)').choices(['table', 'csv', 'json']))
    .addHelpText(
      'after',
      '\n--input takes one JSON object, e.g.\n' +
        '  {"period": {"from": "2019-01-01", "to": "2021-12-31", "initial": false},\n' +
        '   "registered": [{"from": "2008-08-01", "to": null}],\n' +
        '   "specialties": [{"code": "IP", "from": "2015-01-01", "to": null}],\n' +
        '   "obtained": {"general": 30, "specialist": {"IP": 6}}, "treated": {"general": 0}}\n' +
        'specialty codes: CLO, AS, SP, IP; dates YYYY-MM-DD; "obtained" and "treated" may be left out (zero).',
    )
    .action(async (gocNumber: string | undefined, options: Options) => {
      context.readOnly();
      if (options.input !== undefined) {
        if (gocNumber !== undefined || options.cycle !== undefined) {
          throw new RefusedError('Give either --input <file.json|-> or <goc_number> --cycle <code>, not both.');
        }
        const result = calculateRequirements(await readInput(context, options.input));
        printResult(context, 'CET points for the given inputs', result, options.format ?? 'json');
        return;
      }
      if (gocNumber === undefined) {
        throw new RefusedError('Give <goc_number> --cycle <code> (from the database) or --input <file.json|-> (explicit inputs).');
      }
      if (options.cycle === undefined) throw new RefusedError(`Give the cycle: \`cet-uploader requirements ${gocNumber} --cycle <code>\`.`);
      const goc = normaliseGocNumber(gocNumber);
      if (!goc) {
        throw new RefusedError(`"${gocNumber}" is not a GOC number (01-12345, D-1234 or D-12345, CO-12345, U-1234 or U-12345; the hyphen may be left out).`);
      }
      const facts = await loadRequirementsFacts(context.db, goc, options.cycle);
      if ('unknownRegistrant' in facts) throw new RefusedError(`No registrant with GOC number ${goc}. Import it with \`cet-uploader import registrants <file>\`.`);
      if ('unknownCycle' in facts) throw new RefusedError(`No cycle ${options.cycle} (see \`cet-uploader cycle list\`).`);
      const { input, notes } = requirementsInputFromRegister({ ...facts, specialties: facts.registrant.specialties });
      const calculated = calculateRequirements(input);
      const result: RequirementsResult = { ...calculated, notes: [...notes, ...calculated.notes] };
      const who = `${facts.registrant.goc_number} ${facts.registrant.forenames} ${facts.registrant.surname}`;
      printResult(context, `CET points for ${who}, cycle ${facts.cycle.code} (${facts.cycle.firstDay} to ${facts.cycle.lastDay})`, result, options.format ?? 'table');
    });
};

async function readInput(context: CommandContext, source: string) {
  let text: string;
  try {
    text = source === '-' ? await readStream(context.stdin) : await readFile(source, 'utf8');
  } catch (error) {
    throw new RefusedError(`Cannot read ${source === '-' ? 'standard input' : source}: ${(error as Error).message}`);
  }
  const parsed = parseRequirementsInput(text);
  if (!parsed.ok) {
    const name = source === '-' ? 'standard input' : source;
    const count = parsed.problems.length;
    throw new InputRefusedError(`Requirements input refused (${name}), ${count} problem${count === 1 ? '' : 's'}:\n  - ${parsed.problems.join('\n  - ')}`);
  }
  return parsed.input;
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** JSON as calculated; CSV one row per kind of points (general, then each specialty); a table with the notes for people. */
function printResult(context: CommandContext, title: string, result: RequirementsResult, format: OutputFormat): void {
  if (format === 'json') {
    context.print(JSON.stringify(result, null, 2));
    return;
  }
  if (format === 'csv') {
    const g = result.general;
    const rows: Array<Record<string, unknown>> = [
      { points: 'general', whole_months: g.wholeMonths, required: g.required, obtained: g.obtained, treated: g.treated, from_specialist: g.fromSpecialist, total: g.total, shortfall: g.shortfall },
      ...Object.entries(result.specialties).map(([code, s]) => ({
        points: code, whole_months: s.wholeMonths, required: s.required, obtained: s.obtained, treated: s.treated, from_specialist: null, total: s.total, shortfall: s.shortfall,
      })),
    ];
    printRows(context, rows, 'csv', '');
    return;
  }
  printSummary(context, title, result);
}

function printSummary(context: CommandContext, title: string, result: RequirementsResult): void {
  const table = new Table({
    head: ['points', 'whole months', 'required', 'obtained', 'treated', 'from specialist', 'total', 'shortfall'],
    style: { head: [], border: [] },
  });
  const g = result.general;
  table.push(['general', g.wholeMonths, g.required, g.obtained, g.treated, g.fromSpecialist, g.total, g.shortfall].map(String));
  for (const [code, s] of Object.entries(result.specialties)) {
    table.push([code, s.wholeMonths, s.required, s.obtained, s.treated, '', s.total, s.shortfall].map(String));
  }
  const short = [g.shortfall > 0 ? `${g.shortfall} general` : '', ...Object.entries(result.specialties).map(([code, s]) => (s.shortfall > 0 ? `${s.shortfall} ${code}` : ''))].filter(Boolean);
  context.print(title);
  context.print(table.toString());
  context.print(short.length ? `Short of: ${short.join(', ')}.` : 'No shortfall: the requirements are met.');
  context.print('How each figure was reached:');
  for (const note of result.notes) context.print(`  - ${note}`);
}
