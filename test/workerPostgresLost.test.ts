import { connect, createServer, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './support/privateRedis.ts';
import { runCli, startCli, waitFor } from './support/runCli.ts';
import { useTestEnvironment } from './support/testEnvironment.ts';
import { redisUrl } from './support/urls.ts';

// A worker that beats but cannot reach PostgreSQL cannot process a batch: its heartbeat says so
// (src/queue/workerPresence.ts), and `status` (as the console's Overview and /metrics, which share
// presenceWarnings) warns WORKER_NO_POSTGRES until it is back. The worker's path to the real
// PostgreSQL goes through a TCP relay that the test cuts (every connection dropped, new ones
// refused) and mends; status itself reaches PostgreSQL directly.

const LOST = /^WARNING WORKER_NO_POSTGRES: The worker cannot reach PostgreSQL since \w{3} \d+ \w{3} \d{4} [\d:.]+ (GMT|BST) \(it keeps retrying\): batches it takes wait until it can\. Check the worker's DATABASE_URL and the network between it and PostgreSQL\.$/;

describe('status when the worker has lost PostgreSQL', () => {
  const env = useTestEnvironment({ LOG_LEVEL: 'info' });
  const sockets = new Set<Socket>();
  let relay: Server | undefined;

  async function openRelay(port: number, target: URL): Promise<void> {
    relay = createServer((client) => {
      const upstream = connect(Number(target.port || 5432), target.hostname);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('error', () => {});
        socket.on('close', () => {
          sockets.delete(socket);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => relay!.listen(port, '127.0.0.1', resolve));
  }

  async function cutRelay(): Promise<void> {
    const closed = new Promise<void>((resolve) => relay!.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
    relay = undefined;
  }

  afterAll(async () => {
    if (relay) await cutRelay();
  });

  const check = async () => {
    const result = await runCli(['status', '--check'], env.env);
    return result.stdout.trim().split('\n').filter(Boolean);
  };

  it('warns WORKER_NO_POSTGRES while the worker cannot reach PostgreSQL (idle past the pool’s idle timeout first), and no longer once it can', async () => {
    const target = new URL(env.url);
    const port = await freePort();
    await openRelay(port, target);
    const viaRelay = new URL(env.url);
    viaRelay.hostname = '127.0.0.1';
    viaRelay.port = String(port);
    const worker = startCli(['worker'], { ...env.env, DATABASE_URL: viaRelay.toString() });
    try {
      await waitFor(() => worker.output().includes('worker ready'), 'the worker');
      const before = await check();
      expect(before.some((line) => line.startsWith('WARNING WORKER_NO_POSTGRES')), before.join('\n')).toBe(false);
      expect(before.some((line) => line.startsWith('WARNING NO_WORKER')), before.join('\n')).toBe(false);

      // Idle longer than the pool keeps a spare connection (10 s): the worker keeps one open, so it
      // still notices the loss at once rather than at its next job.
      await new Promise((resolve) => setTimeout(resolve, 11_000));
      await cutRelay();
      await waitFor(() => worker.output().includes('PostgreSQL connection lost'), 'the worker to notice', 10_000);
      const lost = await waitFor(async () => {
        const lines = await check();
        return lines.some((line) => LOST.test(line)) ? lines : undefined;
      }, 'WORKER_NO_POSTGRES', 15_000, 250);
      // The worker still beats: it is not reported missing, only cut off.
      expect(lost.some((line) => line.startsWith('WARNING NO_WORKER')), lost.join('\n')).toBe(false);
      const json = JSON.parse((await runCli(['status', '--format', 'json'], env.env)).stdout) as { ok: boolean; warnings: Array<{ code: string }> };
      expect(json.ok).toBe(false);
      expect(json.warnings.map((w) => w.code)).toContain('WORKER_NO_POSTGRES');

      await openRelay(port, target);
      await waitFor(() => worker.output().includes('PostgreSQL connection back'), 'the worker to reconnect', 20_000);
      await waitFor(async () => !(await check()).some((line) => line.startsWith('WARNING WORKER_NO_POSTGRES')), 'the warning to clear', 15_000, 250);
      expect(worker.output().match(/PostgreSQL connection lost/g)).toHaveLength(1);
    } finally {
      worker.child.kill('SIGTERM');
      const exited = await worker.exited;
      expect(exited.code, exited.stderr).toBe(0);
    }
    // stop() took the worker out of both sets: nothing of it is left in Redis.
    const redis = new Redis(redisUrl());
    try {
      expect(await redis.keys(`${env.queuePrefix}:*cet-workers*`)).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });
});
