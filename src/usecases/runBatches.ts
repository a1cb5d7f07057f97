import { businessDate, describeDuration, describeInstant, isoWeekOf } from '../domain/businessTime.ts';
import { claimBatch } from '../db/claimBatch.ts';
import { cyclesOpenAt, type CycleRow } from '../db/cycles.ts';
import { findBatchById, findWeeklyBatches, type BatchView } from '../db/batches.ts';
import type { BatchTrigger } from '../db/schema.ts';
import { repairOf, type FileRepair } from '../outbox/checkFile.ts';
import type { UploadDeps } from './uploadDeps.ts';
import { writeBatchFile, type WrittenBatchFile } from './writeBatchFile.ts';
import { findCycleById } from '../db/cycles.ts';

/** What a batch run did; ids, counts and file names only (it travels through Redis). */
export interface BatchOutcome {
  batchId: string;
  cycle: string;
  kind: 'WEEKLY' | 'FINAL';
  period: string;
  cutoff: string;
  seq: number | null;
  fileName: string | null;
  records: number;
  points: number;
  interactivePoints: number;
  downgraded: number;
  /** False when the batch already existed: asking again returns it. */
  created: boolean;
  /** The cycle had been sealed by its FINAL batch before this WEEKLY one was asked for. */
  sealedBefore: boolean;
  /** Set when asking again found the written file missing or altered and repaired it. */
  fileRepair?: FileRepair;
}

export class FinalTooEarlyError extends Error {
  readonly cutoff: Date;
  constructor(cycle: CycleRow, now: Date, zone: string) {
    super(
      `The FINAL batch of cycle ${cycle.code} cannot run before its cutoff, ${describeInstant(cycle.final_cutoff, zone)} ` +
        `(${cycle.final_cutoff.toISOString()}); ${describeDuration(cycle.final_cutoff.getTime() - now.getTime())} remain.`,
    );
    this.cutoff = cycle.final_cutoff;
  }
}

/** Runs the weekly slot `slot` for every cycle open at it: claim, then write the file. */
export async function runWeeklySlot(
  deps: UploadDeps,
  request: { slot: Date; trigger: BatchTrigger; requestedAt: Date },
): Promise<BatchOutcome[]> {
  const period = isoWeekOf(request.slot, deps.zone);
  // Asking again returns what exists, even once its cycle is sealed.
  const existing = await findWeeklyBatches(deps.db, period);
  const outcomes: BatchOutcome[] = [];
  for (const batch of existing) {
    const file = batch.seq !== null ? await writeBatchFile(deps, batch.id) : null;
    outcomes.push(withRepair(outcomeOf((await findBatchById(deps.db, batch.id))!, { created: false, sealedBefore: false }), file));
  }
  for (const cycle of await cyclesOpenAt(deps.db, request.slot)) {
    if (existing.some((batch) => batch.cycleId === cycle.id)) continue;
    outcomes.push(await claimAndWrite(deps, cycle, { kind: 'WEEKLY', period, cutoff: request.slot, trigger: request.trigger, requestedAt: request.requestedAt }));
  }
  return outcomes;
}

/** Runs a cycle's FINAL batch, refused before its cutoff; after it, C is the cutoff however late. */
export async function runFinalBatch(
  deps: UploadDeps,
  request: { cycleId: number; trigger: BatchTrigger; requestedAt: Date },
): Promise<BatchOutcome> {
  const cycle = await findCycleById(deps.db, request.cycleId);
  if (!cycle) throw new Error(`no cycle with id ${request.cycleId}`);
  if (request.requestedAt < cycle.final_cutoff) throw new FinalTooEarlyError(cycle, request.requestedAt, deps.zone);
  return claimAndWrite(deps, cycle, { kind: 'FINAL', period: 'FINAL', cutoff: cycle.final_cutoff, trigger: request.trigger, requestedAt: request.requestedAt });
}

async function claimAndWrite(
  deps: UploadDeps,
  cycle: CycleRow,
  batch: { kind: 'WEEKLY' | 'FINAL'; period: string; cutoff: Date; trigger: BatchTrigger; requestedAt: Date },
): Promise<BatchOutcome> {
  const cutoffDate = businessDate(batch.cutoff, deps.zone);
  const claimed = await claimBatch(deps.db, {
    cycle: { id: cycle.id, startsAt: cycle.starts_at, finalCutoff: cycle.final_cutoff },
    kind: batch.kind,
    period: batch.period,
    cutoff: batch.cutoff,
    trigger: batch.trigger,
    providerCode: deps.providerCode,
    holdDays: deps.holdDays,
    claimedAt: batch.requestedAt,
    fileNameFor: (seq) => deps.format.fileName({ provider: deps.providerCode, seq, cutoffDate }),
  });
  // Also finishes the file of a batch whose writer died after the claim committed.
  const file = claimed.sealed ? null : await writeBatchFile(deps, claimed.id);
  return withRepair(outcomeOf((await findBatchById(deps.db, claimed.id))!, { created: claimed.created, sealedBefore: claimed.sealed }), file);
}

function withRepair(outcome: BatchOutcome, file: WrittenBatchFile | null): BatchOutcome {
  const fileRepair = repairOf(file);
  return fileRepair ? { ...outcome, fileRepair } : outcome;
}

export function outcomeOf(view: BatchView, how: { created: boolean; sealedBefore: boolean }): BatchOutcome {
  return {
    batchId: view.id,
    cycle: view.cycle,
    kind: view.kind,
    period: view.period,
    cutoff: view.cutoff.toISOString(),
    seq: view.seq,
    fileName: view.fileName,
    records: view.records,
    points: view.points,
    interactivePoints: view.interactivePoints,
    downgraded: view.downgraded,
    created: how.created,
    sealedBefore: how.sealedBefore,
  };
}
