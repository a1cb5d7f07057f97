const LF = 0x0a;
const CR = 0x0d;

/** Turns every LF into CRLF (PostgreSQL's COPY ends rows with LF; the upload file wants CRLF). */
export function lfToCrlf(chunk: Buffer): Buffer {
  let count = 0;
  for (let i = chunk.indexOf(LF); i !== -1; i = chunk.indexOf(LF, i + 1)) count++;
  if (count === 0) return chunk;
  const out = Buffer.allocUnsafe(chunk.length + count);
  let from = 0;
  let to = 0;
  for (let i = chunk.indexOf(LF); i !== -1; i = chunk.indexOf(LF, i + 1)) {
    to += chunk.copy(out, to, from, i);
    out[to++] = CR;
    out[to++] = LF;
    from = i + 1;
  }
  chunk.copy(out, to, from);
  return out;
}
