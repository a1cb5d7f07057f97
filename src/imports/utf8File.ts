import { isUtf8 } from 'node:buffer';
import { open } from 'node:fs/promises';

const CHUNK = 1 << 20;

/**
 * Whether the whole file is UTF-8 (a read of it into one reused buffer: ~30 ms for 55 MB). An
 * import parses such a file as text, which is much cheaper than fields as bytes, and decodes a
 * file that is not field by field, to reject only the rows with bad bytes (stageRows.ts).
 */
export async function isUtf8File(file: string): Promise<boolean> {
  const handle = await open(file);
  try {
    const buffer = Buffer.allocUnsafe(CHUNK);
    let kept = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, kept, CHUNK - kept, null);
      // A character cut short by the end of the file is not UTF-8.
      if (bytesRead === 0) return kept === 0;
      const end = kept + bytesRead;
      const cut = wholeCharacters(buffer, end);
      if (!isUtf8(buffer.subarray(0, cut))) return false;
      // The start of a character that the next read completes is checked with it.
      buffer.copy(buffer, 0, cut, end);
      kept = end - cut;
    }
  } finally {
    await handle.close();
  }
}

/**
 * The length of `buffer[0, end)` without a last multi-byte character that goes on past `end`:
 * found from the last byte that is not a continuation byte (at most 4 back). Bytes that are not
 * UTF-8 at all are left in, for isUtf8 to refuse.
 */
export function wholeCharacters(buffer: Uint8Array, end: number): number {
  for (let i = end - 1; i >= 0 && i >= end - 4; i--) {
    const byte = buffer[i]!;
    if ((byte & 0xc0) === 0x80) continue;
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return i + length > end ? i : end;
  }
  return end;
}
