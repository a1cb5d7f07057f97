import { describe, expect, it } from 'vitest';
import {
  addWorkingDays,
  assessSla,
  bankHolidays,
  isWorkingDay,
  latestOverdueReadyDay,
  latestReportableReadyDay,
  slaDeadline,
  subtractWorkingDays,
  workingDayCalendar,
  workingDaysBetween,
} from '../../src/domain/workingDays.ts';

describe('working days of England and Wales', () => {
  it('knows the Christmas/New Year 2021-22 and Easter 2021/2022 bank holidays from date-holidays', () => {
    for (const holiday of ['2021-12-27', '2021-12-28', '2022-01-03', '2021-04-02', '2021-04-05', '2022-04-15', '2022-04-18']) {
      expect(isWorkingDay(holiday), holiday).toBe(false);
    }
    expect(bankHolidays(2021).has('2021-12-28')).toBe(true);
    // An observance (Mother's Day) and a weekend are not working days for other reasons only.
    expect(isWorkingDay('2021-12-24')).toBe(true);
    expect(isWorkingDay('2021-12-29')).toBe(true);
    expect(isWorkingDay('2021-12-25')).toBe(false);
    expect(isWorkingDay('2022-01-04')).toBe(true);
  });

  it('counts across Christmas and New Year 2021-22', () => {
    // Fri 24 Dec → Tue 4 Jan: 29, 30, 31 Dec and 4 Jan (27, 28 Dec, 3 Jan are holidays).
    expect(workingDaysBetween('2021-12-24', '2022-01-04')).toBe(4);
    expect(workingDaysBetween('2022-01-04', '2021-12-24')).toBe(-4);
    // Ready on Thu 23 Dec: 24, 29, 30, 31 Dec, 4, 5, 6, 7, 10, 11 Jan.
    expect(slaDeadline('2021-12-23')).toBe('2022-01-11');
    expect(addWorkingDays('2021-12-24', 1)).toBe('2021-12-29');
    expect(subtractWorkingDays('2022-01-04', 1)).toBe('2021-12-31');
    expect(subtractWorkingDays('2022-01-11', 10)).toBe('2021-12-23');
  });

  it('counts across Easter 2021 (2 and 5 April)', () => {
    // Thu 1 April → Tue 6 April: only 6 April.
    expect(workingDaysBetween('2021-04-01', '2021-04-06')).toBe(1);
    // Ready on Wed 31 March: 1, 6, 7, 8, 9, 12, 13, 14, 15, 16 April.
    expect(slaDeadline('2021-03-31')).toBe('2021-04-16');
  });

  it('counts across Easter 2022 (15 and 18 April)', () => {
    expect(workingDaysBetween('2022-04-14', '2022-04-19')).toBe(1);
    // Ready on Good Friday itself: 19, 20, 21, 22, 25, 26, 27, 28, 29 April, 3 May (2 May is a bank holiday).
    expect(slaDeadline('2022-04-15')).toBe('2022-05-03');
  });

  it('assesses the standing against the limit and the 2-day warning', () => {
    expect(assessSla('2021-12-23', '2022-01-11')).toEqual({ deadline: '2022-01-11', workingDaysLeft: 0, standing: 'DUE_SOON' });
    expect(assessSla('2021-12-23', '2022-01-12')).toEqual({ deadline: '2022-01-11', workingDaysLeft: -1, standing: 'OVERDUE' });
    // 6 Jan: 7, 10, 11 still to go: 3 working days left, not yet within 2.
    expect(assessSla('2021-12-23', '2022-01-06').standing).toBe('IN_TIME');
    expect(assessSla('2021-12-23', '2022-01-07')).toEqual({ deadline: '2022-01-11', workingDaysLeft: 2, standing: 'DUE_SOON' });
    // Over the Christmas break, the warning reaches across the holidays.
    expect(assessSla('2021-12-09', '2021-12-24')).toEqual({ deadline: '2021-12-23', workingDaysLeft: -1, standing: 'OVERDUE' });
  });

  it('latestReportableReadyDay agrees with assessSla for every day around both holiday seasons', () => {
    for (const today of dates('2021-03-20', '2021-04-20').concat(dates('2021-12-15', '2022-01-15'), dates('2022-04-05', '2022-04-25'))) {
      const limit = latestReportableReadyDay(today);
      for (const ready of dates(addDays(today, -30), today)) {
        const reported = assessSla(ready, today).standing !== 'IN_TIME';
        expect(reported, `ready ${ready}, today ${today}, limit ${limit}`).toBe(ready <= limit);
      }
    }
  });

  it('the calendar of working-day ordinals gives the deadlines and working days left of slaDeadline and workingDaysBetween', () => {
    const calendar = workingDayCalendar('2021-01-01', '2022-05-31');
    const ordinal = new Map(calendar.days.map((d, i) => [d, calendar.ordinals[i]!]));
    const byOrdinal = new Map(calendar.days.filter((_, i) => calendar.working[i]).map((d) => [ordinal.get(d)!, d]));
    expect(calendar.days.filter((_, i) => !calendar.working[i] && !['Sat', 'Sun'].includes(weekday(calendar.days[i]!)))).toEqual(
      ['2021-01-01', '2021-04-02', '2021-04-05', '2021-05-03', '2021-05-31', '2021-08-30', '2021-12-27', '2021-12-28', '2022-01-03', '2022-04-15', '2022-04-18', '2022-05-02'],
    );
    for (const today of dates('2021-03-20', '2021-04-20').concat(dates('2021-12-15', '2022-01-15'))) {
      for (const ready of dates(addDays(today, -30), today)) {
        const deadline = byOrdinal.get(ordinal.get(ready)! + 10)!;
        expect(deadline, ready).toBe(slaDeadline(ready));
        expect(ordinal.get(deadline)! - ordinal.get(today)!, `${ready} ${today}`).toBe(assessSla(ready, today).workingDaysLeft + 0); // + 0: the walk gives -0 for "due today, overdue by none"
      }
    }
  });

  it('latestOverdueReadyDay agrees with assessSla for every day around both holiday seasons and weekends', () => {
    for (const today of dates('2021-03-20', '2021-04-20').concat(dates('2021-12-15', '2022-01-15'), dates('2022-04-05', '2022-04-25'))) {
      const limit = latestOverdueReadyDay(today);
      for (const ready of dates(addDays(today, -30), today)) {
        const overdue = assessSla(ready, today).standing === 'OVERDUE';
        expect(overdue, `ready ${ready}, today ${today}, limit ${limit}`).toBe(ready <= limit);
      }
    }
  });
});

function weekday(date: string): string {
  return new Date(`${date}T00:00:00Z`).toUTCString().slice(0, 3);
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function dates(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}
