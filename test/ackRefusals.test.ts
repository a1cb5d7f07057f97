import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/runCli.ts';
import { seedCompletion, seedCycle, seedEvent, seedRegistrant } from './support/seed.ts';
import { useTestEnvironment } from './support/testEnvironment.ts';

// Every reason an acknowledgement is refused whole: exit 4, every problem named, nothing changed.

describe('ack refusals', () => {
  const env = useTestEnvironment();
  let upload = '';
  const header = 'file,provider_ref,status,code,message\r\n';
  const write = (name: string, text: string) => {
    const full = path.join(env.workDir, name);
    writeFileSync(full, text);
    return full;
  };
  const snapshot = async () =>
    (await sql<{ s: string }>`SELECT (SELECT count(*) FROM ack_file) || ':' ||
       (SELECT string_agg(provider_ref || '=' || coalesce(ack_status, '-') || coalesce(ack_code, ''), ',' ORDER BY provider_ref) FROM batch_item) AS s`.execute(env.db)).rows[0]!.s;

  beforeAll(async () => {
    await seedCycle(env.db);
    const registrant = await seedRegistrant(env.db, '01-20001');
    const event = await seedEvent(env.db, 'C-80001');
    for (const ref of ['A-1', 'A-2', 'A-3']) await seedCompletion(env.db, ref, registrant, event, '2021-12-01T10:00:00Z');
    const result = await runCli(['upload', 'weekly', '--week', '2021-W49', '--now', '2021-12-10T07:00:00Z'], env.env);
    expect(result.code, result.stderr).toBe(0);
    upload = /CET_P00001_000001_\d{8}\.csv/.exec(result.stdout)![0];
  });

  const cases: Array<[string, () => string, RegExp[]]> = [
    ['an upload file the system did not write', () => `${header}CET_P00001_000099_20211210.csv,A-1,ACCEPTED,,\r\n`, [/"CET_P00001_000099_20211210\.csv", which this system did not write/]],
    ['lines that name different files', () => `${header}${upload},A-1,ACCEPTED,,\r\n${upload},A-2,ACCEPTED,,\r\nOTHER.csv,A-3,ACCEPTED,,\r\n`, [/line 4: names the upload file "OTHER\.csv", but the first record names/]],
    ['an unknown provider_ref', () => `${header}${upload},A-1,ACCEPTED,,\r\n${upload},A-2,ACCEPTED,,\r\n${upload},A-3,ACCEPTED,,\r\n${upload},ZZ-9,ACCEPTED,,\r\n`, [/line 5: provider_ref ZZ-9 is not a record of batch 1/]],
    ['a repeated provider_ref', () => `${header}${upload},A-1,ACCEPTED,,\r\n${upload},A-2,ACCEPTED,,\r\n${upload},A-3,ACCEPTED,,\r\n${upload},A-2,REJECTED,X,y\r\n`, [/provider_ref A-2 appears 2 times \(lines 3, 5\)/]],
    ['records left out', () => `${header}${upload},A-2,ACCEPTED,,\n`, [/2 of the 3 records of batch 1 \(CET_P00001_000001_\d+\.csv\) are left out: A-1, A-3/]],
    ['a bad status and a rejection without a code', () => `${header}${upload},A-1,OK,,\r\n${upload},A-2,REJECTED,,no code\r\n${upload},A-3,ACCEPTED,,\r\n`, [/line 2: status "OK" is neither ACCEPTED nor REJECTED/, /line 3: A-2 is REJECTED without a code/]],
    ['a wrong header', () => `file,ref,status,code,message\r\n${upload},A-1,ACCEPTED,,\r\n`, [/header must be "file,provider_ref,status,code,message"/]],
    ['a broken CSV quote', () => `${header}${upload},A-1,ACCEPTED,,"unterminated\r\n`, [/not readable as CSV/]],
  ];

  for (const [reason, text, expected] of cases) {
    it(`refuses ${reason}: exit 4, every problem named, nothing changed`, async () => {
      const before = await snapshot();
      const result = await runCli(['ack', write(`${reason.replace(/\W+/g, '_')}.csv`, text())], env.env);
      expect(result.code, result.stdout + result.stderr).toBe(4);
      expect(result.stderr).toMatch(/refused whole; nothing was changed/);
      for (const pattern of expected) expect(result.stderr).toMatch(pattern);
      expect(await snapshot()).toBe(before);
    });
  }

  it('lists every problem of a file with several at once', async () => {
    const result = await runCli(['ack', write('many.csv', `${header}${upload},A-1,MAYBE,,\r\n${upload},A-1,ACCEPTED,,\r\n${upload},B-7,ACCEPTED,,\r\n`)], env.env);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/4 problems/);
    for (const pattern of [/status "MAYBE"/, /B-7 is not a record/, /A-1 appears 2 times/, /left out: A-2, A-3/]) expect(result.stderr).toMatch(pattern);
  });

  it('reads a good file once; the same file again changes nothing and says so; a different one is refused naming the first', async () => {
    const good = write('good.csv', `${header}${upload},A-1,ACCEPTED,,\r\n${upload},A-2,REJECTED,GOC_NUMBER_UNKNOWN,No registrant\r\n${upload},A-3,ACCEPTED,,\r\n`);
    const first = await runCli(['ack', good], env.env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/2 accepted, 1 rejected/);
    const after = await snapshot();
    expect(after).toBe('1:A-1=ACCEPTED,A-2=REJECTEDGOC_NUMBER_UNKNOWN,A-3=ACCEPTED');

    const again = await runCli(['ack', good], env.env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/already read .*nothing was changed/);
    expect(await snapshot()).toBe(after);

    const other = await runCli(['ack', write('other.csv', `${header}${upload},A-1,ACCEPTED,,\n${upload},A-2,ACCEPTED,,\n${upload},A-3,ACCEPTED,,\n`)], env.env);
    expect(other.code).toBe(4);
    expect(other.stderr).toMatch(/already acknowledged by good\.csv/);
    expect(await snapshot()).toBe(after);
  });
});
