import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { completionStatesSql, type CompletionStateRow } from '../src/db/completionStates.ts';
import { perRowStatesSql } from './support/perRowStates.ts';
import { listCycles } from '../src/db/cycles.ts';
import { pendingStatesSql, type PendingStateRow } from '../src/db/pendingStates.ts';
import { countStates } from '../src/db/stateCounts.ts';
import { refreshStateSnapshot } from '../src/db/stateSnapshot.ts';
import { pendingInStatesSql, slaRowsSql, type SlaRow } from '../src/db/reportQueries.ts';
import { streamRows } from '../src/db/streamRows.ts';
import { PREFILTERS } from '../src/db/pendingStates.ts';
import { addDays, businessDate } from '../src/domain/businessTime.ts';
import { assessSla, latestOverdueReadyDay, latestReportableReadyDay, workingDayCalendar } from '../src/domain/workingDays.ts';
import { seedCompletion, seedConfirmation, seedCycle, seedEvent, seedRegistrant } from './support/seed.ts';
import { useTestEnvironment } from './support/testEnvironment.ts';

// The set-based classification (pendingStatesSql, countStates: what status and the reports
// read; completionStatesSql, what trace reads) against the per-row classification as it was
// before (test/support/perRowStates.ts), on a small
// database holding every state, at several instants: the same states, ready days and counts.

const ZONE = 'Europe/London';
const HOLD = 14;
const NOWS = [
  '2022-03-05T10:00:00Z',
  '2022-06-01T10:00:00Z',
  '2023-01-03T10:00:00Z', // across Christmas 2022 (26, 27 Dec and 2 Jan are bank holidays)
  '2023-01-06T16:00:00Z',
  '2024-12-31T10:00:00Z', // past the cutoff of 2022-2024: the FINAL batch's window
];

describe('set-based states and counts', () => {
  const env = useTestEnvironment();

  beforeAll(async () => {
    const db = env.db;
    const sealed = await seedCycle(db, '2019-2021', '2021-12-30T12:00:00.000Z', '2019-01-01', '2021-12-31');
    const open = await seedCycle(db, '2022-2024', '2024-12-30T12:00:00.000Z', '2022-01-01', '2024-12-31');
    const r = await seedRegistrant(db, '01-60001');
    const peer = await seedRegistrant(db, '01-60002');
    const unregistered = await seedRegistrant(db, '01-60003');
    await sql`DELETE FROM registration_span WHERE registrant_id = ${unregistered}`.execute(db);
    const plain = await seedEvent(db, 'C-93001');
    const interactive = await seedEvent(db, 'C-93002', { interactive: true });
    const expired = await seedEvent(db, 'C-93003');
    await sql`UPDATE event SET approved_to = '2022-01-31' WHERE id = ${expired}`.execute(db);

    const final = await batch(sealed, 'FINAL', 'FINAL', '2021-12-30T12:00:00Z', 1);
    const weekly = await batch(open, 'WEEKLY', '2022-W10', '2022-03-11T06:00:00Z', 2);
    const weekly2 = await batch(open, 'WEEKLY', '2022-W20', '2022-05-20T06:00:00Z', 3);

    await seedCompletion(db, 'L-1', r, plain, '2021-11-01T10:00:00Z'); // LATE
    await carry(await seedCompletion(db, 'L-2', r, plain, '2021-11-02T10:00:00Z'), final, 1, 'ACCEPTED');
    await seedCompletion(db, 'L-3', r, plain, '2021-12-31T10:00:00Z'); // AFTER_CUTOFF of 2019-2021
    await seedCompletion(db, 'A-1', r, plain, '2024-12-30T13:00:00Z'); // AFTER_CUTOFF of 2022-2024
    await seedCompletion(db, 'N-1', r, plain, '2030-02-01T10:00:00Z'); // NO_OPEN_CYCLE
    await seedCompletion(db, 'P-1', r, plain, '2022-03-01T10:00:00Z');
    const p2 = await seedCompletion(db, 'P-2', r, interactive, '2022-02-20T10:00:00Z');
    await seedConfirmation(db, p2, 'registrant', '2022-02-21T10:00:00Z', peer);
    await seedConfirmation(db, p2, 'peer', '2022-02-25T23:30:00Z', peer);
    const p3 = await seedCompletion(db, 'P-3', r, interactive, '2022-02-10T10:00:00Z');
    await seedConfirmation(db, p3, 'registrant', '2022-02-11T10:00:00Z', peer);
    const p4 = await seedCompletion(db, 'P-4', r, interactive, '2022-03-01T10:00:00Z');
    await seedConfirmation(db, p4, 'peer', '2022-03-20T10:00:00Z', peer); // after the hold window
    await seedCompletion(db, 'P-5', r, expired, '2022-02-15T10:00:00Z'); // QUARANTINED
    await seedCompletion(db, 'P-6', unregistered, plain, '2022-02-15T10:00:00Z'); // QUARANTINED
    await seedCompletion(db, 'P-7', r, interactive, '2024-12-20T10:00:00Z'); // future for most nows; DOWNGRADE_CUTOFF at the last
    await carry(await seedCompletion(db, 'C-1', r, plain, '2022-03-02T10:00:00Z'), weekly, 1, null);
    await carry(await seedCompletion(db, 'C-2', r, plain, '2022-03-03T10:00:00Z'), weekly, 1, 'ACCEPTED');
    await carry(await seedCompletion(db, 'C-3', r, plain, '2022-03-04T10:00:00Z'), weekly, 1, 'REJECTED');
    // Rejected, then corrected: revision 2 pending again, changed later than it became ready.
    const c4 = await seedCompletion(db, 'C-4', r, plain, '2022-03-04T11:00:00Z');
    await carry(c4, weekly, 1, 'REJECTED', true);
    await sql`UPDATE completion SET revision = 2, changed_at = '2022-05-02T09:00:00Z' WHERE id = ${c4}`.execute(db);
    // Rejected, corrected and the correction accepted.
    const c5 = await seedCompletion(db, 'C-5', r, plain, '2022-03-04T12:00:00Z');
    await carry(c5, weekly, 1, 'REJECTED');
    await sql`UPDATE completion SET revision = 2, changed_at = '2022-05-02T09:00:00Z' WHERE id = ${c5}`.execute(db);
    await carry(c5, weekly2, 2, 'ACCEPTED');
    // Neither pending nor carried.
    const q = await seedCompletion(db, 'Q-1', r, plain, '2022-03-04T13:00:00Z');
    await sql`DELETE FROM upload_pending WHERE completion_id = ${q}`.execute(db);
    // One a day around Christmas 2022, half interactive and confirmed a day later.
    for (let day = 0; day < 40; day++) {
      const at = new Date(Date.UTC(2022, 11, 1 + day, 10));
      const id = await seedCompletion(db, `X-${day}`, r, day % 2 ? interactive : plain, at);
      if (day % 2) {
        await seedConfirmation(db, id, 'registrant', new Date(at.getTime() + 86_400_000), peer);
        await seedConfirmation(db, id, 'peer', new Date(at.getTime() + 86_400_000 + 3_600_000), peer);
      }
    }
    await sql`ANALYZE`.execute(db);

    async function batch(cycleId: number, kind: string, period: string, cutoff: string, seq: number): Promise<string> {
      const { rows } = await sql<{ id: string }>`INSERT INTO batch (cycle_id, kind, period, cutoff, seq, provider_code, trigger, claimed_at, records)
        VALUES (${cycleId}, ${kind}, ${period}, ${cutoff}, ${seq}, 'P00001', 'manual', now(), 1) RETURNING id`.execute(db);
      return rows[0]!.id;
    }
    async function carry(completionId: string, batchId: string, revision: number, ack: string | null, stillPending = false): Promise<void> {
      await sql`INSERT INTO batch_item (batch_id, completion_id, revision, provider_ref, goc_number, surname, event_ref, completed_on, points, category, interactive, ack_status)
        SELECT ${batchId}::bigint, id, ${revision}, provider_ref, '01-60001', 'Smith', 'C-93001', completed_on, 1, 'G', false, ${ack} FROM completion WHERE id = ${completionId}`.execute(db);
      if (!stillPending) await sql`DELETE FROM upload_pending WHERE completion_id = ${completionId}`.execute(db);
    }
  });

  async function perRow(now: string): Promise<CompletionStateRow[]> {
    const at = { now: new Date(now), holdDays: HOLD, zone: ZONE };
    return (await sql<CompletionStateRow>`SELECT * FROM (${await perRowStatesSql(env.db, at)}) AS s ORDER BY s.provider_ref`.execute(env.db)).rows;
  }

  it('classifies every pending completion as the per-row classification does', async () => {
    const cycles = await listCycles(env.db);
    for (const now of NOWS) {
      const expected = (await perRow(now)).filter((s) => s.pending);
      const at = { now: new Date(now), holdDays: HOLD, zone: ZONE };
      const { rows } = await sql<PendingStateRow>`SELECT * FROM (${pendingStatesSql(cycles, at)}) AS s ORDER BY s.provider_ref`.execute(env.db);
      const pick = (s: CompletionStateRow | PendingStateRow) => ({
        provider_ref: s.provider_ref,
        state: s.state,
        decision: s.decision,
        ready_on: s.ready_on,
        hold_end: s.hold_end,
        confirmations: s.confirmations,
        correction_pending: Boolean(s.correction_pending),
        cycle: s.cycle,
      });
      expect(rows.map(pick), now).toEqual(expected.map(pick));
    }
  });

  async function expectedCounts(now: string) {
    const rows = await perRow(now);
    const byState = new Map<string, number>();
    for (const s of rows) byState.set(s.state, (byState.get(s.state) ?? 0) + 1);
    const today = businessDate(new Date(now), ZONE);
    const candidates = rows.filter((s) => s.ready_on !== null && s.ready_on <= latestReportableReadyDay(today));
    const overdue = candidates.filter((s) => assessSla(s.ready_on!, today).standing === 'OVERDUE').length;
    return { byState: Object.fromEntries(byState), overdue, reportable: candidates.length };
  }

  async function counted(now: string, at: { holdDays?: number; zone?: string } = {}) {
    const cycles = await listCycles(env.db);
    const today = businessDate(new Date(now), ZONE);
    const counts = await countStates(env.db, cycles, { now: new Date(now), holdDays: at.holdDays ?? HOLD, zone: at.zone ?? ZONE }, {
      overdueReadyDay: latestOverdueReadyDay(today),
      reportableReadyDay: latestReportableReadyDay(today),
    });
    return { byState: Object.fromEntries(counts.byState), overdue: counts.overdue, reportable: counts.reportable, source: counts.source };
  }

  it('counts every state and both SLA standings as the per-row classification does, from the tables and from the state snapshot', async () => {
    const seen = new Set<string>();
    // No snapshot yet: from the tables.
    for (const now of NOWS) {
      const expected = await expectedCounts(now);
      expect(await counted(now), now).toEqual({ ...expected, source: 'live' });
      for (const state of Object.keys(expected.byState)) seen.add(state);
    }
    // The data reaches every state.
    expect([...seen].sort()).toEqual(
      ['ACCEPTED', 'AFTER_CUTOFF', 'CARRIED', 'HELD', 'LATE', 'NOT_QUEUED', 'NO_OPEN_CYCLE', 'QUARANTINED', 'REJECTED', 'WAITING'],
    );

    // Built once (its facts do not depend on "now"), it gives the same counts at every instant.
    const built = await refreshStateSnapshot(env.db, { zone: ZONE, holdDays: HOLD });
    expect(built).toMatchObject({ status: 'rebuilt', rows: Number((await sql<{ n: string }>`SELECT count(*) AS n FROM upload_pending`.execute(env.db)).rows[0]!.n) });
    expect(await refreshStateSnapshot(env.db, { zone: ZONE, holdDays: HOLD })).toEqual({ status: 'current', version: (built as { version: string }).version });
    for (const now of NOWS) expect(await counted(now), now).toEqual({ ...await expectedCounts(now), source: 'snapshot' });
    // Built for another hold or zone, it is not read for this one.
    expect((await counted(NOWS[1]!, { holdDays: HOLD + 1 })).source).toBe('live');
    expect((await counted(NOWS[1]!, { zone: 'UTC' })).source).toBe('live');
  });

  it('reads the snapshot only while no change was made to the tables since it was built, committed or not', async () => {
    const now = NOWS[2]!;
    const refresh = () => refreshStateSnapshot(env.db, { zone: ZONE, holdDays: HOLD });
    await refresh();
    expect((await counted(now)).source).toBe('snapshot');
    const { id: registrant } = await env.db.selectFrom('registrant').select('id').where('goc_number', '=', '01-60001').executeTakeFirstOrThrow();
    const { id: event } = await env.db.selectFrom('event').select('id').where('event_ref', '=', 'C-93001').executeTakeFirstOrThrow();

    // A change in flight: the snapshot is stale at once, and a rebuild does not wait for it (busy);
    // once it commits, the rebuild includes it and the counts are those of the tables.
    const client = await env.handle.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`INSERT INTO completion (provider_ref, registrant_id, event_id, completed_at, completed_on, received_at, revision, changed_at)
        VALUES ('Z-1', $1, $2, '2022-12-20T10:00:00Z', '2022-12-20', now(), 1, now())`, [registrant, event]);
      await client.query(`INSERT INTO upload_pending (completion_id) SELECT id FROM completion WHERE provider_ref = 'Z-1'`);
      expect((await counted(now)).source).toBe('live');
      expect(await refresh()).toEqual({ status: 'busy' });
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    expect((await counted(now)).source).toBe('live');
    expect((await refresh()).status).toBe('rebuilt');
    const fromSnapshot = await counted(now);
    expect(fromSnapshot.source).toBe('snapshot');
    expect(fromSnapshot).toEqual({ ...await expectedCounts(now), source: 'snapshot' });

    // Two refreshes at once (the worker's and an operator's status --refresh): one builds, the
    // other finds it building (or built) and changes nothing; neither fails.
    await sql`UPDATE event SET approved_to = approved_to WHERE false`.execute(env.db);
    const both = await Promise.all([refresh(), refresh(), refresh()]);
    expect(both.filter((o) => o.status === 'rebuilt'), JSON.stringify(both)).toHaveLength(1);
    expect(both.every((o) => ['rebuilt', 'busy', 'current'].includes(o.status))).toBe(true);
    expect((await counted(now)).source).toBe('snapshot');

    // Every table the states are read from makes it stale, however few rows change.
    for (const change of [
      sql`UPDATE event SET approved_to = approved_to WHERE event_ref = 'C-93001'`,
      sql`UPDATE registrant SET surname = surname WHERE goc_number = '01-60002'`,
      sql`UPDATE registration_span SET registered_to = registered_to WHERE registrant_id = ${registrant}`,
      sql`DELETE FROM confirmation WHERE false`,
      sql`UPDATE batch_item SET ack_status = ack_status WHERE false`,
      sql`UPDATE completion SET changed_at = changed_at WHERE provider_ref = 'Z-1'`,
      sql`DELETE FROM upload_pending WHERE false`,
      sql`UPDATE cycle SET final_cutoff = final_cutoff WHERE code = '2022-2024'`,
    ]) {
      await refresh();
      expect((await counted(now)).source).toBe('snapshot');
      await change.execute(env.db);
      expect((await counted(now)).source, change.compile(env.db).sql).toBe('live');
    }
    await sql`DELETE FROM upload_pending WHERE completion_id IN (SELECT id FROM completion WHERE provider_ref = 'Z-1')`.execute(env.db);
    await sql`DELETE FROM completion WHERE provider_ref = 'Z-1'`.execute(env.db);
    expect(await counted(now)).toEqual({ ...await expectedCounts(now), source: 'live' });
  });

  it('gives the SLA rows, deadlines and working days left of the day-by-day walk, from the calendar of working-day ordinals', async () => {
    const cycles = await listCycles(env.db);
    let rowsSeen = 0;
    for (const now of NOWS) {
      const today = businessDate(new Date(now), ZONE);
      const reportableReadyDay = latestReportableReadyDay(today);
      const expected = (await perRow(now))
        .filter((s) => s.ready_on !== null && s.ready_on <= reportableReadyDay)
        .sort((a, b) => a.completed_at.getTime() - b.completed_at.getTime() || (a.provider_ref < b.provider_ref ? -1 : 1))
        .map((s) => {
          const sla = assessSla(s.ready_on!, today);
          return [s.provider_ref, sla.standing, s.state, s.ready_on, sla.deadline, sla.workingDaysLeft + 0];
        });
      const calendar = workingDayCalendar(addDays('2019-01-01', -366), addDays(today, 62));
      const at = { now: new Date(now), holdDays: HOLD, zone: ZONE };
      const { rows } = await slaRowsSql(cycles, at, { today, reportableReadyDay, workingDays: 10, calendar }).execute(env.db);
      expect(rows.map((r) => [r.provider_ref, r.standing, r.state, r.ready_on, r.deadline, r.working_days_left]), now).toEqual(expected);
      rowsSeen += rows.length;
    }
    expect(rowsSeen).toBeGreaterThan(40);
  });

  it('streams the same SLA rows planned for its first rows (a DECLAREd cursor, as at a million pending) as planned for all', async () => {
    const cycles = await listCycles(env.db);
    let rowsSeen = 0;
    for (const now of NOWS) {
      const today = businessDate(new Date(now), ZONE);
      const calendar = workingDayCalendar(addDays('2019-01-01', -366), addDays(today, 62));
      const at = { now: new Date(now), holdDays: HOLD, zone: ZONE };
      const query = slaRowsSql(cycles, at, { today, reportableReadyDay: latestReportableReadyDay(today), workingDays: 10, calendar });
      const read = async (fastStart: boolean) => {
        const rows: SlaRow[] = [];
        for await (const row of streamRows(env.db, env.handle.pool, query, { batch: 7, fastStart })) rows.push(row);
        return rows;
      };
      const expected = (await query.execute(env.db)).rows;
      expect(await read(true), now).toEqual(expected);
      expect(await read(false), now).toEqual(expected);
      rowsSeen += expected.length;
    }
    expect(rowsSeen).toBeGreaterThan(40);
    // A reader that stops early ends the cursor's transaction: the pool's clients stay usable.
    const today = businessDate(new Date(NOWS[2]!), ZONE);
    const query = slaRowsSql(cycles, { now: new Date(NOWS[2]!), holdDays: HOLD, zone: ZONE }, {
      today, reportableReadyDay: latestReportableReadyDay(today), workingDays: 10, calendar: workingDayCalendar('2018-01-01', addDays(today, 62)),
    });
    for (let i = 0; i < 12; i++) {
      for await (const row of streamRows(env.db, env.handle.pool, query, { batch: 2, fastStart: true })) if (row) break;
    }
    const { rows } = await sql<{ open: boolean }>`SELECT now() <> statement_timestamp() AS open`.execute(env.db);
    expect(rows[0]!.open).toBe(false);
  });

  it('traces one registrant and one completion as the per-row classification does', async () => {
    const { id } = await env.db.selectFrom('registrant').select('id').where('goc_number', '=', '01-60001').executeTakeFirstOrThrow();
    for (const now of NOWS) {
      const at = { now: new Date(now), holdDays: HOLD, zone: ZONE };
      for (const filter of [{ registrantId: id }, { providerRef: 'C-4' }, { providerRef: 'P-4' }]) {
        const read = async (query: Promise<unknown>) =>
          (await sql<CompletionStateRow>`SELECT * FROM (${(await query) as never}) AS s ORDER BY s.provider_ref`.execute(env.db)).rows
            .map((s) => ({ ...s, correction_pending: Boolean(s.correction_pending) }));
        const expected = await read(perRowStatesSql(env.db, at, filter));
        expect(expected.length).toBeGreaterThan(0);
        expect(await read(completionStatesSql(env.db, at, filter)), `${now} ${JSON.stringify(filter)}`).toEqual(expected);
      }
    }
  });

  it('finds the held and the late completions with their prefilters as the per-row classification does', async () => {
    const cycles = await listCycles(env.db);
    let seen = 0;
    for (const now of NOWS) {
      const expected = await perRow(now);
      const at = { now: new Date(now), holdDays: HOLD, zone: ZONE };
      for (const [states, prefilter] of [
        [['HELD'], PREFILTERS.held(HOLD, new Date(now))],
        [['LATE', 'AFTER_CUTOFF', 'NO_OPEN_CYCLE'], PREFILTERS.late()],
      ] as const) {
        const { rows } = await pendingInStatesSql(cycles, at, states, prefilter).execute(env.db);
        const want = expected.filter((s) => s.pending && (states as readonly string[]).includes(s.state));
        const key = (s: { provider_ref: string; state: string }) => `${s.provider_ref} ${s.state}`;
        expect(rows.map(key).sort(), `${now} ${states.join()}`).toEqual(want.map(key).sort());
        seen += rows.length;
      }
    }
    expect(seen).toBeGreaterThan(10);
  });
});
