import Table from 'cli-table3';
import { Option, type Command } from 'commander';
import type { CommandContext } from './context.ts';
import { cellText, csvField } from '../reports/csv.ts';

export type OutputFormat = 'table' | 'csv' | 'json';

export function formatOption(command: Command): Command {
  return command.addOption(new Option('--format <format>', 'output format').choices(['table', 'csv', 'json']).default('table'));
}

// A cell of CSV for people: Safe text (upload-file.md), then RFC 4180 quoting (shared with the console).
export { csvField };

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
    context.print(JSON.stringify(rows, (_key, value) => (value === undefined ? null : value), 2));
    return;
  }
  if (format === 'csv') {
    if (keys.length) context.print(keys.map(csvField).join(','));
    for (const row of rows) context.print(keys.map((key) => csvField(row[key])).join(','));
    return;
  }
  if (!rows.length) {
    context.print(emptyMessage);
    return;
  }
  const table = new Table({ head: keys, style: { head: [], border: [] } });
  for (const row of rows) table.push(keys.map((key) => cellText(row[key], 'table')));
  context.print(table.toString());
}

