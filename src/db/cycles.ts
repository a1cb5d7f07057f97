import { sql } from 'kysely';
import type { Db } from './database.ts';

export interface CycleRow {
  id: number;
  code: string;
  first_day: string;
  last_day: string;
  starts_at: Date;
  ends_at: Date;
  final_cutoff: Date;
  sealed: boolean;
}

const sealed = sql<boolean>`EXISTS (SELECT 1 FROM batch b WHERE b.cycle_id = cycle.id AND b.kind = 'FINAL')`;

function cycleQuery(db: Db) {
  return db
    .selectFrom('cycle')
    .select(['id', 'code', 'first_day', 'last_day', 'starts_at', 'ends_at', 'final_cutoff', sealed.as('sealed')]);
}

export async function insertCycle(
  db: Db,
  cycle: { code: string; firstDay: string; lastDay: string; startsAt: Date; endsAt: Date; finalCutoff: Date },
): Promise<{ id: number } | { overlapsWith: string } | { duplicate: true }> {
  return db.transaction().execute(async (trx) => {
    // Serialise cycle additions so that two overlapping ones cannot slip past each other.
    await sql`LOCK TABLE cycle IN SHARE ROW EXCLUSIVE MODE`.execute(trx);
    const same = await trx.selectFrom('cycle').select('id').where('code', '=', cycle.code).executeTakeFirst();
    if (same) return { duplicate: true as const };
    const overlapping = await trx
      .selectFrom('cycle')
      .select('code')
      .where('starts_at', '<', cycle.endsAt)
      .where('ends_at', '>', cycle.startsAt)
      .executeTakeFirst();
    if (overlapping) return { overlapsWith: overlapping.code };
    return trx
      .insertInto('cycle')
      .values({
        code: cycle.code,
        first_day: cycle.firstDay,
        last_day: cycle.lastDay,
        starts_at: cycle.startsAt,
        ends_at: cycle.endsAt,
        final_cutoff: cycle.finalCutoff,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
  });
}

export function listCycles(db: Db): Promise<CycleRow[]> {
  return cycleQuery(db)
    .orderBy('starts_at')
    .execute();
}

export function findCycleByCode(db: Db, code: string): Promise<CycleRow | undefined> {
  return cycleQuery(db)
    .where('code', '=', code)
    .executeTakeFirst();
}

/** Cycles that a weekly slot at `cutoff` serves: begun, final cutoff still ahead, not sealed. */
export function cyclesOpenAt(db: Db, cutoff: Date): Promise<CycleRow[]> {
  return cycleQuery(db)
    .where('starts_at', '<', cutoff)
    .where('final_cutoff', '>', cutoff)
    .where(sql<boolean>`NOT ${sealed}`)
    .orderBy('starts_at')
    .execute();
}

/**
 * Sealed cycles a weekly slot at `slot` would have served (begun, and the slot no later than a
 * week after the cycle's end): a weekly request there is answered "sealed by its FINAL batch".
 */
export function cyclesSealedAt(db: Db, slot: Date): Promise<(CycleRow & { finalFile: string | null })[]> {
  return cycleQuery(db)
    .select(sql<string | null>`(SELECT b.file_name FROM batch b WHERE b.cycle_id = cycle.id AND b.kind = 'FINAL')`.as('finalFile'))
    .where('starts_at', '<', slot)
    .where(sql<boolean>`ends_at + interval '7 days' > ${slot}`)
    .where(sealed)
    .orderBy('starts_at')
    .execute();
}

export function findCycleById(db: Db, id: number): Promise<CycleRow | undefined> {
  return cycleQuery(db)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Cycles without a FINAL batch, oldest first. */
export function unsealedCycles(db: Db): Promise<CycleRow[]> {
  return cycleQuery(db)
    .where(sql<boolean>`NOT ${sealed}`)
    .orderBy('starts_at')
    .execute();
}
