import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { addOrJoinJob } from './enqueueAndWait.ts';
import type { JobName, JobPayloads } from './jobNames.ts';
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
      if (!localStarted && options.startLocalWorker && options.presence && (await withTimeout(countLiveWorkers(options.presence, options.prefix ?? ''), timeoutMs)) === 0) {
        localStarted = true;
        options.onProgress?.(
          state === 'active'
            ? `Job ${job.id} is active but no worker is alive; taking it over in this process once its lock lapses (JOB_LOCK_MS).`
            : `No worker is running; processing job ${job.id} in this process.`,
        );
        options.startLocalWorker();
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
