import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  COMPLETIONS_HEADER,
  CONFIRMATIONS_HEADER,
  EVENTS_HEADER,
  REGISTRANTS_HEADER,
  importCli,
  rejectsFile,
  seedBasics,
  writeFile,
} from './fixtures/imports/helpers.ts';
import { useTestEnvironment } from './support/testEnvironment.ts';

// A key on several lines of one file (import-files.md): the same row again is one row
// (unchanged), another row under the same key rejects every line of it DUPLICATE_KEY_IN_FILE.
// Staging flags the lines whose key was (probably) on an earlier line, and only flagged keys are
// compared: each kind's key must be flagged, however far apart its lines are.
describe('a key on several lines of a file, for every kind, through the CLI', () => {
  const env = useTestEnvironment();
  const NOW = '2021-12-31T00:00:00Z';
  const filler = (n: number, line: (i: number) => string) => Array.from({ length: n }, (_, i) => line(i));

  beforeAll(async () => {
    await seedBasics(env);
  });

  const codesByLine = (file: string) => rejectsFile(file).map((r) => [Number(r.line), r.codes]);

  it('events: the same row twice is one, two rows under one reference are both rejected', async () => {
    const file = writeFile(env, 'events.csv', [
      EVENTS_HEADER,
      'C-81001,Same twice,1,general,N,optometrist,2019-01-01,2021-12-31', // 2
      'C-81002,First title,1,general,N,optometrist,2019-01-01,2021-12-31', // 3
      ...filler(300, (i) => `C-${82000 + i},Filler ${i},1,general,N,optometrist,2019-01-01,2021-12-31`), // 4..303
      'C-81001,Same twice,1,general,N,optometrist,2019-01-01,2021-12-31', // 304
      'c-81002,Second title,1,general,N,optometrist,2019-01-01,2021-12-31', // 305: the same reference, written lower-case
    ]);
    const result = await importCli(env, 'events', file, NOW);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stdout).toMatch(/inserted +301\n +updated +0\n +unchanged +1\n +rejected +2\n/);
    expect(codesByLine(file)).toEqual([[3, 'DUPLICATE_KEY_IN_FILE'], [305, 'DUPLICATE_KEY_IN_FILE']]);
  });

  it('completions: the same row twice is one, two rows under one provider_ref are both rejected', async () => {
    const file = writeFile(env, 'completions.csv', [
      COMPLETIONS_HEADER,
      'TWICE-1,01-10001,C-70001,2021-03-01T10:00:00Z', // 2
      'TWICE-2,01-10003,C-70001,2021-03-01T10:00:00Z', // 3
      ...filler(300, (i) => `FILL-${i},01-10001,C-${82000 + i},2021-03-01T10:00:00Z`), // 4..303
      ' TWICE-1 ,01-10001, C-70001,2021-03-01T10:00:00Z ', // 304: the same row (fields are trimmed)
      'TWICE-2,01-10003,C-70001,2021-03-02T10:00:00Z', // 305
    ]);
    const result = await importCli(env, 'completions', file, NOW);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stdout).toMatch(/inserted +301\n +updated +0\n +unchanged +1\n +rejected +2\n/);
    expect(codesByLine(file)).toEqual([[3, 'DUPLICATE_KEY_IN_FILE'], [305, 'DUPLICATE_KEY_IN_FILE']]);
  });

  it('confirmations: the key is the provider_ref and the party together', async () => {
    const base = writeFile(env, 'interactive.csv', [
      COMPLETIONS_HEADER,
      'PEER-0,01-10001,C-70002,2021-11-01T10:00:00Z',
      'PEER-1,01-10003,C-70002,2021-11-05T10:00:00Z',
    ]);
    const stored = await importCli(env, 'completions', base, NOW);
    expect(stored.code, stored.stdout).toBe(0);
    const file = writeFile(env, 'confirmations.csv', [
      CONFIRMATIONS_HEADER,
      'PEER-0,peer,2021-12-01T08:00:00Z,01-10003', // 2
      'PEER-0,registrant,2021-12-01T08:00:00Z,01-10003', // 3: the other party: another key
      'PEER-1,peer,2021-12-01T08:00:00Z,01-10001', // 4
      ...filler(300, () => 'PEER-0,registrant,2021-12-01T08:00:00Z,01-10003'), // 5..304: line 3 again
      'PEER-0,peer,2021-12-01T08:00:00Z,01-10003', // 305: line 2 again
      'PEER-1,peer,2021-12-02T08:00:00Z,01-10001', // 306: line 4 at another time
    ]);
    const result = await importCli(env, 'confirmations', file, NOW);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stdout).toMatch(/inserted +2\n +updated +0\n +unchanged +301\n +rejected +2\n/);
    expect(codesByLine(file)).toEqual([[4, 'DUPLICATE_KEY_IN_FILE'], [306, 'DUPLICATE_KEY_IN_FILE']]);
  });
});

// A file is parsed as text when the whole of it is UTF-8, and as bytes, row by row, when it is
// not: both must give the same rows and line numbers, in a file longer than one read (1 MiB).
describe('a file over 1 MiB, as text and as bytes, through the CLI', () => {
  const env = useTestEnvironment();
  const ROWS = 18_000;
  const row = (i: number) => `01-${30000 + i},Ünal-Øster ${'é'.repeat(i % 7)}${i},Zoë,optometrist,,2015-01-01,`;
  const lines = [REGISTRANTS_HEADER, ...Array.from({ length: ROWS }, (_, i) => row(i))];
  const write = (name: string, bytes: Buffer) => {
    const file = path.join(env.workDir, name);
    writeFileSync(file, bytes);
    return file;
  };

  it('imports a UTF-8 file with characters across its read boundaries, as written', async () => {
    const bytes = Buffer.from(`${lines.join('\n')}\n`);
    expect(bytes.length).toBeGreaterThan(1 << 20);
    const result = await importCli(env, 'registrants', write('utf8.csv', bytes));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`inserted +${ROWS}\\n`));
    const stored = await env.handle.pool.query<{ surname: string; forenames: string }>(
      `SELECT surname, forenames FROM registrant WHERE goc_number LIKE '01-3%' OR goc_number LIKE '01-4%' ORDER BY goc_number`,
    );
    expect(stored.rows.map((r) => `${r.surname}|${r.forenames}`)).toEqual(
      Array.from({ length: ROWS }, (_, i) => `Ünal-Øster ${'é'.repeat(i % 7)}${i}|Zoë`),
    );
  });

  it('rejects only the row with a Latin-1 byte past the first MiB, on its own line', async () => {
    const last = lines.length; // the last row's line number
    const bytes = Buffer.concat([Buffer.from(`${lines.slice(0, -1).join('\n')}\n`), Buffer.from(`01-${30000 + ROWS - 1},M\xfcller,Jo,optometrist,,2015-01-01,\n`, 'latin1')]);
    const file = write('latin1.csv', bytes);
    const result = await importCli(env, 'registrants', file);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stdout).toMatch(new RegExp(`inserted +0\\n +updated +0\\n +unchanged +${ROWS - 1}\\n +rejected +1\\n`));
    expect(rejectsFile(file).map((r) => [Number(r.line), r.codes, r.surname])).toEqual([[last, 'INVALID_ENCODING', 'M\\xfcller']]);
  });
});
