import type { Queue } from 'bullmq';
import type { Db } from '../db/database.ts';
import { queueDeliveries } from './deliveryJobs.ts';
import { ensureDeliveryRows, findDelivery, listDeliveries, markRetried, unmarkRetried, type DeliveryView } from './deliveryQueries.ts';
import type { DeliveryWiring } from './deliveryWiring.ts';

// A person retries a FAILED file (the console's Deliveries page): it becomes PENDING again, with
// its attempts kept, and `deliver-<seq>` is queued exactly as the worker queues a file it has just
// written (queueDeliveries). The worker's run then treats it like any pending file: in sequence
// order, under the delivery lock, retried with back-off until DELIVERY_ATTEMPTS attempts in all
// (so a file whose attempts are spent gets one attempt per retry, as `deliver` by hand does).

/** How long a retry waits for Redis before saying it could not queue the job. */
const QUEUE_WAIT_MS = 5_000;

function withinMs<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

export interface RetryDeps {
  db: Db;
  queue: Queue;
  wiring: DeliveryWiring;
  clock: () => Date;
}

export type RetryOutcome =
  | { kind: 'no-such-file' }
  /** Not FAILED (any more): nothing was changed or queued. */
  | { kind: 'not-failed'; delivery: DeliveryView }
  /** PENDING again; `jobs` are the seqs whose deliver-<seq> jobs were queued. */
  | { kind: 'queued'; delivery: DeliveryView; attempts: number; jobs: number[] }
  /** The queue could not be reached: the file is FAILED again, as before. */
  | { kind: 'not-queued'; delivery: DeliveryView; error: string };

export async function retryDelivery(deps: RetryDeps, seq: number): Promise<RetryOutcome> {
  const { db } = deps;
  await ensureDeliveryRows(db);
  const delivery = await findDelivery(db, seq);
  if (!delivery) return { kind: 'no-such-file' };
  const attempts = await markRetried(db, delivery.batchId, deps.clock());
  if (attempts === null) return { kind: 'not-failed', delivery: (await findDelivery(db, seq)) ?? delivery };
  // The later files that waited for this one are queued too (the newest of them carries the
  // others before it), up to the next FAILED file, which needs its own retry.
  const later = (await listDeliveries(db)).filter((row) => row.seq > seq);
  const stop = later.findIndex((row) => row.state === 'FAILED');
  const waiting = (stop === -1 ? later : later.slice(0, stop)).filter((row) => row.state !== 'DELIVERED');
  const jobs = waiting.length ? [seq, waiting[waiting.length - 1]!.seq] : [seq];
  try {
    await withinMs(queueDeliveries(deps.queue, deps.wiring, jobs), QUEUE_WAIT_MS, 'the queue (Redis) did not answer');
  } catch (error) {
    await unmarkRetried(db, delivery.batchId, attempts, deps.clock());
    return { kind: 'not-queued', delivery, error: (error as Error)?.message ?? String(error) };
  }
  return { kind: 'queued', delivery, attempts, jobs };
}
