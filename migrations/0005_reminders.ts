// Frozen in time: a migration never imports application code.
import { type Kysely, sql } from 'kysely';

// Reminders to registrants (spec reminders.md). One reminder row is one message: a registrant,
// a kind, a cycle and the moment it was due; its unique key makes it exist once however many
// schedulers and operators run `remind` at once. reminder_item names the completions a message
// is about, each (completion, stage) once, so a completion is never reminded twice for a stage.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE registrant ADD COLUMN email text;

    CREATE TABLE reminder (
      id                 bigserial PRIMARY KEY,
      kind               text NOT NULL CHECK (kind IN ('PEER_CONFIRMATION', 'ACCEPT_PENDING_POINTS')),
      registrant_id      integer NOT NULL REFERENCES registrant (id),
      cycle_id           integer NOT NULL REFERENCES cycle (id),
      due_at             timestamptz NOT NULL,
      -- The earliest deadline the message names.
      deadline           timestamptz NOT NULL,
      -- The address when the reminder was created; NULL: UNREACHABLE.
      email              text,
      status             text NOT NULL CHECK (status IN ('DUE', 'SENT', 'FAILED', 'UNREACHABLE')),
      created_at         timestamptz NOT NULL,
      attempts           integer NOT NULL DEFAULT 0,
      last_error         text,
      -- The Message-ID header, derived from the key (the same on every attempt).
      message_id         text,
      sent_at            timestamptz,
      -- What the SMTP server answered on acceptance (its queue id, or its whole reply).
      server_message_id  text,
      UNIQUE (kind, registrant_id, cycle_id, due_at),
      CHECK ((status = 'SENT') = (sent_at IS NOT NULL)),
      CHECK (status <> 'UNREACHABLE' OR email IS NULL)
    );
    -- ACCEPT_PENDING_POINTS: once per registrant and cycle.
    CREATE UNIQUE INDEX reminder_accept_once ON reminder (registrant_id, cycle_id) WHERE kind = 'ACCEPT_PENDING_POINTS';
    CREATE INDEX reminder_open ON reminder (status) WHERE status IN ('DUE', 'FAILED', 'UNREACHABLE');

    CREATE TABLE reminder_item (
      reminder_id    bigint NOT NULL REFERENCES reminder (id),
      completion_id  bigint NOT NULL,
      stage          text NOT NULL CHECK (stage IN ('MIDDLE', 'BEFORE_DEADLINE', 'UPLOADED')),
      due_at         timestamptz NOT NULL,
      deadline       timestamptz NOT NULL,
      PRIMARY KEY (completion_id, stage)
    );
    CREATE INDEX reminder_item_reminder ON reminder_item (reminder_id);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE reminder_item, reminder;
    ALTER TABLE registrant DROP COLUMN email;
  `.execute(db);
}
