import { QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { addOrJoinJob, openQueue, waitForJob } from '../src/queue/enqueueAndWait.ts';
import { JobName, QUEUE_NAME, type JobPayloads } from '../src/queue/jobNames.ts';
import { useTestEnvironment } from './support/testEnvironment.ts';

// Against the real Redis: an asker waiting for a job whose finished run another asker has
// already replaced (addOrJoinJob removes a finished job before adding it again).
describe('waiting for a job another asker replaced', () => {
  const env = useTestEnvironment();
  const connections: Redis[] = [];
  const closers: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
    for (const connection of connections) connection.disconnect();
  });
  function connect(): Redis {
    const connection = new Redis(env.config.REDIS_URL, { maxRetriesPerRequest: null });
    connections.push(connection);
    return connection;
  }

  it('joins the job asked for again instead of failing with "Missing key for job"', async () => {
    const prefix = env.config.QUEUE_PREFIX;
    const queue = openQueue(connect(), prefix);
    const events = new QueueEvents(QUEUE_NAME, { connection: connect(), prefix });
    closers.push(() => queue.close(), () => events.close());
    await events.waitUntilReady();
    let runs = 0;
    const worker = new Worker(QUEUE_NAME, async (job) => ({ run: ++runs, period: job.data.period }), { connection: connect(), prefix });
    closers.push(() => worker.close());

    const payload: JobPayloads[typeof JobName.WeeklyBatch] = {
      slot: '2021-12-03T06:00:00.000Z',
      period: '2021-W48',
      trigger: 'manual',
      requestedAt: '2021-12-03T06:00:00.001Z',
    };
    const { job } = await addOrJoinJob(queue, JobName.WeeklyBatch, payload);
    expect(await job.waitUntilFinished(events)).toEqual({ run: 1, period: '2021-W48' });

    // Between another asker's remove and its add, the key is gone: BullMQ's own wait fails.
    await (await queue.getJob(job.id!))!.remove();
    await expect(job.waitUntilFinished(events)).rejects.toThrow(/^Missing key for job /);

    expect(await waitForJob(queue, events, JobName.WeeklyBatch, payload, job)).toEqual({ run: 2, period: '2021-W48' });
  });
});
