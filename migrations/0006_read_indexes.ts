// Frozen in time: a migration never imports application code.
import { type Kysely, sql } from 'kysely';

// Indexes of the read commands (status, reports, trace; issue 14):
//   batch_item_rejected  the few rejected revisions, to find pending corrections and the
//                        `report rejected` rows without reading every batch item;
//   completion_revised   the few completions changed after their first import (revision > 1):
//                        only their batch items can be superseded by a later one.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX batch_item_rejected ON batch_item (completion_id, revision) WHERE ack_status = 'REJECTED'`.execute(db);
  await sql`CREATE INDEX completion_revised ON completion (id) WHERE revision > 1`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX completion_revised`.execute(db);
  await sql`DROP INDEX batch_item_rejected`.execute(db);
}
