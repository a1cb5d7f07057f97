import { streamRows } from '../../db/streamRows.ts';
import { rejectsSql } from '../../imports/listRejects.ts';
import { formatOption, type OutputFormat } from '../output.ts';
import { printRowStream } from '../streamOutput.ts';
import type { RegisterCommand } from './types.ts';

export const registerReportRejects: RegisterCommand = (report, context) => {
  formatOption(
    report
      .command('rejects')
      .description('rows refused at import: file, line, kind, key, codes, message')
      .option('--file <name>', 'only the imports of this file (its path, or just its name)'),
  ).action(async (options: { format: OutputFormat; file?: string }) => {
    // JSON keeps the codes as a list; a table or CSV cell holds them ;-separated, as the rejects file does.
    const rows = (async function* () {
      for await (const r of streamRows(context.db, context.database.pool, rejectsSql({ file: options.file }))) {
        yield {
          file: r.file,
          line: r.line,
          kind: r.kind,
          key: r.key,
          codes: options.format === 'json' ? r.codes : r.codes.join(';'),
          message: r.message,
          import: r.import_id,
        };
      }
    })();
    await printRowStream(context, rows, options.format, 'No rows were refused at import.', ['file', 'line', 'kind', 'key', 'codes', 'message', 'import']);
  });
};
