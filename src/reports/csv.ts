import { safeTextField } from '../format/safeText.ts';

/** A cell of CSV for people: Safe text (upload-file.md), then RFC 4180 quoting. */
function csvField(value: unknown): string {
  const text = value === null || value === undefined ? '' : value instanceof Date ? value.toISOString() : String(value);
  return safeTextField(text);
}

/**
 * Rows as CSV, exactly as `report … --format csv` prints them (and the console downloads them):
 * a header of the columns (the first row's keys unless given), one line per row, "\n" line ends.
 */
export function toCsv(rows: ReadonlyArray<Record<string, unknown>>, columns?: readonly string[]): string {
  const keys = columns ?? Object.keys(rows[0] ?? {});
  let text = '';
  if (keys.length) text += `${keys.map(csvField).join(',')}\n`;
  for (const row of rows) text += `${keys.map((key) => csvField(row[key])).join(',')}\n`;
  return text;
}
