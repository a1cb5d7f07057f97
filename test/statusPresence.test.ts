import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './support/privateRedis.ts';
import { runCli, startCli, waitFor, type CliResult } from './support/runCli.ts';
import { seedCompletion, seedCycle, seedEvent, seedRegistrant } from './support/seed.ts';
import { useTestEnvironment } from './support/testEnvironment.ts';

// `status` says, as the console's Overview and /metrics do, when no worker or no scheduler runs
// (their heartbeats in Redis, src/status/presence.ts), and when that cannot be known because
// Redis does not answer: then within about 2 s, with everything read from PostgreSQL all the same.

const NO_WORKER = 'No worker is running (none has sent a heartbeat in the last few seconds): batches asked for wait until one starts. Start `cet-uploader worker`.';
const NO_SCHEDULER = 'No scheduler has sent a heartbeat: weekly and FINAL batches are not enqueued on time. Start `cet-uploader scheduler`.';

const checkLines = (result: CliResult) => result.stdout.trim().split('\n').filter(Boolean);

describe('status and the worker and the scheduler', () => {
  // An empty database: no cycle, so no warning but theirs.
  const env = useTestEnvironment({ LOG_LEVEL: 'info' });

  it('warns NO_WORKER and NO_SCHEDULER while neither runs, each no longer once it runs, and again once they stop', async () => {
    const none = await runCli(['status', '--check'], env.env);
    expect(none.code, none.stderr).toBe(1);
    expect(checkLines(none)).toEqual([`WARNING NO_WORKER: ${NO_WORKER}`, `WARNING NO_SCHEDULER: ${NO_SCHEDULER}`]);
    const text = await runCli(['status'], env.env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`\nWARNING: ${NO_WORKER}\nWARNING: ${NO_SCHEDULER}\n`);
    const json = await runCli(['status', '--format', 'json'], env.env);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, warnings: [{ code: 'NO_WORKER', message: NO_WORKER }, { code: 'NO_SCHEDULER', message: NO_SCHEDULER }] });

    const worker = startCli(['worker'], env.env);
    let scheduler: ReturnType<typeof startCli> | undefined;
    try {
      await waitFor(() => worker.output().includes('worker ready'), 'the worker');
      const workerOnly = await runCli(['status', '--check'], env.env);
      expect(workerOnly.code, workerOnly.stderr).toBe(1);
      expect(checkLines(workerOnly)).toEqual([`WARNING NO_SCHEDULER: ${NO_SCHEDULER}`]);

      scheduler = startCli(['scheduler'], env.env);
      await waitFor(() => scheduler!.output().includes('scheduler started'), 'the scheduler', 40_000);
      const both = await runCli(['status', '--check'], env.env);
      expect(both).toMatchObject({ code: 0, stdout: '', stderr: '' });
      // Heartbeats are judged by the wall clock, whatever --now says.
      const past = await runCli(['status', '--now', '2021-06-30T11:00:00Z'], env.env);
      expect(past.code, past.stderr).toBe(0);
      expect(past.stdout).not.toMatch(/WARNING/);
      const bothJson = await runCli(['status', '--format', 'json'], env.env);
      expect(JSON.parse(bothJson.stdout)).toMatchObject({ ok: true, warnings: [] });
    } finally {
      worker.child.kill('SIGTERM');
      scheduler?.child.kill('SIGTERM');
      for (const exited of await Promise.all([worker.exited, scheduler?.exited])) expect(exited?.code, exited?.stderr).toBe(0);
    }

    const stopped = await runCli(['status', '--check'], env.env);
    expect(stopped.code, stopped.stderr).toBe(1);
    expect(checkLines(stopped)).toEqual([
      `WARNING NO_WORKER: ${NO_WORKER}`,
      expect.stringMatching(/^WARNING NO_SCHEDULER: The scheduler stopped at \w{3} \d+ \w{3} \d{4} [\d:.]+ (GMT|BST): weekly and FINAL batches are not enqueued on time\. Start `cet-uploader scheduler`\.$/),
    ]);
  });
});

describe('status while Redis does not answer', () => {
  const env = useTestEnvironment();
  const NOW = '2021-12-22T10:00:00Z';
  // Sockets a "Redis" that accepts connections and never answers holds.
  const held = new Set<Socket>();
  let silent: Server;
  let silentPort: number;

  beforeAll(async () => {
    await seedCycle(env.db);
    const r = await seedRegistrant(env.db, '01-50001');
    const e = await seedEvent(env.db, 'C-92001', { interactive: true });
    await seedCompletion(env.db, 'SP-1', r, e, '2021-12-20T10:00:00Z');
    silent = createServer((socket) => {
      held.add(socket);
      socket.on('close', () => held.delete(socket));
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentPort = (silent.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => silent?.close(resolve));
  });

  /** Everything status reads from PostgreSQL, as it prints it. */
  function expectPostgresParts(stdout: string): void {
    expect(stdout).toMatch(/^Status as of Wed 22 Dec 2021 10:00:00\.000 GMT/);
    expect(stdout).toMatch(/\n {2}2019-2021 {2}2019-01-01 to 2021-12-31 {2}cutoff Thu 30 Dec 2021 12:00:00\.000 GMT {2}open\n/);
    expect(stdout).toMatch(/held for peer confirmation: 1/);
    expect(stdout).toMatch(/Delivery \(none\): 0 delivered/);
    expect(stdout).toMatch(/FINAL batch of 2019-2021: Thu 30 Dec 2021 12:00:00\.000 GMT/);
  }

  async function timed(args: string[], redisUrl: string): Promise<CliResult & { ms: number }> {
    const started = Date.now();
    const result = await runCli(args, { ...env.env, REDIS_URL: redisUrl });
    return { ...result, ms: Date.now() - started };
  }

  it('on a closed port: READINESS_UNKNOWN at once (no longer than with Redis up, plus 2 s), and the PostgreSQL parts', async () => {
    const port = await freePort();
    const closed = `redis://127.0.0.1:${port}`;
    const unknown = `WARNING: Whether a worker and the scheduler are running is unknown: their heartbeats in Redis could not be read (connect ECONNREFUSED 127.0.0.1:${port}).`;
    // The quicker of two runs each way, alternated, so that the load of other tests counts less.
    const up: number[] = [];
    const down: number[] = [];
    for (let round = 0; round < 2; round++) {
      const withRedis = await timed(['status', '--now', NOW], env.env.REDIS_URL!);
      expect(withRedis.code, withRedis.stderr).toBe(0);
      up.push(withRedis.ms);
      const result = await timed(['status', '--now', NOW], closed);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toBe('');
      expect(result.stdout.split('\n').filter((line) => line.startsWith('WARNING'))).toEqual([unknown]);
      expectPostgresParts(result.stdout);
      down.push(result.ms);
    }
    expect(Math.min(...down), `with Redis ${up.join(', ')} ms, without ${down.join(', ')} ms`).toBeLessThan(Math.min(...up) + 2_500);

    const check = await timed(['status', '--check', '--now', NOW], closed);
    expect(check.code, check.stderr).toBe(1);
    expect(checkLines(check)).toEqual([unknown.replace('WARNING:', 'WARNING READINESS_UNKNOWN:')]);

    const json = await timed(['status', '--format', 'json', '--now', NOW], closed);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: false,
      warnings: [{ code: 'READINESS_UNKNOWN' }],
      cycles: [{ code: '2019-2021', sealed: false }],
      completions: { held: 1 },
    });
  });

  it('accepting connections but never answering: READINESS_UNKNOWN after 2 s, and the PostgreSQL parts', async () => {
    const result = await timed(['status', '--now', NOW], `redis://127.0.0.1:${silentPort}`);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout.split('\n').filter((line) => line.startsWith('WARNING'))).toEqual([
      'WARNING: Whether a worker and the scheduler are running is unknown: their heartbeats in Redis could not be read (Redis did not answer within 2 s).',
    ]);
    expectPostgresParts(result.stdout);
    expect(result.ms).toBeGreaterThanOrEqual(2_000);
    expect(result.ms).toBeLessThan(15_000);
  });
});
