import { readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.ts';
import { startConsole, type RunningConsole } from './support/console.ts';
import { runCli } from './support/runCli.ts';
import { seedCompletion, seedCycle, seedEvent, seedRegistrant } from './support/seed.ts';
import { useTestEnvironment } from './support/testEnvironment.ts';

/** A port nothing listens on: asked of the OS, then closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const NOW = new Date('2021-12-22T10:00:00Z');

describe('console health and metrics', () => {
  const env = useTestEnvironment();
  let console_: RunningConsole;

  beforeAll(async () => {
    console_ = await startConsole(env.env, env.handle, { now: NOW });
  });
  afterAll(async () => {
    await console_?.close();
  });

  it('/livez answers 200 and /readyz 200 with PostgreSQL, Redis and the schema ready', async () => {
    expect((await fetch(`${console_.url}/livez`)).status).toBe(200);
    const ready = await fetch(`${console_.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      failed: [],
      checks: { postgresql: { ok: true }, redis: { ok: true }, schema: { ok: true } },
    });
  });

  it('/readyz answers 503 naming Redis when Redis is unreachable', async () => {
    const down = await startConsole(env.env, env.handle, { redisUrl: `redis://127.0.0.1:${await closedPort()}` });
    try {
      const ready = await fetch(`${down.url}/readyz`);
      expect(ready.status).toBe(503);
      const body = (await ready.json()) as { failed: string[]; checks: Record<"postgresql" | "redis" | "schema", { error?: string }> };
      expect(body.failed).toEqual(['redis']);
      expect(body.checks.redis.error).toMatch(/\S/);
      expect((await fetch(`${down.url}/livez`)).status).toBe(200);
    } finally {
      await down.close();
    }
  });

  it('/readyz answers 503 naming PostgreSQL (and the schema, unchecked) when PostgreSQL is unreachable', async () => {
    const handle = openDatabase(`postgresql://root@127.0.0.1:${await closedPort()}/nothing`);
    const down = await startConsole(env.env, handle);
    try {
      const ready = await fetch(`${down.url}/readyz`);
      expect(ready.status).toBe(503);
      const body = (await ready.json()) as { failed: string[]; checks: Record<"postgresql" | "redis" | "schema", { error?: string }> };
      expect(body.failed).toEqual(['postgresql', 'schema']);
      expect(body.checks.postgresql.error).toMatch(/ECONNREFUSED|connect/);
      expect(body.checks.schema.error).toBe('not checked: PostgreSQL is not reachable');
    } finally {
      await down.close();
      await handle.close();
    }
  });

  it('/metrics parses as Prometheus text, and its values equal what `status` says at the same instant', async () => {
    await seedCycle(env.db);
    const r = await seedRegistrant(env.db, '01-50001');
    const plain = await seedEvent(env.db, 'C-90001', { points: 3 });
    const held = await seedEvent(env.db, 'C-92001', { interactive: true });
    await seedCompletion(env.db, 'M-1', r, plain, '2021-12-01T10:00:00Z');
    await seedCompletion(env.db, 'M-2', r, plain, '2021-12-02T10:00:00Z');
    const weekly = await runCli(['upload', 'weekly', '--now', '2021-12-10T09:00:00Z'], env.env);
    expect(weekly.code, weekly.stderr).toBe(0);
    await seedCompletion(env.db, 'M-3', r, held, '2021-12-20T10:00:00Z');
    await seedCompletion(env.db, 'M-4', r, plain, '2021-12-20T11:00:00Z');

    const status = await runCli(['status', '--now', NOW.toISOString()], env.env);
    expect(status.code, status.stderr).toBe(0);
    const response = await fetch(`${console_.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parsePrometheusTextFormat(await response.text());
    const value = (name: string, labels: Record<string, string> = {}) => {
      const family = families.find((f) => f.name === name);
      const sample = family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
      return sample === undefined ? undefined : Number(sample.value);
    };
    const said = (pattern: RegExp) => Number(pattern.exec(status.stdout)?.[1]);

    expect(value('cet_uploader_completions', { state: 'held' })).toBe(said(/held for peer confirmation: (\d+)/));
    expect(value('cet_uploader_completions', { state: 'waiting' })).toBe(said(/waiting for the next batch: (\d+)/));
    expect(value('cet_uploader_completions', { state: 'carried' })).toBe(said(/carried, no acknowledgement yet: (\d+)/));
    expect(value('cet_uploader_completions', { state: 'rejected' })).toBe(said(/rejected by the regulator, not corrected: (\d+)/));
    expect(value('cet_uploader_completions', { state: 'late' })).toBe(said(/late: (\d+)/));
    expect(value('cet_uploader_completions', { state: 'after_cutoff' })).toBe(said(/after cutoff: (\d+)/));
    expect(value('cet_uploader_completions', { state: 'no_open_cycle' })).toBe(said(/no open cycle: (\d+)/));
    expect(value('cet_uploader_completions', { state: 'quarantined' })).toBe(said(/quarantined: (\d+)/));
    expect(value('cet_uploader_sla_overdue')).toBe(said(/SLA: (\d+) past/));
    expect(value('cet_uploader_sla_due_soon')).toBe(said(/past the 10-working-day limit, (\d+) due/));
    // The seeded history, so that the comparison is not of zeros only.
    expect(value('cet_uploader_completions', { state: 'held' })).toBe(1);
    expect(value('cet_uploader_completions', { state: 'waiting' })).toBe(1);
    expect(value('cet_uploader_completions', { state: 'carried' })).toBe(2);

    expect(value('cet_uploader_batches_total', { kind: 'WEEKLY' })).toBe(1);
    expect(value('cet_uploader_batches_total', { kind: 'FINAL' })).toBe(0);
    expect(value('cet_uploader_batch_records_total', { kind: 'WEEKLY' })).toBe(2);
    expect(value('cet_uploader_last_batch_timestamp_seconds', { kind: 'WEEKLY' })).toBe(Date.parse('2021-12-10T06:00:00Z') / 1000);
    expect(value('cet_uploader_final_overdue', { cycle: '2019-2021' })).toBe(0);
    expect(value('cet_uploader_files', { delivery_state: 'PENDING' })).toBe(1);
    // BullMQ's own export of the queue's job counts.
    expect(families.find((f) => f.name === 'bullmq_job_count')?.metrics.length).toBeGreaterThan(0);
    for (const family of families.filter((f) => f.name.startsWith('cet_uploader_') && f.type === 'counter')) expect(family.name).toMatch(/_total$/);

    console_.setNow(new Date('2021-12-31T09:00:00Z'));
    const after = parsePrometheusTextFormat(await (await fetch(`${console_.url}/metrics`)).text());
    const overdue = after.find((f) => f.name === 'cet_uploader_final_overdue')?.metrics.find((m) => m.labels?.cycle === '2019-2021');
    expect(overdue?.value).toBe('1');
    console_.setNow(NOW);

    // The console checks the outbox as `status` does: a written file gone from it is a warning.
    const written = readdirSync(env.outboxDir).filter((f) => f.endsWith('.csv'));
    expect(written).toHaveLength(1);
    rmSync(path.join(env.outboxDir, written[0]!));
    const missing = parsePrometheusTextFormat(await (await fetch(`${console_.url}/metrics`)).text());
    expect(missing.find((f) => f.name === 'cet_uploader_warnings')?.metrics.find((m) => m.labels?.code === 'FILE_MISSING')?.value).toBe('1');
  });

  it('with a background refresh, a scrape serves the latest snapshot (no PostgreSQL work per scrape) and says when it was taken', async () => {
    const cached = await startConsole(env.env, env.handle, { now: NOW, metricsRefreshMs: 3_600_000 });
    try {
      const scrape = async () => parsePrometheusTextFormat(await (await fetch(`${cached.url}/metrics`)).text());
      const sample = (families: ReturnType<typeof parsePrometheusTextFormat>, name: string) => families.find((f) => f.name === name)?.metrics[0]?.value;
      const first = await scrape();
      const waiting = first.find((f) => f.name === 'cet_uploader_completions')?.metrics.find((m) => m.labels?.state === 'waiting')?.value;
      const r = await seedRegistrant(env.db, '01-50002');
      await seedCompletion(env.db, 'M-9', r, await seedEvent(env.db, 'C-90009'), '2021-12-21T10:00:00Z');
      const second = await scrape();
      expect(second.find((f) => f.name === 'cet_uploader_completions')?.metrics.find((m) => m.labels?.state === 'waiting')?.value).toBe(waiting);
      expect(sample(second, 'cet_uploader_metrics_computed_timestamp_seconds')).toBe(sample(first, 'cet_uploader_metrics_computed_timestamp_seconds'));
      expect(Number(sample(second, 'cet_uploader_metrics_compute_seconds'))).toBeGreaterThan(0);
      expect(second.find((f) => f.name === 'bullmq_job_count')?.metrics.length).toBeGreaterThan(0);
    } finally {
      await cached.close();
    }
  });
});
