import { safeTextField } from '../format/safeText.ts';

/**
 * A field of the rejects file, a CSV for people: Safe text (upload-file.md), then RFC 4180
 * quoting. (A value given a ' and imported again is written to the upload file as before.)
 */
export function csvField(value: string): string {
  return safeTextField(value);
}

export function csvLine(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}
