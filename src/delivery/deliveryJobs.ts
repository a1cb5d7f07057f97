import type { Queue } from 'bullmq';
import { jobIdFor, JobName } from '../queue/jobNames.ts';
import type { DeliveryWiring } from './deliveryWiring.ts';

/** The back-off type of delivery jobs; the worker's strategy computes it (deliveryBackoff). */
export const DELIVERY_BACKOFF = 'delivery';

/** Exponential from the first delay, capped at 60 times it (1 minute .. 1 hour by default). */
export function deliveryBackoff(attemptsMade: number, firstDelayMs: number): number {
  return Math.min(firstDelayMs * 2 ** Math.max(0, attemptsMade - 1), 60 * firstDelayMs);
}

/**
 * Queues `deliver-<seq>` for each file; one already waiting or running is left as it is, and a
 * finished one replaced (PostgreSQL's delivery state decides whether anything is left to send).
 */
export async function queueDeliveries(queue: Queue, wiring: DeliveryWiring, seqs: readonly number[]): Promise<void> {
  for (const seq of [...new Set(seqs)].sort((a, b) => a - b)) {
    const payload = { seq };
    const jobId = jobIdFor(JobName.DeliverFile, payload);
    const existing = await queue.getJob(jobId);
    if (existing) {
      const state = await existing.getState();
      if (state !== 'completed' && state !== 'failed' && state !== 'unknown') continue;
      await existing.remove().catch(() => {});
    }
    await queue.add(JobName.DeliverFile as never, payload as never, {
      jobId,
      attempts: wiring.maxAttempts,
      backoff: { type: DELIVERY_BACKOFF, delay: wiring.retryMs },
      removeOnComplete: { age: 7 * 86_400, count: 1_000 },
      removeOnFail: { age: 30 * 86_400 },
    });
  }
}
