import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RAW_FIELD_CAP, keepRaw, scanUtf8, showBytes } from '../../src/domain/rawText.ts';

describe('raw text of rejected rows', () => {
  it('shows each byte that is not UTF-8 as \\xNN and decodes the rest', () => {
    expect(showBytes(Buffer.from('M\xfcller', 'latin1'))).toBe('M\\xfcller');
    expect(showBytes(Buffer.from([0xc3, 0x28, 0x20, 0xed, 0xa0, 0x80, 0x20, 0xe2, 0x82, 0xac, 0xf0]))).toBe('\\xc3( \\xed\\xa0\\x80 €\\xf0');
  });

  it('decodes valid UTF-8 unchanged, as Node does', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (text) => showBytes(Buffer.from(text, 'utf8')) === text));
  });

  it('agrees with the platform on which byte strings are UTF-8', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 12 }), (bytes) => {
        const scan = scanUtf8(bytes);
        const valid = scan.ok && scan.incompleteFrom === null;
        return valid === (!bytes.includes(0) && isUtf8(bytes));
      }),
    );
  });

  it('keeps a field up to the cap, says what was cut, and shows NUL', () => {
    expect(keepRaw('Sm\0ith')).toBe('Sm\\x00ith');
    expect(keepRaw('x'.repeat(RAW_FIELD_CAP))).toBe('x'.repeat(RAW_FIELD_CAP));
    expect(keepRaw('x'.repeat(RAW_FIELD_CAP + 5))).toBe(`${'x'.repeat(RAW_FIELD_CAP)}…[cut: 5 more characters not kept]`);
    expect(keepRaw(`${'x'.repeat(RAW_FIELD_CAP - 1)}😀y`)).toBe(`${'x'.repeat(RAW_FIELD_CAP - 1)}…[cut: 3 more characters not kept]`);
  });

  it('leaves a sequence cut by the end of a chunk to be checked with what follows', () => {
    expect(scanUtf8(Buffer.from([0x61, 0xe2, 0x82]))).toEqual({ ok: true, incompleteFrom: 1 });
    expect(scanUtf8(Buffer.from([0x61, 0xe2, 0x41]))).toEqual({ ok: false, at: 1, nul: false });
    expect(scanUtf8(Buffer.from([0x61, 0x00]))).toEqual({ ok: false, at: 1, nul: true });
  });
});
