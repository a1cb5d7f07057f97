import { beforeAll, describe, expect, it } from 'vitest';
import {
  COMPLETIONS_HEADER,
  CONFIRMATIONS_HEADER,
  EVENTS_HEADER,
  REGISTRANTS_HEADER,
  carry,
  importCli,
  rejectsFile,
  reportedRejects,
  seedBasics,
  writeFile,
  type ReportedReject,
} from './fixtures/imports/helpers.ts';
import type { CliResult } from './support/runCli.ts';
import { useTestEnvironment } from './support/testEnvironment.ts';

// One file per kind holds a row for each code; every code of import-files.md must show up on
// its row, in the database (report rejects) and in the rejects file.
const NOW = '2021-12-31T00:00:00Z';
const FILES = {
  registrants: [
    REGISTRANTS_HEADER,
    '01-1234,Short,Number,optometrist,,2015-01-01,', // 2
    '01-20002,"Pa\ttel",Asha,optometrist,,2015-01-01,', // 3
    '01-20003,Smith,Jo,optician,,2015-01-01,', // 4
    'D-3004,Smith,Jo,optometrist,,2015-01-01,', // 5
    '01-20005,Smith,Jo,optometrist,CLO;XX,2015-01-01,', // 6
    '01-20006,Smith,Jo,optometrist,,2021-02-30,', // 7
    '01-20007,Smith,Jo,optometrist,,2015-01-01,2014-12-31', // 8
    '01-10005,Lapsed,Len,optometrist,,2020-06-01,', // 9: overlaps 2015-01-01..2020-12-31
    '01-20010,Twice,Ann,optometrist,,2015-01-01,', // 10
    '01-20010,Twice,Anne,optometrist,,2015-01-01,', // 11
    '01-20012,Too,Few,optometrist,,2015-01-01', // 12
    '01-20013,Good,Row,optometrist,,2015-01-01,', // 13
  ],
  events: [
    EVENTS_HEADER,
    'C-1234,Bad ref,1,general,N,optometrist,2019-01-01,2021-12-31', // 2
    `C-80003,${'t'.repeat(201)},1,general,N,optometrist,2019-01-01,2021-12-31`, // 3
    'C-80004,Points,21,general,N,optometrist,2019-01-01,2021-12-31', // 4
    'C-80005,Category,1,other,N,optometrist,2019-01-01,2021-12-31', // 5
    'C-80006,Flag,1,general,maybe,optometrist,2019-01-01,2021-12-31', // 6
    'C-80007,Professions,1,general,N,optometrist;optician,2019-01-01,2021-12-31', // 7
  ],
  completions: [
    COMPLETIONS_HEADER,
    'bad ref,01-10001,C-70001,2021-11-01T10:00:00Z', // 2
    'R-3,01-1234,C-70001,2021-11-01T10:00:00Z', // 3
    'R-4,01-10001,C-1234,2021-11-01T10:00:00Z', // 4
    'R-5,01-10001,C-70001,2021-11-01T10:00:00', // 5
    'R-6,01-10001,C-70001,2021-02-30T10:00:00Z', // 6
    'R-7,01-10001,C-70001,2021-12-31T00:05:00.001Z', // 7
    'R-8,01-99999,C-70001,2021-11-01T10:00:00Z', // 8
    'R-9,01-10001,C-99999,2021-11-01T10:00:00Z', // 9
    'R-10,D-2002,C-70003,2019-06-01T10:00:00Z', // 10: approved from 2020
    'R-11,01-10001,C-70003,2021-11-01T10:00:00Z', // 11: for dispensing opticians
    'R-12,01-10005,C-70001,2021-06-01T10:00:00Z', // 12: lapsed at the end of 2020
    'R-13,01-10003,C-70001,2021-03-01T10:00:00Z', // 13: BASE-1 is the same in the same cycle
    'CARRIED-1,D-2002,C-70001,2021-06-02T10:00:00Z', // 14: carried, not rejected by the regulator
  ],
  confirmations: [
    CONFIRMATIONS_HEADER,
    'BASE-2,witness,2021-12-01T08:00:00Z,01-10003', // 2
    'NOPE-1,peer,2021-12-01T08:00:00Z,01-10003', // 3
    'BASE-1,peer,2021-12-01T08:00:00Z,01-10001', // 4: C-70001 is not interactive
    'BASE-2,registrant,2021-12-01T08:00:00Z,01-10001', // 5: BASE-2 is 01-10001's own
    'BASE-2,peer,2021-12-01T08:00:00Z,01-99999', // 6
  ],
} as const;

const CASES: Array<[code: string, kind: keyof typeof FILES, line: number]> = [
  ['INVALID_GOC_NUMBER', 'registrants', 2],
  ['INVALID_NAME', 'registrants', 3],
  ['INVALID_PROFESSION', 'registrants', 4],
  ['PROFESSION_MISMATCH', 'registrants', 5],
  ['INVALID_SPECIALTY', 'registrants', 6],
  ['INVALID_DATE', 'registrants', 7],
  ['INVALID_DATE_RANGE', 'registrants', 8],
  ['OVERLAPPING_SPAN', 'registrants', 9],
  ['DUPLICATE_KEY_IN_FILE', 'registrants', 10],
  ['DUPLICATE_KEY_IN_FILE', 'registrants', 11],
  ['WRONG_FIELD_COUNT', 'registrants', 12],
  ['INVALID_EVENT_REF', 'events', 2],
  ['INVALID_TITLE', 'events', 3],
  ['INVALID_POINTS', 'events', 4],
  ['INVALID_CATEGORY', 'events', 5],
  ['INVALID_FLAG', 'events', 6],
  ['INVALID_PROFESSION', 'events', 7],
  ['INVALID_PROVIDER_REF', 'completions', 2],
  ['INVALID_GOC_NUMBER', 'completions', 3],
  ['INVALID_EVENT_REF', 'completions', 4],
  ['MISSING_TIME_ZONE', 'completions', 5],
  ['INVALID_TIMESTAMP', 'completions', 6],
  ['FUTURE_TIMESTAMP', 'completions', 7],
  ['UNKNOWN_REGISTRANT', 'completions', 8],
  ['UNKNOWN_EVENT', 'completions', 9],
  ['EVENT_NOT_APPROVED', 'completions', 10],
  ['EVENT_NOT_FOR_PROFESSION', 'completions', 11],
  ['NOT_REGISTERED', 'completions', 12],
  ['DUPLICATE_COMPLETION', 'completions', 13],
  ['ALREADY_UPLOADED', 'completions', 14],
  ['INVALID_PARTY', 'confirmations', 2],
  ['UNKNOWN_COMPLETION', 'confirmations', 3],
  ['NOT_INTERACTIVE', 'confirmations', 4],
  ['SELF_CONFIRMATION', 'confirmations', 5],
  ['UNKNOWN_REGISTRANT', 'confirmations', 6],
];

describe('every reject code, through the CLI', () => {
  const env = useTestEnvironment();
  const paths = {} as Record<keyof typeof FILES, string>;
  const results = {} as Record<keyof typeof FILES, CliResult>;
  let reported: ReportedReject[] = [];

  beforeAll(async () => {
    await seedBasics(env);
    const base = writeFile(env, 'base-completions.csv', [
      COMPLETIONS_HEADER,
      'BASE-1,01-10003,C-70001,2021-01-15T10:00:00Z',
      'BASE-2,01-10001,C-70002,2021-11-28T20:00:00Z',
      'CARRIED-1,D-2002,C-70001,2021-06-01T10:00:00Z',
    ]);
    expect((await importCli(env, 'completions', base, NOW)).code).toBe(0);
    await carry(env, 'CARRIED-1', null, '2021-W22');
    // Independent files: run side by side (the imports themselves still take turns).
    await Promise.all(
      (Object.keys(FILES) as Array<keyof typeof FILES>).map(async (kind) => {
        paths[kind] = writeFile(env, `bad-${kind}.csv`, [...FILES[kind]]);
        results[kind] = await importCli(env, kind, paths[kind], NOW);
      }),
    );
    reported = await reportedRejects(env);
  });

  it('exits 3 and counts every row once', () => {
    for (const kind of Object.keys(FILES) as Array<keyof typeof FILES>) {
      expect(results[kind].stderr).toBe('');
      expect(results[kind].code).toBe(3);
    }
    expect(results.registrants.stdout).toMatch(/inserted +1\n +updated +0\n +unchanged +0\n +rejected +11\n/);
    expect(results.events.stdout).toMatch(/rejected +6\n/);
    expect(results.completions.stdout).toMatch(/rejected +13\n/);
    expect(results.confirmations.stdout).toMatch(/rejected +5\n/);
  });

  it.each(CASES)('%s: %s line %i is rejected, kept in the database and in the rejects file', async (code, kind, line) => {
    const stored = reported.find((r) => r.file === paths[kind] && r.line === line);
    expect(stored, 'in report rejects').toBeDefined();
    expect(stored!.codes).toContain(code);
    expect(stored!.message).toContain(code);
    const written = rejectsFile(paths[kind]).find((r) => r.line === String(line));
    expect(written, 'in the rejects file').toBeDefined();
    expect(written!.codes!.split(';')).toContain(code);
  });

  it('keeps the raw row and its key with the reject', async () => {
    const { rows } = await env.handle.pool.query(
      `SELECT j.row_key, j.raw FROM import_reject j JOIN import_run r ON r.id = j.import_id WHERE r.file_name = $1 AND j.line = 3`,
      [paths.registrants],
    );
    expect(rows).toEqual([
      {
        row_key: '01-20002',
        raw: { goc_number: '01-20002', surname: 'Pa\ttel', forenames: 'Asha', profession: 'optometrist', specialties: '', registered_from: '2015-01-01', registered_to: '' },
      },
    ]);
  });

  it('leaves a stored completion as it was when the change is ALREADY_UPLOADED', async () => {
    const { rows } = await env.handle.pool.query(`SELECT completed_at, revision FROM completion WHERE provider_ref = 'CARRIED-1'`);
    expect(rows).toEqual([{ completed_at: new Date('2021-06-01T10:00:00Z'), revision: 1 }]);
  });

  it('writes the rejects file with the input columns, RFC 4180 quoting, ready to import again', async () => {
    const written = rejectsFile(paths.registrants);
    expect(Object.keys(written[0]!)).toEqual(['line', 'codes', 'message', ...REGISTRANTS_HEADER.split(',')]);
    expect(written.find((r) => r.line === '3')!.surname).toBe('Pa\ttel');
    expect(written.find((r) => r.line === '6')!.codes).toBe('INVALID_SPECIALTY');
    expect(written.find((r) => r.line === '5')!.message).toMatch(/PROFESSION_MISMATCH: .*,/); // quoted: holds commas
    // Fixed in place and imported again: the leading line, codes, message columns are skipped.
    const fixed = writeFile(env, 'fixed-registrants.csv', [
      `line,codes,message,${REGISTRANTS_HEADER}`,
      '6,INVALID_SPECIALTY,"was bad, now fixed",01-20005,Smith,Jo,optometrist,CLO,2015-01-01,',
    ]);
    const again = await importCli(env, 'registrants', fixed, NOW);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/inserted +1\n/);
  });
});
