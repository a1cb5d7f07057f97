// Frozen in time: a migration never imports application code.
import { type Kysely, sql } from 'kysely';

// The order of the reports on pending completions (`report sla`, issue 14): oldest completion
// first, provider reference to break ties. Walking this index, a report's first rows come
// after a few lookups each, instead of after every pending completion is classified and sorted.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX completion_report_order ON completion (completed_at, provider_ref)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX completion_report_order`.execute(db);
}
