/**
 * Which keys were (probably) seen before: a Bloom filter of two bits per key over a bit array
 * sized for the number of keys expected (8 bits each: under 5 % of new keys are said to be seen
 * before). It never says "not seen" of a key it was given, which is all the import needs of it:
 * a key on one line only cannot repeat one, so the checks compare only the few rows it flags,
 * instead of grouping a million rows to find them (stageRows.ts).
 *
 * Both of a key's bits are in one 32-bit word (a blocked Bloom filter), set by one `Atomics.or`
 * that returns the word as it was: so when two threads share the filter (over a
 * SharedArrayBuffer, stageParallel.ts) and add the same key at once, exactly one of them is told
 * it was seen. With the two bits in two words, each thread could find one of its bits unset and
 * neither row would be flagged.
 */
export class SeenBefore {
  readonly #words: Int32Array;
  readonly #mask: number;

  /**
   * `expected`: about how many keys will be added. `shared`: a buffer another SeenBefore made
   * (`buffer`), to share its bits across threads; otherwise a new one, shareable when `share`.
   */
  constructor(expected: number, { shared, share = false }: { shared?: SharedArrayBuffer; share?: boolean } = {}) {
    // A power of two from 2^16 to 2^28 bits (8 KB to 32 MB).
    const wanted = Math.min(2 ** 28, Math.max(2 ** 16, expected * 8));
    const words = 2 ** Math.ceil(Math.log2(wanted)) / 32;
    const buffer = shared ?? (share ? new SharedArrayBuffer(words * 4) : new ArrayBuffer(words * 4));
    if (buffer.byteLength !== words * 4) throw new Error(`a shared filter of ${buffer.byteLength} bytes where ${words * 4} were expected`);
    this.#words = new Int32Array(buffer);
    this.#mask = words - 1;
  }

  /** The bits, to give another thread (a SharedArrayBuffer when made with `share`). */
  get buffer(): ArrayBufferLike {
    return this.#words.buffer;
  }

  /**
   * Adds the key made of `values` at `columns` (none of them null); true when it (or, rarely,
   * another key) was added before.
   */
  add(values: ReadonlyArray<string | null>, columns: readonly number[]): boolean {
    // FNV-1a and a second multiplicative hash, in one pass over the UTF-16 code units, with a
    // code unit between the parts.
    let h1 = 0x811c9dc5;
    let h2 = 0x9747b28c;
    for (let p = 0; p < columns.length; p++) {
      const text = values[columns[p]!]!;
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        h1 = Math.imul(h1 ^ c, 0x01000193);
        h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 15);
      }
      h1 = Math.imul(h1 ^ 0xffff, 0x01000193);
      h2 = Math.imul(h2 ^ 0xffff, 0x5bd1e995) ^ (h2 >>> 15);
    }
    const word = (h1 ^ (h2 >>> 7)) & this.#mask;
    const bits = (1 << (h2 & 31)) | (1 << ((h1 >>> 27) ^ ((h2 >>> 10) & 31)));
    return (Atomics.or(this.#words, word, bits) & bits) === bits;
  }
}
