import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, type CliResult } from './support/runCli.ts';
import { useTestEnvironment } from './support/testEnvironment.ts';

// Upload → acknowledgement with rejections → correcting imports → the next batch carries
// exactly the corrected completions, through the real executable.

const NOW = '2021-12-20T09:00:00Z';

describe('acknowledgements and corrections, round trip through the CLI', () => {
  const env = useTestEnvironment();
  const cli = (args: string[]) => runCli(args, env.env);
  const file = (name: string, text: string) => {
    const full = path.join(env.workDir, name);
    writeFileSync(full, text);
    return full;
  };
  const ok = (result: CliResult, code = 0) => {
    expect(result.stderr + result.stdout, result.stderr).toBeTruthy();
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(code);
    return result;
  };
  const detailLines = (fileName: string) =>
    readFileSync(path.join(env.outboxDir, fileName), 'utf8').split('\r\n').filter((line) => line.startsWith('D,'));
  const quote = (text: string) => (/[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);
  const ackLine = (upload: string, ref: string, rejected?: [string, string]) =>
    `${upload},${ref},${rejected ? `REJECTED,${rejected[0]},${quote(rejected[1])}` : 'ACCEPTED,,'}\r\n`;
  const header = 'file,provider_ref,status,code,message\r\n';

  it('carries exactly the corrected completions, once per correction, and protects accepted ones', { timeout: 240_000 }, async () => {
    ok(await cli(['cycle', 'add', '2019-2021', '--first-day', '2019-01-01', '--last-day', '2021-12-31', '--cutoff', '2021-12-30T12:00']));
    ok(await cli(['import', 'registrants', file('registrants.csv',
      'goc_number,surname,forenames,profession,specialties,registered_from,registered_to\n' +
      '01-10001,Patel,Asha,optometrist,,2008-08-01,\n' +
      '01-10002,Jonse,Rhys,optometrist,,2008-08-01,\n' +
      '01-10003,Khan,Amir,optometrist,,2008-08-01,\n'), '--now', NOW]));
    ok(await cli(['import', 'events', file('events.csv',
      'event_ref,title,points,category,interactive,professions,approved_from,approved_to\n' +
      'C-70001,Glaucoma,1,general,N,optometrist,2019-01-01,2021-12-31\n' +
      'C-70002,Contact lenses,2,general,N,optometrist,2019-01-01,2021-12-31\n'), '--now', NOW]));
    const completions = (rt1At: string) =>
      'provider_ref,goc_number,event_ref,completed_at\n' +
      `RT-1,01-10001,C-70001,${rt1At}\n` +
      'RT-2,01-10002,C-70001,2021-12-01T10:00:00Z\n' +
      'RT-3,01-10003,C-70001,2021-12-01T11:00:00Z\n' +
      'RT-4,01-10003,C-70002,2021-12-01T12:00:00Z\n';
    ok(await cli(['import', 'completions', file('completions1.csv', completions('2021-12-01T09:00:00Z')), '--now', NOW]));

    // Batch 1 (W49) carries all four.
    const first = ok(await cli(['upload', 'weekly', '--week', '2021-W49', '--now', NOW]));
    const upload1 = /CET_P00001_000001_\d{8}\.csv/.exec(first.stdout)![0];
    expect(detailLines(upload1).map((l) => l.split(',')[1])).toEqual(['RT-1', 'RT-2', 'RT-3', 'RT-4']);

    // The regulator rejects RT-1 (a wrong date, say) and RT-2 (the surname); accepts RT-3 and RT-4.
    const ack1 = file('ack1.csv', header +
      ackLine(upload1, 'RT-1', ['DATE_INVALID', 'Completion date not plausible']) +
      ackLine(upload1, 'RT-2', ['SURNAME_MISMATCH', 'Surname does not match the register, "Jones"?']) +
      ackLine(upload1, 'RT-3') + ackLine(upload1, 'RT-4'));
    const read = ok(await cli(['ack', ack1]));
    expect(read.stdout).toMatch(/2 accepted, 2 rejected/);

    const rejected = JSON.parse(ok(await cli(['report', 'rejected', '--format', 'json'])).stdout) as Array<Record<string, unknown>>;
    expect(rejected.map((r) => [r.provider_ref, r.code, r.corrected_pending])).toEqual([
      ['RT-1', 'DATE_INVALID', false],
      ['RT-2', 'SURNAME_MISMATCH', false],
    ]);
    expect(rejected[1]!.message).toBe('Surname does not match the register, "Jones"?');

    // Nothing corrected yet: the next week carries nothing.
    const idle = ok(await cli(['upload', 'weekly', '--week', '2021-W50', '--now', NOW]));
    expect(idle.stdout).toMatch(/nothing to carry/);

    // Corrections: RT-1's row changes; RT-2's registrant's surname changes. RT-3's row changes
    // too, but it was accepted: ALREADY_UPLOADED, and it stays as it was.
    const correct = await cli(['import', 'completions', file('completions2.csv',
      completions('2021-12-01T09:30:00Z').replace('RT-3,01-10003,C-70001,2021-12-01T11:00:00Z', 'RT-3,01-10003,C-70001,2021-12-01T11:30:00Z')), '--now', NOW]);
    expect(correct.code, correct.stdout + correct.stderr).toBe(3);
    expect(correct.stdout).toMatch(/ALREADY_UPLOADED/);
    ok(await cli(['import', 'registrants', file('registrants2.csv',
      'goc_number,surname,forenames,profession,specialties,registered_from,registered_to\n' +
      '01-10002,Jones,Rhys,optometrist,,2008-08-01,\n'), '--now', NOW]));

    const pending = JSON.parse(ok(await cli(['report', 'rejected', '--format', 'json'])).stdout) as Array<Record<string, unknown>>;
    expect(pending.map((r) => r.corrected_pending)).toEqual([true, true]);

    // Batch 2 (W51) carries exactly RT-1 (new date) and RT-2 (new surname), nothing else.
    const second = ok(await cli(['upload', 'weekly', '--week', '2021-W51', '--now', '2021-12-24T07:00:00Z']));
    const upload2 = /CET_P00001_000002_\d{8}\.csv/.exec(second.stdout)![0];
    expect(detailLines(upload2)).toEqual([
      'D,RT-1,01-10001,Patel,C-70001,2021-12-01,1,G,N',
      'D,RT-2,01-10002,Jones,C-70001,2021-12-01,1,G,N',
    ]);

    // The regulator rejects RT-2 again; it is corrected again and carried once more.
    ok(await cli(['ack', file('ack2.csv', header + ackLine(upload2, 'RT-1') + ackLine(upload2, 'RT-2', ['SURNAME_MISMATCH', 'Still wrong']))]));
    ok(await cli(['import', 'registrants', file('registrants3.csv',
      'goc_number,surname,forenames,profession,specialties,registered_from,registered_to\n' +
      '01-10002,Jones-Evans,Rhys,optometrist,,2008-08-01,\n'), '--now', NOW]));
    // RT-1 is now accepted: changing it again is ALREADY_UPLOADED.
    const again = await cli(['import', 'completions', file('completions3.csv', 'provider_ref,goc_number,event_ref,completed_at\nRT-1,01-10001,C-70001,2021-12-01T09:45:00Z\n'), '--now', NOW]);
    expect(again.code).toBe(3);
    expect(again.stdout).toMatch(/ALREADY_UPLOADED/);

    const third = ok(await cli(['upload', 'final', '--cycle', '2019-2021', '--now', '2021-12-30T12:00:00Z', '--yes']));
    const upload3 = /CET_P00001_000003_\d{8}\.csv/.exec(third.stdout)![0];
    expect(detailLines(upload3)).toEqual(['D,RT-2,01-10002,Jones-Evans,C-70001,2021-12-01,1,G,N']);

    // Accepting it closes the loop: every completion accepted, nothing pending.
    ok(await cli(['ack', file('ack3.csv', header + ackLine(upload3, 'RT-2'))]));
    const trace = JSON.parse(ok(await cli(['trace', '01-10002', '--format', 'json', '--now', '2021-12-31T09:00:00Z'])).stdout) as Array<Record<string, unknown>>;
    expect(trace.map((r) => [r.provider_ref, r.revision, r.state, r.batch])).toEqual([['RT-2', 3, 'ACCEPTED', 3]]);
    const history = JSON.parse(ok(await cli(['report', 'rejected', '--format', 'json'])).stdout) as Array<Record<string, unknown>>;
    expect(history.map((r) => [r.provider_ref, r.batch, r.corrected_pending, r.carried_again_in])).toEqual([
      ['RT-1', 1, false, 2],
      ['RT-2', 1, false, 2],
      ['RT-2', 2, false, 3],
    ]);
  });
});
