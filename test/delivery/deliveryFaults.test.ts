import { readdirSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runCli, waitFor, type RunningCli } from '../support/runCli.ts';
import { createSshd, destroySshd } from '../support/sshd.ts';
import { useTestEnvironment } from '../support/testEnvironment.ts';
import { digests, emptyDir, importExample, runBatches, startWorker, stopWorkers } from './helpers.ts';

const sshd = await createSshd();
const running: RunningCli[] = [];
afterEach(() => stopWorkers(running));
afterAll(() => destroySshd(sshd));

const W48 = [['upload', 'weekly', '--week', '2021-W48']];

describe('the server down for the first attempts, then up', () => {
  const env = useTestEnvironment({ ...sshd.env, DELIVERY_RETRY_MS: '300', LOG_LEVEL: 'warn' });

  it('delivers the file once when the server comes back, with the failed attempts counted', async () => {
    await importExample(env, env.env);
    await startWorker(env.env, running);
    await runBatches(env.env, W48);
    const failing = await waitFor(async () => {
      const row = await env.db.selectFrom('delivery').selectAll().where('seq', '=', 1).executeTakeFirst();
      return row && row.attempts >= 2 ? row : null;
    }, 'two failed attempts');
    expect(failing.state).not.toBe('DELIVERED');
    expect(failing.last_error).toMatch(/cannot connect to sftp:\/\/cetsftp@127\.0\.0\.1:\d+\/.*ECONNREFUSED/);
    expect(readdirSync(sshd.uploadDir)).toEqual([]);

    await sshd.start();
    const delivered = await waitFor(async () => {
      const row = await env.db.selectFrom('delivery').selectAll().where('seq', '=', 1).executeTakeFirst();
      return row?.state === 'DELIVERED' ? row : null;
    }, 'the file delivered');
    expect(delivered.attempts).toBeGreaterThanOrEqual(3);
    expect(delivered.delivered_by).toBe('sftp');
    // Once, under its final name, the same bytes; nothing else.
    expect(digests(sshd.uploadDir)).toEqual(digests(env.outboxDir, '.csv'));
    expect(await env.db.selectFrom('delivery').select('seq').execute()).toEqual([{ seq: 1 }]);
  });
});

describe('a server presenting another host key', () => {
  const env = useTestEnvironment({ ...sshd.env, SFTP_HOST_KEY: sshd.otherFingerprint, LOG_LEVEL: 'warn' });

  it('sends nothing: FAILED at once naming both fingerprints, exit 1 from deliver, status warns', async () => {
    await sshd.start();
    emptyDir(sshd.uploadDir);
    await importExample(env, env.env);
    // Files written with delivery off, so that only the run by hand attempts them.
    await runBatches({ ...env.env, DELIVERY: 'none' }, W48);
    const result = await runCli(['deliver'], env.env);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stderr).toContain(`presented host key ${sshd.hostKeyFingerprint}, not the expected ${sshd.otherFingerprint}`);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack
    const row = await env.db.selectFrom('delivery').selectAll().where('seq', '=', 1).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: 'FAILED', attempts: 1 });
    expect(row.last_error).toContain(sshd.otherFingerprint);
    expect(readdirSync(sshd.uploadDir)).toEqual([]);

    const status = await runCli(['status', '--now', '2022-01-05T09:00:00Z'], env.env);
    expect(status.stdout).toMatch(/WARNING: delivery of file 1 \(CET_P00001_000001_20211203\.csv\) FAILED after 1 attempts: .*presented host key/);
    expect(status.stdout).toMatch(/Delivery \(sftp\): 0 delivered, 0 pending, 0 sending, 1 failed/);
  });
});
