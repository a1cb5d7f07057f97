import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDueReminders, listDue } from '../../src/reminders/dueSql.ts';
import { seedCompletion, seedCycle, seedEvent, seedRegistrant } from '../support/seed.ts';
import { useTestEnvironment } from '../support/testEnvironment.ts';

// Who gets ACCEPT_PENDING_POINTS and what it lists (reminders.md): every registrant with a
// record carried in the cycle and not rejected; the items carried by batches of the cycle's
// last six weeks (cutoff on or after 20 November 2021 for a cycle ending 1 January 2022), each
// once. The recipients are not all found among the listed items: those whose records are all
// older are looked up one by one, so each kind of registrant is here.

describe('ACCEPT_PENDING_POINTS: recipients and listed items', () => {
  const env = useTestEnvironment();
  const at = new Date('2021-12-30T13:00:00Z');
  const batches = new Map<string, string>();
  let event: number;
  let seq = 0;

  const batch = async (cycleId: number, period: string, cutoff: string): Promise<string> => {
    seq += 1;
    const kind = period === 'FINAL' ? 'FINAL' : 'WEEKLY';
    const row = await sql<{ id: string }>`
      INSERT INTO batch (cycle_id, kind, period, cutoff, seq, provider_code, trigger, claimed_at)
      VALUES (${cycleId}, ${kind}, ${period}, ${cutoff}, ${seq}, 'P00001', 'manual', ${cutoff}) RETURNING id`.execute(env.db);
    return row.rows[0]!.id;
  };
  /** A completion of the registrant, carried by the batches given, revision by revision. */
  const carried = async (ref: string, registrant: number, completedAt: string, revisions: Array<{ batch: string; ack: 'ACCEPTED' | 'REJECTED' | null }>) => {
    const id = await seedCompletion(env.db, ref, registrant, event, completedAt);
    await sql`DELETE FROM upload_pending WHERE completion_id = ${id}`.execute(env.db);
    await sql`UPDATE completion SET revision = ${Math.max(1, revisions.length)} WHERE id = ${id}`.execute(env.db);
    for (const [i, r] of revisions.entries()) {
      await sql`
        INSERT INTO batch_item (batch_id, completion_id, revision, provider_ref, goc_number, surname, event_ref, completed_on,
                                points, category, interactive, ack_status)
        SELECT ${batches.get(r.batch)!}, c.id, ${i + 1}, c.provider_ref, g.goc_number, g.surname, 'C-50001', c.completed_on, 1, 'G', false, ${r.ack}
          FROM completion c JOIN registrant g ON g.id = c.registrant_id WHERE c.id = ${id}`.execute(env.db);
    }
  };

  beforeAll(async () => {
    const older = await seedCycle(env.db, '2016-2018', '2018-12-30T12:00:00.000Z', '2016-01-01', '2018-12-31');
    const cycle = await seedCycle(env.db);
    event = await seedEvent(env.db, 'C-50001');
    batches.set('2018-W40', await batch(older, '2018-W40', '2018-10-05T06:00:00Z'));
    batches.set('2021-W40', await batch(cycle, '2021-W40', '2021-10-08T06:00:00Z'));
    batches.set('2021-W46', await batch(cycle, '2021-W46', '2021-11-19T06:00:00Z')); // a day before the six weeks
    batches.set('2021-W47', await batch(cycle, '2021-W47', '2021-11-26T06:00:00Z'));
    batches.set('FINAL', await batch(cycle, 'FINAL', '2021-12-30T12:00:00Z'));

    const who = async (goc: string, surname: string, email: string | null = `${surname.toLowerCase()}@example.com`) => {
      const id = await seedRegistrant(env.db, goc, surname);
      await sql`UPDATE registrant SET email = ${email} WHERE id = ${id}`.execute(env.db);
      return id;
    };
    // Recipients:
    await carried('RECENT-1', await who('01-50001', 'Recent'), '2021-11-22T10:00:00Z', [{ batch: '2021-W47', ack: 'ACCEPTED' }]);
    await carried('OLD-1', await who('01-50002', 'Oldonly'), '2021-10-01T10:00:00Z', [{ batch: '2021-W40', ack: 'ACCEPTED' }]);
    await carried('EDGE-1', await who('01-50003', 'Edge'), '2021-11-15T10:00:00Z', [{ batch: '2021-W46', ack: null }]);
    // Rejected, then corrected and carried again: a recipient, the item listed once.
    await carried('REV-1', await who('01-50004', 'Revised'), '2021-10-01T10:00:00Z', [
      { batch: '2021-W40', ack: 'REJECTED' },
      { batch: '2021-W47', ack: 'ACCEPTED' },
    ]);
    // Old and recent records: only the recent one listed.
    const both = await who('01-50005', 'Both', null);
    await carried('BOTH-OLD', both, '2021-10-02T10:00:00Z', [{ batch: '2021-W40', ack: 'ACCEPTED' }]);
    await carried('BOTH-NEW', both, '2021-11-23T10:00:00Z', [{ batch: '2021-W47', ack: null }]);
    await carried('FINAL-1', await who('01-50006', 'Final'), '2021-12-20T10:00:00Z', [{ batch: 'FINAL', ack: null }]);
    // Not recipients: every record rejected (old or recent), only another cycle's record, only
    // a pending completion, nothing at all.
    await carried('REJ-OLD', await who('01-50011', 'Rejectedold'), '2021-10-03T10:00:00Z', [{ batch: '2021-W40', ack: 'REJECTED' }]);
    await carried('REJ-NEW', await who('01-50012', 'Rejectednew'), '2021-11-24T10:00:00Z', [{ batch: '2021-W47', ack: 'REJECTED' }]);
    await carried('PAST-1', await who('01-50013', 'Pastcycle'), '2018-10-01T10:00:00Z', [{ batch: '2018-W40', ack: 'ACCEPTED' }]);
    await seedCompletion(env.db, 'PENDING-1', await who('01-50014', 'Pending'), event, '2021-12-29T10:00:00Z');
    await who('01-50015', 'Nothing');
  });

  it('lists every recipient once per item of the last six weeks, or alone; creates each once', async () => {
    const due = (await listDue(env.db, { now: at, holdDays: 14 })).map((d) => `${d.kind} ${d.goc_number} ${d.provider_ref ?? '-'}`);
    expect(due.sort()).toEqual([
      'ACCEPT_PENDING_POINTS 01-50001 RECENT-1',
      'ACCEPT_PENDING_POINTS 01-50002 -',
      'ACCEPT_PENDING_POINTS 01-50003 -',
      'ACCEPT_PENDING_POINTS 01-50004 REV-1',
      'ACCEPT_PENDING_POINTS 01-50005 BOTH-NEW',
      'ACCEPT_PENDING_POINTS 01-50006 FINAL-1',
    ]);

    const created = await createDueReminders(env.db, { now: at, holdDays: 14 });
    expect(created.map((r) => `${r.kind} ${r.status}`).sort()).toEqual([
      ...Array<string>(5).fill('ACCEPT_PENDING_POINTS DUE'),
      'ACCEPT_PENDING_POINTS UNREACHABLE',
    ]);
    const rows = await sql<{ goc: string; items: string | null; status: string }>`
      SELECT g.goc_number AS goc, m.status,
             (SELECT string_agg(c.provider_ref || ' ' || i.stage, ', ' ORDER BY c.provider_ref)
                FROM reminder_item i JOIN completion c ON c.id = i.completion_id WHERE i.reminder_id = m.id) AS items
        FROM reminder m JOIN registrant g ON g.id = m.registrant_id
       WHERE m.kind = 'ACCEPT_PENDING_POINTS' ORDER BY g.goc_number`.execute(env.db);
    expect(rows.rows).toEqual([
      { goc: '01-50001', status: 'DUE', items: 'RECENT-1 UPLOADED' },
      { goc: '01-50002', status: 'DUE', items: null },
      { goc: '01-50003', status: 'DUE', items: null },
      { goc: '01-50004', status: 'DUE', items: 'REV-1 UPLOADED' },
      { goc: '01-50005', status: 'UNREACHABLE', items: 'BOTH-NEW UPLOADED' },
      { goc: '01-50006', status: 'DUE', items: 'FINAL-1 UPLOADED' },
    ]);

    // Already reminded: later runs create nothing, and list nothing.
    expect(await createDueReminders(env.db, { now: new Date(at.getTime() + 3_600_000), holdDays: 14 })).toEqual([]);
    expect(await listDue(env.db, { now: new Date(at.getTime() + 3_600_000), holdDays: 14 })).toEqual([]);
  });
});
