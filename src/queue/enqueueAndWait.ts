import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { BatchOutcome } from '../usecases/runBatches.ts';
import { jobIdFor, QUEUE_NAME, type JobName, type JobPayloads } from './jobNames.ts';

export interface EnqueueOptions {
  connection: () => Redis;
  prefix: string;
  /** Starts a worker in this process; called when no worker is listening on the queue. */
  startLocalWorker: () => { close(): Promise<void> };
  onProgress?: (message: string) => void;
}

export const JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: { age: 7 * 86_400, count: 1_000 },
  removeOnFail: { age: 30 * 86_400 },
} as const;

/**
 * Adds the job under the id the scheduler would use, and waits for its result. A finished job
 * of that id is replaced (PostgreSQL decides whether there is anything left to do); a waiting
 * or running one is waited for.
 */
export async function enqueueAndWait<N extends JobName>(name: N, payload: JobPayloads[N], options: EnqueueOptions): Promise<BatchOutcome[]> {
  const queue = new Queue(QUEUE_NAME, { connection: options.connection(), prefix: options.prefix });
  const events = new QueueEvents(QUEUE_NAME, { connection: options.connection(), prefix: options.prefix });
  let localWorker: { close(): Promise<void> } | undefined;
  try {
    await events.waitUntilReady();
    const jobId = jobIdFor(name, payload);
    let job = await queue.getJob(jobId);
    if (job) {
      const state = await job.getState();
      if (state === 'completed' || state === 'failed' || state === 'unknown') {
        await job.remove().catch(() => {});
        job = undefined;
      } else {
        options.onProgress?.(`Job ${jobId} is already ${state}; waiting for it.`);
      }
    }
    job ??= await queue.add(name as never, payload as never, { jobId, ...JOB_OPTIONS });
    if ((await queue.getWorkers()).length === 0) {
      options.onProgress?.('No worker is running; processing the job in this process.');
      localWorker = options.startLocalWorker();
    } else {
      options.onProgress?.(`Queued job ${jobId}; waiting for a worker.`);
    }
    return (await job.waitUntilFinished(events)) as BatchOutcome[];
  } finally {
    await localWorker?.close();
    await events.close();
    await queue.close();
  }
}
