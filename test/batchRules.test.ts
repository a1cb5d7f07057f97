import { sql } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import { pendingDecisionsSql } from '../src/db/readiness.ts';
import { runFinalBatch, runWeeklySlot } from '../src/usecases/runBatches.ts';
import { detailsByRef } from './support/outbox.ts';
import { seedCompletion, seedConfirmation, seedCycle, seedEvent, seedRegistrant, truncateAll } from './support/seed.ts';
import { useTestEnvironment } from './support/testEnvironment.ts';
import { testUploadDeps } from './support/uploadDeps.ts';

// The boundaries of domain-rules.md, each to the millisecond, against the real PostgreSQL.
// The database's session zone is Europe/London, as on many UK servers: no rule may lean on
// the session zone (with it, "+ 14 days" in SQL would be calendar days, not 14 x 24 hours).

describe('which completions a batch carries, at its boundaries', () => {
  const env = useTestEnvironment({}, { databaseTimeZone: 'Europe/London' });
  let cycleId: number;
  let alice: number;
  let peer: number;
  let plain: number;
  let interactive: number;

  beforeEach(async () => {
    await truncateAll(env.db);
    cycleId = await seedCycle(env.db);
    alice = await seedRegistrant(env.db, '01-10001', 'Patel');
    peer = await seedRegistrant(env.db, '01-10002', 'Peer');
    plain = await seedEvent(env.db, 'C-10001', { points: 1 });
    interactive = await seedEvent(env.db, 'C-20002', { points: 3, interactive: true });
  });

  const weekly = (slot: string) => runWeeklySlot(testUploadDeps(env), { slot: new Date(slot), trigger: 'manual', requestedAt: new Date(slot) });
  const final = (now = '2021-12-30T12:00:00.000Z') => runFinalBatch(testUploadDeps(env), { cycleId, trigger: 'manual', requestedAt: new Date(now) });

  it('FINAL carries a completion at 11:59:59.999 and not one at 12:00:00.000 on the cutoff day', async () => {
    await seedCompletion(env.db, 'JUST-BEFORE', alice, plain, '2021-12-30T11:59:59.999Z');
    await seedCompletion(env.db, 'AT-CUTOFF', alice, plain, '2021-12-30T12:00:00.000Z');
    const outcome = await final();
    expect([...detailsByRef(env.outboxDir, outcome.fileName).keys()]).toEqual(['JUST-BEFORE']);
    expect(outcome.records).toBe(1);
  });

  it('a weekly slot carries a completion 1 ms before it, and leaves one exactly at it for the next week', async () => {
    await seedCompletion(env.db, 'BEFORE-SLOT', alice, plain, '2021-12-03T05:59:59.999Z');
    await seedCompletion(env.db, 'AT-SLOT', alice, plain, '2021-12-03T06:00:00.000Z');
    const [w48] = await weekly('2021-12-03T06:00:00.000Z');
    const [w49] = await weekly('2021-12-10T06:00:00.000Z');
    expect([...detailsByRef(env.outboxDir, w48!.fileName).keys()]).toEqual(['BEFORE-SLOT']);
    expect([...detailsByRef(env.outboxDir, w49!.fileName).keys()]).toEqual(['AT-SLOT']);
  });

  it('holds an unconfirmed interactive completion until exactly completed_at + 14 x 24 h, then downgrades it', async () => {
    // Slot Fri 19 Nov 2021 06:00Z. ENDS-AT-SLOT's window ends at the slot (carried, downgraded);
    // ENDS-1MS-LATER's ends 1 ms after it (still held), and is downgraded the week after.
    await seedCompletion(env.db, 'ENDS-AT-SLOT', alice, interactive, '2021-11-05T06:00:00.000Z');
    await seedCompletion(env.db, 'ENDS-1MS-LATER', alice, interactive, '2021-11-05T06:00:00.001Z');
    const [w46] = await weekly('2021-11-19T06:00:00.000Z');
    const carried = detailsByRef(env.outboxDir, w46!.fileName);
    expect([...carried.keys()]).toEqual(['ENDS-AT-SLOT']);
    expect(carried.get('ENDS-AT-SLOT')!.at(-1)).toBe('N');
    expect(w46!.downgraded).toBe(1);
    const [w47] = await weekly('2021-11-26T06:00:00.000Z');
    expect([...detailsByRef(env.outboxDir, w47!.fileName).keys()]).toEqual(['ENDS-1MS-LATER']);
    const reasons = await env.db.selectFrom('batch_item').select(['provider_ref', 'downgrade_reason']).orderBy('provider_ref').execute();
    expect(reasons).toEqual([
      { provider_ref: 'ENDS-1MS-LATER', downgrade_reason: 'PEER_UNCONFIRMED_14_DAYS' },
      { provider_ref: 'ENDS-AT-SLOT', downgrade_reason: 'PEER_UNCONFIRMED_14_DAYS' },
    ]);
  });

  it('counts a peer confirmation 1 ms before the hold window ends, and not one exactly at its end', async () => {
    const inTime = await seedCompletion(env.db, 'PEER-IN-TIME', alice, interactive, '2021-11-01T10:00:00.000Z');
    const tooLate = await seedCompletion(env.db, 'PEER-AT-END', alice, interactive, '2021-11-01T10:00:00.000Z'.replace('10:00', '10:01'));
    await seedConfirmation(env.db, inTime, 'registrant', '2021-11-01T11:00:00Z', peer);
    await seedConfirmation(env.db, inTime, 'peer', '2021-11-15T09:59:59.999Z', peer);
    await seedConfirmation(env.db, tooLate, 'registrant', '2021-11-01T11:00:00Z', peer);
    await seedConfirmation(env.db, tooLate, 'peer', '2021-11-15T10:01:00.000Z', peer);
    const [batch] = await weekly('2021-11-19T06:00:00.000Z');
    const carried = detailsByRef(env.outboxDir, batch!.fileName);
    expect(carried.get('PEER-IN-TIME')!.at(-1)).toBe('Y');
    expect(carried.get('PEER-AT-END')!.at(-1)).toBe('N');
    expect(batch!.interactivePoints).toBe(3);
  });

  it('measures the hold window in elapsed hours across the October clock change, not calendar days', async () => {
    // 25 Oct 2021 10:00Z is 11:00 BST; 14 x 24 h later is 8 Nov 10:00Z (10:00 GMT). A calendar-day
    // reckoning in London would end it at 11:00 GMT and count the 10:30Z confirmation.
    const id = await seedCompletion(env.db, 'ACROSS-DST', alice, interactive, '2021-10-25T10:00:00.000Z');
    await seedConfirmation(env.db, id, 'registrant', '2021-10-25T12:00:00Z', peer);
    await seedConfirmation(env.db, id, 'peer', '2021-11-08T10:30:00.000Z', peer);
    const [batch] = await weekly('2021-11-12T06:00:00.000Z');
    expect(detailsByRef(env.outboxDir, batch!.fileName).get('ACROSS-DST')!.at(-1)).toBe('N');
  });

  it('FINAL downgrades a completion whose peer confirmed exactly at the cutoff, and keeps one confirmed 1 ms before', async () => {
    const atCutoff = await seedCompletion(env.db, 'PEER-AT-CUTOFF', alice, interactive, '2021-12-20T10:00:00Z');
    const before = await seedCompletion(env.db, 'PEER-BEFORE', alice, interactive, '2021-12-20T10:05:00Z');
    for (const id of [atCutoff, before]) await seedConfirmation(env.db, id, 'registrant', '2021-12-21T10:00:00Z', peer);
    await seedConfirmation(env.db, atCutoff, 'peer', '2021-12-30T12:00:00.000Z', peer);
    await seedConfirmation(env.db, before, 'peer', '2021-12-30T11:59:59.999Z', peer);
    const outcome = await final('2022-01-03T09:00:00Z');
    const carried = detailsByRef(env.outboxDir, outcome.fileName);
    expect(carried.get('PEER-AT-CUTOFF')!.at(-1)).toBe('N');
    expect(carried.get('PEER-BEFORE')!.at(-1)).toBe('Y');
    const reason = await env.db.selectFrom('batch_item').select('downgrade_reason').where('provider_ref', '=', 'PEER-AT-CUTOFF').executeTakeFirstOrThrow();
    expect(reason.downgrade_reason).toBe('PEER_UNCONFIRMED_AT_CUTOFF');
  });

  it('writes the Europe/London date: BST moves a late-evening UTC instant to the next day, GMT does not', async () => {
    await seedCompletion(env.db, 'SUMMER', alice, plain, '2021-06-30T23:30:00.000Z');
    await seedCompletion(env.db, 'WINTER', alice, plain, '2021-12-01T23:30:00.000Z');
    const [batch] = await weekly('2021-12-03T06:00:00.000Z');
    const carried = detailsByRef(env.outboxDir, batch!.fileName);
    expect(carried.get('SUMMER')![5]).toBe('2021-07-01');
    expect(carried.get('WINTER')![5]).toBe('2021-12-01');
  });

  it('in summer the 06:00 slot is 05:00Z: a completion at 04:59:59.999Z is in that week, one at 05:00Z is not', async () => {
    await seedCompletion(env.db, 'SUMMER-BEFORE', alice, plain, '2021-07-02T04:59:59.999Z');
    await seedCompletion(env.db, 'SUMMER-AT', alice, plain, '2021-07-02T05:00:00.000Z');
    const [w26] = await weekly('2021-07-02T05:00:00.000Z');
    expect([...detailsByRef(env.outboxDir, w26!.fileName).keys()]).toEqual(['SUMMER-BEFORE']);
  });

  it('refuses a FINAL batch before the cutoff, naming the cutoff and the time remaining', async () => {
    await expect(final('2021-12-30T11:59:59.999Z')).rejects.toThrow(/cannot run before its cutoff, Thu 30 Dec 2021 12:00:00.000 GMT.*0 seconds remain|1 second|remain/);
    expect(await env.db.selectFrom('batch').selectAll().execute()).toEqual([]);
  });

  it('after the FINAL batch the cycle is sealed: a late weekly run carries nothing of it', async () => {
    await seedCompletion(env.db, 'IN-FINAL', alice, plain, '2021-12-29T10:00:00Z');
    await final();
    await seedCompletion(env.db, 'ARRIVED-LATE', alice, plain, '2021-12-29T11:00:00Z');
    expect(await weekly('2021-12-24T06:00:00.000Z')).toEqual([]);
    const again = await final('2022-02-01T00:00:00Z');
    expect(again.created).toBe(false);
    const carried = await env.db.selectFrom('batch_item').select('provider_ref').execute();
    expect(carried.map((row) => row.provider_ref)).toEqual(['IN-FINAL']);
  });

  it('decides the same, and quarantines the same registrations, whether it joins the tables as sets or reads pending completions one by one', async () => {
    const a = await seedCompletion(env.db, 'BOTH-CONFIRMED', alice, interactive, '2021-11-01T10:00:00Z');
    await seedConfirmation(env.db, a, 'registrant', '2021-11-02T10:00:00Z', peer);
    await seedConfirmation(env.db, a, 'peer', '2021-11-03T10:00:00Z', peer);
    const b = await seedCompletion(env.db, 'ONE-CONFIRMED', alice, interactive, '2021-11-10T10:00:00Z');
    await seedConfirmation(env.db, b, 'registrant', '2021-11-11T10:00:00Z', peer);
    await seedCompletion(env.db, 'UNCONFIRMED', alice, interactive, '2021-12-20T10:00:00Z');
    await seedCompletion(env.db, 'PLAIN', alice, plain, '2021-12-02T10:00:00Z');
    await seedCompletion(env.db, 'AFTER', alice, plain, '2021-12-30T12:00:00Z');
    // Registration: two spans with a gap, the second open; one registrant with none at all.
    const gapped = await seedRegistrant(env.db, '01-10007', 'Gap');
    await sql`UPDATE registration_span SET registered_to = '2021-03-31' WHERE registrant_id = ${gapped}`.execute(env.db);
    await sql`INSERT INTO registration_span (registrant_id, registered_from, registered_to) VALUES (${gapped}, '2021-06-01', NULL)`.execute(env.db);
    const none = await seedRegistrant(env.db, '01-10008', 'None');
    await sql`DELETE FROM registration_span WHERE registrant_id = ${none}`.execute(env.db);
    await seedCompletion(env.db, 'SPAN-1-LAST-DAY', gapped, plain, '2021-03-31T22:59:59Z'); // 23:59:59 BST on the 31st
    await seedCompletion(env.db, 'SPAN-GAP', gapped, plain, '2021-03-31T23:00:00Z'); // 1 April in London
    await seedCompletion(env.db, 'SPAN-2-FIRST-DAY', gapped, plain, '2021-05-31T23:00:00Z'); // 1 June in London
    await seedCompletion(env.db, 'SPAN-NONE', none, plain, '2021-07-01T10:00:00Z');
    // A control character in a stored surname (the import refuses one; an older row, or one
    // written by hand): quarantined until an import sets the name right.
    const tabbed = await seedRegistrant(env.db, '01-10009', 'Tab');
    await sql`UPDATE registrant SET surname = ${'Tab\tbed'} WHERE id = ${tabbed}`.execute(env.db);
    await seedCompletion(env.db, 'NAME-CONTROL', tabbed, plain, '2021-07-02T10:00:00Z');
    const fixed = await seedRegistrant(env.db, '01-10010', 'Fixed');
    await sql`UPDATE registrant SET surname = ${'Fi\u0007xed'} WHERE id = ${fixed}`.execute(env.db);
    await sql`UPDATE registrant SET surname = 'Fixed' WHERE id = ${fixed}`.execute(env.db);
    await seedCompletion(env.db, 'NAME-FIXED', fixed, plain, '2021-07-03T10:00:00Z');
    for (const isFinal of [false, true]) {
      const window = { cycleStartsAt: new Date('2019-01-01T00:00:00Z'), cutoff: new Date('2021-12-30T12:00:00Z'), isFinal, holdDays: 14 };
      const read = async (drivenByPending: boolean) =>
        (await sql<{ provider_ref: string; decision: string; valid: boolean }>`
          SELECT d.provider_ref, d.decision, d.valid FROM (${pendingDecisionsSql(window, { drivenByPending })}) d ORDER BY 1`.execute(env.db)).rows;
      const sets = await read(false);
      expect(sets.map((r) => `${r.provider_ref}:${r.decision}:${r.valid ? 'valid' : 'quarantined'}`)).toEqual([
        'BOTH-CONFIRMED:INTERACTIVE:valid',
        'NAME-CONTROL:NON_INTERACTIVE:quarantined',
        'NAME-FIXED:NON_INTERACTIVE:valid',
        'ONE-CONFIRMED:DOWNGRADE_14:valid',
        'PLAIN:NON_INTERACTIVE:valid',
        'SPAN-1-LAST-DAY:NON_INTERACTIVE:valid',
        'SPAN-2-FIRST-DAY:NON_INTERACTIVE:valid',
        'SPAN-GAP:NON_INTERACTIVE:quarantined',
        'SPAN-NONE:NON_INTERACTIVE:quarantined',
        `UNCONFIRMED:${isFinal ? 'DOWNGRADE_CUTOFF' : 'HELD'}:valid`,
      ]);
      expect(await read(true)).toEqual(sets);
    }
  });
});
