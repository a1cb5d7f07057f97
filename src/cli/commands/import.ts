import { Argument } from 'commander';
import { IMPORT_COLUMNS, IMPORT_KINDS, type ImportKind } from '../../domain/importRows.ts';
import { UnreadableFileError, UnusableFileError } from '../../imports/errors.ts';
import { importFile } from '../../imports/importFile.ts';
import { ExitCode, InputRefusedError, OperatorError, RefusedError } from '../errors.ts';
import { redactUrl } from '../../faults/redact.ts';
import { classifyServiceError } from '../../faults/serviceFailure.ts';
import { parseNow } from '../nowOption.ts';
import { startProgress } from '../progress.ts';
import type { RegisterCommand } from './types.ts';


export const registerImport: RegisterCommand = (program, context, setExit) => {
  program
    .command('import')
    .description('imports one file of registrants, events, completions or peer confirmations')
    .addArgument(new Argument('<kind>', 'what the file holds').choices(IMPORT_KINDS))
    .argument('<file>', 'the CSV file')
    .option('--now <instant>', 'act as if this were the current time (ISO 8601 with offset or Z)')
    .addHelpText(
      'after',
      `\nEach file is CSV (UTF-8) with a header row naming these columns:\n${IMPORT_KINDS.map((kind) => `  ${kind.padEnd(13)} ${IMPORT_COLUMNS[kind].join(',')}`).join('\n')}\n` +
        'Rows refused are written to <file>.rejects.csv beside the input (exit 3); a file refused whole imports nothing (exit 4).',
    )
    .action(async (kind: ImportKind, file: string, options: { now?: string }) => {
      const now = parseNow(options.now);
      const started = performance.now();
      let summary;
      // On a terminal only: a bar over the bytes read, then the step the import is at.
      const progress = startProgress(context, `Importing ${kind}`, 'KB');
      const kb = (bytes: number) => Math.ceil(bytes / 1024);
      try {
        summary = await importFile(context.database.pool, {
          kind,
          file,
          now,
          zone: context.config.BUSINESS_TIME_ZONE,
          splitFrom: context.config.IMPORT_SPLIT_FROM_BYTES,
          onRead: (read, total) => progress.update(kb(read), kb(total), 'reading rows'),
          onStep: (step, ms) => {
            if (context.env.CET_DEBUG) context.warn(`${step}: ${ms.toFixed(0)} ms`);
            progress.phase(step === 'commit' ? 'done' : 'checking and merging');
          },
        });
      } catch (error) {
        if (error instanceof UnusableFileError) throw new InputRefusedError(`File refused, nothing imported: ${error.message}`);
        if (error instanceof UnreadableFileError) throw new RefusedError(`Nothing imported: ${error.message}.`);
        // Lost mid-import: its one transaction is rolled back, so running it again is safe.
        const config = context.config;
        if (classifyServiceError(error, { database: config.DATABASE_URL, redis: config.REDIS_URL })?.kind === 'lost') {
          const reason = ((error as Error)?.message ?? String(error)).split('\n')[0];
          throw new OperatorError(
            `Nothing imported: the connection to PostgreSQL at ${redactUrl(config.DATABASE_URL)} was lost mid-import (${reason}); the import was rolled back whole. Run the same command again once PostgreSQL answers.`,
            ExitCode.failed,
          );
        }
        throw error;
      } finally {
        progress.stop();
      }
      const { counts } = summary;
      const rows = counts.inserted + counts.updated + counts.unchanged + counts.rejected;
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      context.print(`Imported ${kind} from ${file}: ${rows} row${rows === 1 ? '' : 's'} in ${seconds} s (import ${summary.importId}).`);
      context.print(`  inserted   ${counts.inserted}`);
      context.print(`  updated    ${counts.updated}`);
      context.print(`  unchanged  ${counts.unchanged}`);
      context.print(`  rejected   ${counts.rejected}`);
      if (summary.rejectsFile) {
        for (const reject of summary.firstRejects) {
          context.print(`    line ${reject.line}${reject.row_key ? ` (${reject.row_key})` : ''}: ${reject.message}`);
        }
        if (counts.rejected > summary.firstRejects.length) context.print(`    … and ${counts.rejected - summary.firstRejects.length} more`);
        context.print(`Rejected rows are in ${summary.rejectsFile} (fix them there and import that file again),`);
        context.print('and listed by `cet-uploader report rejects`.');
        setExit(ExitCode.partial);
      }
    });
};
