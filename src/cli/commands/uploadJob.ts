import type { BatchView } from '../../db/batches.ts';
import { repairOf } from '../../outbox/checkFile.ts';
import { ensureBatchFile } from '../../outbox/ensureBatchFile.ts';
import { enqueueAndWait } from '../../queue/enqueueAndWait.ts';
import type { JobName, JobPayloads } from '../../queue/jobNames.ts';
import { startUploadWorker } from '../../queue/uploadWorker.ts';
import { outcomeOf, type BatchOutcome } from '../../usecases/runBatches.ts';
import type { FileProgress } from '../../usecases/uploadDeps.ts';
import type { CommandContext } from '../context.ts';
import { startProgress, type Progress } from '../progress.ts';
import { processLogger, uploadDeps } from '../wiring.ts';

// What `upload weekly|final` loads only when it runs a batch (not for --dry-run, whose answer
// should not wait for the queue's, the worker's and the file writer's libraries to load).

/** A sealed cycle's FINAL batch asked for again: its file checked against its record, and repaired. */
export async function checkSealedFile(context: CommandContext, existing: BatchView): Promise<BatchOutcome> {
  const file = await ensureBatchFile(uploadDeps(context), existing.id);
  const fileRepair = repairOf(file);
  return { ...outcomeOf(existing, { created: false, sealedBefore: false }), ...(fileRepair ? { fileRepair } : {}) };
}

export async function runJob<N extends JobName>(context: CommandContext, name: N, payload: JobPayloads[N]): Promise<BatchOutcome[]> {
  const deps = uploadDeps(context);
  const config = context.config;
  // Before the queue: an unreachable or unmigrated database is said at once, not after retries.
  await context.db.selectFrom('cycle').select('id').limit(1).execute();
  // A large batch's file shows a bar on a terminal (only there) while it is written, wherever the worker runs.
  let bar: { file: string; progress: Progress } | undefined;
  const onJobProgress = (data: unknown) => {
    const p = data as Partial<FileProgress>;
    if (typeof p?.file !== 'string' || typeof p.written !== 'number' || typeof p.records !== 'number' || p.records < LARGE_BATCH_RECORDS) return;
    if (bar?.file !== p.file) {
      bar?.progress.stop();
      bar = { file: p.file, progress: startProgress(context, `Writing ${p.file}`, 'records') };
    }
    bar.progress.update(p.written, p.records);
  };
  try {
    return await enqueueAndWait(name, payload, {
      onJobProgress,
      connection: () => context.redis(),
      prefix: config.QUEUE_PREFIX,
      onProgress: (message) => context.print(message),
      startLocalWorker: () =>
        startUploadWorker(deps, {
          connection: context.redis(),
          prefix: config.QUEUE_PREFIX,
          concurrency: 1,
          lockDuration: config.JOB_LOCK_MS,
          logger: processLogger(context, 'cet-uploader').child({ worker: 'in-process' }, { level: 'warn' }),
        }),
    });
  } finally {
    bar?.progress.stop();
  }
}

/** From this many records, writing a batch's file shows progress on a terminal. */
const LARGE_BATCH_RECORDS = 10_000;


