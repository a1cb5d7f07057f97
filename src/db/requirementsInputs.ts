import { sql } from 'kysely';
import type { Db } from './database.ts';
import { findCycleByCode } from './cycles.ts';

export interface RequirementsFacts {
  registrant: { goc_number: string; surname: string; forenames: string; profession: string; specialties: string[] };
  cycle: { code: string; firstDay: string; lastDay: string };
  spans: Array<{ from: string; to: string | null }>;
  /** Points the system uploaded for the registrant in the cycle. */
  uploaded: { general: number; specialist: number };
}

/**
 * What Rules 12-16 need about a registrant (by normal-form GOC number) and a cycle.
 * Uploaded points: for each completion, only its latest carried revision counts (a correction
 * replaces what an earlier batch carried), and only when that revision went out in a batch of
 * this cycle, for this GOC number, and was not rejected by the regulator.
 */
export async function loadRequirementsFacts(
  db: Db,
  gocNumber: string,
  cycleCode: string,
): Promise<RequirementsFacts | { unknownRegistrant: true } | { unknownCycle: true }> {
  const registrant = await db
    .selectFrom('registrant')
    .select(['id', 'goc_number', 'surname', 'forenames', 'profession', 'specialties'])
    .where('goc_number', '=', gocNumber)
    .executeTakeFirst();
  if (!registrant) return { unknownRegistrant: true };
  const cycle = await findCycleByCode(db, cycleCode);
  if (!cycle) return { unknownCycle: true };

  const spans = await db
    .selectFrom('registration_span')
    .select(['registered_from', 'registered_to'])
    .where('registrant_id', '=', registrant.id)
    .orderBy('registered_from')
    .execute();

  const latest = db
    .selectFrom('batch_item')
    .select(['batch_id', 'goc_number', 'points', 'category', 'ack_status'])
    // Only completions ever carried for this GOC number, so the sort below stays small.
    .where('completion_id', 'in', (eb) => eb.selectFrom('batch_item').select('completion_id').where('goc_number', '=', registrant.goc_number))
    .distinctOn('completion_id')
    .orderBy('completion_id')
    .orderBy('revision', 'desc')
    .as('latest');
  const sums = await db
    .selectFrom(latest)
    .innerJoin('batch', 'batch.id', 'latest.batch_id')
    .select(['latest.category', sql<string>`sum(latest.points)`.as('points')])
    .where('batch.cycle_id', '=', cycle.id)
    .where('latest.goc_number', '=', registrant.goc_number)
    .where(sql<boolean>`latest.ack_status IS DISTINCT FROM 'REJECTED'`)
    .groupBy('latest.category')
    .execute();
  const pointsOf = (category: 'G' | 'S') => Number(sums.find((row) => row.category === category)?.points ?? 0);

  return {
    registrant: {
      goc_number: registrant.goc_number,
      surname: registrant.surname,
      forenames: registrant.forenames,
      profession: registrant.profession,
      specialties: registrant.specialties,
    },
    cycle: { code: cycle.code, firstDay: cycle.first_day, lastDay: cycle.last_day },
    spans: spans.map((span) => ({ from: span.registered_from, to: span.registered_to })),
    uploaded: { general: pointsOf('G'), specialist: pointsOf('S') },
  };
}
