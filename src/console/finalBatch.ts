import { Redis } from 'ioredis';
import type pg from 'pg';
import type { Logger } from 'pino';
import { requireProviderCode, type Config } from '../config.ts';
import { findFinalBatch } from '../db/batches.ts';
import type { CycleRow } from '../db/cycles.ts';
import type { Db } from '../db/database.ts';
import type { DeliveryWiring } from '../delivery/deliveryWiring.ts';
import { previewBatch, type BatchPreview } from '../db/previewBatch.ts';
import { gocCetUpload } from '../format/gocCetUpload.ts';
import { enqueueAndWait } from '../queue/enqueueAndWait.ts';
import { JobName } from '../queue/jobNames.ts';
import { startUploadWorker } from '../queue/uploadWorker.ts';
import { outcomeOf, type BatchOutcome } from '../usecases/runBatches.ts';

// The console's End of cycle runs the FINAL batch exactly as `upload final` does: the same job
// (name, payload and so job id) through the same queue, processed here when no worker runs,
// refused before the cutoff; PostgreSQL makes sure there is one FINAL batch however often asked.

export interface FinalDeps {
  db: Db;
  pool: pg.Pool;
  config: Config;
  logger: Logger;
  /** DELIVERY=sftp: the in-console worker queues the written file's delivery, as `upload final`'s does. */
  delivery: DeliveryWiring | undefined;
}

/** What the FINAL batch of the cycle would carry now (upload final --dry-run). */
export function previewFinal(db: Db, cycle: CycleRow, holdDays: number): Promise<BatchPreview> {
  return previewBatch(db, { cycleStartsAt: cycle.starts_at, cutoff: cycle.final_cutoff, isFinal: true, holdDays });
}

export type FinalResult =
  | { kind: 'too-early'; cutoff: Date }
  | { kind: 'already-sealed'; outcome: BatchOutcome }
  | { kind: 'ran'; outcomes: BatchOutcome[] };

export async function runFinalBatch(deps: FinalDeps, cycle: CycleRow, now: Date): Promise<FinalResult> {
  const existing = await findFinalBatch(deps.db, cycle.id);
  if (existing && existing.writtenAt) return { kind: 'already-sealed', outcome: outcomeOf(existing, { created: false, sealedBefore: false }) };
  if (now < cycle.final_cutoff) return { kind: 'too-early', cutoff: cycle.final_cutoff };
  const { config } = deps;
  const connections: Redis[] = [];
  const connection = () => {
    const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null, retryStrategy: (times) => (times > 3 ? null : 200 * times) });
    redis.on('error', () => {});
    connections.push(redis);
    return redis;
  };
  const uploadDeps = {
    db: deps.db,
    pool: deps.pool,
    format: gocCetUpload,
    outboxDir: config.OUTBOX_DIR,
    zone: config.BUSINESS_TIME_ZONE,
    holdDays: config.INTERACTIVE_HOLD_DAYS,
    providerCode: requireProviderCode(config),
    clock: () => new Date(),
    ...(deps.delivery ? { delivery: deps.delivery } : {}),
  };
  try {
    const outcomes = await enqueueAndWait(
      JobName.FinalBatch,
      { cycleId: cycle.id, cycleCode: cycle.code, trigger: 'manual', requestedAt: now.toISOString() },
      {
        connection,
        prefix: config.QUEUE_PREFIX,
        onProgress: (message) => deps.logger.info({ cycle: cycle.code }, message),
        startLocalWorker: () =>
          startUploadWorker(uploadDeps, {
            connection: connection(),
            prefix: config.QUEUE_PREFIX,
            concurrency: 1,
            lockDuration: config.JOB_LOCK_MS,
            logger: deps.logger.child({ worker: 'in-console' }),
          }),
      },
    );
    return { kind: 'ran', outcomes };
  } finally {
    for (const redis of connections) redis.disconnect();
  }
}
