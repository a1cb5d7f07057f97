import { dayNumber, daysInMonth, formatDate, yearMonth } from './dates.ts';

/** Dates inclusive at both ends; `to: null` means still running. */
export interface DateSpan {
  from: string;
  to: string | null;
}

/** A span as day numbers, inclusive; an open end is Infinity. */
export interface DayInterval {
  first: number;
  last: number;
}

export function toInterval(span: DateSpan): DayInterval {
  return { first: dayNumber(span.from), last: span.to === null ? Infinity : dayNumber(span.to) };
}

/**
 * Sorted, non-overlapping intervals covering the same days. Spans that overlap or adjoin
 * (one ends on the 14th, the next starts on the 15th) become one, so that a month they
 * cover together, without a day's gap, counts as a whole month.
 */
export function mergeSpans(spans: readonly DateSpan[]): DayInterval[] {
  return mergeIntervals(spans.map(toInterval));
}

export function mergeIntervals(intervals: readonly DayInterval[]): DayInterval[] {
  const sorted = [...intervals].sort((a, b) => a.first - b.first);
  const merged: DayInterval[] = [];
  for (const interval of sorted) {
    const last = merged[merged.length - 1];
    if (last && interval.first <= last.last + 1) last.last = Math.max(last.last, interval.last);
    else merged.push({ ...interval });
  }
  return merged;
}

/** The days in both sets of intervals (each set sorted and merged). */
export function intersect(a: readonly DayInterval[], b: readonly DayInterval[]): DayInterval[] {
  const result: DayInterval[] = [];
  for (const x of a) {
    for (const y of b) {
      const first = Math.max(x.first, y.first);
      const last = Math.min(x.last, y.last);
      if (first <= last) result.push({ first, last });
    }
  }
  return mergeIntervals(result);
}

export function coversDay(intervals: readonly DayInterval[], date: string): boolean {
  const day = dayNumber(date);
  return intervals.some((i) => i.first <= day && day <= i.last);
}

/**
 * The calendar months lying wholly inside the period (from its 1st to its last day) on
 * every day of which the intervals cover, e.g. ['2005-07', '2005-08'].
 * A month that the period only partly contains is not a whole month of the period.
 */
export function wholeMonthsCovered(period: { from: string; to: string }, intervals: readonly DayInterval[]): string[] {
  const periodFirst = dayNumber(period.from);
  const periodLast = dayNumber(period.to);
  const start = yearMonth(period.from);
  const end = yearMonth(period.to);
  const months: string[] = [];
  for (let year = start.year, month = start.month; year < end.year || (year === end.year && month <= end.month); ) {
    const first = dayNumber(formatDate(year, month, 1));
    const last = dayNumber(formatDate(year, month, daysInMonth(year, month)));
    const insidePeriod = first >= periodFirst && last <= periodLast;
    if (insidePeriod && intervals.some((i) => i.first <= first && last <= i.last)) {
      months.push(`${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`);
    }
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
  }
  return months;
}

/** The number of whole months; intervals must be merged (mergeSpans), so that adjoining spans count together. */
export function wholeMonths(period: { from: string; to: string }, intervals: readonly DayInterval[]): number {
  return wholeMonthsCovered(period, intervals).length;
}
