import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, waitFor, type RunningCli } from './support/runCli.ts';
import { seedCompletion, seedCycle, seedEvent, seedRegistrant } from './support/seed.ts';
import { useTestEnvironment } from './support/testEnvironment.ts';
import { redisUrl } from './support/urls.ts';

// The state snapshot `status` counts from (src/db/stateSnapshot.ts) is kept current by the real
// processes: the scheduler asks at start and at STATE_SNAPSHOT_CRON (here every 2 seconds), the
// worker rebuilds it when the tables changed, and logs only the rebuilds.

describe('the state snapshot kept current by the scheduler and the worker', () => {
  const env = useTestEnvironment({ LOG_LEVEL: 'info', STATE_SNAPSHOT_CRON: '*/2 * * * * *' });

  const meta = async () =>
    (await sql<{ version: string | null; current: string; built_at: Date | null }>`
      SELECT m.version, m.built_at, (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM state_version) AS current
        FROM (SELECT 1) AS one LEFT JOIN state_snapshot_meta m ON true`.execute(env.db)).rows[0]!;
  const current = async () => {
    const m = await meta();
    return m.version === m.current ? m : undefined;
  };
  const waitingCount = async () => {
    const status = await runCli(['status', '--format', 'json', '--now', '2022-01-03T12:00:00Z'], env.env);
    expect(status.code, status.stderr).toBe(0);
    return JSON.parse(status.stdout).completions.waiting as number;
  };

  /**
   * SIGTERM to the scheduler, then, once the worker has taken the last refresh it asked for, to
   * the worker; each exits 0. (Stopped together, a refresh the scheduler asked for as the worker
   * stopped stays queued for the next worker, as it should: not a job left behind by a refresh.)
   */
  async function stopBoth(worker: RunningCli, scheduler: RunningCli): Promise<void> {
    scheduler.child.kill('SIGTERM');
    const s = await scheduler.exited;
    expect(s.code, s.stderr).toBe(0);
    const redis = new Redis(redisUrl());
    try {
      await waitFor(async () => (await redis.exists(`${env.queuePrefix}:uploads:refresh-state-snapshot`)) === 0, 'the last refresh taken', 15_000, 100);
    } finally {
      redis.disconnect();
    }
    worker.child.kill('SIGTERM');
    const w = await worker.exited;
    expect(w.code, w.stderr).toBe(0);
  }

  let r: number;
  let e: number;
  beforeAll(async () => {
    await seedCycle(env.db, '2022-2024', '2024-12-30T12:00:00.000Z', '2022-01-01', '2024-12-31');
    r = await seedRegistrant(env.db, '01-70001');
    e = await seedEvent(env.db, 'C-70001');
  });

  it('is rebuilt after each change, and status counts from it what the tables hold', async () => {
    await seedCompletion(env.db, 'S-1', r, e, '2022-01-01T10:00:00Z');
    expect(await current()).toBeUndefined();

    const worker = startCli(['worker'], env.env);
    // Started before the cycle's first weekly slot: nothing to catch up, no batch takes the completions.
    const scheduler = startCli(['scheduler', '--now', '2022-01-03T12:00:00Z'], env.env);
    try {
      await waitFor(() => worker.output().includes('worker ready'), 'the worker');
      const first = await waitFor(current, 'the snapshot built after the scheduler started', 30_000, 200);
      expect(await waitingCount()).toBe(1);

      await seedCompletion(env.db, 'S-2', r, e, '2022-01-02T10:00:00Z');
      expect(await current()).toBeUndefined(); // stale at once: status counts from the tables
      expect(await waitingCount()).toBe(2);
      const second = await waitFor(current, 'the snapshot rebuilt after a change', 30_000, 200);
      expect(second.built_at!.getTime()).toBeGreaterThan(first.built_at!.getTime());
      expect(await waitingCount()).toBe(2);

      // Unchanged tables: the refreshes that follow read the version and rebuild nothing.
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      expect((await meta()).built_at).toEqual(second.built_at);
    } catch (error) {
      throw new Error(`${(error as Error).message}\nworker: ${worker.output()}\nscheduler: ${scheduler.output()}`);
    } finally {
      await stopBoth(worker, scheduler);
    }
    // Only the two rebuilds are logged (at info), not every refresh asked for.
    const lines = worker.output().trim().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
    const refreshes = lines.filter((l) => l.outcomes?.status !== undefined || l.jobName === 'refresh-state-snapshot');
    expect(refreshes.map((l) => l.outcomes?.status)).toEqual(['rebuilt', 'rebuilt']);
    // No job is left behind in Redis by the refreshes (each is removed when done).
    const redis = new Redis(redisUrl());
    try {
      expect(await redis.keys(`${env.queuePrefix}:uploads:refresh-state-snapshot*`)).toEqual([]);
      expect(await redis.zcard(`${env.queuePrefix}:uploads:completed`)).toBe(0);
    } finally {
      redis.disconnect();
    }
  });

  it('survives its PostgreSQL connections being terminated: says so once each way per cut, then rebuilds after the next change', async () => {
    const victim = 'cet-snapshot-victim';
    const terminate = async () =>
      (await sql<{ n: number }>`
        SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = ${victim}`.execute(env.db)).rows[0]!.n;
    const worker = startCli(['worker'], { ...env.env, PGAPPNAME: victim });
    const scheduler = startCli(['scheduler', '--now', '2022-01-03T12:00:00Z'], env.env);
    try {
      await waitFor(() => worker.output().includes('worker ready'), 'the worker');
      await seedCompletion(env.db, 'S-3', r, e, '2022-01-02T11:00:00Z');
      const before = await waitFor(current, 'the snapshot current before the fault', 30_000, 200);
      // The worker's connections cut, again and again for 3 s, across several refreshes.
      let terminated = 0;
      for (const until = Date.now() + 3_000; Date.now() < until; ) {
        terminated += await terminate();
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(terminated).toBeGreaterThan(0);
      await waitFor(() => worker.output().includes('PostgreSQL connection back'), 'the worker to find PostgreSQL again', 30_000);
      await seedCompletion(env.db, 'S-4', r, e, '2022-01-02T12:00:00Z');
      const after = await waitFor(current, 'the snapshot rebuilt after the fault and a change', 30_000, 200);
      expect(after.built_at!.getTime()).toBeGreaterThan(before.built_at!.getTime());
      const pending = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM upload_pending`.execute(env.db)).rows[0]!.n);
      expect(await waitingCount()).toBe(pending);
      expect(worker.child.exitCode).toBeNull();
      expect(worker.output()).not.toContain("Unhandled 'error' event");
      expect(worker.stderr()).not.toMatch(/^\s+at /m);
      // Each cut is one outage, said once each way; a refresh it failed is said at most once each time.
      const count = (pattern: RegExp) => (worker.output().match(new RegExp(pattern.source, 'g')) ?? []).length;
      const lost = count(/PostgreSQL connection lost/);
      expect(lost).toBeGreaterThan(0);
      expect(count(/PostgreSQL connection back/)).toBe(lost);
      expect(count(/state snapshot refresh failed/)).toBeLessThanOrEqual(lost);
      expect(count(/"msg":"job failed"/)).toBe(0);
    } catch (error) {
      throw new Error(`${(error as Error).message}\nworker: ${worker.output()}\nscheduler: ${scheduler.output()}`);
    } finally {
      await stopBoth(worker, scheduler);
    }
  });
});
