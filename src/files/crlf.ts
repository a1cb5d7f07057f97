const LF = 0x0a;
const CR = 0x0d;

/**
 * Turns every LF into CRLF (PostgreSQL's COPY ends rows with LF; the upload file wants CRLF),
 * into one buffer it keeps and reuses: a million-row file then allocates no buffer per chunk.
 * Each result is valid only until the next call, so the caller must be done with it first.
 */
export class LfToCrlf {
  #out = Buffer.allocUnsafe(0);

  convert(chunk: Buffer): Buffer {
    let count = 0;
    for (let i = chunk.indexOf(LF); i !== -1; i = chunk.indexOf(LF, i + 1)) count++;
    if (count === 0) return chunk;
    const length = chunk.length + count;
    if (this.#out.length < length) this.#out = Buffer.allocUnsafe(Math.max(length, 2 * this.#out.length));
    const out = this.#out;
    let from = 0;
    let to = 0;
    for (let i = chunk.indexOf(LF); i !== -1; i = chunk.indexOf(LF, i + 1)) {
      to += chunk.copy(out, to, from, i);
      out[to++] = CR;
      out[to++] = LF;
      from = i + 1;
    }
    to += chunk.copy(out, to, from);
    return out.subarray(0, to);
  }
}
