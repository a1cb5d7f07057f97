// Builds the inputs of Rules 12-16 from what the database knows about a registrant and a
// cycle. Pure: the query (src/db/requirementsInputs.ts) hands over plain rows.
import { isSpecialtyCode, type RequirementsInput, type SpecialtyCode } from './types.ts';
import type { DateSpan } from './wholeMonths.ts';

/** The initial relevant period began on 1 July 2005 (Rule 12(2)). */
export const INITIAL_PERIOD_FIRST_DAY = '2005-07-01';

export interface RegisterFacts {
  cycle: { code: string; firstDay: string; lastDay: string };
  spans: DateSpan[];
  /** registrant.specialties: codes only, the register keeps no dates for them. */
  specialties: string[];
  /** Points of the latest, not rejected, uploaded revision of each completion in the cycle. */
  uploaded: { general: number; specialist: number };
}

/**
 * The calculator's input, and notes on what was assumed:
 * - the period is the cycle's first..last day; it is the initial relevant period when the
 *   cycle begins on or before 1 July 2005;
 * - each specialty is held throughout the registrant's registration spans;
 * - specialist points go to the only specialty held; with none or several they stay
 *   unassigned (events carry no specialty code), so no specialty is credited with points that
 *   may belong to another: a specialty's shortfall is then at most that figure too high;
 * - no points are treated as obtained under Rule 14 (the system keeps no registrar's decisions).
 */
export function requirementsInputFromRegister(facts: RegisterFacts): { input: RequirementsInput; notes: string[] } {
  const notes: string[] = [];
  const initial = facts.cycle.firstDay <= INITIAL_PERIOD_FIRST_DAY;
  notes.push(
    `Period: cycle ${facts.cycle.code}, ${facts.cycle.firstDay}..${facts.cycle.lastDay}; ${
      initial ? `the initial relevant period (the cycle begins on or before ${INITIAL_PERIOD_FIRST_DAY})` : `a subsequent relevant period (the cycle begins after ${INITIAL_PERIOD_FIRST_DAY})`
    }.`,
  );
  const codes = [...new Set(facts.specialties)];
  const known = codes.filter(isSpecialtyCode);
  const unknown = codes.filter((code) => !isSpecialtyCode(code));
  if (unknown.length) notes.push(`Specialties: ignored unknown code${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}.`);
  if (known.length) {
    notes.push(`Specialties: the register keeps no dates for specialty entries, so ${known.join(', ')} ${known.length > 1 ? 'are' : 'is'} taken as held throughout the registration spans.`);
  }
  const specialties = known.flatMap((code) => facts.spans.map((span) => ({ code, from: span.from, to: span.to })));

  let specialist: Partial<Record<SpecialtyCode, number>> = {};
  let unassignedSpecialist = 0;
  const only = known.length === 1 ? known[0] : undefined;
  if (only) {
    specialist = { [only]: facts.uploaded.specialist };
    notes.push(`Points: the ${facts.uploaded.specialist} specialist points uploaded are assigned to ${only}, the only specialty held (events carry no specialty code).`);
  } else if (facts.uploaded.specialist > 0) {
    unassignedSpecialist = facts.uploaded.specialist;
    notes.push(
      known.length
        ? `Points: events carry no specialty code, so the ${facts.uploaded.specialist} specialist points uploaded are not assigned to any of ${known.join(', ')}; each one's shortfall may be up to ${facts.uploaded.specialist} lower.`
        : `Points: ${facts.uploaded.specialist} specialist points were uploaded for a registrant who holds no specialty.`,
    );
  }
  notes.push(
    `Points: obtained = the points uploaded in cycle ${facts.cycle.code}: ${facts.uploaded.general} general and ${facts.uploaded.specialist} specialist (latest revision of each completion, rejected records left out).`,
  );
  notes.push('Rule 14: the system keeps no points treated as obtained; treated = 0.');

  return {
    input: {
      period: { from: facts.cycle.firstDay, to: facts.cycle.lastDay, initial },
      registered: facts.spans,
      specialties,
      obtained: { general: facts.uploaded.general, specialist, unassignedSpecialist },
      treated: {},
    },
    notes,
  };
}
