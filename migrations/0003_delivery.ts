// Frozen in time: a migration never imports application code.
import { type Kysely, sql } from 'kysely';

// Delivery (delivery.md): one state per batch that has a file, saying what the regulator has;
// and the acknowledgement files fetched from the regulator's SFTP directory, so that a file
// read (or refused) before is not read again.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE delivery (
      batch_id       bigint PRIMARY KEY REFERENCES batch (id),
      seq            integer NOT NULL UNIQUE,
      state          text NOT NULL DEFAULT 'PENDING' CHECK (state IN ('PENDING', 'SENDING', 'DELIVERED', 'FAILED')),
      -- Attempts made (by the worker or by hand); FAILED once DELIVERY_ATTEMPTS are spent.
      attempts       integer NOT NULL DEFAULT 0,
      last_error     text,
      -- How it was delivered: 'sftp' sent by the service, 'found' already on the server with
      -- the same size, 'manual' marked by hand (deliver --mark-delivered).
      delivered_by   text CHECK (delivered_by IN ('sftp', 'found', 'manual')),
      remote_path    text,
      bytes          bigint,
      created_at     timestamptz NOT NULL DEFAULT now(),
      attempted_at   timestamptz,
      delivered_at   timestamptz,
      updated_at     timestamptz NOT NULL DEFAULT now(),
      CHECK ((state = 'DELIVERED') = (delivered_at IS NOT NULL))
    )`.execute(db);
  await sql`
    CREATE TABLE ack_fetch (
      id           bigserial PRIMARY KEY,
      file_name    text NOT NULL,
      sha256       text NOT NULL,
      fetched_at   timestamptz NOT NULL,
      outcome      text NOT NULL CHECK (outcome IN ('read', 'already-read', 'refused')),
      problems     text[] NOT NULL DEFAULT '{}',
      local_path   text NOT NULL,
      UNIQUE (file_name, sha256)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE ack_fetch, delivery`.execute(db);
}
