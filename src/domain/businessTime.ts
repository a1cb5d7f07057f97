import { DateTime, Duration } from 'luxon';

// Business times are wall-clock times in the business zone (Europe/London); instants are UTC.
// All zone arithmetic goes through luxon, which reads the maintained IANA zone database.

// A date and a time of day, then an offset or Z: "2021-12-30" alone ends in "-30", which is not one.
const ISO_WITH_OFFSET = /T\d{2}(:?\d{2}(:?\d{2}([.,]\d+)?)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)$/i;
const INSTANT_EXAMPLE = 'e.g. 2021-12-30T12:00:00Z or 2021-12-30T12:00:00+00:00';

/** An instant given on the command line (--now): ISO 8601 date and time, with an offset or Z. */
export function parseInstantArgument(text: string): Date | { error: string } {
  const trimmed = text.trim();
  if (isCalendarDate(trimmed)) {
    return { error: `"${text}" is a date, not an instant; give a time and an offset or Z, ${INSTANT_EXAMPLE}` };
  }
  if (!ISO_WITH_OFFSET.test(trimmed)) {
    return DateTime.fromISO(trimmed, { zone: 'UTC' }).isValid
      ? { error: `"${text}" has no time zone; give an offset or Z, ${INSTANT_EXAMPLE}` }
      : { error: `"${text}" is not an ISO 8601 instant; give a date, a time and an offset or Z, ${INSTANT_EXAMPLE}` };
  }
  const parsed = DateTime.fromISO(trimmed, { setZone: true });
  if (!parsed.isValid) return { error: `"${text}" is not an ISO 8601 instant (${parsed.invalidExplanation ?? parsed.invalidReason}); ${INSTANT_EXAMPLE}` };
  return parsed.toJSDate();
}

/**
 * A local date-time read in the business zone, unless it carries its own offset.
 * A wall-clock time that does not exist (inside the spring-forward gap) is refused.
 */
export function parseBusinessDateTime(text: string, zone: string): Date | { error: string } {
  const trimmed = text.trim();
  if (ISO_WITH_OFFSET.test(trimmed)) return parseInstantArgument(trimmed);
  const parsed = DateTime.fromISO(trimmed, { zone });
  if (!parsed.isValid) return { error: `"${text}" is not a date-time like 2021-12-30T12:00` };
  const roundTrip = parsed.toISO({ includeOffset: false, suppressMilliseconds: true, suppressSeconds: true });
  const given = DateTime.fromISO(trimmed, { zone: 'UTC' }).toISO({ includeOffset: false, suppressMilliseconds: true, suppressSeconds: true });
  if (roundTrip !== given) return { error: `"${text}" does not exist in ${zone} (the clocks go forward then)` };
  return parsed.toJSDate();
}

export function isCalendarDate(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && DateTime.fromISO(text, { zone: 'UTC' }).isValid;
}

/** The instant at which `date` (YYYY-MM-DD) begins in `zone`. */
export function startOfDay(date: string, zone: string): Date {
  return DateTime.fromISO(date, { zone }).startOf('day').toJSDate();
}

export function addDays(date: string, days: number): string {
  return DateTime.fromISO(date, { zone: 'UTC' }).plus({ days }).toISODate()!;
}

/** The business-zone date of an instant, YYYY-MM-DD. */
export function businessDate(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone }).toISODate()!;
}

/** The ISO week (2021-W48) in which an instant falls in the business zone. */
export function isoWeekOf(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone }).toFormat("kkkk-'W'WW");
}

/** Monday 00:00 of an ISO week in the zone, and the Monday after; or null for a bad week. */
export function isoWeekBounds(week: string, zone: string): { start: Date; end: Date } | null {
  const match = /^(\d{4})-W(\d{2})$/.exec(week);
  if (!match) return null;
  const start = DateTime.fromObject({ weekYear: Number(match[1]), weekNumber: Number(match[2]), weekday: 1 }, { zone });
  if (!start.isValid || start.toFormat("kkkk-'W'WW") !== week) return null;
  return { start: start.toJSDate(), end: start.plus({ weeks: 1 }).toJSDate() };
}

/** The instant as a business-zone wall-clock time, e.g. "Thu 30 Dec 2021 12:00:00.000 GMT" ("… BST" in summer). */
export function describeInstant(instant: Date, zone: string): string {
  const local = DateTime.fromJSDate(instant, { zone });
  return `${local.toFormat('ccc d LLL yyyy HH:mm:ss.SSS')} ${zoneName(local)}`;
}

/**
 * The zone's name as people read it: BST/GMT in London, EST/EDT in New York. The zone database's
 * names come through Intl, which gives "GMT+1" for London in American English: ask in British
 * English first, then American, and keep the offset form only when neither has a name.
 */
function zoneName(local: DateTime): string {
  let name = '';
  for (const locale of ['en-GB', 'en-US']) {
    name = local.setLocale(locale).toFormat('ZZZZ');
    if (!/^(GMT|UTC)[+-]/.test(name)) return name;
  }
  return name;
}

/** "2 days 3 hours 4 minutes" */
export function describeDuration(ms: number): string {
  const parts = Duration.fromMillis(Math.max(0, ms)).shiftTo('days', 'hours', 'minutes', 'seconds').toObject();
  const words: string[] = [];
  for (const unit of ['days', 'hours', 'minutes', 'seconds'] as const) {
    const value = Math.floor(parts[unit] ?? 0);
    if (value > 0 || (unit === 'seconds' && words.length === 0)) words.push(`${value} ${value === 1 ? unit.slice(0, -1) : unit}`);
  }
  return words.join(' ');
}
