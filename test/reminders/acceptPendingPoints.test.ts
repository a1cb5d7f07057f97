import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/runCli.ts';
import { startSmtpServer, type TestSmtpServer } from '../support/smtpServer.ts';
import { useTestEnvironment } from '../support/testEnvironment.ts';

// ACCEPT_PENDING_POINTS for the worked example's cycle, after its FINAL batch.
const EXAMPLE = fileURLToPath(new URL('../fixtures/example/', import.meta.url));

describe('ACCEPT_PENDING_POINTS, the worked example', () => {
  const env = useTestEnvironment({ PROVIDER_NAME: 'CETpoints', MAIL_FROM: 'cet@cetpoints.example' });
  let smtp: TestSmtpServer;
  const cli = async (args: string[], code = 0) => {
    const result = await runCli(args, env.env);
    expect(result.code, `${args.join(' ')}\n${result.stdout}${result.stderr}`).toBe(code);
    return result;
  };

  beforeAll(async () => {
    smtp = await startSmtpServer();
    env.env.SMTP_URL = smtp.url;
    const inputs = path.join(env.workDir, 'example');
    cpSync(EXAMPLE, inputs, { recursive: true });
    // The example's registrants with addresses, except 01-10004's.
    const registrants = readFileSync(path.join(inputs, 'registrants.csv'), 'utf8').trimEnd().split('\n');
    const emails = ['email', 'asha@example.com', 'rhys@example.com', 'sean@example.com', ''];
    writeFileSync(path.join(inputs, 'registrants.csv'), `${registrants.map((line, i) => `${line},${emails[i]}`).join('\n')}\n`);
    await cli(['cycle', 'add', '2019-2021', '--first-day', '2019-01-01', '--last-day', '2021-12-31', '--cutoff', '2021-12-30T12:00']);
    await cli(['import', 'registrants', path.join(inputs, 'registrants.csv'), '--now', '2022-01-04T09:00:00Z']);
    await cli(['import', 'events', path.join(inputs, 'events.csv'), '--now', '2022-01-04T09:00:00Z']);
    await cli(['import', 'completions', path.join(inputs, 'completions.csv'), '--now', '2022-01-04T09:00:00Z'], 3);
    await cli(['import', 'confirmations', path.join(inputs, 'confirmations.csv'), '--now', '2022-01-04T09:00:00Z'], 3);
    for (const week of ['2021-W48', '2021-W49', '2021-W50', '2021-W51']) await cli(['upload', 'weekly', '--week', week]);
    await cli(['upload', 'final', '--cycle', '2019-2021', '--now', '2021-12-30T12:00:00Z', '--yes']);
  });
  afterAll(async () => {
    await smtp?.stop();
  });

  it('is due from the FINAL batch, not 1 ms before; the right registrants, the right items, the deadline', async () => {
    const before = await cli(['remind', '--now', '2021-12-30T11:59:59.999Z', '--dry-run', '--format', 'json']);
    expect(JSON.parse(before.stdout)).toEqual([]);
    const dry = await cli(['remind', '--now', '2021-12-30T12:00:00.000Z', '--dry-run', '--format', 'json']);
    const due = (JSON.parse(dry.stdout) as Array<{ kind: string; goc_number: string; provider_ref: string }>).map((d) => `${d.kind} ${d.goc_number} ${d.provider_ref}`);
    expect(due.sort()).toEqual([
      'ACCEPT_PENDING_POINTS 01-10001 EX-1',
      'ACCEPT_PENDING_POINTS 01-10001 EX-3',
      'ACCEPT_PENDING_POINTS 01-10003 EX-4',
      'ACCEPT_PENDING_POINTS 01-10003 EX-6',
      'ACCEPT_PENDING_POINTS 01-10004 EX-5',
      'ACCEPT_PENDING_POINTS 01-10004 EX-8',
      'ACCEPT_PENDING_POINTS D-2002 EX-2',
    ]);

    const run = await cli(['remind', '--now', '2021-12-30T13:00:00Z', '--format', 'json']);
    const listed = (JSON.parse(run.stdout) as Array<{ kind: string; goc_number: string; status: string }>).map((r) => `${r.kind} ${r.goc_number} ${r.status}`);
    expect(listed.sort()).toEqual([
      'ACCEPT_PENDING_POINTS 01-10001 SENT',
      'ACCEPT_PENDING_POINTS 01-10003 SENT',
      'ACCEPT_PENDING_POINTS 01-10004 UNREACHABLE',
      'ACCEPT_PENDING_POINTS D-2002 SENT',
    ]);
    const received = await smtp.received();
    expect(received.map((m) => m.to).sort()).toEqual(['asha@example.com', 'rhys@example.com', 'sean@example.com']);
    for (const message of received) {
      expect(message.subject).toBe('Accept your pending CET points before midnight on Friday 31 December 2021');
      expect(message.text).toContain('Please accept them in MyGOC before midnight on Friday 31 December 2021.');
      expect(message.text).toContain('for the 2019-2021 cycle');
      expect(message.text).toContain('CETpoints');
    }
    const asha = received.find((m) => m.to === 'asha@example.com')!.text;
    expect(asha).toContain('Dear Asha Patel,');
    expect(asha).toContain('- Peer discussion: the red eye (C-70002), completed Sunday 28 November 2021: 3 points, interactive');
    expect(asha).toContain('- Glaucoma referral refinement (C-70001), completed Tuesday 30 November 2021: 1 point, non-interactive');
    const sean = received.find((m) => m.to === 'sean@example.com')!.text;
    expect(sean).toContain('- Glaucoma referral refinement (C-70001), completed Thursday 1 July 2021: 1 point, non-interactive');
    expect(sean).toContain('- Peer discussion: the red eye (C-70002), completed Monday 29 November 2021: 3 points, non-interactive');
    const rhys = received.find((m) => m.to === 'rhys@example.com')!.text;
    expect(rhys).toContain('- Contact lens aftercare (C-70003), completed Thursday 2 December 2021: 2 points, non-interactive');
    expect(rhys).not.toMatch(/Patel|O'Neill|C-70001|C-70002/);

    // Once per registrant and cycle.
    await cli(['remind', '--now', '2021-12-31T13:00:00Z']);
    expect(await smtp.received()).toHaveLength(3);
    const status = await cli(['status', '--now', '2021-12-31T13:00:00Z']);
    expect(status.stdout + status.stderr).toMatch(/1 reminder\(s\) UNREACHABLE/);
    // After the deadline there is nothing left to do: listed, no longer a warning.
    const later = await cli(['status', '--now', '2022-01-01T00:00:00Z']);
    expect(later.stdout + later.stderr).not.toMatch(/UNREACHABLE/);
    const trace = await cli(['trace', 'EX-8', '--now', '2021-12-31T13:00:00Z', '--format', 'json']);
    expect(JSON.parse(trace.stdout)[0].reminders).toMatch(/^ACCEPT_PENDING_POINTS UPLOADED UNREACHABLE 2021-12-30T12:00:00Z$/);
  });
});
