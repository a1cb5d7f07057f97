import { sql } from 'kysely';
import { businessDate, describeDuration, describeInstant } from '../domain/businessTime.ts';
import { nextSlotAfter } from '../domain/weeklySlots.ts';
import { latestOverdueReadyDay, latestReportableReadyDay } from '../domain/workingDays.ts';
import { latestBatches, latestBatchesWithFiles, type BatchView } from '../db/batches.ts';
import { listCycles } from '../db/cycles.ts';
import type { Db } from '../db/database.ts';
import { REJECT_RESOLVED_SQL } from '../db/importRejectResolved.ts';
import { countStates } from '../db/stateCounts.ts';
import { deliveryWarnings } from '../delivery/deliveryStatus.ts';
import { outboxFileWarnings } from '../outbox/fileWarnings.ts';
import { reminderWarnings } from '../reminders/statusWarnings.ts';

/** The inputs every part of the status needs. */
export interface StatusAt {
  now: Date;
  zone: string;
  holdDays: number;
  weeklyCron: string;
  /** Where upload files are written; sources that check files skip when it is absent. */
  outboxDir?: string;
}

/** One warning: a stable code for machines (status --check, the console, metrics) and a line for people. */
export interface StatusWarning {
  code: string;
  message: string;
}

export interface StatusCycle {
  code: string;
  firstDay: string;
  lastDay: string;
  cutoff: Date;
  sealed: boolean;
  cutoffPassed: boolean;
}

export interface StatusReport {
  now: Date;
  zone: string;
  cycles: StatusCycle[];
  /** The latest batches of any kind, newest first (empty weeks included). */
  latestBatches: BatchView[];
  /** The latest batches that carry a file, newest first: what a long run of empty weeks would hide. */
  latestBatchesWithFiles: BatchView[];
  completions: {
    waiting: number;
    held: number;
    carried: number;
    accepted: number;
    rejected: number;
    late: number;
    afterCutoff: number;
    noOpenCycle: number;
    quarantined: number;
    importRejects: number;
  };
  sla: { overdue: number; dueSoon: number };
  nextRuns: { weekly: Date; finals: Array<{ cycle: string; at: Date; overdue: boolean }> };
  /** Every warning that stands, most urgent first. */
  warnings: StatusWarning[];
}

export const LATEST_BATCHES = 5;

/**
 * Where warnings come from. Each concern (cycles, files, deliveries, reminders…) adds one source;
 * `status`, `status --check`, the console's overview and the metrics all read this one list.
 */
export type WarningSource = (db: Db, at: StatusAt, report: Omit<StatusReport, 'warnings'>) => Promise<StatusWarning[]>;

const cutoffWithoutFinal: WarningSource = async (_db, at, report) =>
  report.cycles
    .filter((cycle) => !cycle.sealed && cycle.cutoffPassed)
    .map((cycle) => ({
      code: 'FINAL_OVERDUE',
      message:
        `the cutoff of cycle ${cycle.code} (${describeInstant(cycle.cutoff, at.zone)}) passed ${describeDuration(at.now.getTime() - cycle.cutoff.getTime())} ago ` +
        `without a FINAL batch: run \`cet-uploader upload final --cycle ${cycle.code}\`.`,
    }));

export const WARNING_SOURCES: readonly WarningSource[] = [cutoffWithoutFinal, outboxFileWarnings, reminderWarnings, deliveryWarnings];

/** Everything `status` says, as typed values; rendering is the caller's. */
export async function collectStatus(db: Db, at: StatusAt, sources: readonly WarningSource[] = WARNING_SOURCES): Promise<StatusReport> {
  const statesAt = { now: at.now, holdDays: at.holdDays, zone: at.zone };
  const cycleRows = await listCycles(db);
  const cycles: StatusCycle[] = cycleRows.map((cycle) => ({
    code: cycle.code,
    firstDay: cycle.first_day,
    lastDay: cycle.last_day,
    cutoff: cycle.final_cutoff,
    sealed: cycle.sealed,
    cutoffPassed: at.now >= cycle.final_cutoff,
  }));
  const batches = await latestBatches(db, LATEST_BATCHES);
  const withFiles = await latestBatchesWithFiles(db, LATEST_BATCHES);
  const today = businessDate(at.now, at.zone);
  // Counted by PostgreSQL; the SLA standings bound by two ready days worked out once here.
  const counts = await countStates(db, cycleRows, statesAt, {
    overdueReadyDay: latestOverdueReadyDay(today),
    reportableReadyDay: latestReportableReadyDay(today),
  });
  const count = (state: Parameters<typeof counts.byState.get>[0]) => counts.byState.get(state) ?? 0;
  // Rows refused at import whose key was imported successfully since are resolved: not counted.
  const { rows: importRejects } = await sql<{ n: string }>`
    SELECT count(*) AS n FROM import_reject j JOIN import_run r ON r.id = j.import_id WHERE NOT (${sql.raw(REJECT_RESOLVED_SQL)})`.execute(db);

  const report: Omit<StatusReport, 'warnings'> = {
    now: at.now,
    zone: at.zone,
    cycles,
    latestBatches: batches,
    latestBatchesWithFiles: withFiles,
    completions: {
      waiting: count('WAITING'),
      held: count('HELD'),
      carried: count('CARRIED'),
      accepted: count('ACCEPTED'),
      rejected: count('REJECTED'),
      late: count('LATE'),
      afterCutoff: count('AFTER_CUTOFF'),
      noOpenCycle: count('NO_OPEN_CYCLE'),
      quarantined: count('QUARANTINED'),
      importRejects: Number(importRejects[0]?.n ?? 0),
    },
    sla: { overdue: counts.overdue, dueSoon: counts.reportable - counts.overdue },
    nextRuns: {
      weekly: nextSlotAfter(at.weeklyCron, at.zone, at.now),
      finals: cycles.filter((c) => !c.sealed).map((c) => ({ cycle: c.code, at: c.cutoff, overdue: c.cutoffPassed })),
    },
  };
  const warnings: StatusWarning[] = [];
  for (const source of sources) warnings.push(...(await source(db, at, report)));
  return { ...report, warnings };
}
