import { safeTextField } from '../format/safeText.ts';

/**
 * Rows carry typed values (numbers, booleans, null for none, Dates, lists): JSON keeps them as
 * they are; a table or CSV cell shows null as empty, a Date in ISO 8601 UTC, a list ;-separated,
 * a boolean as yes/no in a table and true/false in CSV.
 */
export function cellText(value: unknown, format: 'table' | 'csv'): string {
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

/**
 * Rows as CSV lines, exactly as `report … --format csv` prints them and the console downloads
 * them: a header of the columns (the first row's keys unless given; none for no row and no
 * columns), one line per row, each ended by "\n".
 */
export async function* csvLines(rows: AsyncIterable<object> | Iterable<object>, columns?: readonly string[]): AsyncGenerator<string> {
  let keys = columns;
  let count = 0;
  for await (const item of rows) {
    const row = item as Record<string, unknown>;
    if (!keys) keys = Object.keys(row);
    if (count === 0 && keys.length) yield `${keys.map(csvField).join(',')}\n`;
    yield `${keys.map((key) => csvField(row[key])).join(',')}\n`;
    count += 1;
  }
  if (count === 0 && keys?.length) yield `${keys.map(csvField).join(',')}\n`;
}
