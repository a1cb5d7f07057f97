import Table from 'cli-table3';
import { Option, type Command } from 'commander';
import { safeTextField } from '../format/safeText.ts';
import type { CommandContext } from './context.ts';

export type OutputFormat = 'table' | 'csv' | 'json';

export function formatOption(command: Command): Command {
  return command.addOption(new Option('--format <format>', 'output format').choices(['table', 'csv', 'json']).default('table'));
}

/**
 * Rows carry typed values (numbers, booleans, null for none, Dates, lists): JSON keeps them as
 * they are (Dates as ISO 8601 UTC); a table or CSV cell shows null as empty, a list ;-separated,
 * a boolean as yes/no in a table and true/false in CSV.
 */
function cellText(value: unknown, format: 'table' | 'csv'): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'boolean') return format === 'table' ? (value ? 'yes' : 'no') : String(value);
  if (Array.isArray(value)) return value.map((item) => cellText(item, format)).join(';');
  return String(value);
}

/** A cell of CSV for people: Safe text (upload-file.md), then RFC 4180 quoting. */
export function csvField(value: unknown): string {
  return safeTextField(cellText(value, 'csv'));
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
