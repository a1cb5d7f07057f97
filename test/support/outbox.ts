import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The detail records of an upload file, as lines without CRLF. */
export function detailLines(outboxDir: string, fileName: string | null): string[] {
  if (!fileName) return [];
  return readFileSync(path.join(outboxDir, fileName), 'utf8')
    .split('\r\n')
    .filter((line) => line.startsWith('D,'));
}

/** provider_ref -> the detail record's fields, for a file. */
export function detailsByRef(outboxDir: string, fileName: string | null): Map<string, string[]> {
  return new Map(detailLines(outboxDir, fileName).map((line) => [line.split(',')[1]!, line.split(',')]));
}
