import { latestWeeklyCutoff } from '../db/batches.ts';
import { unsealedCycles, type CycleRow } from '../db/cycles.ts';
import type { Db } from '../db/database.ts';
import { slotsBetween } from '../domain/weeklySlots.ts';

export interface CatchUpPlan {
  /** Weekly slots that came due while nothing ran, oldest first. */
  slots: Date[];
  /** Unsealed cycles whose final-upload cutoff has passed. */
  overdueFinals: CycleRow[];
}

/**
 * What a scheduler starting at `now` owes: for each unsealed cycle, every weekly slot after its
 * latest WEEKLY batch (or its first day) and before both now and its final-upload cutoff; and
 * the FINAL batch of every cycle whose cutoff has passed.
 */
export async function planCatchUp(db: Db, schedule: { cron: string; zone: string }, now: Date): Promise<CatchUpPlan> {
  const cycles = await unsealedCycles(db);
  const slots = new Map<number, Date>();
  for (const cycle of cycles) {
    if (cycle.starts_at >= now) continue;
    const last = await latestWeeklyCutoff(db, cycle.id);
    const from = last ? new Date(last.getTime() + 1) : cycle.starts_at;
    const to = new Date(Math.min(now.getTime(), cycle.final_cutoff.getTime() - 1));
    if (from > to) continue;
    for (const slot of slotsBetween(schedule.cron, schedule.zone, from, to)) slots.set(slot.getTime(), slot);
  }
  return {
    slots: [...slots.values()].sort((a, b) => a.getTime() - b.getTime()),
    overdueFinals: cycles.filter((cycle) => cycle.final_cutoff <= now),
  };
}
