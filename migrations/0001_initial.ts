// Frozen in time: a migration never imports application code, so it means the same thing
// forever, whatever later becomes of src/.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE cycle (
      id            serial PRIMARY KEY,
      code          text NOT NULL UNIQUE,
      first_day     date NOT NULL,
      last_day      date NOT NULL,
      -- first_day 00:00 and (last_day + 1) 00:00 in the business zone, fixed when the cycle
      -- is added, so that membership is a plain comparison of instants.
      starts_at     timestamptz NOT NULL,
      ends_at       timestamptz NOT NULL,
      final_cutoff  timestamptz NOT NULL,
      created_at    timestamptz NOT NULL DEFAULT now(),
      CHECK (first_day <= last_day),
      CHECK (starts_at < final_cutoff AND final_cutoff <= ends_at)
    );

    CREATE TABLE import_run (
      id           bigserial PRIMARY KEY,
      kind         text NOT NULL CHECK (kind IN ('registrants', 'events', 'completions', 'confirmations')),
      file_name    text NOT NULL,
      started_at   timestamptz NOT NULL,
      finished_at  timestamptz,
      inserted     integer NOT NULL DEFAULT 0,
      updated      integer NOT NULL DEFAULT 0,
      unchanged    integer NOT NULL DEFAULT 0,
      rejected     integer NOT NULL DEFAULT 0
    );

    -- Every refused row, kept with where it came from and why (import-files.md).
    CREATE TABLE import_reject (
      id          bigserial PRIMARY KEY,
      import_id   bigint NOT NULL REFERENCES import_run (id) ON DELETE CASCADE,
      line        integer NOT NULL,
      row_key     text,
      codes       text[] NOT NULL CHECK (cardinality(codes) > 0),
      message     text NOT NULL,
      raw         jsonb NOT NULL,
      UNIQUE (import_id, line)
    );

    CREATE TABLE registrant (
      id           serial PRIMARY KEY,
      goc_number   text COLLATE "C" NOT NULL UNIQUE,
      surname      text NOT NULL,
      forenames    text NOT NULL,
      profession   text NOT NULL CHECK (profession IN ('optometrist', 'dispensing_optician')),
      specialties  text[] NOT NULL DEFAULT '{}',
      updated_at   timestamptz NOT NULL
    );

    CREATE TABLE registration_span (
      registrant_id    integer NOT NULL REFERENCES registrant (id),
      registered_from  date NOT NULL,
      registered_to    date,
      PRIMARY KEY (registrant_id, registered_from),
      CHECK (registered_to IS NULL OR registered_to >= registered_from)
    );

    CREATE TABLE event (
      id             serial PRIMARY KEY,
      event_ref      text COLLATE "C" NOT NULL UNIQUE,
      title          text NOT NULL,
      points         smallint NOT NULL CHECK (points BETWEEN 1 AND 20),
      category       text NOT NULL CHECK (category IN ('general', 'specialist')),
      interactive    boolean NOT NULL,
      professions    text[] NOT NULL,
      approved_from  date NOT NULL,
      approved_to    date NOT NULL,
      updated_at     timestamptz NOT NULL,
      CHECK (approved_from <= approved_to)
    );

    CREATE TABLE completion (
      id             bigserial PRIMARY KEY,
      provider_ref   text COLLATE "C" NOT NULL UNIQUE,
      registrant_id  integer NOT NULL REFERENCES registrant (id),
      event_id       integer NOT NULL REFERENCES event (id),
      completed_at   timestamptz NOT NULL,
      -- The business-zone date of completed_at, fixed at import.
      completed_on   date NOT NULL,
      -- When the system first saw it: tells a late arrival from a completion the FINAL batch missed.
      received_at    timestamptz NOT NULL,
      -- Bumped by every accepted change; a batch carries one revision at most once.
      revision       integer NOT NULL DEFAULT 1,
      changed_at     timestamptz NOT NULL
    );
    CREATE INDEX completion_registrant_event ON completion (registrant_id, event_id);

    -- The completions whose current revision no batch has carried yet. Kept apart from
    -- completion so that a weekly claim reads only what is pending, whatever the history.
    -- No foreign key here or on batch_item: their rows are written only by set statements that
    -- read the ids from completion in the same transaction, and nothing deletes completions;
    -- the per-row checks cost more than the claim itself at a million rows (BENCHMARKS.md).
    CREATE TABLE upload_pending (
      completion_id  bigint PRIMARY KEY
    );

    CREATE TABLE confirmation (
      completion_id       bigint NOT NULL REFERENCES completion (id),
      party               text NOT NULL CHECK (party IN ('registrant', 'peer')),
      confirmed_at        timestamptz NOT NULL,
      peer_registrant_id  integer NOT NULL REFERENCES registrant (id),
      PRIMARY KEY (completion_id, party)
    );

    CREATE TABLE batch (
      id                  bigserial PRIMARY KEY,
      cycle_id            integer NOT NULL REFERENCES cycle (id),
      kind                text NOT NULL CHECK (kind IN ('WEEKLY', 'FINAL')),
      -- ISO week (2021-W48) of a WEEKLY batch's slot, or FINAL.
      period              text NOT NULL,
      cutoff              timestamptz NOT NULL,
      -- Provider-wide file number; NULL for an empty WEEKLY batch, which writes no file.
      seq                 integer UNIQUE,
      -- PROVIDER_CODE when claimed: a rewrite gives the same bytes even if the setting changes.
      provider_code       text NOT NULL,
      trigger             text NOT NULL CHECK (trigger IN ('scheduler', 'catch-up', 'manual')),
      claimed_at          timestamptz NOT NULL,
      records             integer NOT NULL DEFAULT 0,
      points              integer NOT NULL DEFAULT 0,
      interactive_points  integer NOT NULL DEFAULT 0,
      downgraded          integer NOT NULL DEFAULT 0,
      file_name           text UNIQUE,
      sha256              text,
      bytes               bigint,
      written_at          timestamptz,
      -- One batch per cycle and period, however many schedulers, workers and operators ask.
      UNIQUE (cycle_id, period),
      CHECK ((kind = 'FINAL') = (period = 'FINAL')),
      CHECK (kind = 'WEEKLY' OR seq IS NOT NULL)
    );

    -- What a batch carried, as it was uploaded: the file is written from this snapshot alone,
    -- so writing it again gives the same bytes whatever has changed since.
    CREATE TABLE batch_item (
      batch_id          bigint NOT NULL,
      completion_id     bigint NOT NULL,
      revision          integer NOT NULL,
      provider_ref      text COLLATE "C" NOT NULL,
      goc_number        text COLLATE "C" NOT NULL,
      surname           text NOT NULL,
      event_ref         text COLLATE "C" NOT NULL,
      completed_on      date NOT NULL,
      points            smallint NOT NULL,
      category          char(1) NOT NULL CHECK (category IN ('G', 'S')),
      interactive       boolean NOT NULL,
      downgrade_reason  text CHECK (downgrade_reason IN ('PEER_UNCONFIRMED_14_DAYS', 'PEER_UNCONFIRMED_AT_CUTOFF')),
      ack_status        text CHECK (ack_status IN ('ACCEPTED', 'REJECTED')),
      ack_code          text,
      ack_message       text,
      ack_id            bigint,
      -- No revision of a completion is ever carried twice.
      PRIMARY KEY (completion_id, revision)
    );
    CREATE INDEX batch_item_batch ON batch_item (batch_id);

    CREATE TABLE ack_file (
      id           bigserial PRIMARY KEY,
      batch_id     bigint NOT NULL UNIQUE REFERENCES batch (id),
      file_name    text NOT NULL,
      sha256       text NOT NULL,
      received_at  timestamptz NOT NULL,
      accepted     integer NOT NULL,
      rejected     integer NOT NULL
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE batch_item, ack_file, batch, confirmation, upload_pending, completion, event,
      registration_span, registrant, import_reject, import_run, cycle
  `.execute(db);
}
