import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { assertEveryJobHasOneHandler, jobHandlers, type JobHandler } from '../../jobs/index.ts';
import { isConnectionError } from '../faults/serviceFailure.ts';
import { unrecoverableReason } from '../faults/unrecoverable.ts';
import type { Logger } from '../logger.ts';
import { FilePlacementError, OutboxNotPrivateError } from '../files/atomicFile.ts';
import { FinalTooEarlyError, type BatchOutcome } from '../usecases/runBatches.ts';
import type { FileProgress, UploadDeps } from '../usecases/uploadDeps.ts';
import { DELIVERY_BACKOFF, deliveryBackoff, queueDeliveries } from '../delivery/deliveryJobs.ts';
import { JobName, QUEUE_NAME } from './jobNames.ts';
import { announceWorker } from './workerPresence.ts';

export interface UploadWorkerOptions {
  connection: Redis;
  prefix: string;
  concurrency: number;
  lockDuration: number;
  logger: Logger;
  /** When this process lost PostgreSQL, or null while it has it: sent with the heartbeat. */
  postgresLostSince?: () => number | null;
}

/** A BullMQ worker for the uploads queue. close() lets the running job finish. */
export interface UploadWorker {
  waitUntilReady(): Promise<unknown>;
  /** Stops taking jobs and lets the running ones finish; with force, hands them back (their lock lapses). */
  close(force?: boolean): Promise<void>;
}

/** A BullMQ worker for the uploads queue that announces itself (see workerPresence.ts). */
export function startUploadWorker(deps: UploadDeps, options: UploadWorkerOptions): UploadWorker {
  const worker = createUploadWorker(deps, options);
  const presence = worker.waitUntilReady().then(() => {
    const connection = options.connection.duplicate();
    connection.on('error', () => {}); // its failures surface (and are retried) in the heartbeat
    return announceWorker(connection, options.prefix, options.postgresLostSince);
  });
  return {
    waitUntilReady: () => presence,
    async close(force = false) {
      await (await presence.catch(() => undefined))?.stop();
      await worker.close(force);
    },
  };
}

function createUploadWorker(deps: UploadDeps, options: UploadWorkerOptions): Worker<unknown, unknown, JobName> {
  assertEveryJobHasOneHandler();
  let deliveryQueue: Queue | undefined;
  let lastRoutineFailure: string | undefined;
  let deliveryConnection: Redis | undefined;
  const worker = new Worker<unknown, unknown, JobName>(
    QUEUE_NAME,
    async (job: Job<unknown, unknown, JobName>) => {
      const handler = jobHandlers[job.name] as JobHandler<JobName> | undefined;
      if (!handler) throw new UnrecoverableError(`no handler for job ${job.name}`);
      // The minutely snapshot refresh logs only when it rebuilt (a line a minute would drown the rest).
      const routine = job.name === JobName.RefreshStateSnapshot;
      (routine ? options.logger.debug : options.logger.info).call(options.logger, { job: job.id, jobName: job.name, attempt: job.attemptsMade + 1 }, 'job started');
      try {
        // How far the upload file is written, for a CLI waiting on a terminal (QueueEvents 'progress').
        const onFileProgress = everyHalfSecond((progress: FileProgress) => void job.updateProgress({ ...progress }).catch(() => {}));
        const outcomes = await handler({ ...deps, onFileProgress }, job.data as never);
        const rebuilt = (outcomes as { status?: string } | undefined)?.status === 'rebuilt';
        if (routine) lastRoutineFailure = undefined;
        (routine && !rebuilt ? options.logger.debug : options.logger.info).call(options.logger, { job: job.id, outcomes }, 'job finished');
        // A written file is queued for delivery at once (DELIVERY=sftp).
        if (deps.delivery && (job.name === JobName.WeeklyBatch || job.name === JobName.FinalBatch)) {
          const seqs = (outcomes as BatchOutcome[]).flatMap((outcome) => (outcome.seq === null || outcome.sealedBefore ? [] : [outcome.seq]));
          if (!deliveryConnection) {
            deliveryConnection = options.connection.duplicate();
            deliveryConnection.on('error', () => {}); // failures surface in the calls that fail
          }
          if (!deliveryQueue) {
            deliveryQueue = new Queue(QUEUE_NAME, { connection: deliveryConnection, prefix: options.prefix });
            deliveryQueue.on('error', () => {});
          }
          if (seqs.length) await queueDeliveries(deliveryQueue, deps.delivery, seqs);
        }
        return outcomes;
      } catch (error) {
        // A failed refresh is asked again the next minute (status counts from the tables meanwhile):
        // the same failure, as through a PostgreSQL outage, is logged once, not every minute.
        const message = error instanceof Error ? error.message : String(error);
        if (!routine) options.logger.error({ job: job.id, err: error }, 'job failed');
        else if (message !== lastRoutineFailure) options.logger.warn({ job: job.id, err: error }, 'state snapshot refresh failed; status counts from the tables until it succeeds');
        if (routine) lastRoutineFailure = message;
        // Too early stays too early: retrying would not help.
        // Nor would it while the outbox is shared or a directory squats on the file's name.
        if (error instanceof FinalTooEarlyError || error instanceof OutboxNotPrivateError || error instanceof FilePlacementError) {
          throw new UnrecoverableError(error.message);
        }
        // Schema missing, a constraint the operator must resolve: fail at once, with the hint.
        const reason = unrecoverableReason(error);
        if (reason) throw new UnrecoverableError(reason);
        // Anything else (a lost connection, a timeout) fails this attempt; BullMQ retries with back-off.
        throw error;
      }
    },
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency,
      lockDuration: options.lockDuration,
      // A job whose worker died is taken over soon after its lock lapses (within 1.5 x JOB_LOCK_MS),
      // and may be taken over a few times before BullMQ gives up on it.
      stalledInterval: Math.max(1_000, Math.floor(options.lockDuration / 2)),
      maxStalledCount: 3,
      autorun: true,
      settings: {
        backoffStrategy: (attemptsMade, type, _error, job) =>
          type === DELIVERY_BACKOFF ? deliveryBackoff(attemptsMade, (job?.opts.backoff as { delay?: number } | undefined)?.delay ?? 60_000) : 0,
      },
    },
  );
  // A lost Redis connection is logged once by the connection's health (and BullMQ retries on
  // its own); other errors are logged each time.
  worker.on('error', (error) => {
    if (isConnectionError(error)) options.logger.debug({ err: error }, 'worker: Redis connection error');
    else options.logger.error({ err: error }, 'worker error');
  });
  worker.on('closed', () => {
    const [queue, connection] = [deliveryQueue, deliveryConnection];
    if (queue) void queue.close().catch(() => {}).then(() => connection?.disconnect());
  });
  return worker;
}

/** Passes on the first and the last progress of a file, and at most one each half second between. */
function everyHalfSecond(send: (progress: FileProgress) => void): (progress: FileProgress) => void {
  let last = 0;
  return (progress) => {
    const now = Date.now();
    if (progress.written === 0 || progress.written >= progress.records || now - last >= 500) {
      last = now;
      send(progress);
    }
  };
}
