/**
 * Which keys were (probably) seen before: a Bloom filter of two hashes over a bit array sized
 * for the number of keys expected (8 bits each: under 5 % of new keys are said to be seen before).
 * It never says "not seen" of a key it was given, which is all the import needs of it: a row
 * whose key was not seen before on an earlier line cannot repeat one, so the checks compare only
 * the few rows it flags, instead of grouping a million rows to find them (stageRows.ts).
 */
export class SeenBefore {
  readonly #bits: Uint32Array;
  readonly #mask: number;

  /** `expected`: about how many keys will be added. */
  constructor(expected: number) {
    // A power of two from 2^16 to 2^28 bits (8 KB to 32 MB).
    const wanted = Math.min(2 ** 28, Math.max(2 ** 16, expected * 8));
    const size = 2 ** Math.ceil(Math.log2(wanted));
    this.#bits = new Uint32Array(size / 32);
    this.#mask = size - 1;
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
    const a = (h1 >>> 0) & this.#mask;
    const b = ((h2 ^ (h1 >>> 16)) >>> 0) & this.#mask;
    const bits = this.#bits;
    const seen = (bits[a >>> 5]! & (1 << (a & 31))) !== 0 && (bits[b >>> 5]! & (1 << (b & 31))) !== 0;
    bits[a >>> 5] = bits[a >>> 5]! | (1 << (a & 31));
    bits[b >>> 5] = bits[b >>> 5]! | (1 << (b & 31));
    return seen;
  }
}
