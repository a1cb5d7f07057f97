import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/runCli.ts';
import { seedCompletion, seedCycle, seedEvent, seedRegistrant } from './support/seed.ts';
import { useTestEnvironment } from './support/testEnvironment.ts';

// Formula cells (issue 11): the regulator's message, a surname, a rejected key, each beginning
// with = + - @ TAB or CR, are written to every CSV for people with a ' in front (Safe text).

const FORMULA_START = /^[=+\-@\t\r]/;

describe('Safe text in every CSV report', () => {
  const env = useTestEnvironment();
  let upload = '';

  beforeAll(async () => {
    await seedCycle(env.db);
    const registrant = await seedRegistrant(env.db, '01-20001', '=HYPERLINK("http://x","y")');
    const event = await seedEvent(env.db, 'C-80001');
    const interactive = await seedEvent(env.db, 'C-80002', { interactive: true });
    for (const ref of ['A-1', 'A-2']) await seedCompletion(env.db, ref, registrant, event, '2021-12-01T10:00:00Z');
    await seedCompletion(env.db, 'H-1', registrant, interactive, '2021-12-09T10:00:00Z');
    await seedCompletion(env.db, 'L-1', registrant, event, '2021-12-31T10:00:00Z'); // after the cutoff
    const result = await runCli(['upload', 'weekly', '--week', '2021-W49', '--now', '2021-12-10T07:00:00Z'], env.env);
    expect(result.code, result.stderr).toBe(0);
    upload = /CET_P00001_000001_\d{8}\.csv/.exec(result.stdout)![0];
    const ack = path.join(env.workDir, 'ack.csv');
    writeFileSync(ack, `file,provider_ref,status,code,message\r\n${upload},A-1,REJECTED,@SUM,=cmd|' /C calc'!A0\r\n${upload},A-2,REJECTED,+X,"\tTAB first"\r\n`);
    // Pending after the batch, near its 10-working-day limit at --now: listed by report sla.
    await seedCompletion(env.db, 'S-1', registrant, event, '2021-12-06T10:00:00Z');
    const read = await runCli(['ack', ack], env.env);
    expect(read.code, read.stderr).toBe(0);
    const bad = path.join(env.workDir, 'bad.csv');
    writeFileSync(bad, 'provider_ref,goc_number,event_ref,completed_at\n-2-5,01-20001,C-80001,2021-11-01T10:00:00Z\n@x,-1,+C,=1\n');
    const imported = await runCli(['import', 'completions', bad, '--now', '2022-01-01T00:00:00Z'], env.env);
    expect(imported.code, imported.stderr).toBe(3);
  });

  for (const kind of ['rejected', 'rejects', 'held', 'late', 'sla']) {
    it(`report ${kind} --format csv: no cell begins with = + - @ TAB or CR`, async () => {
      const now = ['held', 'late', 'sla'].includes(kind) ? ['--now', '2021-12-20T00:00:00Z'] : [];
      const result = await runCli(['report', kind, '--format', 'csv', ...now], env.env);
      expect(result.code, result.stderr).toBe(0);
      const cells = (parse(result.stdout, { relax_column_count: true }) as string[][]).flat();
      expect(cells.length).toBeGreaterThan(0);
      expect(cells.filter((cell) => FORMULA_START.test(cell))).toEqual([]);
      if (kind === 'rejected') {
        expect(cells).toContain("'=cmd|' /C calc'!A0");
        expect(cells).toContain("'@SUM");
        expect(cells).toContain("'+X");
      }
      if (kind === 'rejects') expect(cells).toContain("'-2-5");
    });
  }

  it('the rejects file gives the same cells a \' in front', async () => {
    const rows = parse(readFileSync(path.join(env.workDir, 'bad.csv.rejects.csv')), { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => [r.provider_ref, r.goc_number, r.event_ref, r.completed_at])).toEqual([
      ["'-2-5", '01-20001', 'C-80001', '2021-11-01T10:00:00Z'],
      ["'@x", "'-1", "'+C", "'=1"],
    ]);
  });

  it('the upload file writes the surname made safe', () => {
    const text = readFileSync(path.join(env.outboxDir, upload), 'utf8');
    expect(text).toContain(`,"'=HYPERLINK(""http://x"",""y"")",`);
  });
});
