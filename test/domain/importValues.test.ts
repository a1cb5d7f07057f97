import { describe, expect, it } from 'vitest';
import { normaliseEventRef } from '../../src/domain/eventRef.ts';
import { normaliseGocNumber, professionOfGocNumber } from '../../src/domain/gocNumber.ts';
import { matchHeader } from '../../src/domain/importHeader.ts';
import { checkInstant } from '../../src/domain/importInstant.ts';
import { CHECK_ROW } from '../../src/domain/importRows.ts';
import { SPECIALTIES, checkChoiceList, checkDate, checkName, checkPoints, checkProviderRef, checkTitle } from '../../src/domain/importValues.ts';

const NOW = Date.parse('2022-01-01T00:00:00Z');

describe('GOC numbers', () => {
  it.each([
    ['01-12345', '01-12345'],
    ['0112345', '01-12345'],
    [' 01 - 12345 ', '01-12345'],
    ['d12345', 'D-12345'],
    ['D-1234', 'D-1234'],
    ['d 1234', 'D-1234'],
    ['co-12345', 'CO-12345'],
    ['CO12345', 'CO-12345'],
    ['u-1234', 'U-1234'],
    ['U12345', 'U-12345'],
  ])('%j is %s', (input, expected) => expect(normaliseGocNumber(input)).toBe(expected));

  it.each(['', '01-1234', '01-123456', 'D-123', 'D-123456', 'CO-1234', 'U-123', 'X-12345', '02-12345', 'D--1234', 'D-12a45'])(
    '%j is not a GOC number',
    (input) => expect(normaliseGocNumber(input)).toBeNull(),
  );

  it('knows the profession a number implies', () => {
    expect(professionOfGocNumber('01-12345')).toBe('optometrist');
    expect(professionOfGocNumber('D-1234')).toBe('dispensing_optician');
    expect(professionOfGocNumber('CO-12345')).toBeNull();
    expect(professionOfGocNumber('U-1234')).toBeNull();
  });
});

describe('event references', () => {
  it.each([
    ['C-12345', 'C-12345'],
    ['c12345', 'C-12345'],
    [' c-123456 ', 'C-123456'],
  ])('%j is %s', (input, expected) => expect(normaliseEventRef(input)).toBe(expected));
  it.each(['', 'C-1234', 'C-1234567', 'D-12345', '12345', 'C-12a45'])('%j is not an event reference', (input) =>
    expect(normaliseEventRef(input)).toBeNull(),
  );
});

describe('instants', () => {
  it('keeps full precision and the given offset', () => {
    expect(checkInstant('2021-12-30T11:59:59.999Z', NOW)).toEqual({ iso: '2021-12-30T11:59:59.999Z', epochMs: Date.parse('2021-12-30T11:59:59.999Z') });
    expect(checkInstant('2021-12-30T11:59:59.123456Z', NOW)).toMatchObject({ iso: '2021-12-30T11:59:59.123456Z' });
  });
  it('reads +01:00 (and +0100, +01) as an hour ahead of UTC', () => {
    for (const text of ['2021-06-30T23:30:00+01:00', '2021-06-30T23:30:00+0100', '2021-06-30T23:30:00+01']) {
      expect(checkInstant(text, NOW)).toEqual({ iso: '2021-06-30T23:30:00+01:00', epochMs: Date.parse('2021-06-30T22:30:00Z') });
    }
    expect(checkInstant('2021-06-30T23:30-05:30', NOW)).toEqual({ iso: '2021-06-30T23:30:00-05:30', epochMs: Date.parse('2021-07-01T05:00:00Z') });
  });
  it('refuses 30 February, hour 24 and a 15-hour offset as INVALID_TIMESTAMP', () => {
    expect(checkInstant('2021-02-30T00:00:00Z', NOW)).toEqual({ codes: ['INVALID_TIMESTAMP'] });
    expect(checkInstant('2021-02-29T00:00:00Z', NOW)).toEqual({ codes: ['INVALID_TIMESTAMP'] });
    expect(checkInstant('2020-02-29T00:00:00Z', NOW)).toMatchObject({ iso: '2020-02-29T00:00:00Z' });
    expect(checkInstant('2021-01-01T24:00:00Z', NOW)).toEqual({ codes: ['INVALID_TIMESTAMP'] });
    expect(checkInstant('2021-01-01T10:00:00+15:00', NOW)).toEqual({ codes: ['INVALID_TIMESTAMP'] });
    expect(checkInstant('yesterday', NOW)).toEqual({ codes: ['INVALID_TIMESTAMP'] });
    expect(checkInstant('2021-01-01', NOW)).toEqual({ codes: ['INVALID_TIMESTAMP'] });
    expect(checkInstant('', NOW)).toEqual({ codes: ['INVALID_TIMESTAMP'] });
  });
  it('says MISSING_TIME_ZONE for an instant without offset', () => {
    expect(checkInstant('2021-12-30T11:59:59', NOW)).toEqual({ codes: ['MISSING_TIME_ZONE'] });
    expect(checkInstant('2021-02-30T11:59:59', NOW)).toEqual({ codes: ['MISSING_TIME_ZONE', 'INVALID_TIMESTAMP'] });
  });
  it('allows 5 minutes of clock skew, no more', () => {
    expect(checkInstant('2022-01-01T00:05:00Z', NOW)).toMatchObject({ iso: '2022-01-01T00:05:00Z' });
    expect(checkInstant('2022-01-01T00:05:00.001Z', NOW)).toEqual({ codes: ['FUTURE_TIMESTAMP'] });
  });
});

describe('names, dates and other values', () => {
  it('takes names of 1-100 characters without control characters', () => {
    expect(checkName("O'Neill, Jr")).toBe("O'Neill, Jr");
    expect(checkName('Ø'.repeat(100))).toBe('Ø'.repeat(100));
    expect(checkName('😀'.repeat(100))).toBe('😀'.repeat(100));
    for (const bad of ['', 'x'.repeat(101), 'a\tb', 'a\nb', 'a\rb', 'a\u0000b', 'a\u0085b', 'a\u007fb']) expect(checkName(bad)).toBeNull();
    expect(checkTitle('t'.repeat(200))).not.toBeNull();
    expect(checkTitle('t'.repeat(201))).toBeNull();
  });
  it('takes real calendar dates only', () => {
    expect(checkDate('2020-02-29')).toBe('2020-02-29');
    for (const bad of ['2021-02-29', '2021-13-01', '2021-04-31', '21-01-01', '2021-1-1', '0000-01-01', '']) expect(checkDate(bad)).toBeNull();
  });
  it('takes points 1-20, provider refs, and ;-separated sets in a fixed order', () => {
    expect(checkPoints('20')).toBe('20');
    expect(checkPoints('05')).toBe('5');
    for (const bad of ['0', '21', '1.5', '-1', '']) expect(checkPoints(bad)).toBeNull();
    expect(checkProviderRef('EX_1-a')).toBe('EX_1-a');
    for (const bad of ['', 'a b', 'x'.repeat(65), 'é']) expect(checkProviderRef(bad)).toBeNull();
    expect(checkChoiceList('IP; clo;;IP', SPECIALTIES, false)).toEqual(['CLO', 'IP']);
    expect(checkChoiceList('', SPECIALTIES, false)).toEqual([]);
    expect(checkChoiceList('', SPECIALTIES, true)).toBeNull();
    expect(checkChoiceList('CLO;XX', SPECIALTIES, false)).toBeNull();
  });
});

describe('row checks', () => {
  it('collects every code of a registrant row', () => {
    expect(CHECK_ROW.registrants(['D-2002', 'Jones', 'Rhys', 'optometrist', 'CLO;XX', '2021-02-30', '2020-01-01'], NOW).codes).toEqual([
      'PROFESSION_MISMATCH',
      'INVALID_SPECIALTY',
      'INVALID_DATE',
    ]);
    expect(CHECK_ROW.registrants(['d2002', 'Jones', 'Rhys', 'dispensing_optician', 'clo', '2012-09-01', ''], NOW)).toEqual({
      values: ['D-2002', 'Jones', 'Rhys', 'dispensing_optician', 'CLO', '2012-09-01', '', ''],
      codes: [],
    });
    expect(CHECK_ROW.registrants(['CO-12345', 'A', 'B', 'optometrist', '', '2012-09-01', '2012-08-31'], NOW).codes).toEqual(['INVALID_DATE_RANGE']);
  });
  it('checks event, completion and confirmation rows', () => {
    expect(CHECK_ROW.events(['c70003', 'T', '0', 'other', 'maybe', 'optician', '2020-01-01', '2019-01-01'], NOW).codes).toEqual([
      'INVALID_POINTS',
      'INVALID_CATEGORY',
      'INVALID_FLAG',
      'INVALID_PROFESSION',
      'INVALID_DATE_RANGE',
    ]);
    expect(CHECK_ROW.completions(['EX 2', 'd2002', 'c70003', '2021-12-02T18:00:00'], NOW)).toEqual({
      values: [null, 'D-2002', 'C-70003', null],
      codes: ['INVALID_PROVIDER_REF', 'MISSING_TIME_ZONE'],
    });
    expect(CHECK_ROW.confirmations(['EX-3', 'Peer', '2021-12-01T09:00:00Z', 'x'], NOW)).toEqual({
      values: ['EX-3', 'peer', '2021-12-01T09:00:00Z', null],
      codes: ['INVALID_GOC_NUMBER'],
    });
  });
});

describe('headers', () => {
  it('finds columns in any order, without regard to case', () => {
    expect(matchHeader(['B', 'a'], ['a', 'b'])).toEqual({ ok: true, positions: [1, 0], width: 2 });
  });
  it('names every missing, unknown and repeated column', () => {
    expect(matchHeader(['a', 'x', 'a'], ['a', 'b'])).toEqual({
      ok: false,
      problems: ['unknown column "x"', 'column "a" appears twice', 'missing column "b"'],
    });
  });
  it('skips the leading columns of a rejects file', () => {
    expect(matchHeader(['line', 'codes', 'message', 'b', 'a'], ['a', 'b'])).toEqual({ ok: true, positions: [4, 3], width: 5 });
  });
});

describe('epoch arithmetic of instants', () => {
  it('agrees with Date.UTC across eras, leap years and offsets', () => {
    for (const text of ['1970-01-01T00:00:00Z', '1600-02-29T12:00:00.5+05:30', '2000-03-01T00:00:00-00:30', '2100-12-31T23:59:59.999Z', '0001-01-01T00:00:00Z']) {
      const checked = checkInstant(text, Date.parse('3000-01-01T00:00:00Z'));
      expect(checked, text).toMatchObject({ epochMs: new Date(text.replace(/^0001/, '+000001')).getTime() });
    }
  });
  it('writes a comma fraction, a basic offset and a lower-case t in normal form', () => {
    expect(checkInstant('2021-12-30t11:59:59,5+0100', NOW)).toMatchObject({ iso: '2021-12-30T11:59:59.5+01:00' });
  });
});
