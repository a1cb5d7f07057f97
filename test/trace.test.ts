import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/runCli.ts';
import { seedCompletion, seedCycle, seedEvent, seedRegistrant } from './support/seed.ts';
import { useTestEnvironment } from './support/testEnvironment.ts';

// One registrant with a completion in each state "where are my points?" can answer.

type Row = Record<string, string | number>;

describe('trace', () => {
  const env = useTestEnvironment();
  const cli = (args: string[]) => runCli(args, env.env);
  const trace = async (key: string, now: string): Promise<Map<string, Row>> => {
    const result = await cli(['trace', key, '--now', now, '--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    return new Map((JSON.parse(result.stdout) as Row[]).map((row) => [String(row.provider_ref), row]));
  };

  beforeAll(async () => {
    await seedCycle(env.db); // 2019-2021, cutoff 2021-12-30 12:00 GMT
    const me = await seedRegistrant(env.db, '01-30001', 'Okafor');
    const other = await seedRegistrant(env.db, '01-30002', 'Other');
    const plain = await seedEvent(env.db, 'C-90001');
    const interactive = await seedEvent(env.db, 'C-90002', { interactive: true, points: 3 });
    const expired = await seedEvent(env.db, 'C-90003');
    await sql`UPDATE event SET approved_to = '2021-06-30' WHERE id = ${expired}`.execute(env.db);
    await seedCompletion(env.db, 'T-ACC', me, plain, '2021-12-01T10:00:00Z');
    await seedCompletion(env.db, 'T-REJ', me, plain, '2021-12-02T10:00:00Z');
    await seedCompletion(env.db, 'T-COR', me, plain, '2021-12-03T10:00:00Z');
    await seedCompletion(env.db, 'T-DWN', me, interactive, '2021-11-20T10:00:00Z');
    await seedCompletion(env.db, 'T-QUA', me, expired, '2021-12-05T10:00:00Z');
    await seedCompletion(env.db, 'T-OTHER', other, plain, '2021-12-05T10:00:00Z');
    const w49 = await cli(['upload', 'weekly', '--week', '2021-W49', '--now', '2021-12-10T07:00:00Z']);
    expect(w49.code, w49.stderr).toBe(0);
    const upload1 = /CET_P00001_000001_\d{8}\.csv/.exec(w49.stdout)![0];
    const ack = path.join(env.workDir, 'ack1.csv');
    writeFileSync(ack, 'file,provider_ref,status,code,message\r\n' +
      `${upload1},T-ACC,ACCEPTED,,\r\n${upload1},T-REJ,REJECTED,GOC_NUMBER_UNKNOWN,No registrant\r\n` +
      `${upload1},T-COR,REJECTED,DATE_INVALID,Bad date\r\n${upload1},T-DWN,ACCEPTED,,\r\n${upload1},T-OTHER,ACCEPTED,,\r\n`);
    expect((await cli(['ack', ack])).code).toBe(0);
    // T-COR corrected, as the import does it: a new revision, pending again.
    await sql`UPDATE completion SET revision = revision + 1, completed_at = '2021-12-03T11:00:00Z' WHERE provider_ref = 'T-COR'`.execute(env.db);
    await sql`INSERT INTO upload_pending SELECT id FROM completion WHERE provider_ref = 'T-COR'`.execute(env.db);

    await seedCompletion(env.db, 'T-CAR', me, plain, '2021-12-12T10:00:00Z');
    // Batch 2 (W50) carries T-COR's correction and T-CAR; no acknowledgement yet.
    expect((await cli(['upload', 'weekly', '--week', '2021-W50', '--now', '2021-12-17T07:00:00Z'])).code).toBe(0);
    await seedCompletion(env.db, 'T-HELD', me, interactive, '2021-12-20T10:00:00Z');
    await seedCompletion(env.db, 'T-WAIT', me, plain, '2021-12-20T11:00:00Z');
    await seedCompletion(env.db, 'T-NOC', me, plain, '2022-02-01T10:00:00Z');
    await seedCompletion(env.db, 'T-AFT', me, plain, '2021-12-30T12:00:00Z');
    // A row refused at import, keyed by its provider_ref, naming the registrant in another form.
    const run = await sql<{ id: string }>`INSERT INTO import_run (kind, file_name, started_at, rejected)
      VALUES ('completions', 'completions-bad.csv', '2021-12-21T09:00:00Z', 1) RETURNING id`.execute(env.db);
    await sql`INSERT INTO import_reject (import_id, line, row_key, codes, message, raw)
      VALUES (${run.rows[0]!.id}::bigint, 7, 'T-BAD', ARRAY['UNKNOWN_EVENT'], 'no event C-99999',
              ${JSON.stringify({ provider_ref: 'T-BAD', goc_number: '0130001', event_ref: 'C-99999', completed_at: '2021-12-20T10:00:00Z' })}::jsonb)`.execute(env.db);
  }, 120_000);

  it('shows each completion of the registrant with its state, batch, file, downgrade, acknowledgement', async () => {
    const rows = await trace('01-30001', '2021-12-22T12:00:00Z');
    expect([...rows.keys()].sort()).toEqual(['T-ACC', 'T-AFT', 'T-BAD', 'T-CAR', 'T-COR', 'T-DWN', 'T-HELD', 'T-NOC', 'T-QUA', 'T-REJ', 'T-WAIT']);
    expect(rows.get('T-ACC')).toMatchObject({ state: 'ACCEPTED', batch: 1, ack: 'ACCEPTED', interactive: false });
    expect(String(rows.get('T-ACC')!.file)).toMatch(/^CET_P00001_000001_/);
    expect(rows.get('T-REJ')).toMatchObject({ state: 'REJECTED', batch: 1, ack_code: 'GOC_NUMBER_UNKNOWN', correction_pending: false, import_codes: null });
    expect(rows.get('T-REJ')!.detail).toMatch(/GOC_NUMBER_UNKNOWN No registrant/);
    expect(rows.get('T-DWN')).toMatchObject({ state: 'ACCEPTED', interactive: false, downgrade_reason: 'PEER_UNCONFIRMED_14_DAYS' });
    expect(rows.get('T-COR')).toMatchObject({ state: 'CARRIED', batch: 2, revision: 2, ack: null });
    expect(rows.get('T-CAR')).toMatchObject({ state: 'CARRIED', batch: 2 });
    expect(rows.get('T-HELD')).toMatchObject({ state: 'HELD', hold_end: '2022-01-03T10:00:00.000Z' });
    expect(rows.get('T-HELD')!.detail).toMatch(/held for peer confirmation \(0 of 2 confirmed\) until .*Mon 3 Jan 2022 10:00/);
    expect(rows.get('T-WAIT')).toMatchObject({ state: 'WAITING' });
    expect(rows.get('T-WAIT')!.detail).toMatch(/next weekly batch of 2019-2021/);
    expect(rows.get('T-QUA')).toMatchObject({ state: 'QUARANTINED' });
    expect(rows.get('T-NOC')).toMatchObject({ state: 'NO_OPEN_CYCLE', cycle: null, batch: null, hold_end: null });
    expect(rows.get('T-AFT')).toMatchObject({ state: 'AFTER_CUTOFF', cycle: '2019-2021' });
    expect(rows.get('T-BAD')).toMatchObject({ state: 'REJECTED_AT_IMPORT', import_codes: ['UNKNOWN_EVENT'], ack_code: null, file: 'completions-bad.csv', line: 7, revision: null });
    expect(rows.has('T-OTHER')).toBe(false);
  });

  it('shows a corrected rejection as pending, and accepts every written form of the GOC number', async () => {
    // Reject batch 2's T-COR and correct it again: pending, with the earlier rejection.
    await sql`UPDATE batch_item SET ack_status = 'REJECTED', ack_code = 'DATE_INVALID' WHERE provider_ref = 'T-COR' AND revision = 2`.execute(env.db);
    await sql`UPDATE completion SET revision = 3 WHERE provider_ref = 'T-COR'`.execute(env.db);
    await sql`INSERT INTO upload_pending SELECT id FROM completion WHERE provider_ref = 'T-COR'`.execute(env.db);
    for (const form of ['0130001', ' 01-30001 ', '01 30001']) {
      const rows = await trace(form, '2021-12-22T12:00:00Z');
      expect(rows.get('T-COR'), form).toMatchObject({ state: 'WAITING', revision: 3, correction_pending: true, batch: 2 });
      expect(rows.get('T-COR')!.detail).toMatch(/corrected \(revision 3\) after revision 2 was rejected .*DATE_INVALID/);
    }
  });

  it('traces one completion by provider_ref, and marks a late arrival after the FINAL batch LATE', async () => {
    const final = await cli(['upload', 'final', '--cycle', '2019-2021', '--now', '2021-12-30T12:00:00Z', '--yes']);
    expect(final.code, final.stderr).toBe(0);
    const me = (await sql<{ id: number }>`SELECT id FROM registrant WHERE goc_number = '01-30001'`.execute(env.db)).rows[0]!.id;
    const plain = (await sql<{ id: number }>`SELECT id FROM event WHERE event_ref = 'C-90001'`.execute(env.db)).rows[0]!.id;
    await seedCompletion(env.db, 'T-LATE', me, plain, '2021-12-29T10:00:00Z');
    const one = await trace('T-LATE', '2021-12-31T09:00:00Z');
    expect([...one.keys()]).toEqual(['T-LATE']);
    expect(one.get('T-LATE')).toMatchObject({ state: 'LATE' });
    expect(one.get('T-LATE')!.detail).toMatch(/sealed by its FINAL batch/);
    // The FINAL batch carried the held one (downgraded at the cutoff).
    const all = await trace('01-30001', '2021-12-31T09:00:00Z');
    expect(all.get('T-HELD')).toMatchObject({ state: 'CARRIED', interactive: false, downgrade_reason: 'PEER_UNCONFIRMED_AT_CUTOFF' });
  });

  it('says clearly when nothing matches, exit 2', async () => {
    const result = await cli(['trace', '01-99999']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/No registrant or completion matches "01-99999" \(read as GOC number 01-99999, and as a provider_ref\)/);
  });
});
