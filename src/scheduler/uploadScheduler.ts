import cron, { type ScheduledTask } from 'node-cron';
import type { Queue } from 'bullmq';
import { unsealedCycles } from '../db/cycles.ts';
import type { Db } from '../db/database.ts';
import { isoWeekOf } from '../domain/businessTime.ts';
import { latestSlotAtOrBefore } from '../domain/weeklySlots.ts';
import type { Logger } from '../logger.ts';
import { awaitJob } from '../queue/awaitJob.ts';
import { addOrJoinJob } from '../queue/enqueueAndWait.ts';
import { jobIdFor, JobName, type JobPayloads } from '../queue/jobNames.ts';
import type { BatchOutcome } from '../usecases/runBatches.ts';
import { describeCycleCatchUp, summarizeCatchUp, type CycleCatchUp } from './catchUpSummary.ts';

const MAX_TIMER_MS = 2 ** 31 - 1;
const REPLAN_MS = 60 * 60 * 1000;

export interface SchedulerOptions {
  db: Db;
  queue: Queue;
  cron: string;
  zone: string;
  logger: Logger;
  /** The scheduler's clock: the real one, or one shifted by --now. */
  clock: () => Date;
  /** When the state snapshot refresh is asked for (STATE_SNAPSHOT_CRON); none: never. */
  snapshotCron?: string;
  /** The reminders queue: `remind` runs hourly (src/reminders/). */
  reminderQueue?: Queue;
}

/** When `remind` runs: hourly, on the hour. */
export const REMIND_CRON = '0 * * * *';
/** Daily, in the business zone, before the Friday batch: every written upload file checked against its record. */
export const VERIFY_CRON = '30 5 * * *';

/**
 * Only enqueues: every job carries the instant it was due, so a late or repeated run applies
 * the same cutoff. Catch-up jobs run one after another, oldest first, so each slot carries what
 * was due by its own cutoff.
 */
export class UploadScheduler {
  readonly #options: SchedulerOptions;
  #task?: ScheduledTask;
  #remindTask?: ScheduledTask;
  #verifyTask?: ScheduledTask;
  #refreshTask?: ScheduledTask;
  #timers = new Map<number, NodeJS.Timeout>();
  #replan?: NodeJS.Timeout;

  constructor(options: SchedulerOptions) {
    this.#options = options;
  }

  /**
   * Runs every weekly slot missed while nothing ran, then every overdue FINAL batch; logs one
   * summary line per cycle (each slot only at debug level: a cycle begun years ago has hundreds).
   */
  async catchUp(plan: { slots: Date[]; overdueFinals: Array<{ id: number; code: string; final_cutoff: Date }> }): Promise<CycleCatchUp[]> {
    const { logger, zone } = this.#options;
    const now = this.#options.clock();
    // The reminders due by the latest hourly tick (a reminder missed while nothing ran is still due).
    await this.#remindTick(now);
    const outcomes: BatchOutcome[] = [];
    for (const slot of plan.slots) {
      const period = isoWeekOf(slot, zone);
      logger.debug({ period, slot: slot.toISOString() }, 'catching up a missed weekly slot');
      outcomes.push(...(await this.#addAndWait(JobName.WeeklyBatch, { slot: slot.toISOString(), period, trigger: 'catch-up', requestedAt: now.toISOString() })));
    }
    for (const cycle of plan.overdueFinals) {
      logger.info({ cycle: cycle.code, cutoff: cycle.final_cutoff.toISOString() }, 'running an overdue FINAL batch');
      outcomes.push(...(await this.#addAndWait(JobName.FinalBatch, { cycleId: cycle.id, cycleCode: cycle.code, trigger: 'catch-up', requestedAt: now.toISOString() })));
    }
    const summaries = summarizeCatchUp(outcomes);
    for (const summary of summaries) logger.info(summary, describeCycleCatchUp(summary));
    return summaries;
  }

  /** Starts the weekly cron ticks and the FINAL timers. */
  start(): void {
    const { cron: expression, zone, logger } = this.#options;
    this.#task = cron.schedule(expression, (context) => this.#weeklyTick(context.date), { timezone: zone, name: 'weekly-batch' });
    if (this.#options.reminderQueue) {
      this.#remindTask = cron.schedule(REMIND_CRON, (context) => this.#remindTick(context.date), { timezone: zone, name: 'remind' });
    }
    this.#verifyTask = cron.schedule(VERIFY_CRON, (context) => void this.verifyTick(context.date), { timezone: zone, name: 'verify-files' });
    if (this.#options.snapshotCron) {
      this.#refreshTask = cron.schedule(this.#options.snapshotCron, (context) => void this.refreshTick(context.date), { timezone: zone, name: 'refresh-state-snapshot' });
      void this.refreshTick(this.#options.clock());
    }
    void this.#planFinals();
    this.#replan = setInterval(() => void this.#planFinals(), REPLAN_MS);
    logger.info({ cron: expression, zone }, 'scheduler started');
  }

  async stop(): Promise<void> {
    await this.#task?.stop();
    await this.#remindTask?.stop();
    await this.#verifyTask?.stop();
    await this.#refreshTask?.stop();
    clearInterval(this.#replan);
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }

  /** Enqueues `remind` for the hour at or before `firedAt` (the time it was due, not run). */
  async #remindTick(firedAt: Date): Promise<void> {
    const { logger, reminderQueue } = this.#options;
    if (!reminderQueue) return;
    const dueAt = new Date(Math.floor(firedAt.getTime() / 3_600_000) * 3_600_000).toISOString();
    try {
      const jobId = jobIdFor(JobName.Remind, { dueAt });
      const job = await reminderQueue.add(JobName.Remind, { dueAt }, { jobId, attempts: 3, backoff: { type: 'exponential', delay: 10_000 }, removeOnComplete: { age: 7 * 86_400 }, removeOnFail: { age: 30 * 86_400 } });
      logger.info({ job: job.id, dueAt }, 'remind enqueued');
    } catch (error) {
      logger.error({ err: error, dueAt }, 'could not enqueue remind; the next hourly tick catches up');
    }
  }

  /** Enqueues the daily check of the written upload files, named by the time it was due. */
  async verifyTick(firedAt: Date): Promise<void> {
    const { logger, queue } = this.#options;
    const dueAt = new Date(Math.floor(firedAt.getTime() / 60_000) * 60_000).toISOString();
    try {
      const { job } = await addOrJoinJob(queue, JobName.VerifyFiles, { dueAt });
      logger.info({ job: job.id, dueAt }, 'daily file check enqueued');
    } catch (error) {
      logger.error({ err: error, dueAt }, 'could not enqueue the daily file check; `cet-uploader verify` does it by hand');
    }
  }

  /**
   * Asks for the state snapshot to be rebuilt if the tables changed. One fixed job id: while one
   * waits (no worker running, say), asking again adds nothing; a finished one is removed at once.
   */
  async refreshTick(firedAt: Date): Promise<void> {
    const { logger, queue } = this.#options;
    const payload = { dueAt: firedAt.toISOString() };
    try {
      await queue.add(JobName.RefreshStateSnapshot, payload, {
        jobId: jobIdFor(JobName.RefreshStateSnapshot, payload),
        attempts: 1,
        removeOnComplete: true,
        removeOnFail: true,
      });
    } catch (error) {
      logger.debug({ err: error, dueAt: payload.dueAt }, 'could not ask for the state snapshot refresh; the next minute asks again');
    }
  }

  async #weeklyTick(firedAt: Date): Promise<void> {
    const { cron: expression, zone, logger, queue } = this.#options;
    const slot = latestSlotAtOrBefore(expression, zone, firedAt);
    if (!slot) return;
    const period = isoWeekOf(slot, zone);
    try {
      const { job } = await addOrJoinJob(queue, JobName.WeeklyBatch, { slot: slot.toISOString(), period, trigger: 'scheduler', requestedAt: slot.toISOString() });
      logger.info({ job: job.id, slot: slot.toISOString() }, 'weekly batch enqueued');
    } catch (error) {
      logger.error({ err: error, period }, 'could not enqueue the weekly batch; it will be caught up at the next start');
    }
  }

  /** One timer per unsealed cycle, at its cutoff (re-armed hourly: timers cannot wait > 24.8 days). */
  async #planFinals(): Promise<void> {
    const { db, logger, queue } = this.#options;
    try {
      for (const cycle of await unsealedCycles(db)) {
        if (this.#timers.has(cycle.id)) continue;
        const delay = cycle.final_cutoff.getTime() - this.#options.clock().getTime();
        if (delay > MAX_TIMER_MS) continue;
        const timer = setTimeout(async () => {
          try {
            // requestedAt is the cutoff itself: the time the FINAL batch was due.
            const { job } = await addOrJoinJob(queue, JobName.FinalBatch, {
              cycleId: cycle.id,
              cycleCode: cycle.code,
              trigger: 'scheduler',
              requestedAt: cycle.final_cutoff.toISOString(),
            });
            logger.info({ job: job.id, cycle: cycle.code }, 'FINAL batch enqueued at the cutoff');
          } catch (error) {
            logger.error({ err: error, cycle: cycle.code }, 'could not enqueue the FINAL batch; it runs at the next start');
          }
        }, Math.max(0, delay));
        this.#timers.set(cycle.id, timer);
      }
    } catch (error) {
      logger.error({ err: error }, 'could not plan FINAL batches; trying again within the hour');
    }
  }

  #warnedNoWorker = false;

  async #addAndWait<N extends JobName>(name: N, payload: JobPayloads[N]): Promise<BatchOutcome[]> {
    const { queue, logger } = this.#options;
    const { job } = await addOrJoinJob(queue, name, payload);
    if (!this.#warnedNoWorker && (await queue.getWorkers()).length === 0) {
      this.#warnedNoWorker = true;
      logger.warn({ job: job.id }, 'no worker is running yet; waiting for one (start `cet-uploader worker`)');
    }
    // Waits as long as it takes (the scheduler has nothing else to do), through Redis outages.
    const outcomes = ((await awaitJob(name, payload, job, { queue, redisSilenceMs: Infinity, onProgress: (message) => logger.info(message) })) ?? []) as BatchOutcome[];
    logger.debug({ job: job.id, outcomes }, 'done');
    return outcomes;
  }
}
