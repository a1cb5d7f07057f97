import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDueReminders } from '../../src/reminders/dueSql.ts';
import { runCli } from '../support/runCli.ts';
import { seedCompletion, seedConfirmation, seedCycle, seedEvent, seedRegistrant } from '../support/seed.ts';
import { useTestEnvironment } from '../support/testEnvironment.ts';

// When PEER_CONFIRMATION reminders fall due (spec reminders.md): the middle of the hold window
// and 48 hours before the confirmation deadline, each only while the completion is still held.

const HOUR = 3_600_000;
const T0 = new Date('2021-11-01T10:00:00.000Z');
const MIDDLE = new Date(T0.getTime() + 7 * 24 * HOUR); // hold 14 days
const LAST = new Date(T0.getTime() + 12 * 24 * HOUR); // deadline (T0 + 14 d) - 48 h
const ms = (d: Date, delta: number) => new Date(d.getTime() + delta);

describe('PEER_CONFIRMATION due moments', () => {
  const env = useTestEnvironment();
  let registrant: number;
  let peer: number;
  let interactive: number;

  const items = async () =>
    (await sql<{ provider_ref: string; stage: string; due_at: Date; kind: string; status: string }>`
      SELECT c.provider_ref, i.stage, i.due_at, m.kind, m.status FROM reminder_item i
        JOIN reminder m ON m.id = i.reminder_id JOIN completion c ON c.id = i.completion_id
       ORDER BY c.provider_ref, i.due_at`.execute(env.db)).rows;
  const remind = (now: Date) => createDueReminders(env.db, { now, holdDays: 14 });

  beforeAll(async () => {
    await seedCycle(env.db);
    registrant = await seedRegistrant(env.db, '01-40001', 'Held');
    peer = await seedRegistrant(env.db, '01-40002', 'Peer');
    await sql`UPDATE registrant SET email = 'held@example.com' WHERE id = ${registrant}`.execute(env.db);
    interactive = await seedEvent(env.db, 'C-80001', { interactive: true, points: 3 });
  });

  it('is due at the middle and 48 h before the deadline, not 1 ms earlier, and once each', async () => {
    await seedCompletion(env.db, 'P-HELD', registrant, interactive, T0);
    expect(await remind(ms(MIDDLE, -1))).toEqual([]);
    const first = await remind(MIDDLE);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ kind: 'PEER_CONFIRMATION', registrant_id: registrant, status: 'DUE' });
    expect(await remind(ms(MIDDLE, 1))).toEqual([]);
    expect(await remind(ms(LAST, -1))).toEqual([]);
    expect(await remind(LAST)).toHaveLength(1);
    expect(await remind(ms(LAST, 1))).toEqual([]);
    expect(await items()).toEqual([
      expect.objectContaining({ provider_ref: 'P-HELD', stage: 'MIDDLE', due_at: MIDDLE }),
      expect.objectContaining({ provider_ref: 'P-HELD', stage: 'BEFORE_DEADLINE', due_at: LAST }),
    ]);
    // Out of the way of the next cases (as if carried).
    await sql`DELETE FROM upload_pending WHERE completion_id = (SELECT id FROM completion WHERE provider_ref = 'P-HELD')`.execute(env.db);
  });

  it('a confirmation arriving between the two moments stops the second', async () => {
    const id = await seedCompletion(env.db, 'P-CONF', registrant, interactive, ms(T0, 1000));
    await seedConfirmation(env.db, id, 'registrant', ms(T0, HOUR), peer);
    expect(await remind(ms(MIDDLE, 1000))).toHaveLength(1);
    await seedConfirmation(env.db, id, 'peer', ms(MIDDLE, 2 * HOUR), peer);
    expect(await remind(ms(LAST, 1000))).toEqual([]);
    expect((await items()).filter((i) => i.provider_ref === 'P-CONF').map((i) => i.stage)).toEqual(['MIDDLE']);
  });

  it('the CLI: --dry-run lists and changes nothing; a run records the reminder (UNREACHABLE without an address) and report lists it', async () => {
    const lonely = await seedRegistrant(env.db, '01-40003', 'Noaddress');
    await seedCompletion(env.db, 'P-NOADDR', lonely, interactive, '2021-11-10T10:00:00Z');
    const at = '2021-11-17T10:00:00Z'; // its middle
    const dry = await runCli(['remind', '--now', at, '--dry-run', '--format', 'json'], env.env);
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toEqual([expect.objectContaining({ kind: 'PEER_CONFIRMATION', goc_number: '01-40003', provider_ref: 'P-NOADDR', stage: 'MIDDLE', address: 'no' })]);
    expect((await items()).some((i) => i.provider_ref === 'P-NOADDR')).toBe(false);
    const run = await runCli(['remind', '--now', at, '--format', 'json'], env.env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('1 without an email address (UNREACHABLE)');
    const report = await runCli(['report', 'reminders', '--state', 'UNREACHABLE', '--format', 'json'], env.env);
    expect(report.code, report.stderr).toBe(0);
    expect(JSON.parse(report.stdout)).toEqual([expect.objectContaining({ kind: 'PEER_CONFIRMATION', status: 'UNREACHABLE', goc_number: '01-40003', items: 'P-NOADDR MIDDLE' })]);
  });
});

describe('PEER_CONFIRMATION: one message per registrant; none once carried or downgraded', () => {
  const env = useTestEnvironment();
  const remind = (now: Date | string) => createDueReminders(env.db, { now: new Date(now), holdDays: 14 });

  it('three held completions of one registrant make one reminder naming all three', async () => {
    await seedCycle(env.db);
    const me = await seedRegistrant(env.db, '01-50001', 'Three');
    const event = await seedEvent(env.db, 'C-80011', { interactive: true });
    const event2 = await seedEvent(env.db, 'C-80012', { interactive: true });
    const event3 = await seedEvent(env.db, 'C-80013', { interactive: true });
    await seedCompletion(env.db, 'T-1', me, event, '2021-11-01T09:00:00Z');
    await seedCompletion(env.db, 'T-2', me, event2, '2021-11-01T10:00:00Z');
    await seedCompletion(env.db, 'T-3', me, event3, '2021-11-01T11:00:00Z');
    const created = await remind('2021-11-08T12:00:00Z');
    expect(created).toHaveLength(1);
    const named = await sql<{ n: number }>`SELECT count(*)::int AS n FROM reminder_item WHERE reminder_id = ${created[0]!.id}`.execute(env.db);
    expect(named.rows[0]!.n).toBe(3);
  });

  it('a completion carried by a batch, or downgraded by the FINAL batch, gets none', async () => {
    const me = await seedRegistrant(env.db, '01-50002', 'Carried');
    const peer = await seedRegistrant(env.db, '01-50003', 'Peer');
    const event = await seedEvent(env.db, 'C-80021', { interactive: true });
    // Confirmed by both and carried by the W46 batch before its middle moment.
    const carried = await seedCompletion(env.db, 'C-CARRIED', me, event, '2021-11-08T10:00:00Z');
    await seedConfirmation(env.db, carried, 'registrant', '2021-11-08T11:00:00Z', peer);
    await seedConfirmation(env.db, carried, 'peer', '2021-11-08T12:00:00Z', peer);
    const w46 = await runCli(['upload', 'weekly', '--week', '2021-W46', '--now', '2021-11-19T07:00:00Z'], env.env);
    expect(w46.code, w46.stderr).toBe(0);
    expect(await remind('2021-11-15T10:00:00Z')).toEqual([]);
    // Held until the FINAL batch downgraded it: a late run for its 48-hour moment sends nothing.
    await seedCompletion(env.db, 'C-DOWN', me, event, '2021-12-20T10:00:00Z');
    const final = await runCli(['upload', 'final', '--cycle', '2019-2021', '--now', '2021-12-30T12:00:00Z', '--yes'], env.env);
    expect(final.code, final.stderr).toBe(0);
    const before = await sql<{ n: number }>`SELECT count(*)::int AS n FROM reminder_item i JOIN completion c ON c.id = i.completion_id
      WHERE c.provider_ref IN ('C-CARRIED', 'C-DOWN')`.execute(env.db);
    expect(before.rows[0]!.n).toBe(0);
    expect((await remind('2021-12-28T12:00:00Z')).filter((r) => r.kind === 'PEER_CONFIRMATION')).toEqual([]);
  });
});

describe('ACCEPT_PENDING_POINTS with delivery on (reminders.md: after the FINAL file is delivered)', () => {
  const env = useTestEnvironment();

  it('waits for the FINAL file to be delivered, then is created once', async () => {
    await seedCycle(env.db);
    const me = await seedRegistrant(env.db, '01-60001', 'Waits');
    const event = await seedEvent(env.db, 'C-80031');
    await seedCompletion(env.db, 'A-1', me, event, '2021-12-20T10:00:00Z');
    const final = await runCli(['upload', 'final', '--cycle', '2019-2021', '--now', '2021-12-30T12:00:00Z', '--yes'], env.env);
    expect(final.code, final.stderr).toBe(0);
    const at = new Date('2021-12-30T13:00:00Z');
    const accept = async (finalDelivered: boolean) =>
      (await createDueReminders(env.db, { now: at, holdDays: 14, finalDelivered })).filter((r) => r.kind === 'ACCEPT_PENDING_POINTS');
    // Delivery on, the FINAL file not delivered: none yet.
    expect(await accept(true)).toEqual([]);
    const marked = await runCli(['deliver', '--mark-delivered', '1'], env.env);
    expect(marked.code, marked.stdout + marked.stderr).toBe(0);
    expect(await accept(true)).toHaveLength(1);
    expect(await accept(true)).toEqual([]);
  });
});
