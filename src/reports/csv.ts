import { safeTextField } from '../format/safeText.ts';

/** A cell of CSV for people: Safe text (upload-file.md), then RFC 4180 quoting. */
export function csvField(value: unknown): string {
  const text = value === null || value === undefined ? '' : value instanceof Date ? value.toISOString() : String(value);
  return safeTextField(text);
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
