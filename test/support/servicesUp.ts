import { Redis } from 'ioredis';
import { announceScheduler } from '../../src/queue/schedulerPresence.ts';
import { announceWorker } from '../../src/queue/workerPresence.ts';
import { redisUrl } from './urls.ts';

/**
 * Runs `work` while a worker's and the scheduler's heartbeats stand under `prefix`, sent from the
 * test process by their own code (announceWorker, announceScheduler): for tests of the other
 * warnings of `status`, which then says neither NO_WORKER nor NO_SCHEDULER. Nothing processes
 * jobs meanwhile, so no `upload` inside `work` (it processes its job itself only while no worker
 * beats). The worker's key goes at the end; the scheduler's (stopped) goes with the test's keys.
 */
export async function withServicesUp<T>(prefix: string, work: () => Promise<T>): Promise<T> {
  const worker = await announceWorker(new Redis(redisUrl()), prefix);
  const schedulerRedis = new Redis(redisUrl());
  try {
    const scheduler = await announceScheduler(schedulerRedis, prefix);
    try {
      return await work();
    } finally {
      await scheduler.stop();
    }
  } finally {
    await worker.stop();
    schedulerRedis.disconnect();
  }
}
