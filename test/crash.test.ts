import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli, startCli, waitFor, type CliResult, type RunningCli } from './support/runCli.ts';
import { seedCycle, seedManyCompletions, truncateAll } from './support/seed.ts';
import { useTestEnvironment } from './support/testEnvironment.ts';

// A worker killed with SIGKILL mid-batch, then restarted: no partial file, no completion
// claimed twice or lost. JOB_LOCK_MS is short so the restarted worker reclaims the stalled job
// within seconds.

const COMPLETIONS = 100_000;

describe('a worker killed mid-batch', () => {
  const env = useTestEnvironment({ JOB_LOCK_MS: '2000', LOG_LEVEL: 'warn' });
  const running: RunningCli[] = [];
  afterEach(async () => {
    for (const process of running.splice(0)) {
      process.child.kill('SIGKILL');
      await process.exited;
    }
  });

  beforeEach(async () => {
    rmSync(env.outboxDir, { recursive: true, force: true });
    await truncateAll(env.db);
    await seedCycle(env.db);
    await seedManyCompletions(env.db, { count: COMPLETIONS, registrants: 2000, from: '2021-11-01T00:00:00Z', to: '2021-12-02T00:00:00Z' });
  });

  async function expectWholeAndOnce() {
    const batches = await env.db.selectFrom('batch').selectAll().execute();
    expect(batches).toHaveLength(1);
    const batch = batches[0]!;
    expect(batch.records).toBe(COMPLETIONS);
    const carried = await sql<{ n: string; distinct: string; pending: string }>`
      SELECT count(*) AS n, count(DISTINCT completion_id) AS distinct, (SELECT count(*) FROM upload_pending) AS pending FROM batch_item`.execute(env.db);
    expect(carried.rows[0]).toEqual({ n: String(COMPLETIONS), distinct: String(COMPLETIONS), pending: '0' });
    const files = readdirSync(env.outboxDir);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const bytes = readFileSync(path.join(env.outboxDir, batch.file_name!));
    const lines = bytes.toString('utf8').split('\r\n');
    expect(lines.filter((l) => l.startsWith('D,'))).toHaveLength(COMPLETIONS);
    expect(lines.at(-2)).toBe(`T,${COMPLETIONS},${2 * COMPLETIONS},0`);
    const manifest = JSON.parse(readFileSync(path.join(env.outboxDir, `${batch.file_name}.manifest.json`), 'utf8'));
    expect(manifest.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(manifest.records).toBe(COMPLETIONS);
  }

  async function killWhen(condition: () => Promise<boolean>, what: string, workerEnv: Record<string, string> = {}) {
    const worker = startCli(['worker'], { ...env.env, LOG_LEVEL: 'info', ...workerEnv });
    running.push(worker);
    // Until the worker is ready, the CLI would process the job itself.
    await waitFor(() => worker.output().includes('worker ready'), 'the worker to be ready');
    const operator = runCli(['upload', 'weekly', '--week', '2021-W48', '--now', '2021-12-03T07:00:00Z'], env.env);
    await waitFor(condition, what, 60_000, 5);
    worker.child.kill('SIGKILL');
    await worker.exited;
    // Wrapped: returning the bare promise from an async function would wait for it.
    return { operator };
  }

  it('during the claim transaction: nothing is claimed, and the restarted worker carries everything once', async () => {
    const { operator } = await killWhen(async () => {
      const active = await sql<{ n: string }>`SELECT count(*) AS n FROM pg_stat_activity
        WHERE datname = current_database() AND state = 'active' AND query LIKE '%INSERT INTO batch_item%'`.execute(env.db);
      return active.rows[0]!.n !== '0';
    }, 'the claim to be running');
    // The killed transaction left nothing behind.
    expect(await env.db.selectFrom('batch').selectAll().execute()).toEqual([]);
    running.push(startCli(['worker'], env.env));
    const result = await operator;
    expect(result.code, result.stderr).toBe(0);
    await expectWholeAndOnce();
  });

  it('while the file was being written: no partial file under its name, and the restarted worker finishes the same bytes', async () => {
    const { operator } = await killWhen(
      async () => existsSync(env.outboxDir) && readdirSync(env.outboxDir, { withFileTypes: true }).some((f) => f.name.startsWith('.CET_') && f.name.endsWith('.tmp')),
      'the upload file to be half written',
      // The whole file is written in milliseconds; pause the killed worker before its rename.
      { CET_FAILPOINT: 'before-rename:10000' },
    );
    const [batch] = await env.db.selectFrom('batch').selectAll().execute();
    expect(batch!.written_at).toBeNull(); // the kill came before the write was recorded
    const leftTemp = readdirSync(env.outboxDir).filter((f) => f.endsWith('.tmp'));
    expect(leftTemp).toHaveLength(1); // the killed writer's temporary file…
    expect(readdirSync(env.outboxDir).filter((f) => f.endsWith('.csv'))).toEqual([]); // …and nothing under a final name
    running.push(startCli(['worker'], env.env));
    const result = await operator;
    expect(result.code, result.stderr).toBe(0);
    await expectWholeAndOnce(); // also: the temporary file is gone
  });
});

// The same batch asked for again the moment its worker is killed, with and without another
// worker: every command (the one that was waiting, and the new one) exits 0 within
// 2 x JOB_LOCK_MS plus the batch's own time (measured here as an undisturbed run of the same
// command), and there is one batch and one file.
describe('a worker killed mid-job, the same batch asked for again at once', () => {
  const LOCK_MS = 4_000;
  const SMALL = 3_000;
  const env = useTestEnvironment({ JOB_LOCK_MS: String(LOCK_MS), LOG_LEVEL: 'warn' });
  const WEEK = ['upload', 'weekly', '--week', '2021-W48', '--now', '2021-12-03T07:00:00Z'];
  const running: RunningCli[] = [];
  let ownMs = 0;
  afterEach(async () => {
    for (const process of running.splice(0)) {
      process.child.kill('SIGKILL');
      await process.exited;
    }
  });

  async function seedSmall(): Promise<void> {
    rmSync(env.outboxDir, { recursive: true, force: true });
    await truncateAll(env.db);
    await seedCycle(env.db);
    await seedManyCompletions(env.db, { count: SMALL, registrants: 200, from: '2021-11-01T00:00:00Z', to: '2021-12-02T00:00:00Z' });
  }

  beforeAll(async () => {
    // The batch's own time: the same command, undisturbed (no worker: it runs in the command).
    await seedSmall();
    const started = Date.now();
    const clean = await runCli(WEEK, env.env);
    ownMs = Date.now() - started;
    expect(clean.code, clean.stderr).toBe(0);
  }, 60_000);
  beforeEach(seedSmall);

  const timed = (command: Promise<CliResult>) => command.then((result) => ({ result, at: Date.now() }));

  /** A worker that takes the job and stalls before putting its file in place; then SIGKILL. */
  async function startDoomed(): Promise<RunningCli> {
    const doomed = startCli(['worker'], { ...env.env, LOG_LEVEL: 'info', CET_FAILPOINT: 'before-rename:120000' });
    running.push(doomed);
    await waitFor(() => doomed.output().includes('worker ready'), 'the doomed worker to be ready');
    return doomed;
  }

  async function expectOneBatchOneFile(): Promise<void> {
    const batches = await env.db.selectFrom('batch').selectAll().execute();
    expect(batches).toHaveLength(1);
    expect(batches[0]!.records).toBe(SMALL);
    const files = readdirSync(env.outboxDir);
    expect(files.filter((f) => f.endsWith('.csv'))).toEqual([batches[0]!.file_name]);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const lines = readFileSync(path.join(env.outboxDir, batches[0]!.file_name!), 'utf8').split('\r\n');
    expect(lines.filter((l) => l.startsWith('D,'))).toHaveLength(SMALL);
  }

  async function killAndAskAgain(doomed: RunningCli, first: Promise<{ result: CliResult; at: number }>): Promise<void> {
    await waitFor(
      () => existsSync(env.outboxDir) && readdirSync(env.outboxDir).some((f) => f.startsWith('.CET_') && f.endsWith('.tmp')),
      'the doomed worker to be writing the file',
      30_000,
    );
    doomed.child.kill('SIGKILL');
    const killedAt = Date.now();
    const again = timed(runCli(WEEK, env.env));
    const bound = 2 * LOCK_MS + ownMs;
    for (const { result, at } of await Promise.all([first, again])) {
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/Batch 1, WEEKLY 2021-W48/);
      console.log(`exited ${at - killedAt} ms after the kill (bound ${bound} ms = 2 x ${LOCK_MS} + ${ownMs})`);
      expect(at - killedAt).toBeLessThanOrEqual(bound);
    }
    await expectOneBatchOneFile();
  }

  it('with no other worker: the commands take the job over once its lock lapses', async () => {
    const doomed = await startDoomed();
    const first = timed(runCli(WEEK, env.env));
    await killAndAskAgain(doomed, first);
  });

  it('with another worker running: every command exits 0, and that worker is still up', async () => {
    const doomed = await startDoomed();
    const first = timed(runCli(WEEK, env.env));
    await waitFor(() => doomed.output().includes('job started'), 'the doomed worker to take the job');
    const survivor = startCli(['worker'], { ...env.env, LOG_LEVEL: 'info' });
    running.push(survivor);
    await waitFor(() => survivor.output().includes('worker ready'), 'the other worker to be ready');
    await killAndAskAgain(doomed, first);
    expect(survivor.child.exitCode).toBeNull();
  });
});
