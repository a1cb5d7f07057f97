import { rejectsReport } from '../../reports/reportRows.ts';
import { formatOption, type OutputFormat } from '../output.ts';
import { printReport } from '../streamOutput.ts';
import type { RegisterCommand } from './types.ts';

export const registerReportRejects: RegisterCommand = (report, context) => {
  formatOption(
    report
      .command('rejects')
      .description('rows refused at import: file, line, kind, key, codes, message, and whether the key was imported since (resolved)')
      .option('--file <name>', 'only the imports of this file (its path, or just its name)'),
  ).action(async (options: { format: OutputFormat; file?: string }) => {
    // JSON keeps the codes as a list; a table or CSV cell holds them ;-separated, as the rejects file does.
    await printReport(context, await rejectsReport(context.database.pool, { file: options.file }), options.format);
  });
};
