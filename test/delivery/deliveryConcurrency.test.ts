import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runCli, startCli, waitFor, type RunningCli } from '../support/runCli.ts';
import { seedCycle, seedManyCompletions } from '../support/seed.ts';
import { createSshd, destroySshd } from '../support/sshd.ts';
import { useTestEnvironment } from '../support/testEnvironment.ts';
import { digests, emptyDir, importExample, runBatches, startWorker, stopWorkers } from './helpers.ts';

const sshd = await createSshd();
const running: RunningCli[] = [];
afterEach(() => stopWorkers(running));
afterAll(() => destroySshd(sshd));

describe('two workers delivering at once', () => {
  const env = useTestEnvironment({ ...sshd.env, DELIVERY_RETRY_MS: '200', LOG_LEVEL: 'warn' });

  it('each file arrives once', async () => {
    await sshd.start();
    emptyDir(sshd.uploadDir);
    await importExample(env, env.env);
    await startWorker(env.env, running, ['--concurrency', '2']);
    await startWorker(env.env, running, ['--concurrency', '2']);
    await runBatches(env.env);
    // And an operator's run by hand at the same time.
    const byHand = runCli(['deliver'], env.env);
    await waitFor(async () => {
      const rows = await env.db.selectFrom('delivery').select('state').execute();
      return rows.length === 4 && rows.every((row) => row.state === 'DELIVERED');
    }, 'four files delivered');
    expect((await byHand).code).toBe(0);
    const files = digests(env.outboxDir, '.csv');
    expect(digests(sshd.uploadDir)).toEqual(files);
    // Each file was attempted, so sent, exactly once (every send is recorded before it starts).
    const rows = await env.db.selectFrom('delivery').select(['seq', 'attempts', 'delivered_by']).orderBy('seq').execute();
    expect(rows).toEqual([1, 2, 3, 4].map((seq) => ({ seq, attempts: 1, delivered_by: 'sftp' })));
  });
});

describe('a transfer killed midway', () => {
  const env = useTestEnvironment({ ...sshd.env, LOG_LEVEL: 'warn' });

  it('leaves nothing under the final name until a later attempt completes, which replaces the .part', { timeout: 180_000 }, async () => {
    await sshd.start();
    emptyDir(sshd.uploadDir);
    await seedCycle(env.db);
    await seedManyCompletions(env.db, { count: 400_000, registrants: 2_000, from: '2021-11-01T00:00:00Z', to: '2021-12-03T05:00:00Z' });
    const batch = await runCli(['upload', 'weekly', '--week', '2021-W48'], { ...env.env, DELIVERY: 'none' });
    expect(batch.code, batch.stderr).toBe(0);
    const [name] = [...digests(env.outboxDir, '.csv').keys()];
    const size = statSync(path.join(env.outboxDir, name!)).size;
    const part = path.join(sshd.uploadDir, `${name}.part`);

    const sender = startCli(['deliver'], env.env);
    running.push(sender);
    // Kill the sender as soon as the .part has some bytes (polling the server's directory).
    await waitFor(() => {
      try {
        return statSync(part).size > 0;
      } catch {
        return false;
      }
    }, 'the .part to grow', 60_000, 1);
    sender.child.kill('SIGKILL');
    await sender.exited;
    const partial = statSync(part).size;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(size);
    expect(readdirSync(sshd.uploadDir)).toEqual([`${name}.part`]);
    const killed = await env.db.selectFrom('delivery').select(['state', 'attempts']).executeTakeFirstOrThrow();
    expect(killed).toEqual({ state: 'SENDING', attempts: 1 });

    const again = await runCli(['deliver'], env.env);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(readdirSync(sshd.uploadDir)).toEqual([name]);
    expect(digests(sshd.uploadDir)).toEqual(digests(env.outboxDir, '.csv'));
    const row = await env.db.selectFrom('delivery').select(['state', 'attempts', 'delivered_by']).executeTakeFirstOrThrow();
    expect(row).toEqual({ state: 'DELIVERED', attempts: 2, delivered_by: 'sftp' });
  });
});
