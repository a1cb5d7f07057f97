import { Transform, type TransformCallback } from 'node:stream';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Drops a leading UTF-8 byte-order mark (import-files.md), passing the rest through as bytes. */
export function stripBom(): Transform {
  let head: Buffer | null = Buffer.alloc(0);
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      if (head === null) return done(null, chunk);
      head = Buffer.concat([head, chunk]);
      if (head.length < BOM.length && BOM.subarray(0, head.length).equals(head)) return done();
      const rest = head.subarray(0, BOM.length).equals(BOM) ? head.subarray(BOM.length) : head;
      head = null;
      done(null, rest);
    },
    flush(done: TransformCallback) {
      if (head !== null && head.length) this.push(head);
      done();
    },
  });
}
