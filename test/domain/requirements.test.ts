import { describe, expect, it } from 'vitest';
import { requirementsInputFromRegister } from '../../src/domain/requirements/fromRegister.ts';
import { parseRequirementsInput } from '../../src/domain/requirements/input.ts';
import { calculateRequirements, halfRoundedDown, relevantPoints } from '../../src/domain/requirements/rules.ts';
import type { RequirementsInput, RequirementsResult } from '../../src/domain/requirements/types.ts';
import { mergeSpans, wholeMonths, type DateSpan } from '../../src/domain/requirements/wholeMonths.ts';

const INITIAL = { from: '2005-07-01', to: '2006-12-31', initial: true }; // 18 calendar months
const CYCLE = { from: '2019-01-01', to: '2021-12-31', initial: false }; // 36 calendar months
const ALWAYS: DateSpan[] = [{ from: '2001-01-01', to: null }];

describe('whole months registered', () => {
  const rows: Array<[string, { from: string; to: string }, DateSpan[], number]> = [
    ['registered throughout the initial period: Jul 2005..Dec 2006 = 18', INITIAL, ALWAYS, 18],
    ['to: null runs to the end of the period: 2019..2021 = 36', CYCLE, [{ from: '2018-05-05', to: null }], 36],
    ['span starting mid-month (2 Jul): July is not whole, Aug 2005..Dec 2006 = 17', INITIAL, [{ from: '2005-07-02', to: null }], 17],
    ['span starting on the 1st: that month counts, Oct 2005..Dec 2006 = 15', INITIAL, [{ from: '2005-10-01', to: null }], 15],
    ['span ending mid-month (30 Dec): December is not whole, 18 - 1 = 17', INITIAL, [{ from: '2001-01-01', to: '2006-12-30' }], 17],
    ['leap year: span ending 29 Feb 2024 covers February: Jan + Feb = 2', { from: '2024-01-01', to: '2024-12-31' }, [{ from: '2023-01-01', to: '2024-02-29' }], 2],
    ['leap year: span ending 28 Feb 2024 misses 29 Feb: Jan only = 1', { from: '2024-01-01', to: '2024-12-31' }, [{ from: '2023-01-01', to: '2024-02-28' }], 1],
    ['common year: span ending 28 Feb 2023 covers February: Jan + Feb = 2', { from: '2023-01-01', to: '2023-12-31' }, [{ from: '2022-01-01', to: '2023-02-28' }], 2],
    [
      'two adjoining spans (to 15 Mar, from 16 Mar): March counts, Jan..Jun = 6',
      { from: '2024-01-01', to: '2024-06-30' },
      [{ from: '2024-01-01', to: '2024-03-15' }, { from: '2024-03-16', to: '2024-06-30' }],
      6,
    ],
    [
      'two spans with a one-day gap (16 Mar missing): March lost, 6 - 1 = 5',
      { from: '2024-01-01', to: '2024-06-30' },
      [{ from: '2024-01-01', to: '2024-03-15' }, { from: '2024-03-17', to: '2024-06-30' }],
      5,
    ],
    [
      'spans out of order and overlapping are merged: Jan..Jun = 6',
      { from: '2024-01-01', to: '2024-06-30' },
      [{ from: '2024-03-01', to: null }, { from: '2023-01-01', to: '2024-04-30' }],
      6,
    ],
    [
      'gap of whole months: Jan..May 2019 (5) + Sep 2019..Dec 2021 (28) = 33',
      CYCLE,
      [{ from: '2019-01-01', to: '2019-06-15' }, { from: '2019-09-01', to: null }],
      33,
    ],
    ['period starting and ending mid-month: 15 Jul 2005..14 Jul 2006 holds Aug..Jun = 11', { from: '2005-07-15', to: '2006-07-14' }, ALWAYS, 11],
    ['span inside one month (3..27 Mar): 0', { from: '2024-01-01', to: '2024-12-31' }, [{ from: '2024-03-03', to: '2024-03-27' }], 0],
    ['registered only before the period: 0', CYCLE, [{ from: '2010-01-01', to: '2018-12-31' }], 0],
    ['no spans: 0', CYCLE, [], 0],
  ];
  it.each(rows)('%s', (_name, period, spans, expected) => {
    expect(wholeMonths(period, mergeSpans(spans))).toBe(expected);
  });
});

type Row = {
  name: string;
  input: RequirementsInput;
  general?: Partial<RequirementsResult['general']>;
  specialties?: RequirementsResult['specialties'] | Record<string, Partial<NonNullable<RequirementsResult['specialties']['CLO']>>>;
  /** A note starting with each of these rule references must be present. */
  notes: string[];
};

const input = (overrides: Partial<RequirementsInput>): RequirementsInput => ({ period: INITIAL, registered: ALWAYS, specialties: [], ...overrides });
const clo = (from: string, to: string | null = null) => ({ code: 'CLO' as const, from, to });

describe('CET Rules 12-16', () => {
  const rows: Row[] = [
    // Rule 12: general points required.
    {
      name: '12(2)(a): on the register on 30 June 2005, 18 whole months: required 2 x 18 = 36',
      input: input({}),
      general: { wholeMonths: 18, required: 36 },
      notes: ['Rule 12(2)(a)'],
    },
    {
      name: '12(2)(b): entered on 1 July 2005, 18 whole months: required 18',
      input: input({ registered: [{ from: '2005-07-01', to: null }] }),
      general: { wholeMonths: 18, required: 18 },
      notes: ['Rule 12(2)(b)'],
    },
    {
      name: '12(2)(b): entered mid-month 10 Sep 2005: Oct 2005..Dec 2006 = 15 whole months, required 15',
      input: input({ registered: [{ from: '2005-09-10', to: null }] }),
      general: { wholeMonths: 15, required: 15 },
      notes: ['Rule 12(2)(b)'],
    },
    {
      name: '12(2)(b): lapsed before 30 June 2005 (to 31 May) and restored 1 Aug 2005: 17 whole months, not doubled: 17',
      input: input({ registered: [{ from: '2001-01-01', to: '2005-05-31' }, { from: '2005-08-01', to: null }] }),
      general: { wholeMonths: 17, required: 17 },
      notes: ['Rule 12(2)(b)'],
    },
    {
      name: '12(2)(a): registered on 30 June 2005 but leaving 30 Jun 2006: 12 whole months, required 2 x 12 = 24',
      input: input({ registered: [{ from: '2001-01-01', to: '2006-06-30' }] }),
      general: { wholeMonths: 12, required: 24 },
      notes: ['Rule 12(2)(a)'],
    },
    {
      name: '12(3): subsequent period, 36 whole months: required 36 (no doubling even if registered in 2005)',
      input: input({ period: CYCLE }),
      general: { wholeMonths: 36, required: 36 },
      notes: ['Rule 12(3)'],
    },
    {
      name: '12(3): subsequent period with a gap: 5 + 28 = 33 whole months, required 33',
      input: input({ period: CYCLE, registered: [{ from: '2019-01-01', to: '2019-06-15' }, { from: '2019-09-01', to: null }] }),
      general: { wholeMonths: 33, required: 33 },
      notes: ['Rule 12(3)'],
    },
    // Rule 13: specialist points required.
    {
      name: '13(2)(a): CLO entry held on 30 June 2005, 18 whole months: required 18 (not halved)',
      input: input({ specialties: [clo('2003-05-01')] }),
      specialties: { CLO: { wholeMonths: 18, required: 18 } },
      notes: ['Rule 13(2)(a)'],
    },
    {
      name: '13(2)(b), 13(4): CLO entry made 1 Oct 2005, 15 whole months: 15 / 2 = 7.5, rounded down: 7',
      input: input({ specialties: [clo('2005-10-01')] }),
      specialties: { CLO: { wholeMonths: 15, required: 7 } },
      notes: ['Rule 13(2)(b), 13(4)'],
    },
    {
      name: '13(2)(b): CLO entry made 1 Jul 2005, 18 whole months: 18 / 2 = 9',
      input: input({ specialties: [clo('2005-07-01')] }),
      specialties: { CLO: { wholeMonths: 18, required: 9 } },
      notes: ['Rule 13(2)(b)'],
    },
    {
      name: '13(3): subsequent period, CLO throughout, 36 whole months: 36 / 2 = 18',
      input: input({ period: CYCLE, specialties: [clo('2003-05-01')] }),
      specialties: { CLO: { wholeMonths: 36, required: 18 } },
      notes: ['Rule 13(3), 13(4)'],
    },
    {
      name: '13(3), 13(4): subsequent period, CLO from 15 Jan 2019: Feb 2019..Dec 2021 = 35, 35 / 2 = 17.5, no account of the half: 17',
      input: input({ period: CYCLE, specialties: [clo('2019-01-15')] }),
      specialties: { CLO: { wholeMonths: 35, required: 17 } },
      notes: ['Rule 13(3), 13(4)'],
    },
    {
      name: '13(3): two specialties each counted apart: IP from 1 Jan 2020 = 24 / 2 = 12, SP throughout = 36 / 2 = 18',
      input: input({ period: CYCLE, specialties: [{ code: 'IP', from: '2020-01-01', to: null }, { code: 'SP', from: '2010-01-01', to: null }] }),
      specialties: { SP: { wholeMonths: 36, required: 18 }, IP: { wholeMonths: 24, required: 12 } },
      notes: ['Rule 13(3), 13(4): subsequent relevant period: SP', 'Rule 13(3), 13(4): subsequent relevant period: IP'],
    },
    {
      name: '13: an entry is held only while registered: CLO from 2003, registration to 30 Jun 2006: 12 whole months, required 12',
      input: input({ registered: [{ from: '2001-01-01', to: '2006-06-30' }], specialties: [clo('2003-05-01')] }),
      specialties: { CLO: { wholeMonths: 12, required: 12 } },
      notes: ['Rule 13(2)(a)'],
    },
    {
      name: '13(1): specialist points obtained without a CLO entry: required 0, total 5',
      input: input({ period: CYCLE, obtained: { specialist: { CLO: 5 } } }),
      specialties: { CLO: { wholeMonths: 0, required: 0, obtained: 5, total: 5, shortfall: 0 } },
      notes: ['Rule 13(1): CLO: no CLO entry'],
    },
    // Rule 14: points treated as obtained.
    {
      name: '14(a): 10 general points treated: 10 (under the cap of 24)',
      input: input({ treated: { general: 10 } }),
      general: { treated: 10, total: 10, shortfall: 26 },
      notes: ['Rule 14(a): treated = 10'],
    },
    {
      name: '14(a) cap: 30 general points treated: min(30, 24) = 24; shortfall 36 - 24 = 12',
      input: input({ treated: { general: 30 } }),
      general: { treated: 24, total: 24, shortfall: 12 },
      notes: ['Rule 14(a): 30 general points treated as obtained, capped at 24'],
    },
    {
      name: '14(a): only towards 12(2)(a): registrant entered 1 Jul 2005, 10 treated ignored: 0',
      input: input({ registered: [{ from: '2005-07-01', to: null }], treated: { general: 10 } }),
      general: { required: 18, treated: 0, total: 0, shortfall: 18 },
      notes: ['Rule 14(a): points treated as obtained count only towards Rule 12(2)(a)'],
    },
    {
      name: '14(b): CLO held on 30 June 2005, 3 treated: 3; CLO total 3, shortfall 18 - 3 = 15',
      input: input({ specialties: [clo('2003-05-01')], treated: { specialist: { CLO: 3 } } }),
      specialties: { CLO: { treated: 3, total: 3, shortfall: 15 } },
      notes: ['Rule 14(b): CLO: treated = 3'],
    },
    {
      name: '14(b) cap: 15 CLO points treated: min(15, 12) = 12',
      input: input({ specialties: [clo('2003-05-01')], treated: { specialist: { CLO: 15 } } }),
      specialties: { CLO: { treated: 12, total: 12, shortfall: 6 } },
      notes: ['Rule 14(b): CLO: 15 specialist points treated as obtained, cut to 12'],
    },
    {
      name: '14(b) cap across specialties: AS 8 + SP 8 treated = 16 > 12: AS 8, SP 12 - 8 = 4',
      input: input({
        specialties: [{ code: 'AS', from: '2004-01-01', to: null }, { code: 'SP', from: '2004-01-01', to: null }],
        treated: { specialist: { AS: 8, SP: 8 } },
      }),
      specialties: { AS: { treated: 8 }, SP: { treated: 4 } },
      notes: ['Rule 14(b): AS: treated = 8', 'Rule 14(b): SP: 8 specialist points treated as obtained, cut to 4'],
    },
    {
      name: '14(b): only towards 13(2)(a): CLO entry made 1 Oct 2005, 5 treated ignored: 0',
      input: input({ specialties: [clo('2005-10-01')], treated: { specialist: { CLO: 5 } } }),
      specialties: { CLO: { required: 7, treated: 0, total: 0, shortfall: 7 } },
      general: { fromSpecialist: 0 },
      notes: ['Rule 14(b): CLO: points treated as obtained count only towards Rule 13(2)(a)'],
    },
    {
      name: '14: subsequent period: 10 general and 3 CLO treated are ignored: 0 and 0',
      input: input({ period: CYCLE, specialties: [clo('2003-05-01')], treated: { general: 10, specialist: { CLO: 3 } } }),
      general: { treated: 0, total: 0, shortfall: 36 },
      specialties: { CLO: { treated: 0, total: 0, shortfall: 18 } },
      notes: ['Rule 14(a): points treated as obtained count for the initial relevant period only; 10 ignored', 'Rule 14(b): CLO: points treated as obtained count for the initial relevant period only; 3 ignored'],
    },
    // Rule 15: no crossing, no carry-over.
    {
      name: '15(2): 100 general points obtained do not count as CLO: CLO shortfall 18 - 0 = 18',
      input: input({ period: CYCLE, specialties: [clo('2003-05-01')], obtained: { general: 100 } }),
      general: { shortfall: 0 },
      specialties: { CLO: { obtained: 0, total: 0, shortfall: 18 } },
      notes: ['Rule 15(2)'],
    },
    {
      name: '15(3)(a): holding CLO does not reduce the general requirement: general required 36, CLO required 18 on top',
      input: input({ period: CYCLE, specialties: [clo('2003-05-01')], obtained: { specialist: { CLO: 18 } } }),
      general: { required: 36, shortfall: 36 },
      specialties: { CLO: { required: 18, shortfall: 0 } },
      notes: ['Rule 15(3)(a)'],
    },
    {
      name: '15(3)(b): subsequent period, 40 CLO points obtained count nothing as general: fromSpecialist 0, shortfall 36',
      input: input({ period: CYCLE, specialties: [clo('2003-05-01')], obtained: { general: 0, specialist: { CLO: 40 } } }),
      general: { fromSpecialist: 0, total: 0, shortfall: 36 },
      specialties: { CLO: { total: 40, shortfall: 0 } },
      notes: ['Rule 15(3)(b)'],
    },
    {
      name: '15(5): 50 general points against 36 required: shortfall 0, the surplus of 14 is not carried anywhere',
      input: input({ period: CYCLE, obtained: { general: 50 } }),
      general: { wholeMonths: 36, required: 36, obtained: 50, treated: 0, fromSpecialist: 0, total: 50, shortfall: 0 },
      notes: ['Rule 15(5)'],
    },
    // Rule 16: initial period, specialist points also count as general.
    {
      name: '16(2)(a): 3 CLO points obtained: all 3 count as general too, CLO keeps its 3',
      input: input({ specialties: [clo('2003-05-01')], obtained: { general: 20, specialist: { CLO: 3 } } }),
      general: { fromSpecialist: 3, total: 23, shortfall: 13 },
      specialties: { CLO: { obtained: 3, total: 3 } },
      notes: ['Rule 16(2)(a): 3 of the 3'],
    },
    {
      name: '16(2)(a) cap: 10 CLO points obtained: min(10, 4) = 4 count as general, CLO keeps its 10',
      input: input({ specialties: [clo('2003-05-01')], obtained: { specialist: { CLO: 10 } } }),
      general: { fromSpecialist: 4, total: 4, shortfall: 32 },
      specialties: { CLO: { obtained: 10, total: 10, shortfall: 8 } },
      notes: ['Rule 16(2)(a): 4 of the 10'],
    },
    {
      name: '16(2)(a) cap over all specialties together: AS 2 + SP 3 = 5 obtained: min(5, 4) = 4',
      input: input({
        specialties: [{ code: 'AS', from: '2004-01-01', to: null }, { code: 'SP', from: '2004-01-01', to: null }],
        obtained: { specialist: { AS: 2, SP: 3 } },
      }),
      general: { fromSpecialist: 4 },
      specialties: { AS: { total: 2 }, SP: { total: 3 } },
      notes: ['Rule 16(2)(a): 4 of the 5'],
    },
    {
      name: '16(2)(b): 12 CLO points treated (14(b) cap 12): all 12 count as general: 12 + 10 obtained = 22',
      input: input({ specialties: [clo('2003-05-01')], obtained: { general: 10 }, treated: { specialist: { CLO: 12 } } }),
      general: { fromSpecialist: 12, total: 22, shortfall: 14 },
      specialties: { CLO: { treated: 12, total: 12 } },
      notes: ['Rule 16(2)(b): 12 of the 12'],
    },
    {
      name: '16(2)(b) cap: 20 CLO treated -> 12 after 14(b) -> min(12, 12) = 12 as general; with 16(2)(a) 4 of 9 obtained: 4 + 12 = 16',
      input: input({ specialties: [clo('2003-05-01')], obtained: { specialist: { CLO: 9 } }, treated: { specialist: { CLO: 20 } } }),
      general: { fromSpecialist: 16, total: 16, shortfall: 20 },
      specialties: { CLO: { obtained: 9, treated: 12, total: 21, shortfall: 0 } },
      notes: ['Rule 16(2)(a): 4 of the 9', 'Rule 16(2)(b): 12 of the 12'],
    },
    {
      name: '16(2)(a): specialist points of unknown specialty: 6 -> min(6, 4) = 4 as general, no specialty credited',
      input: input({ specialties: [clo('2003-05-01')], obtained: { unassignedSpecialist: 6 } }),
      general: { fromSpecialist: 4 },
      specialties: { CLO: { obtained: 0, total: 0, shortfall: 18 } },
      notes: ['Rule 16(2)(a): 4 of the 6'],
    },
  ];

  it.each(rows)('$name', ({ input: given, general, specialties, notes }) => {
    const result = calculateRequirements(given);
    if (general) expect(result.general).toMatchObject(general);
    if (specialties) expect(result.specialties).toMatchObject(specialties);
    for (const rule of notes) expect(result.notes.some((note) => note.startsWith(rule))).toBe(true);
  });

  it('16(2)(b): the cap of 12 holds on its own: relevantPoints(0, 15) = 12 as general; 16(2)(a): relevantPoints(7, 0) = 4', () => {
    expect(relevantPoints(0, 15)).toEqual({ fromObtained: 0, fromTreated: 12 });
    expect(relevantPoints(7, 0)).toEqual({ fromObtained: 4, fromTreated: 0 });
  });

  it.each([
    [0, 0],
    [1, 0], // 0.5 -> 0
    [2, 1],
    [35, 17], // 17.5 -> 17
    [36, 18],
  ])('13(4): half of %i whole months, no account of half numbers = %i', (months, expected) => {
    expect(halfRoundedDown(months)).toBe(expected);
  });

  it("cli.md's example: 18 months; general 2 + 10 treated + (4 + 3) from CLO = 19 of 36, short 17; CLO 6 + 3 = 9 of 18, short 9", () => {
    const result = calculateRequirements({
      period: INITIAL,
      registered: ALWAYS,
      specialties: [clo('2003-05-01')],
      obtained: { general: 2, specialist: { CLO: 6 } },
      treated: { general: 10, specialist: { CLO: 3 } },
    });
    expect(result.general).toEqual({ wholeMonths: 18, required: 36, obtained: 2, treated: 10, fromSpecialist: 7, total: 19, shortfall: 17 });
    expect(result.specialties).toEqual({ CLO: { wholeMonths: 18, required: 18, obtained: 6, treated: 3, total: 9, shortfall: 9 } });
    expect(result.notes).toContain(
      'Rule 12(2)(a): on the register on 30 June 2005: 18 whole months registered in 2005-07-01..2006-12-31 (calendar months of the period on every day of which the registrant was registered); required = 2 x 18 = 36 general points.',
    );
    // Every note names a rule, or says how whole months were reckoned.
    for (const note of result.notes) expect(note).toMatch(/^(Rule \d+|Whole months)/);
  });

  it('names a mid-month period boundary in the notes', () => {
    const result = calculateRequirements(input({ period: { from: '2005-07-15', to: '2006-07-14', initial: true } }));
    expect(result.general.wholeMonths).toBe(11);
    expect(result.notes.filter((note) => note.startsWith('Whole months: the period'))).toHaveLength(2);
  });
});

describe('input validation', () => {
  const valid = { period: { from: '2019-01-01', to: '2021-12-31', initial: false }, registered: [{ from: '2001-01-01', to: null }] };
  const rows: Array<[string, unknown, string[]]> = [
    ['a bad date', { ...valid, period: { ...valid.period, from: '2019-02-30' } }, ['period.from: "2019-02-30" is not a date YYYY-MM-DD']],
    ['to before from', { ...valid, registered: [{ from: '2005-01-01', to: '2004-12-31' }] }, ['registered[0].to: to 2004-12-31 is before from 2005-01-01']],
    ['a negative number', { ...valid, obtained: { general: -1 } }, ['obtained.general: -1 is negative']],
    ['a fraction of a point', { ...valid, treated: { general: 1.5 } }, ['treated.general: 1.5 is not a whole number']],
    ['an unknown specialty code in specialties', { ...valid, specialties: [{ code: 'XX', from: '2001-01-01', to: null }] }, ['specialties[0].code: unknown specialty code "XX"']],
    ['an unknown specialty code in points', { ...valid, obtained: { specialist: { ZZ: 1 } } }, ['obtained.specialist: unknown specialty code "ZZ"']],
    ['an unknown key', { ...valid, carriedOver: 3 }, ['the input: unknown key "carriedOver"']],
    ['a missing period', { registered: [] }, ['period: missing']],
    ['not JSON', '{', ['not JSON']],
  ];
  it.each(rows)('refuses %s', (_name, given, expected) => {
    const parsed = parseRequirementsInput(typeof given === 'string' ? given : JSON.stringify(given));
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    for (const problem of expected) expect(parsed.problems.some((p) => p.startsWith(problem))).toBe(true);
  });

  it('names every problem at once', () => {
    const parsed = parseRequirementsInput(
      JSON.stringify({
        period: { from: '2021-01-01', to: '2020-01-01', initial: true },
        registered: [{ from: 'yesterday', to: null }],
        specialties: [{ code: 'XX', from: '2001-01-01', to: null }],
        obtained: { general: -2 },
        extra: true,
      }),
    );
    expect(parsed).toEqual({
      ok: false,
      problems: [
        'period.to: to 2020-01-01 is before from 2021-01-01',
        'registered[0].from: "yesterday" is not a date YYYY-MM-DD',
        'specialties[0].code: unknown specialty code "XX" (valid: CLO, AS, SP, IP)',
        'obtained.general: -2 is negative; points are 0 or more',
        'the input: unknown key "extra"',
      ],
    });
  });

  it('accepts the cli.md example, obtained and treated left out, and specialties left out', () => {
    const parsed = parseRequirementsInput(JSON.stringify(valid));
    expect(parsed).toEqual({ ok: true, input: { ...valid, specialties: [] } });
  });
});

describe('inputs from the register', () => {
  const cycle = { code: '2019-2021', firstDay: '2019-01-01', lastDay: '2021-12-31' };
  const spans = [{ from: '2019-01-01', to: '2019-06-15' }, { from: '2019-09-01', to: null }];

  it('a cycle beginning after 1 July 2005 is a subsequent period; the only specialty gets the specialist points and is held throughout the spans', () => {
    const { input: built, notes } = requirementsInputFromRegister({ cycle, spans, specialties: ['CLO'], uploaded: { general: 10, specialist: 6 } });
    expect(built.period).toEqual({ from: '2019-01-01', to: '2021-12-31', initial: false });
    expect(built.specialties).toEqual(spans.map((s) => ({ code: 'CLO', ...s })));
    expect(built.obtained).toEqual({ general: 10, specialist: { CLO: 6 }, unassignedSpecialist: 0 });
    expect(notes.some((n) => n.includes('taken as held throughout the registration spans'))).toBe(true);
  });

  it('a cycle beginning on 1 July 2005 is the initial period; with several specialties the specialist points stay unassigned', () => {
    const { input: built, notes } = requirementsInputFromRegister({
      cycle: { code: 'I', firstDay: '2005-07-01', lastDay: '2006-12-31' },
      spans,
      specialties: ['AS', 'SP'],
      uploaded: { general: 0, specialist: 5 },
    });
    expect(built.period.initial).toBe(true);
    expect(built.obtained).toEqual({ general: 0, specialist: {}, unassignedSpecialist: 5 });
    expect(notes.some((n) => n.includes('not assigned to any of AS, SP'))).toBe(true);
  });
});
