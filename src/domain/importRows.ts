import { normaliseEventRef } from './eventRef.ts';
import { normaliseGocNumber, professionOfGocNumber } from './gocNumber.ts';
import type { RejectCode } from './importCodes.ts';
import { checkInstant } from './importInstant.ts';
import {
  PROFESSIONS,
  SPECIALTIES,
  checkChoice,
  checkChoiceList,
  checkDate,
  checkEmail,
  checkName,
  checkPoints,
  checkProviderRef,
  checkTitle,
} from './importValues.ts';

// The checks of one row that need nothing but the row itself. Fields come trimmed, in the order
// of the kind's columns; values come back in the same order, each the normal form as text, ''
// for an empty optional field, or null when the field is bad (its code is then in `codes`).

export const IMPORT_KINDS = ['registrants', 'events', 'completions', 'confirmations'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export interface CheckedRow {
  values: Array<string | null>;
  codes: RejectCode[];
}

export const IMPORT_COLUMNS = {
  registrants: ['goc_number', 'surname', 'forenames', 'profession', 'specialties', 'registered_from', 'registered_to', 'email'],
  events: ['event_ref', 'title', 'points', 'category', 'interactive', 'professions', 'approved_from', 'approved_to'],
  completions: ['provider_ref', 'goc_number', 'event_ref', 'completed_at'],
  confirmations: ['provider_ref', 'party', 'confirmed_at', 'peer_goc_number'],
} as const satisfies Record<ImportKind, readonly string[]>;

/**
 * Columns a file may leave out (older files from before the column existed). A left-out
 * column is staged as NULL (raw and normal form), which the merge reads as "keep what is stored".
 */
export const OPTIONAL_COLUMNS: Readonly<Record<ImportKind, readonly string[]>> = {
  registrants: ['email'],
  events: [],
  completions: [],
  confirmations: [],
};

type Check = (fields: readonly string[], nowMs: number) => CheckedRow;

class RowCodes {
  readonly codes: RejectCode[] = [];
  /** The value, or null with `code` noted (once) when it is null. */
  need<T>(value: T | null, code: RejectCode): T | null {
    if (value === null && !this.codes.includes(code)) this.codes.push(code);
    return value;
  }
  add(code: RejectCode): void {
    if (!this.codes.includes(code)) this.codes.push(code);
  }
}

function dateRange(from: string | null, to: string | null, codes: RowCodes): void {
  if (from !== null && to !== null && to !== '' && to < from) codes.add('INVALID_DATE_RANGE');
}

function instant(text: string, nowMs: number, codes: RowCodes): string | null {
  const checked = checkInstant(text, nowMs);
  if ('codes' in checked) {
    for (const code of checked.codes) codes.add(code);
    return null;
  }
  return checked.iso;
}

const checkRegistrant: Check = ([goc = '', surname = '', forenames = '', profession = '', specialties = '', from = '', to = '', email = '']) => {
  const codes = new RowCodes();
  const gocNumber = codes.need(normaliseGocNumber(goc), 'INVALID_GOC_NUMBER');
  const professionValue = codes.need(checkChoice(profession, PROFESSIONS), 'INVALID_PROFESSION');
  if (gocNumber !== null && professionValue !== null) {
    const implied = professionOfGocNumber(gocNumber);
    if (implied !== null && implied !== professionValue) codes.add('PROFESSION_MISMATCH');
  }
  const values = [
    gocNumber,
    codes.need(checkName(surname), 'INVALID_NAME'),
    codes.need(checkName(forenames), 'INVALID_NAME'),
    professionValue,
    codes.need(checkChoiceList(specialties, SPECIALTIES, false), 'INVALID_SPECIALTY')?.join(';') ?? null,
    codes.need(checkDate(from), 'INVALID_DATE'),
    to === '' ? '' : codes.need(checkDate(to), 'INVALID_DATE'),
    email === '' ? '' : codes.need(checkEmail(email), 'INVALID_EMAIL'),
  ];
  dateRange(values[5] ?? null, values[6] ?? null, codes);
  return { values, codes: codes.codes };
};

const checkEvent: Check = ([ref = '', title = '', points = '', category = '', interactive = '', professions = '', from = '', to = '']) => {
  const codes = new RowCodes();
  const values = [
    codes.need(normaliseEventRef(ref), 'INVALID_EVENT_REF'),
    codes.need(checkTitle(title), 'INVALID_TITLE'),
    codes.need(checkPoints(points), 'INVALID_POINTS'),
    codes.need(checkChoice(category, ['general', 'specialist'] as const), 'INVALID_CATEGORY'),
    codes.need(checkChoice(interactive, ['Y', 'N'] as const), 'INVALID_FLAG'),
    codes.need(checkChoiceList(professions, PROFESSIONS, true), 'INVALID_PROFESSION')?.join(';') ?? null,
    codes.need(checkDate(from), 'INVALID_DATE'),
    codes.need(checkDate(to), 'INVALID_DATE'),
  ];
  dateRange(values[6] ?? null, values[7] ?? null, codes);
  return { values, codes: codes.codes };
};

const checkCompletion: Check = ([ref = '', goc = '', event = '', completedAt = ''], nowMs) => {
  const codes = new RowCodes();
  const values = [
    codes.need(checkProviderRef(ref), 'INVALID_PROVIDER_REF'),
    codes.need(normaliseGocNumber(goc), 'INVALID_GOC_NUMBER'),
    codes.need(normaliseEventRef(event), 'INVALID_EVENT_REF'),
    instant(completedAt, nowMs, codes),
  ];
  return { values, codes: codes.codes };
};

const checkConfirmation: Check = ([ref = '', party = '', confirmedAt = '', peer = ''], nowMs) => {
  const codes = new RowCodes();
  const values = [
    codes.need(checkProviderRef(ref), 'INVALID_PROVIDER_REF'),
    codes.need(checkChoice(party, ['registrant', 'peer'] as const), 'INVALID_PARTY'),
    instant(confirmedAt, nowMs, codes),
    codes.need(normaliseGocNumber(peer), 'INVALID_GOC_NUMBER'),
  ];
  return { values, codes: codes.codes };
};

export const CHECK_ROW: Record<ImportKind, Check> = {
  registrants: checkRegistrant,
  events: checkEvent,
  completions: checkCompletion,
  confirmations: checkConfirmation,
};

/**
 * The keys by which a row may repeat an earlier line of its file, each as the columns (indexes
 * into the kind's values) whose staged normal forms make it up; a key with a bad (null) part is
 * no key. The first is the row's key: two rows have the same values there exactly when their keys
 * in the kind's check are equal (the `key` of src/imports/*Sql.ts; a confirmation's provider_ref
 * holds no '/'). Completions add their GOC number and event reference, which name one registrant
 * and one event (DUPLICATE_COMPLETION).
 */
export const REPEAT_KEYS: Record<ImportKind, ReadonlyArray<readonly number[]>> = {
  registrants: [[0]],
  events: [[0]],
  completions: [[0], [1, 2]],
  confirmations: [[0, 1]],
};
