import type { DateSpan } from './wholeMonths.ts';

/** The specialty entries of the register (import-files.md). */
export const SPECIALTY_CODES = ['CLO', 'AS', 'SP', 'IP'] as const;
export type SpecialtyCode = (typeof SPECIALTY_CODES)[number];

export function isSpecialtyCode(code: string): code is SpecialtyCode {
  return (SPECIALTY_CODES as readonly string[]).includes(code);
}

/** 30 June 2005: the day that Rules 12(2)(a), 13(2)(a) and 14 look at. */
export const REGISTER_DAY = '2005-06-30';

export type SpecialistPoints = Partial<Record<SpecialtyCode, number>>;

/** The inputs of Rules 12-16 for one registrant and one relevant period (cli.md, `requirements --input`). */
export interface RequirementsInput {
  period: { from: string; to: string; initial: boolean };
  registered: DateSpan[];
  specialties: Array<DateSpan & { code: SpecialtyCode }>;
  /** Points obtained in the period (left out: zero). */
  obtained?: {
    general?: number;
    specialist?: SpecialistPoints;
    /**
     * Specialist points whose specialty is not known (the database's events carry no specialty
     * code). They count under Rule 16(2)(a) but towards no one specialty. Not part of the JSON input.
     */
    unassignedSpecialist?: number;
  };
  /** Points the registrar treats as obtained under Rule 14 (left out: zero). */
  treated?: { general?: number; specialist?: SpecialistPoints };
}

export interface GeneralResult {
  wholeMonths: number;
  required: number;
  obtained: number;
  treated: number;
  fromSpecialist: number;
  total: number;
  shortfall: number;
}

export interface SpecialtyResult {
  wholeMonths: number;
  required: number;
  obtained: number;
  treated: number;
  total: number;
  shortfall: number;
}

/** The output JSON of cli.md; every figure is explained by a note naming its rule. */
export interface RequirementsResult {
  general: GeneralResult;
  specialties: Partial<Record<SpecialtyCode, SpecialtyResult>>;
  notes: string[];
}
