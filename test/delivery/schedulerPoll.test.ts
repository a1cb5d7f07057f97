import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runCli, waitFor, type RunningCli } from '../support/runCli.ts';
import { detailLines } from '../support/outbox.ts';
import { createSshd, destroySshd } from '../support/sshd.ts';
import { useTestEnvironment } from '../support/testEnvironment.ts';
import { digests, importExample, runBatches, startWorker, stopWorkers } from './helpers.ts';

const sshd = await createSshd();
const running: RunningCli[] = [];
afterEach(() => stopWorkers(running));
afterAll(() => destroySshd(sshd));

const F1 = 'CET_P00001_000001_20211203.csv';

describe('the scheduler with DELIVERY=sftp', () => {
  const env = useTestEnvironment({ ...sshd.env, SFTP_ACK_DIR: sshd.ackDir, DELIVERY_RETRY_MS: '200', LOG_LEVEL: 'warn' });

  it('queues files nobody queued (and those its catch-up writes) and fetches acknowledgements through the worker', async () => {
    await sshd.start();
    await importExample(env, env.env);
    // Written with delivery off: no job was queued for them.
    await runBatches({ ...env.env, DELIVERY: 'none' }, [
      ['upload', 'weekly', '--week', '2021-W48'],
      ['upload', 'weekly', '--week', '2021-W49'],
    ]);
    const refs = detailLines(env.outboxDir, F1).map((line) => line.split(',')[1]);
    writeFileSync(path.join(sshd.ackDir, 'ACK_000001.csv'), `file,provider_ref,status,code,message\r\n${refs.map((ref) => `${F1},${ref},ACCEPTED,,\r\n`).join('')}`);
    await startWorker(env.env, running);
    const scheduler = await runCli(['scheduler', '--once', '--now', '2022-01-05T09:00:00Z'], env.env);
    expect(scheduler.code, scheduler.stderr).toBe(0);
    await waitFor(async () => {
      const rows = await env.db.selectFrom('delivery').select('state').execute();
      const acks = await env.db.selectFrom('ack_file').select('file_name').execute();
      return rows.length === 4 && rows.every((row) => row.state === 'DELIVERED') && acks.length === 1;
    }, 'the four files delivered and one acknowledgement read');
    expect(digests(sshd.uploadDir)).toEqual(digests(env.outboxDir, '.csv'));
  });
});
