import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, startCli, waitFor, type RunningCli } from './support/runCli.ts';
import { seedCompletion, seedConfirmation, seedCycle, seedEvent, seedRegistrant } from './support/seed.ts';
import { useTestEnvironment, type TestEnvironment } from './support/testEnvironment.ts';

const running: RunningCli[] = [];
// After each test, so no worker outlives the test environment (it would write queue keys again
// after their prefix was deleted; the suite's teardown fails on any key left).
afterEach(async () => {
  for (const worker of running.splice(0)) {
    worker.child.kill('SIGKILL');
    await worker.exited;
  }
});

async function startWorker(env: TestEnvironment): Promise<void> {
  const worker = startCli(['worker'], { ...env.env, LOG_LEVEL: 'info' });
  running.push(worker);
  await waitFor(() => worker.output().includes('worker ready'), 'the worker');
}

/** The same small end-of-cycle data set: completions at the cutoff's edge, a late peer. */
async function seedEndOfCycle(env: TestEnvironment): Promise<void> {
  await seedCycle(env.db, '2021-final', '2021-12-30T12:00:00.000Z', '2021-11-01', '2021-12-31');
  const alice = await seedRegistrant(env.db, '01-10001', 'Patel');
  const bob = await seedRegistrant(env.db, '01-10002', "O'Neill, Jr");
  const plain = await seedEvent(env.db, 'C-10001');
  const interactive = await seedEvent(env.db, 'C-20002', { interactive: true, points: 3 });
  await seedCompletion(env.db, 'EARLY', alice, plain, '2021-11-15T09:00:00Z');
  await seedCompletion(env.db, 'LAST-MS', bob, plain, '2021-12-30T11:59:59.999Z');
  await seedCompletion(env.db, 'AT-CUTOFF', bob, plain, '2021-12-30T12:00:00.000Z');
  const late = await seedCompletion(env.db, 'PEER-LATE', alice, interactive, '2021-12-22T10:00:00Z');
  await seedConfirmation(env.db, late, 'registrant', '2021-12-22T11:00:00Z', bob);
  await seedConfirmation(env.db, late, 'peer', '2021-12-31T09:00:00Z', bob); // after the cutoff: never counts
  const ok = await seedCompletion(env.db, 'PEER-OK', bob, interactive, '2021-12-21T10:00:00Z');
  await seedConfirmation(env.db, ok, 'registrant', '2021-12-21T11:00:00Z', alice);
  await seedConfirmation(env.db, ok, 'peer', '2021-12-29T09:00:00Z', alice);
}

function outboxFiles(env: TestEnvironment): Map<string, Buffer> {
  return new Map(
    readdirSync(env.outboxDir)
      .filter((f) => f.endsWith('.csv'))
      .sort()
      .map((f) => [f, readFileSync(path.join(env.outboxDir, f))]),
  );
}

describe('a scheduler-fired FINAL batch racing a manual one', () => {
  const env = useTestEnvironment({ LOG_LEVEL: 'warn' });

  it('produces one FINAL batch and one file; the loser prints the existing batch and exits 0', async () => {
    await seedEndOfCycle(env);
    await startWorker(env);
    const now = '2021-12-30T12:00:05Z';
    const [scheduler, manual, manual2] = await Promise.all([
      runCli(['scheduler', '--now', now, '--once'], env.env),
      runCli(['upload', 'final', '--cycle', '2021-final', '--now', now, '--yes'], env.env),
      runCli(['upload', 'final', '--cycle', '2021-final', '--now', now, '--yes'], env.env),
    ]);
    for (const result of [scheduler, manual, manual2]) expect(result.code, result.stderr).toBe(0);
    const finals = await env.db.selectFrom('batch').selectAll().where('kind', '=', 'FINAL').execute();
    expect(finals).toHaveLength(1);
    expect([...outboxFiles(env).keys()].filter((f) => f.endsWith('_20211230.csv'))).toEqual([finals[0]!.file_name]);
    const again = await runCli(['upload', 'final', '--cycle', '2021-final', '--now', '2022-01-03T09:00:00Z', '--yes'], env.env);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already sealed/);
    // A weekly request after the FINAL batch says the cycle is sealed, naming the FINAL file.
    for (const args of [['upload', 'weekly', '--week', '2021-W52', '--now', '2022-01-03T09:00:00Z'], ['upload', 'weekly', '--week', '2021-W52', '--now', '2022-01-03T09:00:00Z', '--dry-run']]) {
      const weekly = await runCli(args, env.env);
      expect(weekly.code, weekly.stderr).toBe(0);
      expect(weekly.stdout).toContain(`Cycle 2021-final is sealed by its FINAL batch (file ${finals[0]!.file_name})`);
      expect(weekly.stdout).not.toMatch(/No open cycle/);
    }
  });
});

describe('a scheduler started 3 days after the cutoff', () => {
  const onTime = useTestEnvironment({ LOG_LEVEL: 'warn' });
  const late = useTestEnvironment({ LOG_LEVEL: 'warn' });

  it('writes the same files, byte for byte, as one that ran on time', async () => {
    await seedEndOfCycle(onTime);
    await seedEndOfCycle(late);
    await startWorker(onTime);
    await startWorker(late);
    const a = await runCli(['scheduler', '--now', '2021-12-30T12:00:00.000Z', '--once'], onTime.env);
    const b = await runCli(['scheduler', '--now', '2022-01-02T12:00:00.000Z', '--once'], late.env);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const onTimeFiles = outboxFiles(onTime);
    const lateFiles = outboxFiles(late);
    expect([...lateFiles.keys()]).toEqual([...onTimeFiles.keys()]);
    for (const [name, bytes] of onTimeFiles) expect(lateFiles.get(name)!.equals(bytes), name).toBe(true);
    const final = [...lateFiles.entries()].find(([name]) => name.endsWith('_20211230.csv'))![1].toString('utf8');
    expect(final).toContain('D,LAST-MS,');
    expect(final).not.toContain('AT-CUTOFF');
    expect(final).toMatch(/D,PEER-LATE,01-10001,Patel,C-20002,2021-12-22,3,G,N\r\n/);
    expect(final).toMatch(/D,PEER-OK,01-10002,"O'Neill, Jr",C-20002,2021-12-21,3,G,Y\r\n/);
    const trigger = await late.db.selectFrom('batch').select(['trigger', 'cutoff']).where('kind', '=', 'FINAL').executeTakeFirstOrThrow();
    expect(trigger).toEqual({ trigger: 'catch-up', cutoff: new Date('2021-12-30T12:00:00.000Z') });
  });
});

describe('weekly slots across the clock changes', () => {
  const env = useTestEnvironment({ LOG_LEVEL: 'warn' });

  it('the Fridays around the last Sundays of March and October each fire once, at 06:00 London time', async () => {
    await seedCycle(env.db, '2021-dst', '2021-12-30T12:00:00.000Z', '2021-03-15', '2021-12-31');
    await startWorker(env);
    const result = await runCli(['scheduler', '--now', '2021-11-06T00:00:00Z', '--once'], env.env);
    expect(result.code, result.stderr).toBe(0);
    const batches = await env.db.selectFrom('batch').select(['period', 'cutoff']).orderBy('cutoff').execute();
    const cutoffs = batches.map((b) => b.cutoff.toISOString());
    for (const expected of [
      '2021-03-19T06:00:00.000Z', // GMT
      '2021-03-26T06:00:00.000Z', // GMT; clocks go forward on Sunday 28 March
      '2021-04-02T05:00:00.000Z', // BST
      '2021-10-22T05:00:00.000Z', // BST
      '2021-10-29T05:00:00.000Z', // BST; clocks go back on Sunday 31 October
      '2021-11-05T06:00:00.000Z', // GMT
    ]) {
      expect(cutoffs.filter((c) => c === expected)).toHaveLength(1);
    }
    // Every slot, and only slots: Fridays at 06:00:00.000 local, one per ISO week, none missing.
    for (const b of batches) expect(DateTime.fromJSDate(b.cutoff, { zone: 'Europe/London' }).toFormat('ccc HH:mm:ss.SSS')).toBe('Fri 06:00:00.000');
    expect(new Set(batches.map((b) => b.period)).size).toBe(batches.length);
    expect(batches).toHaveLength(34); // 19 March to 5 November inclusive
  });
});
