import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isUtf8File, wholeCharacters } from '../src/imports/utf8File.ts';

const MiB = 1 << 20;
const euro = Buffer.from('€'); // e2 82 ac

describe('wholeCharacters', () => {
  it('keeps whole characters and cuts one that goes on past the end', () => {
    const bytes = Buffer.concat([Buffer.from('ab'), euro]);
    expect(wholeCharacters(bytes, 5)).toBe(5);
    expect(wholeCharacters(bytes, 4)).toBe(2);
    expect(wholeCharacters(bytes, 3)).toBe(2);
    expect(wholeCharacters(bytes, 2)).toBe(2);
    const four = Buffer.from('x😀'); // 78 f0 9f 98 80
    expect(wholeCharacters(four, 5)).toBe(5);
    expect(wholeCharacters(four, 4)).toBe(1);
  });

  it('leaves bytes that are no UTF-8 at all for the check to refuse', () => {
    expect(wholeCharacters(Buffer.from([0x61, 0x80, 0x80]), 3)).toBe(3);
    expect(wholeCharacters(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80]), 5)).toBe(5);
  });
});

describe('isUtf8File', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cet-utf8-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, bytes: Buffer) => {
    const at = path.join(dir, name);
    writeFileSync(at, bytes);
    return at;
  };

  it('accepts a character cut by every read boundary (1 MiB), and an empty file', async () => {
    for (const offset of [1, 2, 3]) {
      const bytes = Buffer.concat([Buffer.alloc(MiB - offset, 0x61), euro, Buffer.alloc(10, 0x62)]);
      expect(await isUtf8File(file(`straddle-${offset}.csv`, bytes))).toBe(true);
    }
    expect(await isUtf8File(file('empty.csv', Buffer.alloc(0)))).toBe(true);
  });

  it('refuses a bad byte past the first read, and a character cut short by the end of the file', async () => {
    const late = Buffer.concat([Buffer.alloc(MiB + 500_000, 0x61), Buffer.from([0xfc]), Buffer.from('\n')]);
    expect(await isUtf8File(file('late.csv', late))).toBe(false);
    expect(await isUtf8File(file('cut.csv', Buffer.concat([Buffer.from('abc'), euro.subarray(0, 2)])))).toBe(false);
    // A bad sequence cut by the boundary: its first byte in one read, the rest in the next.
    const split = Buffer.concat([Buffer.alloc(MiB - 1, 0x61), Buffer.from([0xe2, 0x28, 0xa1])]);
    expect(await isUtf8File(file('split.csv', split))).toBe(false);
  });
});
