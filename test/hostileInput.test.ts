import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  COMPLETIONS_HEADER,
  EVENTS_HEADER,
  REGISTRANTS_HEADER,
  importCli,
  rejectsFile,
  reportedRejects,
  seedBasics,
  writeFile,
} from './fixtures/imports/helpers.ts';
import { useTestEnvironment } from './support/testEnvironment.ts';

// Hostile import files (issue 11): bytes that are not UTF-8, NUL, a formula-like provider_ref, an
// unterminated quote, a huge field. Each is rejected with its code and kept, never imported altered.

describe('hostile import files, through the CLI', () => {
  const env = useTestEnvironment();
  beforeAll(() => seedBasics(env));
  const bytesFile = (name: string, text: string) => {
    const file = path.join(env.workDir, name);
    writeFileSync(file, Buffer.from(text, 'latin1'));
    return file;
  };

  it('rejects a Latin-1 surname INVALID_ENCODING and NUL in a name INVALID_NAME, keeping both rows visibly', async () => {
    const file = bytesFile('latin1.csv', [
      REGISTRANTS_HEADER,
      '01-20001,M\xfcller,Anna,optometrist,,2015-01-01,', // 2
      '01-20002,Sm\0ith,Jo,optometrist,,2015-01-01,', // 3
      '01-20003,Good,Row,optometrist,,2015-01-01,', // 4
      '',
    ].join('\n'));
    const result = await importCli(env, 'registrants', file);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stdout).toMatch(/inserted +1\n/);
    const rejects = await reportedRejects(env, file);
    expect(rejects.map((r) => [r.line, r.codes])).toEqual([[2, ['INVALID_ENCODING']], [3, ['INVALID_NAME']]]);
    const kept = rejectsFile(file);
    expect(kept.map((r) => r.surname)).toEqual(['M\\xfcller', 'Sm\\x00ith']);
    const stored = await sql<{ surname: string }>`SELECT surname FROM registrant WHERE goc_number IN ('01-20001', '01-20002', '01-20003')`.execute(env.db);
    expect(stored.rows.map((r) => r.surname)).toEqual(['Good']);
    expect(readFileSync(`${file}.rejects.csv`, 'utf8')).not.toContain('\uFFFD');
  });

  it('rejects NUL in an event title INVALID_TITLE and a row of bad UTF-8 sequences, whatever the field', async () => {
    const file = bytesFile('events.csv', [
      EVENTS_HEADER,
      'C-80001,Red\0eye,1,general,N,optometrist,2019-01-01,2021-12-31', // 2
      'C-80002,Glaucoma \xc3\x28 \xed\xa0\x80 \xe2\x82\xac,1,general,N,optometrist,2019-01-01,2021-12-31', // 3: bad, bad, good (€)
      '',
    ].join('\n'));
    const result = await importCli(env, 'events', file);
    expect(result.code, result.stderr).toBe(3);
    const rejects = await reportedRejects(env, file);
    expect(rejects.map((r) => [r.line, r.codes])).toEqual([[2, ['INVALID_TITLE']], [3, ['INVALID_ENCODING']]]);
    expect(rejectsFile(file).map((r) => r.title)).toEqual(['Red\\x00eye', 'Glaucoma \\xc3( \\xed\\xa0\\x80 €']);
    const events = await sql<{ n: string }>`SELECT count(*) AS n FROM event WHERE event_ref IN ('C-80001', 'C-80002')`.execute(env.db);
    expect(events.rows[0]!.n).toBe('0');
  });

  it('refuses a provider_ref a spreadsheet would read as a formula (INVALID_PROVIDER_REF)', async () => {
    const file = writeFile(env, 'formula.csv', [
      COMPLETIONS_HEADER,
      '-2-5,01-10001,C-70001,2021-11-01T10:00:00Z',
      '_x,01-10001,C-70001,2021-11-01T10:00:00Z',
      'ok-1,01-10001,C-70001,2021-11-01T10:00:00Z',
    ]);
    const result = await importCli(env, 'completions', file);
    expect(result.code, result.stderr).toBe(3);
    expect((await reportedRejects(env, file)).map((r) => [r.line, r.codes])).toEqual([[2, ['INVALID_PROVIDER_REF']], [3, ['INVALID_PROVIDER_REF']]]);
  });

  it('reports an unterminated quote at the physical line where it opens, not where the file ends', async () => {
    const file = writeFile(env, 'unterminated.csv', [
      COMPLETIONS_HEADER,
      'Q-1,01-10001,C-70001,2021-11-01T10:00:00Z',
      'Q-2,"01-10001,C-70001,2021-11-01T10:00:00Z', // 3
      'Q-3,01-10001,C-70001,2021-11-01T10:00:00Z',
      'Q-4,01-10001,C-70001,2021-11-01T10:00:00Z',
    ]);
    const result = await importCli(env, 'completions', file);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/the row starting on line 3 opens a quoted field that is never closed/);
    expect(result.stderr).not.toMatch(/line 5/);
  });

  it('keeps only the first 1000 characters of a huge field of a rejected row, and says so', async () => {
    const huge = 'x'.repeat(5 * 1024 * 1024);
    const file = writeFile(env, 'huge.csv', [REGISTRANTS_HEADER, `01-20009,${huge},Jo,optometrist,,2015-01-01,`]);
    const result = await importCli(env, 'registrants', file);
    expect(result.code, result.stderr).toBe(3);
    const [row] = rejectsFile(file);
    expect(row!.line).toBe('2');
    expect(row!.codes).toBe('INVALID_NAME');
    expect(row!.surname).toBe(`${'x'.repeat(1000)}…[cut: ${huge.length - 1000} more characters not kept]`);
  });
});
