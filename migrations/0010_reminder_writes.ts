// Frozen in time: a migration never imports application code.
import { type Kysely, sql } from 'kysely';

// Creating the ACCEPT_PENDING_POINTS reminders of a cycle writes one reminder per registrant at
// once (20,000 and their items in one statement; BENCHMARKS.md, issue 16):
//   - the foreign keys of reminder and reminder_item go, as on batch_item: their rows are
//     written only by the set statement that reads the registrant, cycle and reminder ids in the
//     same transaction, and nothing deletes registrants, cycles or reminders; the per-row checks
//     cost ~0.3 s of a ~1 s statement;
//   - the once-per-registrant-and-cycle key leads with the cycle, so that "has this cycle any
//     such reminder yet" (asked every hour) reads that cycle's entries, not all of the index.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE reminder_item DROP CONSTRAINT reminder_item_reminder_id_fkey;
    ALTER TABLE reminder DROP CONSTRAINT reminder_registrant_id_fkey, DROP CONSTRAINT reminder_cycle_id_fkey;
    CREATE UNIQUE INDEX reminder_accept_once_by_cycle ON reminder (cycle_id, registrant_id) WHERE kind = 'ACCEPT_PENDING_POINTS';
    DROP INDEX reminder_accept_once;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE UNIQUE INDEX reminder_accept_once ON reminder (registrant_id, cycle_id) WHERE kind = 'ACCEPT_PENDING_POINTS';
    DROP INDEX reminder_accept_once_by_cycle;
    ALTER TABLE reminder ADD CONSTRAINT reminder_registrant_id_fkey FOREIGN KEY (registrant_id) REFERENCES registrant (id),
                         ADD CONSTRAINT reminder_cycle_id_fkey FOREIGN KEY (cycle_id) REFERENCES cycle (id);
    ALTER TABLE reminder_item ADD CONSTRAINT reminder_item_reminder_id_fkey FOREIGN KEY (reminder_id) REFERENCES reminder (id);
  `.execute(db);
}
