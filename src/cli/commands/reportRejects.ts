import { listRejects } from '../../imports/listRejects.ts';
import { formatOption, printRows, type OutputFormat } from '../output.ts';
import type { RegisterCommand } from './types.ts';

export const registerReportRejects: RegisterCommand = (report, context) => {
  formatOption(
    report
      .command('rejects')
      .description('rows refused at import: file, line, kind, key, codes, message, and whether the key was imported since (resolved)')
      .option('--file <name>', 'only the imports of this file (its path, or just its name)'),
  ).action(async (options: { format: OutputFormat; file?: string }) => {
    const rejects = await listRejects(context.database.pool, { file: options.file });
    const rows = rejects.map((r) => ({
      file: r.file,
      line: r.line,
      kind: r.kind,
      key: r.key,
      codes: r.codes,
      message: r.message,
      import: Number(r.import_id),
      resolved: r.resolved,
    }));
    printRows(context, rows, options.format, 'No rows were refused at import.', ['file', 'line', 'kind', 'key', 'codes', 'message', 'import', 'resolved']);
  });
};
