import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { splitPoint } from '../src/imports/splitPoint.ts';

// Where an import file is cut for parsing in two threads, and the physical line the second part
// starts on: its line numbers (in rejects, in messages) count from there, so the count must be
// the one StageRows keeps: CRLF, LF and a lone CR are one line break each.
describe('splitPoint', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cet-split-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let counter = 0;
  const file = (content: string | Buffer) => {
    const name = path.join(dir, `f${counter++}.csv`);
    writeFileSync(name, content);
    return name;
  };
  /** The reference: line breaks in the text before `offset`, one pass over a string. */
  const lineAt = (text: string, offset: number) => 1 + (text.slice(0, offset).match(/\r\n|\n|\r/g)?.length ?? 0);

  it('cuts just after the first LF at or after the point asked for, and counts the lines before it', async () => {
    const text = 'a,b\n1,2\n3,4\n5,6\n';
    expect(await splitPoint(file(text), 5)).toEqual({ offset: 8, line: 3 });
    expect(await splitPoint(file(text), 4)).toEqual({ offset: 8, line: 3 });
    expect(await splitPoint(file(text), 3)).toEqual({ offset: 4, line: 2 });
  });

  it('counts CRLF once and a lone CR as a break', async () => {
    const text = 'h\r\n"x\ry"\r\nz\rw\r\nlast\r\nmore\n';
    const cut = await splitPoint(file(text), text.indexOf('last'));
    expect(cut).toEqual({ offset: text.indexOf('more'), line: lineAt(text, text.indexOf('more')) });
    expect(cut!.line).toBe(7);
  });

  it('says there is nothing to cut off when no LF follows the point but the last byte', async () => {
    expect(await splitPoint(file('a,b\n1,2\n'), 5)).toBeNull();
    expect(await splitPoint(file('a,b\n1,2'), 5)).toBeNull();
    expect(await splitPoint(file('a,b\r1,2\r3,4'), 2)).toBeNull();
  });

  it('counts a CR at the end of one read and an LF at the start of the next as one break', async () => {
    const mib = 1 << 20;
    for (const after of ['\n', 'x']) {
      const bytes = Buffer.alloc(mib + 100, 'y');
      bytes[10] = 0x0a;
      bytes[mib - 1] = 0x0d; // the last byte of the first 1 MiB read
      bytes.write(after, mib);
      bytes[mib + 50] = 0x0a;
      const text = bytes.toString('latin1');
      const cut = await splitPoint(file(bytes), mib + 20);
      expect(cut).toEqual({ offset: mib + 51, line: lineAt(text, mib + 51) });
      // LF, then CRLF (one break) or a lone CR, then LF: three breaks either way.
      expect(cut!.line).toBe(4);
    }
  });

  it('agrees with a count over the text for random mixes of breaks and long lines', async () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 20; round++) {
      let text = '';
      while (text.length < 300_000 + round * 50_000) {
        const r = random();
        text += r < 0.6 ? 'field,'.repeat(1 + Math.floor(random() * 40)) : r < 0.8 ? '\n' : r < 0.9 ? '\r\n' : '\r';
      }
      text += '\nend\n';
      const near = Math.floor(text.length * random());
      const cut = await splitPoint(file(text), near);
      const lf = text.indexOf('\n', near);
      if (lf < 0 || lf + 1 >= text.length) expect(cut).toBeNull();
      else expect(cut).toEqual({ offset: lf + 1, line: lineAt(text, lf + 1) });
    }
  });
});
