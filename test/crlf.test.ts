import { describe, expect, it } from 'vitest';
import { LfToCrlf } from '../src/files/crlf.ts';

// Pure: the upload file's line ends (upload-file.md: CRLF after every record).
describe('LfToCrlf', () => {
  it('ends every line with CRLF, across chunks of every size, reusing one buffer', () => {
    const lines = Array.from({ length: 500 }, (_, i) => `D,REF${i},01-${String(10000 + i)},Surname ${'x'.repeat(i % 37)}\n`);
    const text = lines.join('');
    const expected = text.replaceAll('\n', '\r\n');
    for (const size of [1, 2, 7, 64, 1000, 65_536]) {
      const crlf = new LfToCrlf();
      let out = '';
      for (let at = 0; at < text.length; at += size) {
        // Read each result before the next call, as the file writer does.
        out += crlf.convert(Buffer.from(text.slice(at, at + size))).toString('latin1');
      }
      expect(out, `chunks of ${size}`).toBe(expected);
    }
  });

  it('passes a chunk without line ends through untouched, and copes with a chunk of line ends only', () => {
    const crlf = new LfToCrlf();
    const plain = Buffer.from('no line end here');
    expect(crlf.convert(plain)).toBe(plain);
    expect(crlf.convert(Buffer.from('\n\n\n')).toString()).toBe('\r\n\r\n\r\n');
    expect(crlf.convert(Buffer.from('a\nb')).toString()).toBe('a\r\nb');
  });
});
