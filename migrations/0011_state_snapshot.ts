// Frozen in time: a migration never imports application code.
import { type Kysely, sql } from 'kysely';

// A snapshot of what each pending completion's state is made of (issue 14: `status` at a million
// pending), rebuilt by the worker when the data changed, read only while provably current:
//   - state_version counts every statement that changes a table the states are read from
//     (statement-level triggers, so a million-row import bumps it once); its value is read
//     outside transactions, so an uncommitted change already makes the snapshot stale;
//   - each such statement first takes a shared advisory lock until its transaction ends; the
//     builder takes the same lock exclusively (try, never wait) just while it reads the version
//     and takes its snapshot, so no change can be in flight between the two;
//   - the snapshot holds only facts that do not depend on "now" (instants, days, validity), so
//     any --now can be classified from it; the days depend on the zone and the hold, kept with it;
//   - UNLOGGED: after a crash PostgreSQL empties both tables, and an empty meta reads as stale.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE SEQUENCE state_version;

    CREATE FUNCTION bump_state_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_advisory_xact_lock_shared(1128616962); -- 0x43455402, "CET" + 2
      PERFORM nextval('state_version');
      RETURN NULL;
    END $$;

    CREATE TRIGGER bump_state_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON completion FOR EACH STATEMENT EXECUTE FUNCTION bump_state_version();
    CREATE TRIGGER bump_state_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON upload_pending FOR EACH STATEMENT EXECUTE FUNCTION bump_state_version();
    CREATE TRIGGER bump_state_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON confirmation FOR EACH STATEMENT EXECUTE FUNCTION bump_state_version();
    CREATE TRIGGER bump_state_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON registrant FOR EACH STATEMENT EXECUTE FUNCTION bump_state_version();
    CREATE TRIGGER bump_state_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON registration_span FOR EACH STATEMENT EXECUTE FUNCTION bump_state_version();
    CREATE TRIGGER bump_state_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON event FOR EACH STATEMENT EXECUTE FUNCTION bump_state_version();
    CREATE TRIGGER bump_state_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON batch_item FOR EACH STATEMENT EXECUTE FUNCTION bump_state_version();
    CREATE TRIGGER bump_state_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cycle FOR EACH STATEMENT EXECUTE FUNCTION bump_state_version();

    CREATE UNLOGGED TABLE state_snapshot_meta (
      one boolean PRIMARY KEY DEFAULT true CHECK (one),
      version bigint NOT NULL,
      zone text NOT NULL,
      hold_days integer NOT NULL,
      built_at timestamptz NOT NULL,
      build_ms integer NOT NULL,
      completions bigint NOT NULL,
      pending bigint NOT NULL,
      carried jsonb NOT NULL
    );

    CREATE UNLOGGED TABLE state_snapshot (
      completion_id bigint NOT NULL,
      points integer NOT NULL,
      cycle_id integer,
      completed_at timestamptz NOT NULL,
      interactive boolean NOT NULL,
      confirmed_at timestamptz,
      valid boolean NOT NULL,
      completed_on date NOT NULL,
      confirmed_on date,
      hold_end_on date,
      changed_on date
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE state_snapshot;
    DROP TABLE state_snapshot_meta;
    DROP TRIGGER bump_state_version ON completion;
    DROP TRIGGER bump_state_version ON upload_pending;
    DROP TRIGGER bump_state_version ON confirmation;
    DROP TRIGGER bump_state_version ON registrant;
    DROP TRIGGER bump_state_version ON registration_span;
    DROP TRIGGER bump_state_version ON event;
    DROP TRIGGER bump_state_version ON batch_item;
    DROP TRIGGER bump_state_version ON cycle;
    DROP FUNCTION bump_state_version();
    DROP SEQUENCE state_version;
  `.execute(db);
}
