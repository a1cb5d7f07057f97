import { sql } from 'kysely';
import type { Db } from '../../src/db/database.ts';

// Rows as the import leaves them, for tests of the batch rules that need many exact instants.
// (The import itself is tested through the CLI in import*.test.ts and the worked example.)

export async function seedRegistrant(db: Db, goc: string, surname = 'Smith', profession: 'optometrist' | 'dispensing_optician' = 'optometrist'): Promise<number> {
  const { id } = await db
    .insertInto('registrant')
    .values({ goc_number: goc, surname, forenames: 'Test', profession, specialties: [], updated_at: new Date() })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('registration_span').values({ registrant_id: id, registered_from: '2000-01-01', registered_to: null }).execute();
  return id;
}

export async function seedEvent(db: Db, ref: string, options: { points?: number; interactive?: boolean; category?: 'general' | 'specialist' } = {}): Promise<number> {
  const { id } = await db
    .insertInto('event')
    .values({
      event_ref: ref,
      title: ref,
      points: options.points ?? 1,
      category: options.category ?? 'general',
      interactive: options.interactive ?? false,
      professions: ['optometrist', 'dispensing_optician'],
      approved_from: '2000-01-01',
      approved_to: '2099-12-31',
      updated_at: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

export async function seedCompletion(db: Db, ref: string, registrantId: number, eventId: number, completedAt: string | Date): Promise<string> {
  const at = new Date(completedAt);
  const { id } = await db
    .insertInto('completion')
    .values({
      provider_ref: ref,
      registrant_id: registrantId,
      event_id: eventId,
      completed_at: at,
      completed_on: sql<string>`(${at.toISOString()}::timestamptz AT TIME ZONE 'Europe/London')::date`,
      received_at: new Date(),
      changed_at: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('upload_pending').values({ completion_id: id }).execute();
  return id;
}

export async function seedConfirmation(db: Db, completionId: string, party: 'registrant' | 'peer', confirmedAt: string | Date, peerId: number): Promise<void> {
  await db
    .insertInto('confirmation')
    .values({ completion_id: completionId, party, confirmed_at: new Date(confirmedAt), peer_registrant_id: peerId })
    .execute();
}

export async function seedCycle(db: Db, code = '2019-2021', cutoff = '2021-12-30T12:00:00.000Z', firstDay = '2019-01-01', lastDay = '2021-12-31'): Promise<number> {
  const { id } = await db
    .insertInto('cycle')
    .values({
      code,
      first_day: firstDay,
      last_day: lastDay,
      starts_at: sql<Date>`(${firstDay}::date)::timestamp AT TIME ZONE 'Europe/London'`,
      ends_at: sql<Date>`(${lastDay}::date + 1)::timestamp AT TIME ZONE 'Europe/London'`,
      final_cutoff: new Date(cutoff),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

/** Removes every batch and puts every completion back as pending: a clean slate between cases. */
export async function resetBatches(db: Db): Promise<void> {
  await sql`DELETE FROM batch_item; DELETE FROM ack_file; DELETE FROM batch;
            INSERT INTO upload_pending SELECT id FROM completion ON CONFLICT DO NOTHING`.execute(db);
}

/** Empties every table but the schema's bookkeeping: each test case starts from nothing. */
export async function truncateAll(db: Db): Promise<void> {
  await sql`TRUNCATE batch_item, ack_file, batch, confirmation, upload_pending, completion, event,
            registration_span, registrant, import_reject, import_run, cycle RESTART IDENTITY CASCADE`.execute(db);
}

/**
 * Many completions at once, set-based: `count` completions of one non-interactive event by
 * `registrants` registrants (GOC 01-2xxxx), completed between `from` and `to`.
 */
export async function seedManyCompletions(db: Db, options: { count: number; registrants: number; from: string; to: string; eventRef?: string }): Promise<void> {
  const eventId = await seedEvent(db, options.eventRef ?? 'C-90001', { points: 2 });
  await sql`
    INSERT INTO registrant (goc_number, surname, forenames, profession, specialties, updated_at)
    SELECT '01-' || lpad((20000 + g)::text, 5, '0'), 'Surname' || g, 'F', 'optometrist', '{}', now()
      FROM generate_series(1, ${options.registrants}) g ON CONFLICT DO NOTHING`.execute(db);
  await sql`
    INSERT INTO registration_span (registrant_id, registered_from)
    SELECT id, '2000-01-01' FROM registrant ON CONFLICT DO NOTHING`.execute(db);
  await sql`
    WITH spread AS (
      SELECT g, ${options.from}::timestamptz + (${options.to}::timestamptz - ${options.from}::timestamptz) * (g::float8 / ${options.count}) AS at
        FROM generate_series(1, ${options.count}) g)
    INSERT INTO completion (provider_ref, registrant_id, event_id, completed_at, completed_on, received_at, changed_at)
    SELECT 'BULK-' || g, r.id, ${eventId}, date_trunc('milliseconds', at), (at AT TIME ZONE 'Europe/London')::date, now(), now()
      FROM spread JOIN registrant r ON r.goc_number = '01-' || lpad((20000 + 1 + g % ${options.registrants})::text, 5, '0')`.execute(db);
  await sql`INSERT INTO upload_pending SELECT id FROM completion ON CONFLICT DO NOTHING`.execute(db);
}
