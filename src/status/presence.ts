import type { Redis } from 'ioredis';
import { describeInstant } from '../domain/businessTime.ts';
import { lastSchedulerHeartbeat, SCHEDULER_SILENT_AFTER_MS, type SchedulerHeartbeat } from '../queue/schedulerPresence.ts';
import { readLiveWorkers, type LiveWorkers } from '../queue/workerPresence.ts';

// Whether the worker and the scheduler are up, from their heartbeats in Redis (not from their
// logs): for `status` (and --check, --format json), the console's Overview and /metrics. Always
// read live, with real time (a status or a console given --now still judges heartbeats by the
// wall clock).

export interface ServicePresence {
  /** Workers with a recent heartbeat; null when Redis did not answer. */
  workersLive: number | null;
  /** Of those, the ones that have lost PostgreSQL; null when Redis did not answer. */
  workersWithoutPostgres: LiveWorkers['withoutPostgres'] | null;
  scheduler: SchedulerHeartbeat | null;
  /** The scheduler beat recently and has not stopped. */
  schedulerUp: boolean;
  /** Why the heartbeats could not be read. */
  error?: string;
}

export async function readPresence(redis: Redis, prefix: string, ms = 2_000): Promise<ServicePresence> {
  let timer: NodeJS.Timeout | undefined;
  // The connection's own error (connect ECONNREFUSED 127.0.0.1:6379) says more than the
  // command's ("Connection is closed." once a command's connection gives up).
  let connectionError: Error | undefined;
  const onError = (error: Error) => (connectionError = error);
  redis.on('error', onError);
  try {
    const [workers, scheduler] = await Promise.race([
      Promise.all([readLiveWorkers(redis, prefix), lastSchedulerHeartbeat(redis, prefix)]),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms / 1000} s`)), ms))),
    ]);
    return { workersLive: workers.live, workersWithoutPostgres: workers.withoutPostgres, scheduler, schedulerUp: isUp(scheduler) };
  } catch (error) {
    const cause = (error as Error)?.name === 'ReplyError' ? (error as Error) : (connectionError ?? (error as Error));
    return { workersLive: null, workersWithoutPostgres: null, scheduler: null, schedulerUp: false, error: (cause?.message ?? String(cause)).split('\n')[0] };
  } finally {
    clearTimeout(timer);
    redis.off('error', onError);
  }
}

function isUp(scheduler: SchedulerHeartbeat | null): boolean {
  return scheduler !== null && scheduler.stoppedAt === null && Date.now() - scheduler.at.getTime() <= SCHEDULER_SILENT_AFTER_MS;
}

/** Warnings in the shape `status` gives them: a stable code and one sentence. */
export function presenceWarnings(presence: ServicePresence, zone: string): Array<{ code: string; message: string }> {
  if (presence.error) {
    return [{ code: 'READINESS_UNKNOWN', message: `Whether a worker and the scheduler are running is unknown: their heartbeats in Redis could not be read (${presence.error}).` }];
  }
  const warnings: Array<{ code: string; message: string }> = [];
  if (presence.workersLive === 0) {
    warnings.push({ code: 'NO_WORKER', message: 'No worker is running (none has sent a heartbeat in the last few seconds): batches asked for wait until one starts. Start `cet-uploader worker`.' });
  }
  const lost = presence.workersWithoutPostgres;
  if (presence.workersLive && lost && lost.count > 0) {
    const who = lost.count === presence.workersLive ? (lost.count === 1 ? 'The worker' : `All ${lost.count} workers`) : `${lost.count} of ${presence.workersLive} workers`;
    const since = lost.since ? ` since ${describeInstant(lost.since, zone)}` : '';
    warnings.push({
      code: 'WORKER_NO_POSTGRES',
      message: `${who} cannot reach PostgreSQL${since} (it keeps retrying): batches it takes wait until it can. Check the worker's DATABASE_URL and the network between it and PostgreSQL.`,
    });
  }
  const s = presence.scheduler;
  if (!presence.schedulerUp) {
    const why = !s
      ? 'no scheduler has sent a heartbeat'
      : s.stoppedAt
        ? `the scheduler stopped at ${describeInstant(s.stoppedAt, zone)}`
        : `the scheduler has been silent since ${describeInstant(s.at, zone)}`;
    warnings.push({ code: 'NO_SCHEDULER', message: `${why[0]!.toUpperCase()}${why.slice(1)}: weekly and FINAL batches are not enqueued on time. Start \`cet-uploader scheduler\`.` });
  }
  return warnings;
}
