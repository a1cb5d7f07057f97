import { open } from 'node:fs/promises';

const CHUNK = 1 << 20;

/** A cut of a file: the byte offset just after an LF, and the physical line that starts there. */
export interface Cut {
  offset: number;
  line: number;
}
const LF = 0x0a;
const CR = 0x0d;

/**
 * Where to cut a file in two for staging in two threads (stageParallel.ts): just after the first
 * LF at or after `near` bytes, with the physical line that starts there (line breaks counted as
 * StageRows counts them: CRLF, LF or a lone CR, each one). Null when no LF follows `near` before
 * the file's last byte (nothing to cut off). Whether the cut is between two records, not inside
 * a quoted field, only a parse of the first part can tell; the caller checks.
 */
export async function splitPoint(file: string, near: number): Promise<Cut | null> {
  const handle = await open(file);
  try {
    const buffer = Buffer.allocUnsafe(CHUNK);
    let offset = -1;
    for (let position = near; offset < 0; ) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, position);
      if (bytesRead === 0) return null;
      const at = buffer.subarray(0, bytesRead).indexOf(LF);
      if (at >= 0) offset = position + at + 1;
      position += bytesRead;
    }
    if ((await handle.read(buffer, 0, 1, offset)).bytesRead === 0) return null;
    let breaks = 0;
    // A CR as the last byte of one read is a break unless the next read starts with LF.
    let pendingCr = false;
    for (let position = 0; position < offset; ) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK, offset - position), position);
      if (bytesRead === 0) throw new Error(`the file ends at ${position} bytes, before ${offset}: it changed while being read`);
      const bytes = buffer.subarray(0, bytesRead);
      if (pendingCr && bytes[0] !== LF) breaks++;
      for (let i = bytes.indexOf(LF); i >= 0; i = bytes.indexOf(LF, i + 1)) breaks++;
      for (let i = bytes.indexOf(CR); i >= 0; i = bytes.indexOf(CR, i + 1)) if (i + 1 < bytesRead && bytes[i + 1] !== LF) breaks++;
      pendingCr = bytes[bytesRead - 1] === CR;
      position += bytesRead;
    }
    // The cut is just after an LF, so the last byte read is never a CR.
    return { offset, line: 1 + breaks };
  } finally {
    await handle.close();
  }
}
