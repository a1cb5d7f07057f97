import { readdirSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runCli, type RunningCli } from '../support/runCli.ts';
import { createSshd, destroySshd } from '../support/sshd.ts';
import { useTestEnvironment } from '../support/testEnvironment.ts';
import { digests, emptyDir, importExample, runBatches, sha256, stopWorkers } from './helpers.ts';

const sshd = await createSshd();
const running: RunningCli[] = [];
afterEach(() => stopWorkers(running));
afterAll(() => destroySshd(sshd));

const FIRST_TWO = [
  ['upload', 'weekly', '--week', '2021-W48'],
  ['upload', 'weekly', '--week', '2021-W49'],
];
const F1 = 'CET_P00001_000001_20211203.csv';
const F2 = 'CET_P00001_000002_20211210.csv';

describe('outbox files missing or altered before sending', () => {
  const env = useTestEnvironment({ ...sshd.env, LOG_LEVEL: 'warn' });

  it('writes them again from the snapshot, the same bytes as the first time, then sends those', async () => {
    await sshd.start();
    emptyDir(sshd.uploadDir);
    await importExample(env, env.env);
    await runBatches({ ...env.env, DELIVERY: 'none' }, FIRST_TWO);
    const first = digests(env.outboxDir, '.csv');
    rmSync(path.join(env.outboxDir, F1));
    appendFileSync(path.join(env.outboxDir, F2), 'D,TAMPERED\r\n');

    const result = await runCli(['deliver'], env.env);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/File 1 .*delivered.*missing; written again from the snapshot/);
    expect(result.stdout).toMatch(/File 2 .*delivered.*differed from its record; moved to .* and written again/);
    // The outbox holds the first bytes again, and the server got exactly those.
    expect(digests(env.outboxDir, '.csv')).toEqual(first);
    expect(digests(sshd.uploadDir)).toEqual(first);
    expect(readdirSync(env.outboxDir).some((name) => name.startsWith(`${F2}.altered-`))).toBe(true);
  });
});

describe('a file already on the server', () => {
  const env = useTestEnvironment({ ...sshd.env, LOG_LEVEL: 'warn' });

  it('with the same size is recorded delivered without sending; with a different size is refused and warned', async () => {
    await sshd.start();
    emptyDir(sshd.uploadDir);
    await importExample(env, env.env);
    await runBatches({ ...env.env, DELIVERY: 'none' }, FIRST_TWO);
    const bytes1 = readFileSync(path.join(env.outboxDir, F1));
    // Same size (an earlier attempt got through): content of the same length, so a resend would show.
    const sameSize = Buffer.alloc(bytes1.length, 0x41);
    writeFileSync(path.join(sshd.uploadDir, F1), sameSize);
    // Different size under file 2's name.
    writeFileSync(path.join(sshd.uploadDir, F2), 'not the file\r\n');

    const result = await runCli(['deliver'], env.env);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/File 1 .*already on the server with the same size .*not sent again/);
    expect(result.stderr).toMatch(/file 2 .*a different file is already on the server under CET_P00001_000002_20211210\.csv \(14 bytes there, \d+ here\); nothing was sent/);
    // Neither was (re)sent: the server's bytes are untouched.
    expect(sha256(readFileSync(path.join(sshd.uploadDir, F1)))).toBe(sha256(sameSize));
    expect(readFileSync(path.join(sshd.uploadDir, F2), 'utf8')).toBe('not the file\r\n');
    expect(readdirSync(sshd.uploadDir).sort()).toEqual([F1, F2]);
    const rows = await env.db.selectFrom('delivery').select(['seq', 'state', 'delivered_by']).orderBy('seq').execute();
    expect(rows).toEqual([
      { seq: 1, state: 'DELIVERED', delivered_by: 'found' },
      { seq: 2, state: 'FAILED', delivered_by: null },
    ]);
    const status = await runCli(['status', '--now', '2022-01-05T09:00:00Z'], env.env);
    expect(status.stdout).toMatch(/WARNING: delivery of file 2 .* FAILED .*a different file is already on the server/);
  });
});
