import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, startCli, type RunningCli } from './support/runCli.ts';
import { seedCycle, seedManyCompletions } from './support/seed.ts';
import { useTestEnvironment } from './support/testEnvironment.ts';

describe('many processes asking for the same week at once', () => {
  const env = useTestEnvironment({ JOB_LOCK_MS: '5000', LOG_LEVEL: 'warn' });
  const running: RunningCli[] = [];
  afterAll(async () => {
    for (const process of running.splice(0)) {
      process.child.kill('SIGKILL');
      await process.exited;
    }
  });

  it('two workers, two schedulers and two operators produce one batch per week, one file per non-empty batch, each completion once', async () => {
    // A cycle that began a month before: the schedulers catch up W44..W48 and race each other
    // and the operators for every one of them.
    await seedCycle(env.db, '2021-22', '2022-06-30T11:00:00.000Z', '2021-11-01', '2022-06-30');
    await seedManyCompletions(env.db, { count: 3000, registrants: 300, from: '2021-11-01T00:00:00Z', to: '2021-12-03T05:59:59Z' });
    for (let i = 0; i < 2; i++) running.push(startCli(['worker', '--concurrency', '2'], env.env));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const now = '2021-12-03T06:00:00.001Z';
    const results = await Promise.all([
      runCli(['scheduler', '--now', now, '--once'], env.env),
      runCli(['scheduler', '--now', now, '--once'], env.env),
      runCli(['upload', 'weekly', '--week', '2021-W48', '--now', now], env.env),
      runCli(['upload', 'weekly', '--week', '2021-W48', '--now', now], env.env),
    ]);
    for (const result of results) expect(result.code, result.stderr + result.stdout).toBe(0);

    const batches = await env.db.selectFrom('batch').select(['period', 'seq', 'records', 'file_name']).orderBy('period').execute();
    // A scheduler catches up from the cycle's latest weekly batch: one that plans after an
    // operator's W48 has committed has nothing left to catch up. So the weeks are all of
    // W44-W48 if any scheduler planned first, and W48 alone otherwise; never a gap.
    const periods = batches.map((b) => b.period);
    expect([['2021-W48'], ['2021-W44', '2021-W45', '2021-W46', '2021-W47', '2021-W48']]).toContainEqual(periods);
    // Every completion carried exactly once, in total.
    const carried = await sql<{ n: string; distinct: string }>`SELECT count(*) AS n, count(DISTINCT completion_id) AS distinct FROM batch_item`.execute(env.db);
    expect(carried.rows[0]).toEqual({ n: '3000', distinct: '3000' });
    expect(batches.reduce((sum, b) => sum + b.records, 0)).toBe(3000);
    // Which week carries what depends on who wins each race (an operator's W48 may run before
    // the catch-up reaches W45, and then carries those completions). What may not vary: one
    // file per non-empty batch, numbered 1..n without gaps, and nothing partial.
    const withFiles = batches.filter((b) => b.records > 0);
    expect(batches.filter((b) => b.records === 0).every((b) => b.seq === null && b.file_name === null)).toBe(true);
    const files = readdirSync(env.outboxDir).sort();
    const uploads = files.filter((f) => f.endsWith('.csv'));
    expect(uploads).toEqual(withFiles.map((b) => b.file_name).sort());
    expect(files.filter((f) => f.endsWith('.manifest.json'))).toHaveLength(withFiles.length);
    expect(withFiles.map((b) => b.seq).sort()).toEqual(withFiles.map((_, i) => i + 1));
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    for (const batch of withFiles) {
      const lines = readFileSync(path.join(env.outboxDir, batch.file_name!), 'utf8').split('\r\n');
      expect(lines.filter((l) => l.startsWith('D,'))).toHaveLength(batch.records);
      expect(lines.at(-2)).toMatch(new RegExp(`^T,${batch.records},`));
    }
  });
});
