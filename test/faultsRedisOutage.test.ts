import { existsSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { countLiveWorkers } from '../src/queue/workerPresence.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, waitFor, type RunningCli } from './support/runCli.ts';
import { startPrivateRedis, type PrivateRedis } from './support/privateRedis.ts';
import { seedCompletion, seedCycle, seedEvent, seedRegistrant } from './support/seed.ts';
import { useTestEnvironment, type TestEnvironment } from './support/testEnvironment.ts';

async function liveWorkers(redis: PrivateRedis, prefix: string): Promise<number> {
  const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  client.on('error', () => {});
  try {
    return await countLiveWorkers(client, prefix);
  } finally {
    client.disconnect();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const count = (text: string, needle: string) => text.split(needle).length - 1;

async function seed(env: TestEnvironment): Promise<void> {
  await seedCycle(env.db);
  const alice = await seedRegistrant(env.db, '01-10001', 'Patel');
  const event = await seedEvent(env.db, 'C-10001');
  await seedCompletion(env.db, 'W49', alice, event, '2021-12-06T09:00:00Z');
  await seedCompletion(env.db, 'W50', alice, event, '2021-12-13T09:00:00Z');
}

/**
 * Cycles open now, starting a moment ago (so the scheduler's catch-up of a 2-second cron stays
 * short), with their cutoffs far away; each FINAL batch is asked for by hand with --now.
 */
async function seedOpenCycles(env: TestEnvironment, codes: string[]): Promise<void> {
  const alice = await seedRegistrant(env.db, '01-10001', 'Patel');
  const event = await seedEvent(env.db, 'C-10001');
  for (const code of codes) await seedCycle(env.db, code, '2099-12-30T12:00:00.000Z', '2020-01-01', '2099-12-31');
  await sql`UPDATE cycle SET starts_at = now() - interval '3 seconds'`.execute(env.db);
  await seedCompletion(env.db, 'NOW', alice, event, new Date());
}

describe('Redis killed under a running worker and scheduler', () => {
  // A weekly slot every 2 s, so that slots fall due after each outage.
  const env = useTestEnvironment({ LOG_LEVEL: 'info', WEEKLY_CRON: '*/2 * * * * *' });
  let redis: PrivateRedis;
  let worker: RunningCli;
  let scheduler: RunningCli;
  const on = () => ({ ...env.env, REDIS_URL: redis.url });

  beforeAll(async () => {
    redis = await startPrivateRedis();
    await seedOpenCycles(env, ['hand-a', 'hand-b']);
    worker = startCli(['worker'], on());
    await waitFor(() => worker.output().includes('worker ready'), 'the worker');
    scheduler = startCli(['scheduler'], on());
    await waitFor(() => scheduler.output().includes('scheduler started'), 'the scheduler', 40_000).catch((error) => {
      throw new Error(`${error.message}: ${scheduler.output()}`);
    });
  }, 90_000);
  afterAll(async () => {
    for (const p of [worker, scheduler]) if (p && p.child.exitCode === null) p.child.kill('SIGKILL');
    await redis?.remove();
  });

  it.each([
    [3_000, 'hand-a'],
    [20_000, 'hand-b'],
  ])('after %i ms without Redis, that worker processes a batch asked by hand and the scheduler\'s next slot', async (outageMs, cycle) => {
    // Counted, not sliced: output() is stdout then stderr, so an offset into it moves.
    const before = { worker: worker.output(), scheduler: scheduler.output() };
    const since = (name: 'worker' | 'scheduler', needle: string | RegExp) => {
      const now = (name === 'worker' ? worker : scheduler).output();
      const n = (text: string) => (typeof needle === 'string' ? count(text, needle) : (text.match(new RegExp(needle.source, 'g')) ?? []).length);
      return n(now) - n(before[name]);
    };
    // For a failed count's message: what the process logged last (not sliced at an offset, as above).
    const tail = (name: 'worker' | 'scheduler') => (name === 'worker' ? worker : scheduler).output().slice(-3_000);
    await redis.kill();
    await sleep(outageMs);
    await redis.start();
    // Back: the worker says so once, and its heartbeat is seen again.
    await waitFor(() => since('worker', 'Redis connection back') > 0, 'the worker to reconnect', 30_000);
    await waitFor(() => liveWorkers(redis, env.queuePrefix), 'the worker\'s heartbeat', 10_000);

    const result = await runCli(['upload', 'final', '--cycle', cycle, '--now', '2099-12-31T00:00:00Z', '--yes'], on());
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain('in this process'); // the running worker took it
    expect(result.stdout).toContain(`FINAL batch of cycle ${cycle}`);
    expect(since('worker', new RegExp(`"job":"final-${cycle}","outcomes"`))).toBe(1);

    // A slot due after the outage: enqueued by the scheduler, processed by the worker.
    await waitFor(() => since('scheduler', 'weekly batch enqueued') > 0, 'a slot enqueued after the outage', 30_000);
    await waitFor(() => since('worker', /"job":"weekly-20\d\d-W\d\d","outcomes"/) > 0, 'a scheduled job processed after the outage', 30_000);

    // Seen: one line when lost and one when back, in each process (not one per retry). The
    // scheduler's is written once the last of its connections is back, which an idle one may
    // reach a back-off step (up to 2 s) after the busy ones.
    await waitFor(() => since('scheduler', 'Redis connection back') > 0, 'the scheduler to say Redis is back', 30_000);
    for (const name of ['worker', 'scheduler'] as const) {
      expect(since(name, 'Redis connection lost'), `${name}: ${tail(name)}`).toBe(1);
      expect(since(name, 'Redis connection back'), `${name}: ${tail(name)}`).toBe(1);
    }
    expect(since('worker', 'worker error'), `no error line per retry: ${tail('worker')}`).toBe(0);
    expect(worker.child.exitCode).toBeNull();
    expect(scheduler.child.exitCode).toBeNull();
  });

  it('SIGTERM: the worker and the scheduler exit 0', async () => {
    worker.child.kill('SIGTERM');
    scheduler.child.kill('SIGTERM');
    const [w, s] = await Promise.all([worker.exited, scheduler.exited]);
    expect(w.code, w.stderr).toBe(0);
    expect(s.code, s.stderr).toBe(0);
  });
});

describe('a command in flight while Redis is down', () => {
  const env = useTestEnvironment({ LOG_LEVEL: 'info' });
  let redis: PrivateRedis;
  let worker: RunningCli;
  const on = () => ({ ...env.env, REDIS_URL: redis.url });
  beforeAll(async () => {
    redis = await startPrivateRedis();
    await seed(env);
    // The worker pauses 6 s before putting the file in place: the outage falls inside the job.
    worker = startCli(['worker'], { ...on(), CET_FAILPOINT: 'before-rename:6000' });
    await waitFor(() => worker.output().includes('worker ready'), 'the worker');
  });
  afterAll(async () => {
    if (worker && worker.child.exitCode === null) worker.child.kill('SIGKILL');
    await redis?.remove();
  });

  it('exits 0 once its batch is done', async () => {
    const command = runCli(['upload', 'weekly', '--week', '2021-W49', '--now', '2021-12-10T07:00:00Z'], on());
    await waitFor(() => worker.output().includes('job started'), 'the job to start');
    await redis.kill();
    await sleep(3_000);
    await redis.start();
    const result = await command;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Batch 1, WEEKLY 2021-W49/);
    const batch = await env.db.selectFrom('batch').select('file_name').where('period', '=', '2021-W49').executeTakeFirstOrThrow();
    expect(existsSync(path.join(env.outboxDir, batch.file_name!))).toBe(true);
  });
});
