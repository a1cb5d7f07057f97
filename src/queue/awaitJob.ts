import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { addOrJoinJob } from './enqueueAndWait.ts';
import { QUEUE_NAME, type JobName, type JobPayloads } from './jobNames.ts';
import { countLiveWorkers } from './workerPresence.ts';

/** A job that failed for good: its reason is already worded for the operator. */
export class JobFailedError extends Error {
  override name = 'JobFailedError';
  constructor(jobId: string, reason: string) {
    super(reason || `job ${jobId} failed`);
  }
}

/** Redis stopped answering for longer than the wait allows. */
export class RedisLostError extends Error {
  override name = 'RedisLostError';
}

export interface AwaitJobOptions {
  queue: Queue;
  /** For worker presence (see workerPresence.ts); needed with startLocalWorker. */
  presence?: Redis;
  prefix?: string;
  /** Starts a worker in this process: when no live worker would ever take the job. */
  startLocalWorker?: () => void;
  onProgress?: (message: string) => void;
  /** How long Redis may stay silent before the wait gives up (the scheduler: forever). */
  redisSilenceMs: number;
  pollMs?: number;
}

const STALLED_OUT = /stalled more than allowable limit/i;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms))),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Why nobody will finish the job unless this process does, or null: no worker has sent a
 * heartbeat lately, or the job is active and its lock has lapsed (BullMQ sets the lock with the
 * job's move to active and its worker renews it every JOB_LOCK_MS / 2, so an active job without
 * one has a dead worker). The second is seen as soon as the lock lapses, before a killed worker's
 * last heartbeat has aged out (workerPresence.ts), and whether or not another worker runs.
 */
async function orphanedBy(redis: Redis, prefix: string, jobId: string, state: string): Promise<'no-worker' | 'lock-lapsed' | null> {
  if ((await countLiveWorkers(redis, prefix)) === 0) return 'no-worker';
  if (state === 'active' && (await redis.exists(`${prefix}:${QUEUE_NAME}:${jobId}:lock`)) === 0) {
    // Finished between the two reads? Then it is no longer active, and there is nothing to take over.
    return (await redis.lpos(`${prefix}:${QUEUE_NAME}:active`, jobId)) !== null ? 'lock-lapsed' : null;
  }
  return null;
}

/**
 * Waits for the job by asking Redis for its state every pollMs, rather than by listening for
 * events: a wait never depends on one connection staying up, and it never waits on a worker that
 * is gone. When no live worker is left (killed, or never started), it starts one here, whose
 * stalled-job check takes over a job whose worker died once its lock lapses (JOB_LOCK_MS).
 */
export async function awaitJob<N extends JobName>(name: N, payload: JobPayloads[N], first: Job, options: AwaitJobOptions): Promise<unknown> {
  const pollMs = options.pollMs ?? 250;
  const timeoutMs = Math.max(2_000, pollMs * 4);
  let job = first;
  let lastState = '';
  let silentSince: number | null = null;
  let localStarted = false;
  for (;;) {
    try {
      const state = await withTimeout(options.queue.getJobState(job.id!), timeoutMs);
      if (silentSince !== null) options.onProgress?.('Redis answers again; still waiting.');
      silentSince = null;
      if (state === 'completed' || state === 'failed') {
        const done = await withTimeout(options.queue.getJob(job.id!), timeoutMs);
        if (done && state === 'completed') return done.returnvalue;
        if (done && !STALLED_OUT.test(done.failedReason ?? '')) throw new JobFailedError(done.id!, done.failedReason);
        // Stalled too often (its workers kept dying), or gone meanwhile: asking again is safe.
        ({ job } = await withTimeout(addOrJoinJob(options.queue, name, payload), timeoutMs));
        continue;
      }
      if (state === 'unknown') {
        // Replaced by another asker once finished (addOrJoinJob): join the replacement.
        ({ job } = await withTimeout(addOrJoinJob(options.queue, name, payload), timeoutMs));
        continue;
      }
      const orphaned = !localStarted && options.startLocalWorker && options.presence ? await withTimeout(orphanedBy(options.presence, options.prefix ?? '', job.id!, state), timeoutMs) : null;
      if (orphaned) {
        localStarted = true;
        options.onProgress?.(
          orphaned === 'lock-lapsed'
            ? `Job ${job.id} is active but its worker stopped renewing its lock (JOB_LOCK_MS lapsed); taking it over in this process.`
            : state === 'active'
              ? `Job ${job.id} is active but no worker is alive; taking it over in this process once its lock lapses (JOB_LOCK_MS).`
              : `No worker is running; processing job ${job.id} in this process.`,
        );
        options.startLocalWorker!();
      } else if (state !== lastState && lastState !== '') {
        options.onProgress?.(`Job ${job.id} is ${state}; waiting for it.`);
      }
      lastState = state;
    } catch (error) {
      if (error instanceof JobFailedError) throw error;
      if (silentSince === null) {
        silentSince = Date.now();
        options.onProgress?.(`Redis does not answer (${(error as Error).message}); waiting up to ${Math.round(options.redisSilenceMs / 1000)} s for it to come back.`);
      }
      if (Date.now() - silentSince > options.redisSilenceMs) {
        throw new RedisLostError(`Redis did not answer for ${Math.round((Date.now() - silentSince) / 1000)} s while waiting for job ${job.id} (${(error as Error).message})`);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
