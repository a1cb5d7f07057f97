import { once } from 'node:events';
import type { CommandContext } from './context.ts';
import { csvLines } from '../reports/csv.ts';
import type { ReportStream, ReportTable } from '../reports/reportRows.ts';
import { streamOf } from '../reports/reportRows.ts';
import { printRows, type OutputFormat } from './output.ts';

/**
 * Rows as they come from the database: CSV and JSON are written row by row (waiting for the
 * output to drain), so the process holds one cursor batch, whatever the number of rows; the
 * same text as printRows. A table needs every row for its column widths: it is gathered first.
 */
export async function printRowStream(
  context: CommandContext,
  rows: AsyncIterable<object>,
  format: OutputFormat,
  emptyMessage: string,
  columns?: string[],
): Promise<void> {
  if (format === 'table') {
    const all: Array<Record<string, unknown>> = [];
    for await (const row of rows) all.push(row as Record<string, unknown>);
    printRows(context, all, format, emptyMessage, columns);
    return;
  }
  const out = context.stdout;
  let pending = '';
  const write = async (text: string) => {
    pending += text;
    if (pending.length < 64 * 1024) return;
    const flushed = out.write(pending);
    pending = '';
    if (!flushed) await once(out, 'drain');
  };
  if (format === 'csv') {
    for await (const line of csvLines(rows, columns)) await write(line);
  } else {
    let count = 0;
    for await (const row of rows) {
      // JSON.stringify(rows, null, 2), one element at a time.
      await write(`${count === 0 ? '[' : ','}\n  ${JSON.stringify(row, null, 2).replaceAll('\n', '\n  ')}`);
      count += 1;
    }
    await write(count === 0 ? '[]\n' : '\n]\n');
  }
  if (pending) out.write(pending);
}

/** A report of src/reports (streamed or read whole), as `report …` prints it. */
export function printReport(context: CommandContext, report: ReportStream | ReportTable, format: OutputFormat): Promise<void> {
  const stream = Array.isArray(report.rows) ? streamOf(report as ReportTable) : (report as ReportStream);
  return printRowStream(context, stream.rows, format, stream.empty, stream.columns);
}
