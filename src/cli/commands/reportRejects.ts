import { listRejects } from '../../imports/listRejects.ts';
import { formatOption, printRows, type OutputFormat } from '../output.ts';
import type { RegisterCommand } from './types.ts';

export const registerReportRejects: RegisterCommand = (report, context) => {
  formatOption(
    report
      .command('rejects')
      .description('rows refused at import: file, line, kind, key, codes, message')
      .option('--file <name>', 'only the imports of this file (its path, or just its name)'),
  ).action(async (options: { format: OutputFormat; file?: string }) => {
    const rejects = await listRejects(context.database.pool, { file: options.file });
    // JSON keeps the codes as a list; a table or CSV cell holds them ;-separated, as the rejects file does.
    const rows = rejects.map((r) => ({
      file: r.file,
      line: r.line,
      kind: r.kind,
      key: r.key,
      codes: options.format === 'json' ? r.codes : r.codes.join(';'),
      message: r.message,
      import: r.import_id,
    }));
    printRows(context, rows, options.format, 'No rows were refused at import.', ['file', 'line', 'kind', 'key', 'codes', 'message', 'import']);
  });
};
