import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  COMPLETIONS_HEADER,
  CONFIRMATIONS_HEADER,
  EVENTS_HEADER,
  REGISTRANTS_HEADER,
  carry,
  completionState,
  importCli,
  rejectsFile,
  reportedRejects,
  seedBasics,
  writeFile,
} from './fixtures/imports/helpers.ts';
import { useTestEnvironment } from './support/testEnvironment.ts';

describe('import behaviour, through the CLI', () => {
  const env = useTestEnvironment();
  const count = async (table: string) => (await env.handle.pool.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n as number;

  beforeAll(async () => {
    await seedBasics(env);
  });

  it('refuses a file with a missing or an unknown column whole (exit 4), naming the column, importing nothing', async () => {
    const runs = await count('import_run');
    const missing = writeFile(env, 'missing.csv', ['provider_ref,goc_number,completed_at', 'M-1,01-10001,2021-11-01T10:00:00Z']);
    const unknown = writeFile(env, 'unknown.csv', [`${COMPLETIONS_HEADER},notes`, 'M-2,01-10001,C-70001,2021-11-01T10:00:00Z,hello']);
    const unclosed = writeFile(env, 'unclosed.csv', [COMPLETIONS_HEADER, 'M-3,01-10001,C-70001,2021-11-01T10:00:00Z', 'M-4,"01-10001,C-70001,2021-11-01T10:00:00Z']);
    const empty = path.join(env.workDir, 'empty.csv');
    writeFileSync(empty, '');
    const [refusedMissing, refusedUnknown, refusedCsv, refusedEmpty] = await Promise.all(
      [missing, unknown, unclosed, empty].map((file) => importCli(env, 'completions', file)),
    );
    expect(refusedMissing!.code).toBe(4);
    expect(refusedMissing!.stderr).toContain('missing column "event_ref"');
    expect(refusedUnknown!.code).toBe(4);
    expect(refusedUnknown!.stderr).toContain('unknown column "notes"');
    expect(refusedCsv!.code).toBe(4);
    expect(refusedCsv!.stderr).toMatch(/not readable CSV/);
    expect(refusedEmpty!.code).toBe(4);
    expect(refusedEmpty!.stderr).toMatch(/no header line/);
    expect(await count('completion')).toBe(0);
    expect(await count('import_run')).toBe(runs);
  });

  it('refuses a bad --now and a missing file with exit 2, giving the reason', async () => {
    const file = writeFile(env, 'now.csv', [COMPLETIONS_HEADER]);
    const result = await importCli(env, 'completions', file, '2021-12-30T12:00');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--now: .*no time zone/);
    const absent = await importCli(env, 'completions', path.join(env.workDir, 'absent.csv'));
    expect(absent.code).toBe(2);
    expect(absent.stderr).toMatch(/no such file/);
  });

  it('reads a BOM, CRLF, columns in any order, surrounding blanks and lax forms into normal forms', async () => {
    const file = path.join(env.workDir, 'crlf.csv');
    writeFileSync(
      file,
      '\uFEFFcompleted_at,event_ref , provider_ref,goc_number\r\n' +
        ' 2021-11-02T10:00:00.123456+00:00 , c70001,  BOM-1 ," d 2002 "\r\n' +
        '\r\n' +
        '2021-11-03T10:00:00Z,C-70001,BOM-2,0110003\r\n',
    );
    const result = await importCli(env, 'completions', file);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/inserted +2\n/);
    const { rows } = await env.handle.pool.query(
      `SELECT c.provider_ref, r.goc_number, e.event_ref, to_char(c.completed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS at
       FROM completion c JOIN registrant r ON r.id = c.registrant_id JOIN event e ON e.id = c.event_id
       WHERE c.provider_ref LIKE 'BOM-%' ORDER BY 1`,
    );
    expect(rows).toEqual([
      { provider_ref: 'BOM-1', goc_number: 'D-2002', event_ref: 'C-70001', at: '2021-11-02T10:00:00.123456' },
      { provider_ref: 'BOM-2', goc_number: '01-10003', event_ref: 'C-70001', at: '2021-11-03T10:00:00.000000' },
    ]);
  });

  it('reads a registration span as whole days in London: its last day registered, the next not (NOT_REGISTERED)', async () => {
    // 01-10005 is registered from 2015-01-01 to 2020-12-31 (seedBasics).
    const file = writeFile(env, 'span-edges.csv', [
      COMPLETIONS_HEADER,
      'EDGE-LAST,01-10005,C-70001,2020-12-31T23:59:59.999Z', // the last day (GMT)
      'EDGE-NEXT,01-10005,C-70002,2021-01-01T00:00:00Z', // the day after
    ]);
    const result = await importCli(env, 'completions', file);
    expect(result.code, result.stderr).toBe(3);
    expect(rejectsFile(file).map((r) => [r.provider_ref, r.codes])).toEqual([['EDGE-NEXT', 'NOT_REGISTERED']]);
    expect(await completionState(env, 'EDGE-LAST')).toBeDefined();
  });

  it('accepts an identical repeat of a row, and rejects a second completion of the same event in the cycle', async () => {
    const file = writeFile(env, 'repeat.csv', [
      COMPLETIONS_HEADER,
      'REP-1,01-10001,C-70002,2021-11-01T10:00:00Z',
      'REP-1,01-10001,C-70002,2021-11-01T10:00:00Z',
      'REP-2,01-10001,C-70002,2021-11-05T10:00:00Z',
    ]);
    const result = await importCli(env, 'completions', file);
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/inserted +1\n +updated +0\n +unchanged +1\n +rejected +1\n/);
    expect(rejectsFile(file)).toEqual([expect.objectContaining({ line: '4', codes: 'DUPLICATE_COMPLETION', provider_ref: 'REP-2' })]);
    expect(await completionState(env, 'REP-2')).toBeUndefined();
  });

  it('refuses to change an uploaded completion (ALREADY_UPLOADED) unless the regulator rejected it (a correction)', async () => {
    const first = writeFile(env, 'carried.csv', [
      COMPLETIONS_HEADER,
      'UP-ACK,01-10003,C-70002,2021-10-01T10:00:00Z',
      'UP-OPEN,D-2002,C-70003,2021-10-01T10:00:00Z',
      'UP-REJ,01-10001,C-70001,2021-10-01T10:00:00Z',
    ]);
    expect((await importCli(env, 'completions', first, '2021-11-01T00:00:00Z')).code).toBe(0);
    await carry(env, 'UP-ACK', 'ACCEPTED', '2021-W40');
    await carry(env, 'UP-OPEN', null, '2021-W41');
    await carry(env, 'UP-REJ', 'REJECTED', '2021-W42');
    const changed = writeFile(env, 'carried-changed.csv', [
      COMPLETIONS_HEADER,
      'UP-ACK,01-10003,C-70002,2021-10-01T11:00:00Z',
      'UP-OPEN,D-2002,C-70003,2021-10-01T11:00:00Z',
      'UP-REJ,01-10001,C-70001,2021-10-01T11:00:00Z',
    ]);
    const result = await importCli(env, 'completions', changed, '2021-12-01T00:00:00Z');
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/inserted +0\n +updated +1\n +unchanged +0\n +rejected +2\n/);
    expect(rejectsFile(changed).map((r) => [r.provider_ref, r.codes])).toEqual([
      ['UP-ACK', 'ALREADY_UPLOADED'],
      ['UP-OPEN', 'ALREADY_UPLOADED'],
    ]);
    expect(await completionState(env, 'UP-ACK')).toMatchObject({ revision: 1, completed_at: new Date('2021-10-01T10:00:00Z'), pending: false });
    expect(await completionState(env, 'UP-OPEN')).toMatchObject({ revision: 1, completed_at: new Date('2021-10-01T10:00:00Z'), pending: false });
    expect(await completionState(env, 'UP-REJ')).toEqual({
      revision: 2,
      completed_at: new Date('2021-10-01T11:00:00Z'),
      changed_at: new Date('2021-12-01T00:00:00Z'),
      goc_number: '01-10001',
      pending: true,
    });
    // The same file again: the correction is already stored, the others are still refused.
    const again = await importCli(env, 'completions', changed, '2021-12-02T00:00:00Z');
    expect(again.stdout).toMatch(/updated +0\n +unchanged +1\n +rejected +2\n/);
    expect(await completionState(env, 'UP-REJ')).toMatchObject({ revision: 2 });
  });

  it('bumps only the regulator-rejected completions of a registrant whose surname is corrected', async () => {
    const registrant = writeFile(env, 'neil.csv', [REGISTRANTS_HEADER, '01-10006,Neil,Sean,optometrist,,2015-01-01,']);
    expect((await importCli(env, 'registrants', registrant, '2021-11-01T00:00:00Z')).code).toBe(0);
    const file = writeFile(env, 'neil-completions.csv', [
      COMPLETIONS_HEADER,
      'SN-REJ,01-10006,C-70001,2021-09-01T10:00:00Z',
      'SN-ACC,01-10006,C-70002,2021-09-01T10:00:00Z',
    ]);
    expect((await importCli(env, 'completions', file, '2021-11-01T00:00:00Z')).code).toBe(0);
    await carry(env, 'SN-REJ', 'REJECTED', '2021-W43');
    await carry(env, 'SN-ACC', 'ACCEPTED', '2021-W44');
    const pendingBefore = await env.handle.pool.query(`SELECT completion_id FROM upload_pending ORDER BY 1`);
    const corrected = writeFile(env, 'oneill.csv', [REGISTRANTS_HEADER, "01-10006,O'Neill,Sean,optometrist,,2015-01-01,"]);
    const result = await importCli(env, 'registrants', corrected, '2021-12-05T00:00:00Z');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/updated +1\n/);
    expect(await completionState(env, 'SN-REJ')).toMatchObject({ revision: 2, pending: true, changed_at: new Date('2021-12-05T00:00:00Z') });
    expect(await completionState(env, 'SN-ACC')).toMatchObject({ revision: 1, pending: false });
    const pendingAfter = await env.handle.pool.query(`SELECT completion_id FROM upload_pending ORDER BY 1`);
    expect(pendingAfter.rows.length).toBe(pendingBefore.rows.length + 1);
    // Unchanged details bump nothing.
    expect((await importCli(env, 'registrants', corrected, '2021-12-06T00:00:00Z')).stdout).toMatch(/unchanged +1\n/);
    expect(await completionState(env, 'SN-REJ')).toMatchObject({ revision: 2 });
  });

  it('updates a registration span by its from date, adds a new one, and updates events and confirmations', async () => {
    const spans = writeFile(env, 'spans.csv', [REGISTRANTS_HEADER, '01-10005,Lapsed,Len,optometrist,,2015-01-01,2021-03-31']);
    expect((await importCli(env, 'registrants', spans)).stdout).toMatch(/updated +1\n/);
    const added = writeFile(env, 'spans2.csv', [REGISTRANTS_HEADER, '01-10005,Lapsed,Len,optometrist,,2021-06-01,']);
    expect((await importCli(env, 'registrants', added)).stdout).toMatch(/updated +1\n/);
    const { rows } = await env.handle.pool.query(
      `SELECT registered_from, registered_to FROM registration_span sp JOIN registrant r ON r.id = sp.registrant_id
       WHERE r.goc_number = '01-10005' ORDER BY 1`,
    );
    expect(rows).toEqual([
      { registered_from: '2015-01-01', registered_to: '2021-03-31' },
      { registered_from: '2021-06-01', registered_to: null },
    ]);

    const event = writeFile(env, 'event.csv', [EVENTS_HEADER, 'C-70002,Peer discussion: the red eye,4,general,Y,optometrist,2019-01-01,2021-12-31']);
    expect((await importCli(env, 'events', event)).stdout).toMatch(/updated +1\n/);
    expect((await env.handle.pool.query(`SELECT points FROM event WHERE event_ref = 'C-70002'`)).rows).toEqual([{ points: 4 }]);

    const confirmation = writeFile(env, 'conf.csv', [CONFIRMATIONS_HEADER, 'REP-1,peer,2021-11-02T10:00:00Z,01-10003']);
    expect((await importCli(env, 'confirmations', confirmation)).stdout).toMatch(/inserted +1\n/);
    const moved = writeFile(env, 'conf2.csv', [CONFIRMATIONS_HEADER, 'REP-1,peer,2021-11-02T11:00:00+01:00,D-2002']);
    expect((await importCli(env, 'confirmations', moved)).stdout).toMatch(/updated +1\n/);
    const stored = await env.handle.pool.query(
      `SELECT x.confirmed_at, r.goc_number FROM confirmation x JOIN registrant r ON r.id = x.peer_registrant_id`,
    );
    expect(stored.rows).toEqual([{ confirmed_at: new Date('2021-11-02T10:00:00Z'), goc_number: 'D-2002' }]);
  });

  it('numbers lines as the file does when a quoted field spans lines, and filters the report by file name', async () => {
    const file = writeFile(env, 'multiline.csv', [
      REGISTRANTS_HEADER,
      '01-30001,"Two',
      'Lines",Ann,optometrist,,2015-01-01,',
      '01-30002,Bad,Date,optometrist,,2015-13-01,',
    ]);
    expect((await importCli(env, 'registrants', file)).code).toBe(3);
    const rejects = await reportedRejects(env, 'multiline.csv');
    expect(rejects.map((r) => [r.line, r.key, r.codes])).toEqual([
      [2, '01-30001', ['INVALID_NAME']],
      [4, '01-30002', ['INVALID_DATE']],
    ]);
    expect(rejects.every((r) => r.file === file)).toBe(true);
  });
});

describe('DUPLICATE_COMPLETION against earlier lines of the file, through the CLI', () => {
  const env = useTestEnvironment();

  beforeAll(async () => {
    await seedBasics(env);
  });

  it('DUPLICATE_COMPLETION on an earlier line: counts only an accepted earlier line; a rejected one, for whatever code, stores nothing to duplicate', async () => {
    const stored = writeFile(env, 'dups-stored.csv', [COMPLETIONS_HEADER, 'DUPS-B,01-10003,C-70001,2021-03-01T10:00:00Z']);
    expect((await importCli(env, 'completions', stored)).code).toBe(0);
    const file = writeFile(env, 'dups.csv', [
      COMPLETIONS_HEADER,
      // Another ref than the stored DUPS-B: a duplicate of it.
      'DUPS-A,01-10003,C-70001,2021-03-02T10:00:00Z',
      // The stored completion itself, unchanged: line 2 was rejected, so it duplicates nothing.
      'DUPS-B,01-10003,C-70001,2021-03-01T10:00:00Z',
      // Not registered then: rejected, so no duplicate of the lines below.
      'DUPS-C,01-10005,C-70001,2021-02-01T10:00:00Z',
      'DUPS-D,01-10005,C-70001,2020-06-01T10:00:00Z',
      'DUPS-E,01-10005,C-70001,2020-07-01T10:00:00Z',
      // A repeat of line 5, after line 6 (rejected as a duplicate of line 5): unchanged.
      'DUPS-D,01-10005,C-70001,2020-06-01T10:00:00Z',
      // Another registrant, the same event: no duplicate.
      'DUPS-F,01-10001,C-70001,2020-06-01T10:00:00Z',
    ]);
    const result = await importCli(env, 'completions', file);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/inserted +2\n +updated +0\n +unchanged +2\n +rejected +3\n/);
    expect(rejectsFile(file).map((r) => [r.line, r.provider_ref, r.codes])).toEqual([
      ['2', 'DUPS-A', 'DUPLICATE_COMPLETION'],
      ['4', 'DUPS-C', 'NOT_REGISTERED'],
      ['6', 'DUPS-E', 'DUPLICATE_COMPLETION'],
    ]);
    expect(await completionState(env, 'DUPS-B')).toMatchObject({ revision: 1 });
    expect(await completionState(env, 'DUPS-D')).toMatchObject({ revision: 1, pending: true });
    expect(await completionState(env, 'DUPS-A')).toBeUndefined();
    expect(await completionState(env, 'DUPS-E')).toBeUndefined();
  });
});
