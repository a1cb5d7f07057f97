// Instants in import files are checked by hand rather than with Date or luxon: Date silently
// rolls 30 February over into March, and the normalised text must keep every fractional digit
// so that PostgreSQL, not JavaScript, fixes the stored value.

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;

/** How far ahead of the moment of import an instant may lie (clock skew between systems). */
export const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;

export type InstantCode = 'MISSING_TIME_ZONE' | 'INVALID_TIMESTAMP' | 'FUTURE_TIMESTAMP';

export type CheckedInstant = { iso: string; epochMs: number } | { codes: InstantCode[] };

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export function isRealDate(year: number, month: number, day: number): boolean {
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/**
 * An ISO 8601 instant with an explicit offset, as normalised text (`2021-06-30T23:30:00+01:00`)
 * and epoch milliseconds; or the codes that say why it is not one.
 */
export function checkInstant(text: string, nowMs: number): CheckedInstant {
  const match = INSTANT.exec(text);
  if (!match) return { codes: ['INVALID_TIMESTAMP'] };
  const [, y, mo, d, h, mi, s = '00', fraction, offset] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  const real = isRealDate(year, month, day) && hour <= 23 && minute <= 59 && second <= 59;
  if (offset === undefined) return { codes: real ? ['MISSING_TIME_ZONE'] : ['MISSING_TIME_ZONE', 'INVALID_TIMESTAMP'] };
  const offsetText = offset.toUpperCase() === 'Z' ? 'Z' : normaliseOffset(offset);
  if (!real || offsetText === null) return { codes: ['INVALID_TIMESTAMP'] };
  const millis = fraction ? Number(fraction.slice(0, 3).padEnd(3, '0')) : 0;
  const minutes = (daysSinceEpoch(year, month, day) * 24 + hour) * 60 + minute - offsetMinutes(offsetText);
  const epochMs = minutes * 60_000 + second * 1000 + millis;
  if (epochMs > nowMs + FUTURE_TOLERANCE_MS) return { codes: ['FUTURE_TIMESTAMP'] };
  // Most files already hold the normal form; building it again would only cost time.
  const canonical = s === match[6] && text[10] === 'T' && offsetText === offset && (fraction === undefined || text[19] === '.');
  const iso = canonical ? text : `${y}-${mo}-${d}T${h}:${mi}:${s}${fraction ? `.${fraction}` : ''}${offsetText}`;
  return { iso, epochMs };
}

/** Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
export function daysSinceEpoch(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/** `+01`, `+0100` and `+01:00` as `+01:00`; null past ±14:00, the widest offset in use. */
function normaliseOffset(offset: string): string | null {
  const sign = offset[0]!;
  const digits = offset.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (minutes > 59 || hours * 60 + minutes > 14 * 60) return null;
  return `${sign}${digits.slice(0, 2)}:${String(minutes).padStart(2, '0')}`;
}

function offsetMinutes(offsetText: string): number {
  if (offsetText === 'Z') return 0;
  const minutes = Number(offsetText.slice(1, 3)) * 60 + Number(offsetText.slice(4, 6));
  return offsetText[0] === '-' ? -minutes : minutes;
}
