import { Transform, type TransformCallback } from 'node:stream';
import { scanUtf8 } from '../domain/rawText.ts';

/** The input holds NUL or bytes that are not UTF-8; `line` is where (the first line is 1). */
export class NotUtf8Error extends Error {
  readonly line: number;
  readonly nul: boolean;
  constructor(line: number, nul: boolean) {
    super(`line ${line} holds ${nul ? 'a NUL byte' : 'bytes that are not UTF-8'}`);
    this.line = line;
    this.nul = nul;
  }
}

const LF = 0x0a;

function countLf(bytes: Uint8Array, end = bytes.length): number {
  let n = 0;
  for (let i = bytes.indexOf(LF); i !== -1 && i < end; i = bytes.indexOf(LF, i + 1)) n++;
  return n;
}

/** Passes bytes through unchanged, failing with NotUtf8Error at the first NUL or byte that is not UTF-8. */
export function strictUtf8(): Transform {
  let lines = 1;
  let carry: Buffer | null = null;
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      const bytes: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
      const scan = scanUtf8(bytes);
      if (!scan.ok) return done(new NotUtf8Error(lines + countLf(bytes, scan.at), scan.nul));
      const end = scan.incompleteFrom ?? bytes.length;
      lines += countLf(bytes, end);
      carry = scan.incompleteFrom === null ? null : Buffer.from(bytes.subarray(end));
      done(null, bytes.subarray(0, end));
    },
    flush(done: TransformCallback) {
      done(carry ? new NotUtf8Error(lines, false) : null);
    },
  });
}
