import { CronExpressionParser } from 'cron-parser';
import { isoWeekBounds } from './businessTime.ts';

// A weekly slot is an instant at which the cron expression fires in the business zone.
// A batch's cutoff is its slot, never the moment its job happened to run.

function iterate(cron: string, zone: string, from: Date, to?: Date) {
  return CronExpressionParser.parse(cron, { currentDate: from, endDate: to, tz: zone });
}

/** The latest slot at or before `now`, or null when there is none in the past year. */
export function latestSlotAtOrBefore(cron: string, zone: string, now: Date): Date | null {
  // prev() is strictly before currentDate, so start a millisecond later to include `now`.
  const expression = iterate(cron, zone, new Date(now.getTime() + 1));
  try {
    const slot = expression.prev().toDate();
    return now.getTime() - slot.getTime() <= 366 * 86_400_000 ? slot : null;
  } catch {
    return null;
  }
}

/** The next slot strictly after `after`. */
export function nextSlotAfter(cron: string, zone: string, after: Date): Date {
  return iterate(cron, zone, after).next().toDate();
}

/** Every slot in [from, to], oldest first. */
export function slotsBetween(cron: string, zone: string, from: Date, to: Date): Date[] {
  const slots: Date[] = [];
  const expression = iterate(cron, zone, new Date(from.getTime() - 1), to);
  while (expression.hasNext()) {
    const slot = expression.next().toDate();
    if (slot.getTime() > to.getTime()) break;
    if (slot.getTime() >= from.getTime()) slots.push(slot);
  }
  return slots;
}

/** The first slot inside an ISO week (the one the scheduler would run), or null. */
export function slotOfIsoWeek(cron: string, zone: string, week: string): Date | null {
  const bounds = isoWeekBounds(week, zone);
  if (!bounds) return null;
  const slot = nextSlotAfter(cron, zone, new Date(bounds.start.getTime() - 1));
  return slot.getTime() < bounds.end.getTime() ? slot : null;
}
