// Frozen in time: a migration never imports application code.
import { type Kysely, sql } from 'kysely';

// console.md, "Audit": every operator action (FINAL triggered, delivery retried or marked) and
// every login, failed login and logout, with the user, the instant and the outcome.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('console_audit')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('username', 'text', (col) => col.notNull())
    .addColumn('action', 'text', (col) => col.notNull())
    .addColumn('target', 'text')
    .addColumn('outcome', 'text', (col) => col.notNull())
    .addColumn('detail', 'text')
    .addColumn('remote_address', 'text')
    .execute();
  await db.schema.createIndex('console_audit_at').on('console_audit').column('at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('console_audit').execute();
}
