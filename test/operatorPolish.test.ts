import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, runCli, startCli, waitFor } from './support/runCli.ts';
import { seedCompletion, seedCycle, seedEvent, seedRegistrant, truncateAll } from './support/seed.ts';
import { withServicesUp } from './support/servicesUp.ts';
import { useTestEnvironment } from './support/testEnvironment.ts';
import { COMPLETIONS_HEADER, importCli, seedBasics, writeFile } from './fixtures/imports/helpers.ts';

// Issue 12: a runtime that explains itself and an operator's polish, each through the real executable.

describe('the executable explains itself', () => {
  it('under a Node without type stripping: one line saying what to do, exit 2', () => {
    const result = spawnSync(process.execPath, ['--no-experimental-strip-types', CLI, 'status'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/type stripping turned off .*--no-experimental-strip-types.*remove that flag/);
  });

  it('--version names the version and the Node running it', async () => {
    const result = await runCli(['--version'], {});
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^cet-uploader \d+\.\d+\.\d+ \(Node v\d+\.\d+\.\d+\)\n$/);
  });

  it('help cites no specification file the repository lacks', async () => {
    for (const verb of ['import', 'requirements', 'status', 'upload', 'report', 'trace']) {
      const result = await runCli([verb, '--help'], {});
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).not.toMatch(/\b[\w-]+\.md\b/);
    }
  });
});

describe('--now', () => {
  it('refuses a bare date, naming the right form; refuses words; takes an offset or Z', async () => {
    const bare = await runCli(['status', '--now', '2021-12-30'], {});
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/--now: "2021-12-30" is a date, not an instant; .*e\.g\. 2021-12-30T12:00:00Z/);
    const local = await runCli(['status', '--now', '2021-12-30T12:00'], {});
    expect(local.code).toBe(2);
    expect(local.stderr).toMatch(/has no time zone; give an offset or Z, e\.g\. 2021-12-30T12:00:00Z/);
    const word = await runCli(['status', '--now', 'yesterday'], {});
    expect(word.code).toBe(2);
    expect(word.stderr).toMatch(/"yesterday" is not an ISO 8601 instant; give a date, a time and an offset or Z/);
    for (const out of [bare, local, word]) expect(out.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('status for people, cron and monitors', () => {
  const env = useTestEnvironment();

  // With a worker's and the scheduler's heartbeats, so that the warnings are the cutoff's alone
  // (NO_WORKER / NO_SCHEDULER: statusPresence.test.ts).
  it('prints the absolute outbox, BST in summer, and --check / --format json act on warnings', () => withServicesUp(env.queuePrefix, async () => {
    await truncateAll(env.db);
    await seedCycle(env.db, '2019-2021', '2021-07-01T11:00:00.000Z');
    const relative = { ...env.env, OUTBOX_DIR: 'rel-outbox' };
    const summer = await runCli(['status', '--now', '2021-06-30T11:00:00Z'], relative, { cwd: env.workDir });
    expect(summer.code, summer.stderr).toBe(0);
    expect(summer.stdout).toContain(`Outbox: ${path.join(env.workDir, 'rel-outbox')}\n`);
    expect(summer.stdout).toMatch(/Status as of Wed 30 Jun 2021 12:00:00\.000 BST/);
    expect(summer.stdout).not.toMatch(/GMT\+1/);

    const quiet = await runCli(['status', '--check', '--now', '2021-06-30T11:00:00Z'], env.env);
    expect(quiet).toMatchObject({ code: 0, stdout: '', stderr: '' });

    const check = await runCli(['status', '--check', '--now', '2021-07-02T11:00:00Z'], env.env);
    expect(check.code).toBe(1);
    expect(check.stdout.trim().split('\n')).toEqual([expect.stringMatching(/^WARNING FINAL_OVERDUE: the cutoff of cycle 2019-2021 .* without a FINAL batch/)]);

    const json = await runCli(['status', '--format', 'json', '--now', '2021-07-02T11:00:00Z'], env.env);
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({
      now: '2021-07-02T11:00:00.000Z',
      outboxDir: env.outboxDir,
      ok: false,
      warnings: [{ code: 'FINAL_OVERDUE', message: expect.any(String) }],
      cycles: [{ code: '2019-2021', sealed: false, cutoffPassed: true, cutoff: '2021-07-01T11:00:00.000Z' }],
      latestBatch: null,
      latestBatchesWithFiles: [],
      completions: { waiting: 0, held: 0, importRejects: 0 },
      sla: { overdue: 0, dueSoon: 0 },
    });
    const checkJson = await runCli(['status', '--check', '--format', 'json', '--now', '2021-07-02T11:00:00Z'], env.env);
    expect(checkJson.code).toBe(1);
    expect(JSON.parse(checkJson.stdout).ok).toBe(false);

    const csv = await runCli(['status', '--format', 'csv', '--now', '2021-07-02T11:00:00Z'], env.env);
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout).toMatch(/^key,value\n/);
    expect(csv.stdout).toContain('\ncycles.0.sealed,false\n');
    expect(csv.stdout).toContain('\nwarnings.0.code,FINAL_OVERDUE\n');
  }));
});

describe('a scheduler catching up a cycle begun long ago', () => {
  const env = useTestEnvironment({ LOG_LEVEL: 'info' });

  it('tells the story in one line per cycle, and status still shows the batches that wrote files', async () => {
    await truncateAll(env.db);
    await seedCycle(env.db, '2021-2023', '2023-12-28T12:00:00.000Z', '2021-09-01', '2023-12-31');
    const r = await seedRegistrant(env.db, '01-60001');
    const e = await seedEvent(env.db, 'C-60001');
    await seedCompletion(env.db, 'PC-1', r, e, '2021-09-07T10:00:00Z');
    const worker = startCli(['worker'], env.env);
    try {
      await waitFor(() => worker.output().includes('worker ready'), 'the worker to be ready');
      expect(worker.output()).toContain(`"outbox":"${env.outboxDir}"`);
      const scheduler = await runCli(['scheduler', '--once', '--now', '2021-11-20T12:00:00Z'], env.env);
      expect(scheduler.code, scheduler.stderr).toBe(0);
      const lines = scheduler.stdout.trim().split('\n').map((line) => JSON.parse(line));
      expect(lines.find((l) => l.msg === 'start-up check')).toMatchObject({ missedSlots: 12, outbox: env.outboxDir });
      const summaries = lines.filter((l) => String(l.msg).startsWith('caught up cycle'));
      expect(summaries).toHaveLength(1);
      expect(summaries[0].msg).toBe('caught up cycle 2021-2023: 12 weekly slots (2021-W35 to 2021-W46) run, 1 file written, 11 empty weeks, 1 records');
      expect(summaries[0]).toMatchObject({ cycle: '2021-2023', weeklySlots: 12, filesWritten: 1, emptyWeeks: 11 });
      // One line per cycle: at most the start-up check, the summary and the scheduler's own start and
      // stop, besides at most one note of the catch-up job changing state while it waited (seen when
      // the machine is loaded: "waiting" at one poll, "active" at the next).
      const waits = lines.filter((l) => /^Job \S+ is \w+; waiting for it\.$/.test(String(l.msg)));
      expect(waits.length).toBeLessThanOrEqual(1);
      expect(lines.length - waits.length, scheduler.stdout).toBeLessThanOrEqual(4);
    } finally {
      worker.child.kill('SIGTERM');
      await worker.exited;
    }
    const status = await runCli(['status', '--now', '2021-11-20T12:00:00Z'], env.env);
    expect(status.stdout).toMatch(/Latest slot: - {2}WEEKLY {2}2021-2023 2021-W46 {2}0 records {2}empty, no file/);
    expect(status.stdout).toMatch(/Latest batches with files \(up to 5\):\n {2}#1 {2}WEEKLY {2}2021-2023 2021-W36 {2}1 records {2}CET_P00001_000001_\d{8}\.csv written, PENDING, no acknowledgement yet\n\n/);
  });
});

describe('rows refused at import whose key was imported since', () => {
  const env = useTestEnvironment();

  it('are shown as resolved and no longer counted; JSON carries typed values', async () => {
    await seedBasics(env);
    const now = '2021-12-01T12:00:00Z';
    const bad = writeFile(env, 'bad.csv', [COMPLETIONS_HEADER, 'PX-1,01-10001,C-99999,2021-11-01T10:00:00Z', 'PX-2,01-10001,C-99998,2021-11-02T10:00:00Z']);
    expect((await importCli(env, 'completions', bad, now)).code).toBe(3);
    const counted = async () => JSON.parse((await runCli(['status', '--format', 'json', '--now', now], env.env)).stdout).completions.importRejects;
    expect(await counted()).toBe(2);

    const fixed = writeFile(env, 'fixed.csv', [COMPLETIONS_HEADER, 'PX-1,01-10001,C-70001,2021-11-01T10:00:00Z']);
    const imported = await importCli(env, 'completions', fixed, '2021-12-02T12:00:00Z');
    expect(imported.code, imported.stdout + imported.stderr).toBe(0);
    expect(await counted()).toBe(1);

    const report = await runCli(['report', 'rejects', '--format', 'json'], env.env);
    expect(JSON.parse(report.stdout).map((r: Record<string, unknown>) => [r.key, r.resolved, r.codes, typeof r.import])).toEqual([
      ['PX-1', true, ['UNKNOWN_EVENT'], 'number'],
      ['PX-2', false, ['UNKNOWN_EVENT'], 'number'],
    ]);

    const trace = await runCli(['trace', 'PX-1', '--format', 'json', '--now', '2021-12-02T12:00:00Z'], env.env);
    expect(trace.code, trace.stderr).toBe(0);
    const rows = JSON.parse(trace.stdout) as Array<Record<string, unknown>>;
    expect(rows).toEqual([
      expect.objectContaining({ provider_ref: 'PX-1', state: 'WAITING', revision: 1, points: 1, batch: null, ack_code: null, import_codes: null, correction_pending: false }),
      expect.objectContaining({ provider_ref: 'PX-1', state: 'IMPORT_REJECT_RESOLVED', import_codes: ['UNKNOWN_EVENT'], ack_code: null, line: 2, revision: null }),
    ]);
    const table = await runCli(['trace', 'PX-1', '--now', '2021-12-02T12:00:00Z'], env.env);
    expect(table.stdout).toMatch(/1 completion\(s\), 0 row\(s\) rejected at import and not imported since/);
  });
});

describe('requirements takes the one --format of every verb', () => {
  it('table, csv and json for explicit inputs', async () => {
    const input = JSON.stringify({
      period: { from: '2019-01-01', to: '2021-12-31', initial: false },
      registered: [{ from: '2008-08-01', to: null }],
      specialties: [],
      obtained: { general: 30 },
    });
    const csv = await runCli(['requirements', '--input', '-', '--format', 'csv'], {}, { input });
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout).toBe('points,whole_months,required,obtained,treated,from_specialist,total,shortfall\ngeneral,36,36,30,0,0,30,6\n');
    const json = await runCli(['requirements', '--input', '-'], {}, { input });
    expect(JSON.parse(json.stdout).general).toMatchObject({ required: 36, shortfall: 6 });
    const table = await runCli(['requirements', '--input', '-', '--format', 'table'], {}, { input });
    expect(table.stdout).toMatch(/Short of: 6 general\./);
    const old = await runCli(['requirements', '--input', '-', '--format', 'text'], {}, { input });
    expect(old.code).toBe(2);
    expect(old.stderr).toMatch(/Allowed choices are table, csv, json/);
  });
});
