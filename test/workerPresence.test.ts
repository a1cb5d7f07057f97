import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { startCli, waitFor } from './support/runCli.ts';
import { redisUrl } from './support/urls.ts';
import { useTestEnvironment } from './support/testEnvironment.ts';

// The presence key of workers (…:uploads:cet-workers) expires a few seconds after the last
// heartbeat, and a worker stopped with SIGTERM deletes it.
describe('the workers presence key', () => {
  const env = useTestEnvironment({ LOG_LEVEL: 'info' });

  it('carries an expiry while a worker runs and is gone once the worker stops', async () => {
    const redis = new Redis(redisUrl());
    try {
      const key = `${env.queuePrefix}:uploads:cet-workers`;
      const worker = startCli(['worker'], env.env);
      await waitFor(() => worker.output().includes('worker ready'), 'the worker to be ready');
      expect(await redis.zcard(key)).toBe(1);
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(6_000);
      worker.child.kill('SIGTERM');
      const exited = await worker.exited;
      expect(exited.code, exited.stderr).toBe(0);
      expect(await redis.exists(key)).toBe(0);
    } finally {
      redis.disconnect();
    }
  });
});
