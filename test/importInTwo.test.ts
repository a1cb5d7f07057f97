import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMPLETIONS_HEADER, REGISTRANTS_HEADER, seedBasics } from './fixtures/imports/helpers.ts';
import { runCli, type CliResult } from './support/runCli.ts';
import { useTestEnvironment, type TestEnvironment } from './support/testEnvironment.ts';

// A large UTF-8 file is parsed in two threads (src/imports/stageParallel.ts): this thread up to
// an LF near 47 % of its bytes, a worker the rest, into one staging table. Whatever the file, the
// outcome must be that of one pass: the same rows stored, the same rejects with the same line
// numbers, the same refusal. Two databases seeded alike import every file: `one` always in one
// pass, `two` in two parts whenever it can (IMPORT_SPLIT_FROM_BYTES=1); CET_DEBUG names the way
// each staged it.
describe('an import file parsed in two threads gives what one pass gives', () => {
  const one = useTestEnvironment({ IMPORT_SPLIT_FROM_BYTES: String(2 ** 40) });
  const two = useTestEnvironment({ IMPORT_SPLIT_FROM_BYTES: '1' });
  const NOW = '2021-12-31T00:00:00Z';
  const IN_TWO = 'parse and copy into staging, in two threads';

  beforeAll(async () => {
    await seedBasics(one);
    await seedBasics(two);
  });

  /** Writes the same bytes into each environment's work directory. */
  function write(name: string, content: string | Buffer): [string, string] {
    return [one, two].map((env) => {
      const file = path.join(env.workDir, name);
      writeFileSync(file, content);
      return file;
    }) as [string, string];
  }

  async function importBoth(kind: string, name: string, content: string | Buffer): Promise<{ one: CliResult; two: CliResult; files: [string, string] }> {
    const files = write(name, content);
    const results = await Promise.all(
      ([one, two] as const).map((env, i) => runCli(['import', kind, files[i]!, '--now', NOW], { ...env.env, CET_DEBUG: '1' })),
    );
    return { one: results[0]!, two: results[1]!, files };
  }

  /** What an import said and left, with its own paths and timings taken out. */
  function outcome(env: TestEnvironment, result: CliResult, file: string) {
    const words = (text: string) => text.replaceAll(env.workDir, '<dir>').replace(/ in \d+\.\d s/, '').replace(/^.*: \d+ ms\n/gm, '');
    let rejects: string | null = null;
    try {
      rejects = readFileSync(`${file}.rejects.csv`, 'utf8');
    } catch {
      rejects = null;
    }
    return { code: result.code, stdout: words(result.stdout), stderr: words(result.stderr), rejects };
  }

  async function stored(env: TestEnvironment) {
    const completions = await env.handle.pool.query(
      `SELECT c.provider_ref, r.goc_number, e.event_ref, c.completed_at, c.revision
         FROM completion c JOIN registrant r ON r.id = c.registrant_id JOIN event e ON e.id = c.event_id
        ORDER BY c.provider_ref`,
    );
    const registrants = await env.handle.pool.query(`SELECT goc_number, surname, forenames, profession FROM registrant ORDER BY goc_number`);
    const rejects = await env.handle.pool.query(`SELECT line, row_key, codes, message FROM import_reject ORDER BY import_id, line`);
    return { completions: completions.rows, registrants: registrants.rows, rejects: rejects.rows };
  }

  async function expectSameOutcome(run: { one: CliResult; two: CliResult; files: [string, string] }) {
    expect(outcome(two, run.two, run.files[1])).toEqual(outcome(one, run.one, run.files[0]));
    expect(await stored(two)).toEqual(await stored(one));
  }

  // The same row again and again is one row (unchanged after the first): bulk that adds no reject.
  const filler = (n: number) => Array.from({ length: n }, () => 'FILL-SAME,01-10001,C-70001,2021-01-05T10:00:00Z');

  it('a clean cut: repeats across it are found, line numbers after it count every physical line', async () => {
    const lines = [
      COMPLETIONS_HEADER, // 1
      'ACROSS-1,D-2002,C-70003,2021-03-01T10:00:00Z', // 2: its provider_ref again on the other side, other content
      'PAIR-1,01-10003,C-70001,2021-03-02T10:00:00Z', // 3: the same registrant and event under another ref, other side
      '"TWO\nLINES",01-10001,C-70002,2021-03-01T10:00:00Z', // 4-5: a quoted field over two physical lines
      ...filler(200), // 6..205
      'ACROSS-1,D-2002,C-70003,2021-04-01T10:00:00Z', // 206
      'PAIR-2,01-10003,C-70001,2021-03-03T10:00:00Z', // 207
      'UNKNOWN-1,01-99999,C-70001,2021-03-01T10:00:00Z', // 208: no such registrant
      ...filler(200), // 209..408
    ];
    const run = await importBoth('completions', 'clean.csv', `\uFEFF${lines.join('\n')}\n`);
    expect(run.two.stderr).toContain(IN_TWO);
    expect(run.one.stderr).not.toContain(IN_TWO);
    expect(run.two.code, run.two.stderr).toBe(3);
    await expectSameOutcome(run);
    const rejected = (await two.handle.pool.query<{ line: number; codes: string[] }>(`SELECT line, codes FROM import_reject ORDER BY line`)).rows;
    expect(rejected.map((r) => [r.line, r.codes])).toEqual([
      [2, ['DUPLICATE_KEY_IN_FILE']],
      [4, ['INVALID_PROVIDER_REF']],
      [206, ['DUPLICATE_KEY_IN_FILE']],
      [207, ['DUPLICATE_COMPLETION']],
      [208, expect.arrayContaining(['UNKNOWN_REGISTRANT'])],
    ]);
  });

  it('a cut inside a quoted field: staged again in one pass, nothing twice', async () => {
    // One field over many lines, covering the middle of the file, where the cut is looked for.
    const long = Array.from({ length: 400 }, (_, i) => `inside ${i}`).join('\r\n');
    const lines = [
      REGISTRANTS_HEADER,
      ...Array.from({ length: 30 }, (_, i) => `01-2${String(i).padStart(4, '0')},Early${i},Ann,optometrist,,2015-01-01,`),
      `01-30000,"${long}",Bob,optometrist,,2015-01-01,`,
      ...Array.from({ length: 30 }, (_, i) => `01-4${String(i).padStart(4, '0')},Late${i},Cy,optometrist,,2015-01-01,`),
      '01-20003,Again,Ann,optometrist,,2015-01-01,', // a key from before the long field
    ];
    const run = await importBoth('registrants', 'quoted.csv', `${lines.join('\r\n')}\r\n`);
    expect(run.two.stderr).not.toContain(IN_TWO);
    expect(run.two.code, run.two.stderr).toBe(3);
    await expectSameOutcome(run);
    const last = (await two.handle.pool.query<{ line: number }>(`SELECT max(line) AS line FROM import_reject WHERE row_key = '01-20003'`)).rows[0]!;
    expect(last.line).toBe(1 + 30 + 400 + 30 + 1);
  });

  it('a quoted field left open at the end of the second part: refused in the words of one pass', async () => {
    const lines = [COMPLETIONS_HEADER, ...filler(100), 'OPEN-1,01-10001,"C-70001,2021-03-01T10:00:00Z', ...filler(3)];
    const run = await importBoth('completions', 'open.csv', `${lines.join('\n')}\n`);
    expect(run.two.code).toBe(4);
    expect(run.two.stderr).toContain('the row starting on line 102 opens a quoted field that is never closed');
    await expectSameOutcome(run);
  });

  it('a file that is not UTF-8 throughout stays in one pass, its bad line rejected', async () => {
    const text = [COMPLETIONS_HEADER, ...filler(100), 'LATIN-1,01-10001,C-70001,2021-03-01T10:00:00Z', ...filler(100)].join('\n') + '\n';
    const bytes = Buffer.from(text, 'utf8');
    const at = bytes.indexOf('LATIN-1');
    bytes[at + 5] = 0xe9; // 'é' in Latin-1
    const run = await importBoth('completions', 'latin1.csv', bytes);
    expect(run.two.stderr).not.toContain(IN_TWO);
    expect(run.two.code).toBe(3);
    await expectSameOutcome(run);
    expect((await two.handle.pool.query(`SELECT line FROM import_reject WHERE codes @> '{INVALID_ENCODING}'`)).rows).toEqual([{ line: 102 }]);
  });
});
