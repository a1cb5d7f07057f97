import { isRealDate } from './importInstant.ts';

// Checks of single field values of import files (import-files.md, "Normal forms"). Each returns
// the normal form of a good value, or null; the row checkers turn null into the field's code.

export const PROFESSIONS = ['optometrist', 'dispensing_optician'] as const;
export type Profession = (typeof PROFESSIONS)[number];

export const SPECIALTIES = ['CLO', 'AS', 'SP', 'IP'] as const;
export type Specialty = (typeof SPECIALTIES)[number];

// C0, DEL and C1: none belongs in a name, and CR/LF/TAB would break the upload file.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** 1 to `max` characters (code points), none of them a control character. */
export function checkText(text: string, max: number): string | null {
  if (text === '' || CONTROL.test(text)) return null;
  let length = 0;
  for (const _ of text) if (++length > max) return null;
  return text;
}

export const checkName = (text: string): string | null => checkText(text, 100);
export const checkTitle = (text: string): string | null => checkText(text, 200);

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date written YYYY-MM-DD. */
export function checkDate(text: string): string | null {
  const match = DATE.exec(text);
  return match && isRealDate(Number(match[1]), Number(match[2]), Number(match[3])) ? text : null;
}

/** A whole number of points, 1 to 20. */
export function checkPoints(text: string): string | null {
  if (!/^\d{1,3}$/.test(text)) return null;
  const points = Number(text);
  return points >= 1 && points <= 20 ? String(points) : null;
}

// A leading - (or _) would let a spreadsheet read the upload file's field as a formula.
const PROVIDER_REF = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function checkProviderRef(text: string): string | null {
  return PROVIDER_REF.test(text) ? text : null;
}

/** One of `allowed`, compared without regard to case; the normal form is the listed spelling. */
export function checkChoice<T extends string>(text: string, allowed: readonly T[]): T | null {
  const wanted = text.toLowerCase();
  return allowed.find((choice) => choice.toLowerCase() === wanted) ?? null;
}

/**
 * A `;`-separated set of choices, in the order of `allowed` and without repeats (so that equal
 * sets have equal text); empty entries are ignored. `required` refuses an empty set.
 */
export function checkChoiceList<T extends string>(text: string, allowed: readonly T[], required: boolean): T[] | null {
  const chosen = new Set<T>();
  for (const part of text.split(';')) {
    const entry = part.trim();
    if (entry === '') continue;
    const choice = checkChoice(entry, allowed);
    if (choice === null) return null;
    chosen.add(choice);
  }
  if (required && chosen.size === 0) return null;
  return allowed.filter((choice) => chosen.has(choice));
}

// One address in the usual form local@domain.tld: no spaces, no display name, no list; at most
// 254 characters (RFC 5321's limit). The domain is lower-cased; the local part is kept as written.
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;
export function checkEmail(text: string): string | null {
  if (text.length > 254 || !EMAIL.test(text)) return null;
  const at = text.lastIndexOf('@');
  const local = text.slice(0, at);
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) return null;
  return `${local}@${text.slice(at + 1).toLowerCase()}`;
}
