import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/runCli.ts';
import { seedCompletion, seedConfirmation, seedCycle, seedEvent, seedRegistrant } from './support/seed.ts';
import { useTestEnvironment } from './support/testEnvironment.ts';

// report sla across Christmas/New Year 2021-22 (27, 28 Dec and 3 Jan are bank holidays),
// report held and report late, on completions seeded with exact instants.

type Row = Record<string, string | number>;
const NOW = '2022-01-07T10:00:00Z'; // Friday 7 January 2022

describe('reports', () => {
  const env = useTestEnvironment();
  const report = async (kind: string, now = NOW): Promise<Row[]> => {
    const result = await runCli(['report', kind, '--now', now, '--format', 'json'], env.env);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as Row[];
  };

  beforeAll(async () => {
    // A cycle whose cutoff lies far ahead, so that nothing here is a FINAL-batch matter.
    await seedCycle(env.db, '2021-2022', '2022-12-29T12:00:00.000Z', '2021-01-01', '2022-12-31');
    const r = await seedRegistrant(env.db, '01-40001');
    const peer = await seedRegistrant(env.db, '01-40002');
    const plain = await seedEvent(env.db, 'C-91001');
    const interactive = await seedEvent(env.db, 'C-91002', { interactive: true });
    await seedCompletion(env.db, 'S-1', r, plain, '2021-12-23T10:00:00Z'); // deadline Tue 11 Jan
    await seedCompletion(env.db, 'S-2', r, plain, '2021-12-22T10:00:00Z'); // deadline Mon 10 Jan
    await seedCompletion(env.db, 'S-3', r, plain, '2021-12-08T10:00:00Z'); // deadline Wed 22 Dec
    await seedCompletion(env.db, 'S-4', r, plain, '2021-12-24T10:00:00Z'); // deadline Wed 12 Jan: 3 working days left
    const s5 = await seedCompletion(env.db, 'S-5', r, interactive, '2021-12-01T10:00:00Z');
    await seedConfirmation(env.db, s5, 'registrant', '2021-12-09T10:00:00Z', peer);
    await seedConfirmation(env.db, s5, 'peer', '2021-12-10T10:00:00Z', peer); // ready Fri 10 Dec
    await seedCompletion(env.db, 'S-6', r, interactive, '2021-12-09T10:00:00Z'); // downgraded: ready Thu 23 Dec
    await seedCompletion(env.db, 'H-1', r, interactive, '2022-01-05T10:00:00Z'); // held until 19 Jan
    await seedCompletion(env.db, 'A-1', r, plain, '2022-12-30T10:00:00Z'); // after the cutoff
    await seedCompletion(env.db, 'N-1', r, plain, '2023-02-01T10:00:00Z'); // no cycle
    // Already carried: never in the SLA report.
    await seedCompletion(env.db, 'C-1', r, plain, '2021-12-01T09:00:00Z');
    const batch = await sql<{ id: string }>`INSERT INTO batch (cycle_id, kind, period, cutoff, seq, provider_code, trigger, claimed_at, records)
      SELECT id, 'WEEKLY', '2021-W49', '2021-12-10T06:00:00Z', 1, 'P00001', 'manual', now(), 1 FROM cycle RETURNING id`.execute(env.db);
    await sql`INSERT INTO batch_item (batch_id, completion_id, revision, provider_ref, goc_number, surname, event_ref, completed_on, points, category, interactive)
      SELECT ${batch.rows[0]!.id}::bigint, id, 1, provider_ref, '01-40001', 'Smith', 'C-91001', completed_on, 1, 'G', false FROM completion WHERE provider_ref = 'C-1'`.execute(env.db);
    await sql`DELETE FROM upload_pending WHERE completion_id = (SELECT id FROM completion WHERE provider_ref = 'C-1')`.execute(env.db);
  });

  it('report sla lists exactly the completions past the 10-working-day limit or within 2 working days of it', async () => {
    const rows = await report('sla');
    expect(rows.map((r) => [r.provider_ref, r.standing, r.ready_on, r.deadline, r.working_days_left])).toEqual([
      ['S-5', 'OVERDUE', '2021-12-10', '2021-12-24', -7],
      ['S-3', 'OVERDUE', '2021-12-08', '2021-12-22', -9],
      ['S-6', 'DUE_SOON', '2021-12-23', '2022-01-11', 2],
      ['S-2', 'DUE_SOON', '2021-12-22', '2022-01-10', 1],
      ['S-1', 'DUE_SOON', '2021-12-23', '2022-01-11', 2],
    ]);
    // A day earlier (Thu 6 Jan) S-1 and S-6 still have 3 working days.
    expect((await report('sla', '2022-01-06T10:00:00Z')).map((r) => r.provider_ref)).toEqual(['S-5', 'S-3', 'S-2']);
  });

  it('report held lists the held interactive completion with the end of its hold window', async () => {
    const rows = await report('held');
    expect(rows).toEqual([expect.objectContaining({ provider_ref: 'H-1', hold_end: '2022-01-19T10:00:00.000Z', confirmations: 0 })]);
    expect(await report('held', '2022-01-19T10:00:00Z')).toEqual([]);
  });

  it('report late lists after-cutoff and no-open-cycle completions with the reason', async () => {
    const rows = await report('late');
    expect(rows.map((r) => [r.provider_ref, r.state])).toEqual([['A-1', 'AFTER_CUTOFF'], ['N-1', 'NO_OPEN_CYCLE']]);
    expect(rows[0]!.reason).toMatch(/at or after the final-upload cutoff of 2021-2022/);
  });

  it('prints a table on request and CSV for scripts', async () => {
    const csv = await runCli(['report', 'sla', '--now', NOW, '--format', 'csv'], env.env);
    expect(csv.stdout.split('\n')[0]).toBe('standing,provider_ref,goc_number,event_ref,cycle,state,ready_on,deadline,working_days_left');
    const table = await runCli(['report', 'rejected'], env.env);
    expect(table.stdout).toMatch(/The regulator has rejected no record/);
  });
});
