// CET Rules 12-16 (SI 2005/1473, Part 4): the points a registrant must obtain in a relevant
// period, and how short of that he is. Pure: no I/O, no clock.
import {
  REGISTER_DAY,
  SPECIALTY_CODES,
  type GeneralResult,
  type RequirementsInput,
  type RequirementsResult,
  type SpecialtyCode,
  type SpecialtyResult,
} from './types.ts';
import { daysInMonth, yearMonth } from './dates.ts';
import { coversDay, intersect, mergeSpans, wholeMonths } from './wholeMonths.ts';

/** The caps of Rules 14 and 16. */
export const CAPS = {
  /** Rule 14(a): general points treated as obtained. */
  treatedGeneral: 24,
  /** Rule 14(b): specialist points treated as obtained, all specialties together. */
  treatedSpecialist: 12,
  /** Rule 16(2)(a): obtained specialist points that may also count as general. */
  relevantObtained: 4,
  /** Rule 16(2)(b): treated specialist points that may also count as general. */
  relevantTreated: 12,
} as const;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Rule 13(4): no account is taken of half numbers, so half of an odd number of months is
 * rounded down.
 */
export function halfRoundedDown(months: number): number {
  return Math.floor(months / 2);
}

/** Rule 16(2): how many specialist points also count as general in the initial period. */
export function relevantPoints(obtainedSpecialist: number, treatedSpecialist: number): { fromObtained: number; fromTreated: number } {
  return {
    fromObtained: Math.min(CAPS.relevantObtained, obtainedSpecialist),
    fromTreated: Math.min(CAPS.relevantTreated, treatedSpecialist),
  };
}

export function calculateRequirements(input: RequirementsInput): RequirementsResult {
  const { period } = input;
  const notes: string[] = [];
  const registered = mergeSpans(input.registered);
  const months = wholeMonths(period, registered);
  const onRegisterDay = coversDay(registered, REGISTER_DAY);
  const monthsText = `${plural(months, 'whole month')} registered in ${period.from}..${period.to} (calendar months of the period on every day of which the registrant was registered)`;
  if (!period.from.endsWith('-01')) notes.push(`Whole months: the period begins on ${period.from}, mid-month, so that month is not a whole month of the period.`);
  if (!endsMonth(period.to)) notes.push(`Whole months: the period ends on ${period.to}, mid-month, so that month is not a whole month of the period.`);

  // Rule 12: general points required.
  let generalRequired: number;
  if (!period.initial) {
    generalRequired = months;
    notes.push(`Rule 12(3): subsequent relevant period: ${monthsText}; required = ${generalRequired} general points.`);
  } else if (onRegisterDay) {
    generalRequired = 2 * months;
    notes.push(`Rule 12(2)(a): on the register on 30 June 2005: ${monthsText}; required = 2 x ${months} = ${generalRequired} general points.`);
  } else {
    generalRequired = months;
    notes.push(`Rule 12(2)(b): not on the register on 30 June 2005 (entered on or after 1 July 2005): ${monthsText}; required = ${generalRequired} general points.`);
  }

  // Rules 13 and 14(b): each specialty.
  const specialistObtained = input.obtained?.specialist ?? {};
  const specialistTreated = input.treated?.specialist ?? {};
  const codes = SPECIALTY_CODES.filter(
    (code) => input.specialties.some((s) => s.code === code) || specialistObtained[code] !== undefined || specialistTreated[code] !== undefined,
  );
  const specialties: Partial<Record<SpecialtyCode, SpecialtyResult>> = {};
  let treatedSpecialistRoom: number = CAPS.treatedSpecialist;
  for (const code of codes) {
    const entries = input.specialties.filter((s) => s.code === code);
    // An entry is in the register only while the registrant's name is.
    const held = intersect(mergeSpans(entries), registered);
    const entryMonths = wholeMonths(period, held);
    const heldOnRegisterDay = coversDay(held, REGISTER_DAY);
    const entryText = `${code}: ${plural(entryMonths, 'whole month')} in the period with the entry in the register (while registered)`;
    let required: number;
    if (entries.length === 0) {
      required = 0;
      notes.push(`Rule 13(1): ${code}: no ${code} entry against the registrant's name, so no ${code} points are required.`);
    } else if (!period.initial) {
      required = halfRoundedDown(entryMonths);
      notes.push(`Rule 13(3), 13(4): subsequent relevant period: ${entryText}; required = ${entryMonths} / 2${entryMonths % 2 ? ` = ${entryMonths / 2}, no account taken of the half,` : ''} = ${required}.`);
    } else if (heldOnRegisterDay) {
      required = entryMonths;
      notes.push(`Rule 13(2)(a): ${code} entry in the register on 30 June 2005: ${entryText}; required = ${required}.`);
    } else {
      required = halfRoundedDown(entryMonths);
      notes.push(`Rule 13(2)(b), 13(4): ${code} entry made on or after 1 July 2005: ${entryText}; required = ${entryMonths} / 2${entryMonths % 2 ? ` = ${entryMonths / 2}, no account taken of the half,` : ''} = ${required}.`);
    }

    const obtained = specialistObtained[code] ?? 0;
    notes.push(`Rule 15(2): ${code}: obtained = ${obtained} specialist points obtained in the period (general points never count as specialist points).`);

    const claimed = specialistTreated[code] ?? 0;
    let treated = 0;
    if (!period.initial) {
      if (claimed > 0) notes.push(`Rule 14(b): ${code}: points treated as obtained count for the initial relevant period only; ${claimed} ignored, treated = 0.`);
    } else if (!heldOnRegisterDay) {
      if (claimed > 0) notes.push(`Rule 14(b): ${code}: points treated as obtained count only towards Rule 13(2)(a), an entry in the register on 30 June 2005; ${claimed} ignored, treated = 0.`);
    } else {
      treated = Math.min(claimed, treatedSpecialistRoom);
      treatedSpecialistRoom -= treated;
      notes.push(
        treated < claimed
          ? `Rule 14(b): ${code}: ${claimed} specialist points treated as obtained, cut to ${treated}: at most ${CAPS.treatedSpecialist} for all specialties together (taken in the order ${SPECIALTY_CODES.join(', ')}).`
          : `Rule 14(b): ${code}: treated = ${treated} specialist points treated as obtained (at most ${CAPS.treatedSpecialist} for all specialties together).`,
      );
    }

    const total = obtained + treated;
    const shortfall = Math.max(0, required - total);
    notes.push(`Rule 13(1): ${code}: total = ${obtained} obtained + ${treated} treated = ${total}; shortfall = max(0, ${required} - ${total}) = ${shortfall}.`);
    specialties[code] = { wholeMonths: entryMonths, required, obtained, treated, total, shortfall };
  }
  if (input.specialties.length > 0) {
    notes.push('Rule 15(3)(a): the specialist points required under Rule 13 are in addition to (not in place of) the general points required under Rule 12.');
  }

  // Rule 14(a): general points treated as obtained.
  const claimedGeneral = input.treated?.general ?? 0;
  let treatedGeneral = 0;
  if (!period.initial) {
    notes.push(`Rule 14(a): points treated as obtained count for the initial relevant period only${claimedGeneral > 0 ? `; ${claimedGeneral} ignored` : ''}; treated = 0.`);
  } else if (!onRegisterDay) {
    notes.push(`Rule 14(a): points treated as obtained count only towards Rule 12(2)(a), a registrant on the register on 30 June 2005${claimedGeneral > 0 ? `; ${claimedGeneral} ignored` : ''}; treated = 0.`);
  } else {
    treatedGeneral = Math.min(claimedGeneral, CAPS.treatedGeneral);
    notes.push(
      treatedGeneral < claimedGeneral
        ? `Rule 14(a): ${claimedGeneral} general points treated as obtained, capped at ${CAPS.treatedGeneral}: treated = ${treatedGeneral}.`
        : `Rule 14(a): treated = ${treatedGeneral} general points treated as obtained (at most ${CAPS.treatedGeneral}).`,
    );
  }

  // Rule 16 (initial period) or Rule 15(3)(b) (later periods): specialist points as general ones.
  const unassigned = input.obtained?.unassignedSpecialist ?? 0;
  if (unassigned > 0) {
    notes.push(`${plural(unassigned, 'specialist point')} obtained could not be assigned to a specialty, so they count towards no specialty's total${period.initial ? ' (they do count under Rule 16(2)(a))' : ''}.`);
  }
  let fromSpecialist = 0;
  if (period.initial) {
    const obtainedSpecialistAll = sum(Object.values(specialistObtained)) + unassigned;
    const treatedSpecialistAll = sum(codes.map((code) => specialties[code]?.treated ?? 0));
    const relevant = relevantPoints(obtainedSpecialistAll, treatedSpecialistAll);
    fromSpecialist = relevant.fromObtained + relevant.fromTreated;
    notes.push(`Rule 16(2)(a): ${relevant.fromObtained} of the ${obtainedSpecialistAll} specialist points obtained in the initial period also count as general (at most ${CAPS.relevantObtained}).`);
    notes.push(`Rule 16(2)(b): ${relevant.fromTreated} of the ${treatedSpecialistAll} specialist points treated as obtained under Rule 14(b) also count as general (at most ${CAPS.relevantTreated}).`);
    notes.push(
      `Rule 16(2): fromSpecialist = ${relevant.fromObtained} + ${relevant.fromTreated} = ${fromSpecialist}. The caps apply to the specialist points of all specialties together; a point counted as general also stays a specialist point of its specialty (counted twice), so no specialty's total is reduced by it.`,
    );
  } else {
    notes.push('Rule 15(3)(b): outside the initial relevant period no specialist points count as general ones (Rule 16 applies to the initial period only); fromSpecialist = 0.');
  }

  const obtainedGeneral = input.obtained?.general ?? 0;
  notes.push(`Rule 15(5): obtained = ${obtainedGeneral} general points obtained in this period; points count only in the period in which they were obtained: none make up a previous period's shortfall and no surplus is carried forward.`);
  const total = obtainedGeneral + treatedGeneral + fromSpecialist;
  const shortfall = Math.max(0, generalRequired - total);
  notes.push(
    `Rule 12(1): general total = ${obtainedGeneral} obtained + ${treatedGeneral} treated + ${fromSpecialist} from specialist = ${total}; shortfall = max(0, ${generalRequired} - ${total}) = ${shortfall}.`,
  );

  const general: GeneralResult = { wholeMonths: months, required: generalRequired, obtained: obtainedGeneral, treated: treatedGeneral, fromSpecialist, total, shortfall };
  return { general, specialties, notes };
}

function endsMonth(date: string): boolean {
  const { year, month } = yearMonth(date);
  return date.endsWith(`-${daysInMonth(year, month)}`);
}

function sum(values: ReadonlyArray<number | undefined>): number {
  return values.reduce<number>((acc, v) => acc + (v ?? 0), 0);
}
