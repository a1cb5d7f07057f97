import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/runCli.ts';
import { useTestEnvironment } from './support/testEnvironment.ts';

const SAMPLE = {
  period: { from: '2005-07-01', to: '2006-12-31', initial: true },
  registered: [{ from: '2001-01-01', to: null }],
  specialties: [{ code: 'CLO', from: '2003-05-01', to: null }],
  obtained: { general: 2, specialist: { CLO: 6 } },
  treated: { general: 10, specialist: { CLO: 3 } },
};

describe('requirements --input', () => {
  const env = useTestEnvironment();

  it("reads a file and prints cli.md's example result: general 2 + 10 + 7 = 19 of 36; CLO 6 + 3 = 9 of 18", async () => {
    const file = path.join(env.workDir, 'sample.json');
    writeFileSync(file, JSON.stringify(SAMPLE));
    const run = await runCli(['requirements', '--input', file], env.env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(Object.keys(result)).toEqual(['general', 'specialties', 'notes']);
    expect(result.general).toEqual({ wholeMonths: 18, required: 36, obtained: 2, treated: 10, fromSpecialist: 7, total: 19, shortfall: 17 });
    expect(result.specialties).toEqual({ CLO: { wholeMonths: 18, required: 18, obtained: 6, treated: 3, total: 9, shortfall: 9 } });
    expect(result.notes[0]).toMatch(/^Rule 12\(2\)\(a\): on the register on 30 June 2005: 18 whole months/);
  });

  it('reads standard input with -: subsequent period, 36 whole months, required 36, obtained 40: shortfall 0', async () => {
    const input = { period: { from: '2019-01-01', to: '2021-12-31', initial: false }, registered: [{ from: '2010-01-01', to: null }], obtained: { general: 40 } };
    const run = await runCli(['requirements', '--input', '-'], env.env, { input: JSON.stringify(input) });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).general).toEqual({ wholeMonths: 36, required: 36, obtained: 40, treated: 0, fromSpecialist: 0, total: 40, shortfall: 0 });
  });

  it('refuses invalid input with exit 4, naming every problem', async () => {
    const input = {
      period: { from: '2019-01-01', to: '2018-12-31', initial: false },
      registered: [{ from: '2019-02-29', to: null }],
      specialties: [{ code: 'XYZ', from: '2019-01-01', to: null }],
      obtained: { general: -3, specialist: { QQ: 1 } },
      surplus: 4,
    };
    const run = await runCli(['requirements', '--input', '-'], env.env, { input: JSON.stringify(input) });
    expect(run.code).toBe(4);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('6 problems');
    for (const problem of [
      'period.to: to 2018-12-31 is before from 2019-01-01',
      'registered[0].from: "2019-02-29" is not a date YYYY-MM-DD',
      'specialties[0].code: unknown specialty code "XYZ"',
      'obtained.general: -3 is negative',
      'obtained.specialist: unknown specialty code "QQ"',
      'the input: unknown key "surplus"',
    ]) {
      expect(run.stderr).toContain(problem);
    }
  });

  it('refuses a file that is not JSON with exit 4, and a missing file with exit 2', async () => {
    const file = path.join(env.workDir, 'broken.json');
    writeFileSync(file, '{"period": ');
    const broken = await runCli(['requirements', '--input', file], env.env);
    expect(broken.code).toBe(4);
    expect(broken.stderr).toContain('not JSON');
    const missing = await runCli(['requirements', '--input', path.join(env.workDir, 'nope.json')], env.env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Cannot read');
  });
});

describe('requirements <goc_number> --cycle <code>, from the database', () => {
  const env = useTestEnvironment();

  beforeAll(async () => {
    const db = env.db;
    const at = (text: string) => new Date(text);
    const cycles = await db
      .insertInto('cycle')
      .values([
        { code: '2016-2018', first_day: '2016-01-01', last_day: '2018-12-31', starts_at: at('2016-01-01T00:00Z'), ends_at: at('2019-01-01T00:00Z'), final_cutoff: at('2018-12-30T12:00Z') },
        { code: '2019-2021', first_day: '2019-01-01', last_day: '2021-12-31', starts_at: at('2019-01-01T00:00Z'), ends_at: at('2022-01-01T00:00Z'), final_cutoff: at('2021-12-30T12:00Z') },
      ])
      .returning(['id', 'code'])
      .execute();
    const cycleId = (code: string) => cycles.find((c) => c.code === code)!.id;
    const people = await db
      .insertInto('registrant')
      .values([
        { goc_number: 'D-12345', surname: 'Lens', forenames: 'Clara', profession: 'dispensing_optician', specialties: ['CLO'], updated_at: at('2019-01-01T00:00Z') },
        { goc_number: 'D-54321', surname: 'Other', forenames: 'Olive', profession: 'dispensing_optician', specialties: [], updated_at: at('2019-01-01T00:00Z') },
      ])
      .returning(['id', 'goc_number'])
      .execute();
    const clara = people.find((p) => p.goc_number === 'D-12345')!.id;
    const olive = people.find((p) => p.goc_number === 'D-54321')!.id;
    // Jan..May 2019 (5 whole months; 15 June ends mid-month) + Sep 2019..Dec 2021 (28) = 33.
    await db
      .insertInto('registration_span')
      .values([
        { registrant_id: clara, registered_from: '2019-01-01', registered_to: '2019-06-15' },
        { registrant_id: clara, registered_from: '2019-09-01', registered_to: null },
        { registrant_id: olive, registered_from: '2010-01-01', registered_to: null },
      ])
      .execute();
    const event = await db
      .insertInto('event')
      .values({ event_ref: 'C-12345', title: 'Lenses', points: 3, category: 'general', interactive: false, professions: ['dispensing_optician'], approved_from: '2015-01-01', approved_to: '2022-12-31', updated_at: at('2015-01-01T00:00Z') })
      .returning('id')
      .executeTakeFirstOrThrow();
    const batch = async (code: string, period: string) =>
      (await db
        .insertInto('batch')
        .values({ cycle_id: cycleId(code), kind: 'WEEKLY', period, cutoff: at('2020-03-06T06:00Z'), seq: null, provider_code: 'P00001', trigger: 'manual', claimed_at: at('2020-03-06T06:00Z') })
        .returning('id')
        .executeTakeFirstOrThrow()).id;
    const first = await batch('2019-2021', '2020-W10');
    const second = await batch('2019-2021', '2020-W11');
    const older = await batch('2016-2018', '2018-W10');
    let n = 0;
    const completion = async (registrant: number) => {
      n += 1;
      return (await db
        .insertInto('completion')
        .values({ provider_ref: `LMS-${n}`, registrant_id: registrant, event_id: event.id, completed_at: at('2020-03-01T10:00Z'), completed_on: '2020-03-01', received_at: at('2020-03-01T10:00Z'), changed_at: at('2020-03-01T10:00Z') })
        .returning('id')
        .executeTakeFirstOrThrow()).id;
    };
    const item = (batchId: string, completionId: string, revision: number, goc: string, points: number, category: 'G' | 'S', ack: 'ACCEPTED' | 'REJECTED' | null = null) => ({
      batch_id: batchId, completion_id: completionId, revision, provider_ref: `LMS-${completionId}`, goc_number: goc, surname: 'Lens', event_ref: 'C-12345',
      completed_on: '2020-03-01', points, category, interactive: false, ack_status: ack,
    });
    const [corrected, rejected, specialist, unacknowledged, otherCycle, otherPerson, movedAway] = [
      await completion(clara), await completion(clara), await completion(clara), await completion(clara), await completion(clara), await completion(olive), await completion(clara),
    ] as [string, string, string, string, string, string, string];
    await db
      .insertInto('batch_item')
      .values([
        item(first, corrected, 1, 'D-12345', 5, 'G', 'ACCEPTED'), // replaced by revision 2
        item(second, corrected, 2, 'D-12345', 3, 'G', 'ACCEPTED'), // counts: 3
        item(first, rejected, 1, 'D-12345', 4, 'G', 'REJECTED'), // rejected: 0
        item(first, specialist, 1, 'D-12345', 6, 'S', 'ACCEPTED'), // CLO: 6
        item(second, unacknowledged, 1, 'D-12345', 7, 'G'), // not acknowledged yet, counts: 7
        item(older, otherCycle, 1, 'D-12345', 10, 'G', 'ACCEPTED'), // another cycle: 0
        item(first, otherPerson, 1, 'D-54321', 9, 'G', 'ACCEPTED'), // another registrant: 0
        item(first, movedAway, 1, 'D-12345', 2, 'G', 'ACCEPTED'), // corrected to another GOC number:
        item(second, movedAway, 2, 'D-54321', 2, 'G'), // 0 for D-12345
      ])
      .execute();
  });

  it('computes from spans and uploaded points: 33 whole months; general 3 + 7 = 10 of 33, short 23; CLO 33 / 2 = 16.5 -> 16, 6 obtained, short 10', async () => {
    const run = await runCli(['requirements', 'd 12345', '--cycle', '2019-2021', '--format', 'json'], env.env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.general).toEqual({ wholeMonths: 33, required: 33, obtained: 10, treated: 0, fromSpecialist: 0, total: 10, shortfall: 23 });
    expect(result.specialties).toEqual({ CLO: { wholeMonths: 33, required: 16, obtained: 6, treated: 0, total: 6, shortfall: 10 } });
    expect(result.notes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Period: cycle 2019-2021, 2019-01-01..2021-12-31; a subsequent relevant period/),
        expect.stringMatching(/CLO is taken as held throughout the registration spans/),
        expect.stringMatching(/^Rule 12\(3\)/),
        expect.stringMatching(/^Rule 13\(3\), 13\(4\)/),
      ]),
    );
  });

  it('prints a readable summary by default', async () => {
    const run = await runCli(['requirements', 'D-12345', '--cycle', '2019-2021'], env.env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('CET points for D-12345 Clara Lens, cycle 2019-2021 (2019-01-01 to 2021-12-31)');
    expect(run.stdout).toMatch(/general\s*│\s*33\s*│\s*33\s*│\s*10\s*│\s*0\s*│\s*0\s*│\s*10\s*│\s*23/);
    expect(run.stdout).toContain('Short of: 23 general, 10 CLO.');
    expect(run.stdout).toContain('  - Rule 12(3)');
  });

  it('refuses an unknown registrant, an unknown cycle and a malformed GOC number with exit 2', async () => {
    const unknown = await runCli(['requirements', 'D-99999', '--cycle', '2019-2021'], env.env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('No registrant with GOC number D-99999');
    const noCycle = await runCli(['requirements', 'D-12345', '--cycle', '1999-2001'], env.env);
    expect(noCycle.code).toBe(2);
    expect(noCycle.stderr).toContain('No cycle 1999-2001');
    const malformed = await runCli(['requirements', 'ABC', '--cycle', '2019-2021'], env.env);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('"ABC" is not a GOC number');
  });
});
