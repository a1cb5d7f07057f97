import { createWriteStream, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { sql } from 'kysely';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { COMPLETIONS_HEADER, EVENTS_HEADER, REGISTRANTS_HEADER, writeFile } from './fixtures/imports/helpers.ts';
import { runCli, startCli, waitFor, type CliResult, type RunningCli } from './support/runCli.ts';
import { seedCycle, seedManyCompletions, truncateAll } from './support/seed.ts';
import { useTestEnvironment, type TestEnvironment } from './support/testEnvironment.ts';

// PostgreSQL backends terminated (pg_terminate_backend) under real processes, on this test's own
// database only: the victims are told apart by their application_name (PGAPPNAME), and the
// test's own backend is never among them. Failpoints (src/files/failpoint.ts) hold each step open
// while its backend is terminated; ':1' pauses only the first attempt, so the retry runs through.

const VICTIM = 'cet-fault-victim';
const COMPLETIONS = 3_000;
const WEEK = ['upload', 'weekly', '--week', '2021-W48', '--now', '2021-12-03T07:00:00Z'];

/** Terminates every backend of the victim process on this test's database; returns how many. */
async function terminateAll(env: TestEnvironment): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
     WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = ${VICTIM}`.execute(env.db);
  return rows[0]!.n;
}

/**
 * Terminates the victim's backend once it waits in its transaction with `lastQuery` (a LIKE
 * pattern) as its last statement, i.e. paused at the failpoint that follows that statement. One
 * statement finds and terminates it: polling for the state and then terminating could find the
 * backend busy again between the two (it is briefly idle in transaction between any two statements).
 * `state` 'active': still running that statement (a COPY the client is writing into).
 */
async function terminatePaused(env: TestEnvironment, lastQuery: string, state: 'idle in transaction' | 'active' = 'idle in transaction'): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
     WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = ${VICTIM}
       AND state = ${state} AND query LIKE ${lastQuery}`.execute(env.db);
  return rows[0]!.n;
}

async function seedWeek(env: TestEnvironment): Promise<void> {
  rmSync(env.outboxDir, { recursive: true, force: true });
  await truncateAll(env.db);
  await seedCycle(env.db);
  await seedManyCompletions(env.db, { count: COMPLETIONS, registrants: 200, from: '2021-11-01T00:00:00Z', to: '2021-12-02T00:00:00Z' });
}

async function theOneFile(env: TestEnvironment): Promise<Buffer> {
  const batches = await env.db.selectFrom('batch').selectAll().execute();
  expect(batches).toHaveLength(1);
  expect(batches[0]!.records).toBe(COMPLETIONS);
  const files = readdirSync(env.outboxDir);
  expect(files.filter((f) => f.endsWith('.csv'))).toEqual([batches[0]!.file_name]);
  expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
  return readFileSync(path.join(env.outboxDir, batches[0]!.file_name!));
}

/** Still running, and nothing crashed on its way: no unhandled error, no stack on stderr. */
function stillUp(worker: RunningCli): void {
  expect(worker.child.exitCode, worker.output()).toBeNull();
  expect(worker.output()).not.toContain("Unhandled 'error' event");
  expect(worker.stderr()).not.toMatch(/^\s+at /m);
}

const count = (text: string, pattern: RegExp) => (text.match(new RegExp(pattern.source, 'g')) ?? []).length;

describe('PostgreSQL backends terminated under a running worker', () => {
  const clean = useTestEnvironment({ LOG_LEVEL: 'warn' });
  const env = useTestEnvironment({ LOG_LEVEL: 'info' });
  let cleanBytes: Buffer;
  let worker: RunningCli | undefined;

  beforeAll(async () => {
    // The same batch, run once with nothing going wrong (in the command's own process).
    await seedWeek(clean);
    const result = await runCli(WEEK, clean.env);
    expect(result.code, result.stderr).toBe(0);
    cleanBytes = await theOneFile(clean);
  }, 60_000);
  beforeEach(() => seedWeek(env));
  afterEach(async () => {
    if (worker && worker.child.exitCode === null) {
      // SIGTERM after the faults: it still stops cleanly.
      worker.child.kill('SIGTERM');
      const exited = await worker.exited;
      expect(exited.code, exited.stderr).toBe(0);
    }
    worker = undefined;
  });

  async function startWorker(failpoint?: string): Promise<RunningCli> {
    worker = startCli(['worker'], { ...env.env, PGAPPNAME: VICTIM, ...(failpoint ? { CET_FAILPOINT: failpoint } : {}) });
    await waitFor(() => worker!.output().includes('worker ready'), 'the worker to be ready');
    return worker;
  }

  /** The command exits 0, the running worker (not the command) did the batch, and its file is the clean run's. */
  async function doneByTheWorker(result: CliResult, running: RunningCli): Promise<void> {
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Batch 1, WEEKLY 2021-W48/);
    expect(result.stdout).not.toContain('in this process');
    await waitFor(() => running.output().includes('"job":"weekly-2021-W48","outcomes"'), 'the worker to log the finished job');
    expect((await theOneFile(env)).equals(cleanBytes)).toBe(true);
    stillUp(running);
  }

  /** BullMQ retried the job once, after the failed attempt. */
  function retriedOnce(running: RunningCli): void {
    const out = running.output();
    expect(count(out, /"msg":"job failed"/), out).toBe(1);
    expect(count(out, /"attempt":2,"msg":"job started"/), out).toBe(1);
    expect(count(out, /"msg":"job finished"/), out).toBe(1);
  }

  it('while its pool is idle: the loss is logged once, and a batch asked for by hand is processed by that worker', async () => {
    const running = await startWorker();
    expect(await terminateAll(env)).toBeGreaterThan(0);
    await waitFor(() => running.output().includes('PostgreSQL connection lost'), 'the loss to be logged');
    await waitFor(() => running.output().includes('PostgreSQL connection back'), 'the worker to find PostgreSQL again');
    const result = await runCli(WEEK, env.env);
    await doneByTheWorker(result, running);
    expect(count(running.output(), /PostgreSQL connection lost/)).toBe(1);
  });

  it('during the claim transaction: the claim rolls back, BullMQ retries the job, one batch, the clean bytes', async () => {
    const running = await startWorker('claim-locked:5000:1');
    const command = runCli(WEEK, env.env);
    // Paused by claim-locked, right after the claim's last SET LOCAL.
    expect(await waitFor(() => terminatePaused(env, "SET LOCAL work_mem = '256MB'"), 'the claim transaction to be open', 30_000)).toBe(1);
    // Nothing of the killed claim is left.
    expect(await env.db.selectFrom('batch').selectAll().execute()).toEqual([]);
    await doneByTheWorker(await command, running);
    retriedOnce(running);
  });

  it('during the file write: no file under its name from the killed write, BullMQ retries, the clean bytes', async () => {
    const running = await startWorker('before-detail-lines:5000:1');
    const command = runCli(WEEK, env.env);
    await waitFor(
      () => existsSync(env.outboxDir) && readdirSync(env.outboxDir).some((f) => f.startsWith('.CET_') && f.endsWith('.tmp')),
      'the upload file to be half written',
      30_000,
    );
    expect(await terminateAll(env)).toBeGreaterThan(0);
    await doneByTheWorker(await command, running);
    retriedOnce(running);
  });
});

const ROWS = 30_000;
const REGISTRANTS = 300;
const EVENTS = ROWS / REGISTRANTS;

/** A completions file of ROWS rows; every 1000th names an unknown event (rejected). */
async function generateCompletions(file: string): Promise<void> {
  const out = createWriteStream(file);
  out.write(`${COMPLETIONS_HEADER}\n`);
  const start = Date.parse('2019-01-01T00:00:00Z');
  for (let n = 0; n < ROWS; n++) {
    const at = new Date(start + ((n * 397_000) % (3 * 365 * 86_400_000))).toISOString();
    const goc = `01-${20000 + Math.floor(n / EVENTS)}`;
    const event = n % 1000 === 999 ? 'C-99999' : `C-${80000 + (n % EVENTS)}`;
    if (!out.write(`S-${n},${goc},${event},${at}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  out.end();
  await finished(out);
}

async function seedReferenceData(env: TestEnvironment): Promise<void> {
  const cycle = await runCli(['cycle', 'add', '2019-2021', '--first-day', '2019-01-01', '--last-day', '2021-12-31', '--cutoff', '2021-12-30T12:00'], env.env);
  expect(cycle.code, cycle.stderr).toBe(0);
  const registrants = writeFile(env, 'registrants.csv', [
    REGISTRANTS_HEADER,
    ...Array.from({ length: REGISTRANTS }, (_, i) => `01-${20000 + i},Surname${i},Fore,optometrist,,2010-01-01,`),
  ]);
  const events = writeFile(env, 'events.csv', [
    EVENTS_HEADER,
    ...Array.from({ length: EVENTS }, (_, j) => `C-${80000 + j},Event ${j},1,general,N,optometrist,2019-01-01,2021-12-31`),
  ]);
  for (const [kind, file] of [['registrants', registrants], ['events', events]] as const) {
    const result = await runCli(['import', kind, file, '--now', '2022-01-01T00:00:00Z'], env.env);
    expect(result.code, result.stderr).toBe(0);
  }
}

async function stored(env: TestEnvironment) {
  const { rows } = await sql<{ completions: number; pending: number; rejects: number; runs: number }>`
    SELECT (SELECT count(*)::int FROM completion) AS completions, (SELECT count(*)::int FROM upload_pending) AS pending,
           (SELECT count(*)::int FROM import_reject) AS rejects,
           (SELECT count(*)::int FROM import_run WHERE kind = 'completions') AS runs`.execute(env.db);
  return rows[0]!;
}

/** The summary's counts, without the file's path or the time taken. */
const countsOf = (stdout: string) => stdout.split('\n').filter((line) => /^ {2}(inserted|updated|unchanged|rejected) /.test(line));

describe('a PostgreSQL backend terminated during `import completions`', () => {
  const clean = useTestEnvironment({ LOG_LEVEL: 'warn' });
  const env = useTestEnvironment({ LOG_LEVEL: 'warn' });

  beforeAll(async () => {
    await seedReferenceData(clean);
    await seedReferenceData(env);
  }, 60_000);

  it('stores nothing, says so in one line (exit 1), and its re-run gives the clean import\'s outcome', async () => {
    const cleanFile = path.join(clean.workDir, 'completions.csv');
    await generateCompletions(cleanFile);
    const reference = await runCli(['import', 'completions', cleanFile, '--now', '2022-01-01T00:00:00Z'], clean.env);
    expect(reference.code, reference.stderr).toBe(3);

    const file = path.join(env.workDir, 'completions.csv');
    await generateCompletions(file);
    const importing = runCli(['import', 'completions', file, '--now', '2022-01-01T00:00:00Z'], { ...env.env, PGAPPNAME: VICTIM, CET_FAILPOINT: 'import-staged:4000' });
    // Paused by import-staged: every row copied into the staging table, the checks not begun.
    expect(await waitFor(() => terminatePaused(env, 'COPY import_stage%'), 'the import to be mid-flight (rows staged)', 30_000)).toBe(1);
    const killed = await importing;
    expect(killed.code, killed.stderr).toBe(1);
    const lines = killed.stderr.trim().split('\n');
    expect(lines, killed.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^Nothing imported: the connection to PostgreSQL at postgresql:\/\/\S+ was lost/);
    expect(killed.stderr).not.toMatch(/^\s+at /m);
    expect(killed.stdout).toBe('');
    expect(await stored(env)).toEqual({ completions: 0, pending: 0, rejects: 0, runs: 0 });
    expect(existsSync(`${file}.rejects.csv`)).toBe(false);

    const again = await runCli(['import', 'completions', file, '--now', '2022-01-01T00:00:00Z'], env.env);
    expect(again.code, again.stderr).toBe(3);
    expect(countsOf(again.stdout)).toEqual(countsOf(reference.stdout));
    expect(countsOf(again.stdout)).toContain(`  rejected   ${ROWS / 1000}`);
    expect(await stored(env)).toEqual(await stored(clean));
    expect(readFileSync(`${file}.rejects.csv`).equals(readFileSync(`${cleanFile}.rejects.csv`))).toBe(true);
  }, 120_000);

  it('in two threads, mid-COPY: both parts stop, one line (exit 1), nothing stored, no hang', async () => {
    await sql`TRUNCATE import_reject, import_run, upload_pending, completion CASCADE`.execute(env.db);
    const file = path.join(env.workDir, 'completions-in-two.csv');
    await generateCompletions(file);
    // Parsed in two threads (the file is ~1.5 MB); this thread pauses before its first chunk,
    // while the worker's chunks go into the same COPY.
    const importing = runCli(['import', 'completions', file, '--now', '2022-01-01T00:00:00Z'], {
      ...env.env,
      PGAPPNAME: VICTIM,
      IMPORT_SPLIT_FROM_BYTES: '1',
      CET_FAILPOINT: 'import-copying-in-two:4000:1',
    });
    expect(await waitFor(() => terminatePaused(env, 'COPY import_stage%', 'active'), 'the import to be copying its rows', 30_000)).toBe(1);
    const killed = await importing;
    expect(killed.code, killed.stderr).toBe(1);
    const lines = killed.stderr.trim().split('\n');
    expect(lines, killed.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^Nothing imported: the connection to PostgreSQL at postgresql:\/\/\S+ was lost/);
    expect(killed.stdout).toBe('');
    expect(await stored(env)).toEqual({ completions: 0, pending: 0, rejects: 0, runs: 0 });
    expect(existsSync(`${file}.rejects.csv`)).toBe(false);
  }, 60_000);
});
