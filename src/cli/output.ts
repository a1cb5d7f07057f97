import Table from 'cli-table3';
import { Option, type Command } from 'commander';
import type { CommandContext } from './context.ts';
import { toCsv } from '../reports/csv.ts';
import type { ReportTable } from '../reports/reportRows.ts';

export type OutputFormat = 'table' | 'csv' | 'json';

export function formatOption(command: Command): Command {
  return command.addOption(new Option('--format <format>', 'output format').choices(['table', 'csv', 'json']).default('table'));
}

/** Rows as a table for people, or CSV / JSON for scripts. Columns are the first row's keys. */
export function printRows(
  context: CommandContext,
  rows: Array<Record<string, unknown>>,
  format: OutputFormat,
  emptyMessage: string,
  columns?: string[],
): void {
  const keys = columns ?? Object.keys(rows[0] ?? {});
  if (format === 'json') {
    context.print(JSON.stringify(rows, null, 2));
    return;
  }
  if (format === 'csv') {
    context.stdout.write(toCsv(rows, keys));
    return;
  }
  if (!rows.length) {
    context.print(emptyMessage);
    return;
  }
  const table = new Table({ head: keys, style: { head: [], border: [] } });
  for (const row of rows) table.push(keys.map((key) => { const v = row[key]; return v === null || v === undefined ? '' : v instanceof Date ? v.toISOString() : String(v); }));
  context.print(table.toString());
}

/** A report of src/reports, as `report …` prints it. */
export function printReport(context: CommandContext, report: ReportTable, format: OutputFormat): void {
  printRows(context, report.rows, format, report.empty, report.columns);
}
