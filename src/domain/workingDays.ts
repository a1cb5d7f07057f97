import { createRequire } from 'node:module';
import type HolidaysClass from 'date-holidays';
import { DateTime } from 'luxon';

// The 10-working-day rule (domain-rules.md). Definitions used throughout, on Europe/London
// calendar dates (YYYY-MM-DD), never instants:
//   - a working day is Monday to Friday and not a bank holiday of England and Wales
//     (date-holidays, country GB, region ENG, holiday types "public" and "bank"; its
//     substitute days, e.g. Tue 28 Dec 2021 for Boxing Day, count as holidays too);
//   - the day a completion became ready does not count; the deadline is the 10th working
//     day after it, and an upload on the deadline day itself is in time;
//   - "within 2 working days of the limit" means the deadline is today or one of the next
//     2 working days.

export const SLA_WORKING_DAYS = 10;
export const SLA_WARNING_WORKING_DAYS = 2;

const HOLIDAY_TYPES = new Set(['public', 'bank']);
// Loaded on first use: the holiday rules of every country take ~35 MB, which the commands
// that never count working days (upload, import, worker) should not carry.
let englandAndWalesRules: HolidaysClass | undefined;
function englandAndWales(): HolidaysClass {
  const Holidays = createRequire(import.meta.url)('date-holidays') as typeof HolidaysClass;
  englandAndWalesRules ??= new Holidays('GB', 'ENG');
  return englandAndWalesRules;
}
const holidaysByYear = new Map<number, Set<string>>();

/** The bank holidays of England and Wales in a year, as YYYY-MM-DD. */
export function bankHolidays(year: number): Set<string> {
  let days = holidaysByYear.get(year);
  if (!days) {
    days = new Set(
      (englandAndWales().getHolidays(year) || [])
        .filter((holiday) => HOLIDAY_TYPES.has(holiday.type))
        // `date` is the local date followed by a time ("2021-12-27 00:00:00").
        .map((holiday) => holiday.date.slice(0, 10)),
    );
    holidaysByYear.set(year, days);
  }
  return days;
}

function day(date: string): DateTime {
  const parsed = DateTime.fromISO(date, { zone: 'UTC' });
  if (!parsed.isValid || !/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new RangeError(`not a date YYYY-MM-DD: ${date}`);
  return parsed;
}

export function isWorkingDay(date: string): boolean {
  const d = day(date);
  return d.weekday <= 5 && !bankHolidays(d.year).has(date);
}

function step(date: string, direction: 1 | -1): string {
  return day(date).plus({ days: direction }).toISODate()!;
}

/** The n-th working day after `date` (n >= 0; n = 0 gives `date` itself). */
export function addWorkingDays(date: string, n: number): string {
  let current = date;
  for (let counted = 0; counted < n; ) {
    current = step(current, 1);
    if (isWorkingDay(current)) counted += 1;
  }
  return current;
}

/** The n-th working day before `date` (n >= 0): then (result, date] holds n working days when `date` is one. */
export function subtractWorkingDays(date: string, n: number): string {
  let current = date;
  for (let counted = 0; counted < n; ) {
    current = step(current, -1);
    if (isWorkingDay(current)) counted += 1;
  }
  return current;
}

/**
 * Working days in (from, to]: from excluded, to included. Negative when `to` is before `from`
 * (minus the working days in (to, from]).
 */
export function workingDaysBetween(from: string, to: string): number {
  if (to < from) return -workingDaysBetween(to, from);
  let count = 0;
  for (let current = from; current < to; ) {
    current = step(current, 1);
    if (isWorkingDay(current)) count += 1;
  }
  return count;
}

/** The last day on which a completion ready on `readyDay` may be uploaded in time. */
export function slaDeadline(readyDay: string): string {
  return addWorkingDays(readyDay, SLA_WORKING_DAYS);
}

export type SlaStanding = 'OVERDUE' | 'DUE_SOON' | 'IN_TIME';

export interface SlaAssessment {
  deadline: string;
  /** Working days left until the deadline (0: due today); negative: working days overdue. */
  workingDaysLeft: number;
  standing: SlaStanding;
}

/** How a completion ready on `readyDay` and not yet carried stands on `today`. */
export function assessSla(readyDay: string, today: string): SlaAssessment {
  const deadline = slaDeadline(readyDay);
  const workingDaysLeft = workingDaysBetween(today, deadline);
  const standing: SlaStanding =
    today > deadline ? 'OVERDUE' : deadline <= addWorkingDays(today, SLA_WARNING_WORKING_DAYS) ? 'DUE_SOON' : 'IN_TIME';
  return { deadline, workingDaysLeft, standing };
}

/**
 * The latest ready day whose completion is OVERDUE or DUE_SOON on `today`: a completion is
 * reported exactly when its ready day is on or before this day, so the database can filter.
 */
export function latestReportableReadyDay(today: string): string {
  const lastDeadline = addWorkingDays(today, SLA_WARNING_WORKING_DAYS);
  // Every day from this working day up to (not including) the next working day has the same
  // deadline (a weekend or holiday adds no working day), so the answer is the eve of the next one.
  const earliest = subtractWorkingDays(lastDeadline, SLA_WORKING_DAYS);
  return step(addWorkingDays(earliest, 1), -1);
}

/**
 * The latest ready day whose completion is OVERDUE on `today` (its deadline, a working day, is
 * before today): a completion is overdue exactly when its ready day is on or before this day.
 */
export function latestOverdueReadyDay(today: string): string {
  const lastMissedDeadline = subtractWorkingDays(today, 1);
  const earliest = subtractWorkingDays(lastMissedDeadline, SLA_WORKING_DAYS);
  return step(addWorkingDays(earliest, 1), -1);
}

export interface WorkingDayCalendar {
  /** Every day from `from` to `to`, YYYY-MM-DD. */
  days: string[];
  working: boolean[];
  /** Working days in [from, day]: the n-th working day after a day is the working day whose ordinal is n more. */
  ordinals: number[];
}

/**
 * A calendar of working-day ordinals, so that a deadline is a lookup rather than a walk: the
 * deadline of a ready day r is the working day whose ordinal is ordinal(r) + 10, and the
 * working days in (a, b] are ordinal(b) - ordinal(a).
 */
export function workingDayCalendar(from: string, to: string): WorkingDayCalendar {
  const calendar: WorkingDayCalendar = { days: [], working: [], ordinals: [] };
  let ordinal = 0;
  for (let current = day(from); current.toISODate()! <= to; current = current.plus({ days: 1 })) {
    const date = current.toISODate()!;
    const working = current.weekday <= 5 && !bankHolidays(current.year).has(date);
    if (working) ordinal += 1;
    calendar.days.push(date);
    calendar.working.push(working);
    calendar.ordinals.push(ordinal);
  }
  return calendar;
}
