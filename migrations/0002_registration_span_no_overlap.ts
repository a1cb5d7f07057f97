// Frozen in time: a migration never imports application code.
import { type Kysely, sql } from 'kysely';

// A registrant's spans never overlap. The registrants import refuses OVERLAPPING_SPAN, and
// the batch claim and the completion import join spans by date on that promise (a second
// matching span would repeat a completion). This makes it the database's promise too. A range
// of one registrant id stands in for equality, so no extension (btree_gist) is needed.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE registration_span ADD CONSTRAINT registration_span_no_overlap
      EXCLUDE USING gist (
        int4range(registrant_id, registrant_id, '[]') WITH &&,
        daterange(registered_from, registered_to, '[]') WITH &&
      )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE registration_span DROP CONSTRAINT registration_span_no_overlap`.execute(db);
}
