import { Queue, QueueEvents, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { BatchOutcome } from '../usecases/runBatches.ts';
import { awaitJob } from './awaitJob.ts';
import { jobIdFor, QUEUE_NAME, type JobName, type JobPayloads } from './jobNames.ts';

export const JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: { age: 7 * 86_400, count: 1_000 },
  removeOnFail: { age: 30 * 86_400 },
} as const;

export function openQueue(connection: Redis, prefix: string): Queue {
  return new Queue(QUEUE_NAME, { connection, prefix });
}

/**
 * Adds the job under the id the scheduler, the CLI and catch-up all use. A finished job of that
 * id (kept for a while by BullMQ) is replaced, so that asking again always reaches PostgreSQL,
 * which decides whether anything is left to do; a waiting or running one is returned as it is.
 */
export async function addOrJoinJob<N extends JobName>(queue: Queue, name: N, payload: JobPayloads[N]): Promise<{ job: Job; joined: string | null }> {
  const jobId = jobIdFor(name, payload);
  const existing = await queue.getJob(jobId);
  if (existing) {
    const state = await existing.getState();
    if (state !== 'completed' && state !== 'failed' && state !== 'unknown') return { job: existing, joined: state };
    await existing.remove().catch(() => {});
  }
  return { job: await queue.add(name as never, payload as never, { jobId, ...JOB_OPTIONS }), joined: null };
}

/**
 * Waits for the result of the job of `name` and `payload`. Another asker may replace the
 * finished job (addOrJoinJob) before this one looks at it, and BullMQ then finds no job under
 * that key ("Missing key for job …. isFinished"). Asking again is safe (the batches come from
 * PostgreSQL), so join the replacement, or add it: its result describes the same batches,
 * though as existing ones (created: false) if this asker's own run had created them. (A
 * replacement FINAL job is never one asked before the cutoff: the CLI refuses those before
 * enqueueing, and the scheduler asks at the cutoff.)
 */
export async function waitForJob<N extends JobName>(queue: Queue, events: QueueEvents, name: N, payload: JobPayloads[N], job: Job): Promise<unknown> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await job.waitUntilFinished(events);
    } catch (error) {
      if (attempt >= 5 || !/^Missing key for job .*\. isFinished$/.test((error as Error)?.message ?? '')) throw error;
      ({ job } = await addOrJoinJob(queue, name, payload));
    }
  }
}

export interface EnqueueOptions {
  connection: () => Redis;
  prefix: string;
  /** Starts a worker in this process; called when no live worker would take the job. */
  startLocalWorker: () => { close(): Promise<void> };
  onProgress?: (message: string) => void;
  /** How long Redis may stay silent during the wait before the command gives up. */
  redisSilenceMs?: number;
  /** Told what the job reports as it runs (job.updateProgress), e.g. how far its file is written. */
  onJobProgress?: (data: unknown) => void;
}

/**
 * Adds (or joins) the job and waits for its result; when no live worker is there to take it (none
 * running, or the one running it was killed), processes it here. Every wait is bounded: by a
 * live worker's progress, by the job's lock (JOB_LOCK_MS) once its worker is gone, and by
 * redisSilenceMs while Redis does not answer.
 */
export async function enqueueAndWait<N extends JobName>(name: N, payload: JobPayloads[N], options: EnqueueOptions): Promise<BatchOutcome[]> {
  const queue = openQueue(options.connection(), options.prefix);
  // Connection errors reach the caller through the calls that failed; without a listener
  // BullMQ would print each one's stack as well.
  queue.on('error', () => {});
  const presence = options.connection();
  // Progress reports only (best effort): the result itself is polled, never awaited as an event.
  const events = options.onJobProgress ? new QueueEvents(QUEUE_NAME, { connection: options.connection(), prefix: options.prefix }) : undefined;
  events?.on('error', () => {});
  let localWorker: { close(): Promise<void> } | undefined;
  try {
    await queue.waitUntilReady();
    const { job, joined } = await addOrJoinJob(queue, name, payload);
    const onJobProgress = options.onJobProgress;
    if (events && onJobProgress) events.on('progress', ({ jobId, data }) => jobId === job.id && onJobProgress(data));
    if (joined) options.onProgress?.(`Job ${job.id} is already ${joined}; waiting for it.`);
    const outcomes = (await awaitJob(name, payload, job, {
      queue,
      presence,
      prefix: options.prefix,
      startLocalWorker: () => (localWorker = options.startLocalWorker()),
      redisSilenceMs: options.redisSilenceMs ?? 60_000,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    })) as BatchOutcome[];
    // The result is polled, so it can arrive before the last progress event: end on the progress
    // the job recorded (job.updateProgress stores it with the job).
    if (onJobProgress) {
      const done = await queue.getJob(jobIdFor(name, payload)).catch(() => undefined);
      if (done?.progress && typeof done.progress === 'object') onJobProgress(done.progress);
    }
    return outcomes;
  } finally {
    await localWorker?.close();
    await events?.close();
    await queue.close();
    presence.disconnect();
  }
}
