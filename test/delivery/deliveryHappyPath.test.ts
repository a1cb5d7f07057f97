import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runCli, waitFor, type RunningCli } from '../support/runCli.ts';
import { createSshd, destroySshd } from '../support/sshd.ts';
import { useTestEnvironment } from '../support/testEnvironment.ts';
import { digests, importExample, runBatches, startWorker, stopWorkers } from './helpers.ts';

const sshd = await createSshd();
const running: RunningCli[] = [];
afterEach(() => stopWorkers(running));
afterAll(() => destroySshd(sshd));

describe('delivery over SFTP to a real OpenSSH server', () => {
  const env = useTestEnvironment({ ...sshd.env, DELIVERY_RETRY_MS: '200', LOG_LEVEL: 'warn' });

  it('delivers the weekly and FINAL files in order, byte for byte, as soon as they are written; state and status say so', async () => {
    await sshd.start();
    await importExample(env, env.env);
    await startWorker(env.env, running);
    await runBatches(env.env);
    const delivered = await waitFor(async () => {
      const rows = await env.db.selectFrom('delivery').selectAll().orderBy('seq').execute();
      return rows.length === 4 && rows.every((row) => row.state === 'DELIVERED') ? rows : null;
    }, 'four files delivered');

    const outbox = digests(env.outboxDir, '.csv');
    expect([...outbox.keys()]).toHaveLength(4);
    // Exactly the outbox's files, under their final names, the same bytes; no .part left.
    expect(digests(sshd.uploadDir)).toEqual(outbox);
    // In sequence order, each once, by the service.
    expect(delivered.map((row) => row.seq)).toEqual([1, 2, 3, 4]);
    for (let i = 1; i < delivered.length; i++) expect(delivered[i]!.delivered_at!.getTime()).toBeGreaterThanOrEqual(delivered[i - 1]!.delivered_at!.getTime());
    for (const row of delivered) {
      expect(row).toMatchObject({ delivered_by: 'sftp', attempts: 1, last_error: null });
      expect(row.remote_path).toBe(`${sshd.uploadDir}/${[...outbox.keys()][row.seq - 1]}`);
    }

    const status = await runCli(['status', '--now', '2022-01-05T09:00:00Z'], env.env);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/Delivery \(sftp\): 4 delivered, 0 pending, 0 sending, 0 failed/);
    expect(status.stdout).toMatch(/#4 {2}FINAL .* delivered /);
    // Nothing of the configuration is printed.
    expect(status.stdout + status.stderr).not.toContain(sshd.clientKeyFile);

    const json = await runCli(['status', '--now', '2022-01-05T09:00:00Z', '--format', 'json'], env.env);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout).delivery).toEqual({ mode: 'sftp', counts: { PENDING: 0, SENDING: 0, DELIVERED: 4, FAILED: 0 }, undelivered: [], refusedAcks: [] });

    // trace says when the file carrying a completion was delivered (delivery.md).
    const trace = await runCli(['trace', 'EX-1', '--format', 'json', '--now', '2022-01-05T09:00:00Z'], env.env);
    expect(trace.code, trace.stderr).toBe(0);
    const traced = JSON.parse(trace.stdout) as { rows: Array<{ provider_ref: string; batch: number; delivery: string; delivered_at: string; detail: string }> } | Array<{ provider_ref: string; batch: number; delivery: string; delivered_at: string; detail: string }>;
    const row = (Array.isArray(traced) ? traced : traced.rows).find((r) => r.provider_ref === 'EX-1')!;
    const carrying = delivered.find((d) => d.seq === row.batch)!;
    expect(row).toMatchObject({ delivery: 'DELIVERED', delivered_at: carrying.delivered_at!.toISOString() });
    expect(row.detail).toMatch(/file delivered .* \(by SFTP\)/);

    // Asking again sends nothing.
    const again = await runCli(['deliver'], env.env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/Nothing to deliver/);
  });
});
