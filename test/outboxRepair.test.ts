import { appendFileSync, existsSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAME } from '../src/queue/jobNames.ts';
import { UploadScheduler } from '../src/scheduler/uploadScheduler.ts';
import { ensureBatchFile } from '../src/outbox/ensureBatchFile.ts';
import { runCli, startCli, waitFor, type RunningCli } from './support/runCli.ts';
import { seedCompletion, seedCycle, seedEvent, seedRegistrant } from './support/seed.ts';
import { useTestEnvironment } from './support/testEnvironment.ts';
import { testUploadDeps } from './support/uploadDeps.ts';
import { redisUrl } from './support/urls.ts';

const WEEK = ['upload', 'weekly', '--week', '2021-W49', '--now', '2021-12-10T07:00:00Z'];
const FINAL = ['upload', 'final', '--cycle', '2019-2021', '--now', '2021-12-30T13:00:00Z', '--yes'];

describe('a missing or altered upload file (upload-file.md, "Missing or altered files")', () => {
  const env = useTestEnvironment({ LOG_LEVEL: 'warn' });
  const first = new Map<string, Buffer>();
  const read = (name: string) => readFileSync(path.join(env.outboxDir, name));
  const fileOf = async (kind: 'WEEKLY' | 'FINAL') =>
    (await env.db.selectFrom('batch').select(['id', 'file_name']).where('kind', '=', kind).where('seq', 'is not', null).executeTakeFirstOrThrow()) as { id: string; file_name: string };

  beforeAll(async () => {
    await seedCycle(env.db);
    const alice = await seedRegistrant(env.db, '01-10001', 'Patel');
    const event = await seedEvent(env.db, 'C-10001');
    await seedCompletion(env.db, 'EARLY', alice, event, '2021-12-01T09:00:00Z');
    await seedCompletion(env.db, 'LATER', alice, event, '2021-12-20T09:00:00Z');
    for (const args of [WEEK, FINAL]) {
      const result = await runCli(args, env.env);
      expect(result.code, result.stderr).toBe(0);
    }
    for (const name of readdirSync(env.outboxDir)) first.set(name, read(name));
    expect(first.size).toBe(4); // two files, two manifests
  });

  it('asking for the weekly batch again writes a missing file again, byte-identical, and says so', async () => {
    const { file_name } = await fileOf('WEEKLY');
    unlinkSync(path.join(env.outboxDir, file_name));
    unlinkSync(path.join(env.outboxDir, `${file_name}.manifest.json`));
    const again = await runCli(WEEK, env.env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`REPAIRED: ${file_name} was missing`);
    expect(read(file_name).equals(first.get(file_name)!)).toBe(true);
    expect(read(`${file_name}.manifest.json`).equals(first.get(`${file_name}.manifest.json`)!)).toBe(true);
    const quiet = await runCli(WEEK, env.env);
    expect(quiet.stdout).not.toContain('REPAIRED');
  });

  it('asking for the FINAL batch again moves an altered file aside and writes it again', async () => {
    const { file_name } = await fileOf('FINAL');
    appendFileSync(path.join(env.outboxDir, file_name), 'D,tampered\r\n');
    const again = await runCli(FINAL, env.env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`REPAIRED: ${file_name} differed .* moved aside to ${file_name}\\.altered-\\d{8}T\\d{6}\\.\\d{3}Z`));
    expect(read(file_name).equals(first.get(file_name)!)).toBe(true);
    const aside = readdirSync(env.outboxDir).filter((name) => name.startsWith(`${file_name}.altered-`));
    expect(aside).toHaveLength(1);
    expect(read(aside[0]!).toString('utf8')).toContain('D,tampered');
  });

  it('status warns while a file is missing or altered; verify repairs both (exit 1), then finds all good (exit 0)', async () => {
    const weekly = await fileOf('WEEKLY');
    const final = await fileOf('FINAL');
    unlinkSync(path.join(env.outboxDir, weekly.file_name));
    const altered = Buffer.from(first.get(final.file_name)!);
    altered[altered.length - 3] = altered[altered.length - 3]! ^ 1; // same size, other bytes
    writeFileSync(path.join(env.outboxDir, final.file_name), altered);

    const status = await runCli(['status', '--now', '2022-01-05T09:00:00Z'], env.env);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`WARNING: the upload file ${weekly.file_name} .* is missing from the outbox: run \`cet-uploader verify\``));
    expect(status.stdout).toMatch(new RegExp(`WARNING: the upload file ${final.file_name} .* differs from its recorded SHA-256 or size`));

    const verify = await runCli(['verify'], env.env);
    expect(verify.code, verify.stderr).toBe(1);
    expect(verify.stdout).toContain('Checked 2 upload files against their recorded SHA-256 and size: 0 as recorded, 1 missing (written again), 1 altered (moved aside, written again).');
    for (const name of [weekly.file_name, final.file_name]) expect(read(name).equals(first.get(name)!)).toBe(true);

    const clean = await runCli(['verify'], env.env);
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toContain('2 as recorded, 0 missing');
    const calm = await runCli(['status', '--now', '2022-01-05T09:00:00Z'], env.env);
    expect(calm.stdout).not.toMatch(/FILE|upload file .* (missing|differs)/);
  });

  const workers: RunningCli[] = [];
  afterEach(async () => {
    for (const worker of workers.splice(0)) {
      worker.child.kill('SIGKILL');
      await worker.exited;
    }
  });

  it("the scheduler's daily check (its verify tick, processed by a worker) writes a missing file again", async () => {
    const { file_name } = await fileOf('WEEKLY');
    unlinkSync(path.join(env.outboxDir, file_name));
    const worker = startCli(['worker'], { ...env.env, LOG_LEVEL: 'info' });
    workers.push(worker);
    await waitFor(() => worker.output().includes('worker ready'), 'the worker');
    const connection = new Redis(redisUrl(), { maxRetriesPerRequest: null });
    const queue = new Queue(QUEUE_NAME, { connection, prefix: env.queuePrefix });
    try {
      const scheduler = new UploadScheduler({ db: env.db, queue, cron: env.config.WEEKLY_CRON, zone: env.config.BUSINESS_TIME_ZONE, logger: pino({ level: 'silent' }), clock: () => new Date('2022-01-05T05:30:00Z') });
      await scheduler.verifyTick(new Date('2022-01-05T05:30:00.004Z'));
      const job = await waitFor(async () => {
        // finishedOn and returnvalue are written together when the job finishes; reading the state
        // afterwards could see "completed" on a job fetched while still active (returnvalue null).
        const found = await queue.getJob('verify-files-2022-01-05T05_30_00.000Z');
        return found?.finishedOn ? found : null;
      }, 'the daily file check');
      expect(job.failedReason).toBeUndefined();
      expect(await job.getState()).toBe('completed');
      expect(job.returnvalue).toMatchObject({ checked: 2, missing: 1, altered: 0, failed: 0 });
      expect(read(file_name).equals(first.get(file_name)!)).toBe(true);
      await job.remove();
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });

  it('ensureBatchFile, for callers that use a file (delivery): ok, rewritten, moved-aside-and-rewritten', async () => {
    const deps = testUploadDeps(env);
    const { id, file_name } = await fileOf('WEEKLY');
    const filePath = path.join(env.outboxDir, file_name);
    expect(await ensureBatchFile(deps, id)).toMatchObject({ state: 'ok', path: filePath });
    unlinkSync(filePath);
    expect(await ensureBatchFile(deps, id)).toMatchObject({ state: 'rewritten', path: filePath });
    appendFileSync(filePath, 'x');
    const moved = await ensureBatchFile(deps, id);
    expect(moved).toMatchObject({ state: 'moved-aside-and-rewritten', path: filePath });
    expect(existsSync(moved!.movedTo!)).toBe(true);
    expect(read(file_name).equals(first.get(file_name)!)).toBe(true);
  });
});
