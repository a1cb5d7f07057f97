import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/database.ts';
import { stillValidSql } from '../db/readiness.ts';
import type { ReminderKind, ReminderStage, ReminderStatus } from '../db/schema.ts';

// Which reminders are due at an instant, computed set-wise in PostgreSQL (spec reminders.md).
//
// PEER_CONFIRMATION, per completion that is *held* at `now` (pending, interactive, still valid,
// its cycle not sealed, not both confirmations before min(now, end of hold), and its
// confirmation deadline = min(end of hold, cycle's final cutoff) still ahead):
//   MIDDLE           due at completed_at + hold / 2, only when that is before BEFORE_DEADLINE
//   BEFORE_DEADLINE  due at deadline - 48 h (or at completed_at, when that is later)
// The latest stage whose moment has come and that has no reminder yet is the one due; a
// MIDDLE stage overtaken by BEFORE_DEADLINE (nothing ran in between) is never sent late.
// The due completions of one registrant and cycle make one message, due at the latest of
// their moments.
//
// ACCEPT_PENDING_POINTS, once per registrant and cycle: from the moment the cycle's FINAL batch
// was claimed until the cycle's last day ends, every registrant with a record carried in the
// cycle (not rejected by the regulator); the items are those carried by batches whose cutoff
// lies in the cycle's last six weeks.

const LOCK_KEY = sql`hashtext('cet-uploader:reminders')`;
const LAST_WEEKS = 6;

export interface DueItem {
  kind: ReminderKind;
  registrant_id: number;
  cycle_id: number;
  completion_id: string;
  stage: ReminderStage;
  due_at: Date;
  deadline: Date;
}

export interface DueOptions {
  now: Date;
  holdDays: number;
  /**
   * With delivery on (DELIVERY=sftp), ACCEPT_PENDING_POINTS waits until the FINAL file is
   * delivered (reminders.md): points not yet at the regulator cannot be accepted.
   */
  finalDelivered?: boolean;
}

export function peerDueSql({ now, holdDays }: DueOptions): RawBuilder<unknown> {
  const at = now.toISOString();
  return sql`
    SELECT 'PEER_CONFIRMATION'::text AS kind, s.registrant_id, s.cycle_id, s.completion_id,
           CASE WHEN s.last_at <= ${at}::timestamptz THEN 'BEFORE_DEADLINE' ELSE 'MIDDLE' END AS stage,
           CASE WHEN s.last_at <= ${at}::timestamptz THEN s.last_at ELSE s.middle_at END AS due_at,
           s.deadline
      FROM (
        SELECT h.*, greatest(h.deadline - interval '48 hours', h.completed_at) AS last_at
          FROM (
            SELECT c.id AS completion_id, c.registrant_id, cy.id AS cycle_id, c.completed_at,
                   c.completed_at + make_interval(hours => ${holdDays * 12}) AS middle_at,
                   least(c.completed_at + make_interval(hours => ${holdDays * 24}), cy.final_cutoff) AS deadline
              -- Driven by the pending completions, few whatever the history (OFFSET 0 keeps the
              -- planner from scanning all of completion instead).
              FROM upload_pending p
              CROSS JOIN LATERAL (SELECT * FROM completion c0 WHERE c0.id = p.completion_id AND c0.completed_at <= ${at}::timestamptz OFFSET 0) c
              JOIN event e ON e.id = c.event_id AND e.interactive
              JOIN registrant r ON r.id = c.registrant_id
              JOIN cycle cy ON c.completed_at >= cy.starts_at AND c.completed_at < cy.final_cutoff
             WHERE NOT EXISTS (SELECT 1 FROM batch b WHERE b.cycle_id = cy.id AND b.kind = 'FINAL')
               AND ${stillValidSql()}
               AND (SELECT count(DISTINCT f.party) FROM confirmation f
                     WHERE f.completion_id = c.id
                       AND f.confirmed_at < least(${at}::timestamptz, c.completed_at + make_interval(hours => ${holdDays * 24}))) < 2
            OFFSET 0) h
         WHERE h.deadline > ${at}::timestamptz) s
     WHERE (s.last_at <= ${at}::timestamptz OR (s.middle_at <= ${at}::timestamptz AND s.middle_at < s.last_at))
       AND NOT EXISTS (
         SELECT 1 FROM reminder_item i
          WHERE i.completion_id = s.completion_id
            AND i.stage = CASE WHEN s.last_at <= ${at}::timestamptz THEN 'BEFORE_DEADLINE' ELSE 'MIDDLE' END)`;
}

/**
 * ACCEPT_PENDING_POINTS, as common table expressions for the statements below:
 *   f           the cycles whose FINAL batch was claimed (and, with delivery on, delivered) and
 *               that have no such reminder yet: the FINAL batch seals a cycle, so its recipients
 *               are all known at once, and later runs skip it without reading its records again;
 *   listed      (cycle_id, registrant_id, completion_id) of every item a message lists;
 *   recipients  (cycle_id, registrant_id, email, claimed_at, ends_at), one row per message.
 *
 * Read without going through all of a cycle's carried records (a million; BENCHMARKS.md):
 * the listed items come from the few batches of the last six weeks (by batch_item_batch), and
 * they name most recipients. Only a registrant they do not name is looked up one by one: their
 * completions in the cycle's time span (completion_registrant_event), the first with a carried
 * record not rejected in a batch of the cycle (batch_item's key). A carried record not rejected
 * cannot be changed (ALREADY_UPLOADED), so its completion keeps the registrant and the time
 * that put it in the cycle's batch.
 */
function acceptCtes({ now, finalDelivered = false }: DueOptions): RawBuilder<unknown> {
  const at = now.toISOString();
  return sql`
    f AS (
      SELECT b.cycle_id, b.claimed_at, cy.starts_at, cy.ends_at
        FROM batch b JOIN cycle cy ON cy.id = b.cycle_id
       WHERE b.kind = 'FINAL' AND b.claimed_at <= ${at}::timestamptz AND ${at}::timestamptz < cy.ends_at
         AND NOT EXISTS (SELECT 1 FROM reminder x WHERE x.kind = 'ACCEPT_PENDING_POINTS' AND x.cycle_id = b.cycle_id)
         AND (NOT ${finalDelivered}::boolean OR EXISTS (SELECT 1 FROM delivery d WHERE d.batch_id = b.id AND d.state = 'DELIVERED'))
    ), listed AS MATERIALIZED (
      -- Carried by a batch whose cutoff lies in the cycle's last six weeks, read batch by batch
      -- (LATERAL ... OFFSET 0): the planner cannot tell how few batches that is, and scanned all
      -- of batch_item instead. A completion once, as its latest such revision carried it (which
      -- is what the message shows).
      SELECT DISTINCT ON (bi.completion_id) f.cycle_id, r.id AS registrant_id, bi.completion_id
        FROM f JOIN batch b ON b.cycle_id = f.cycle_id AND b.cutoff >= f.ends_at - make_interval(days => ${LAST_WEEKS * 7})
        CROSS JOIN LATERAL (
          SELECT i.completion_id, i.revision, i.goc_number FROM batch_item i
           WHERE i.batch_id = b.id AND i.ack_status IS DISTINCT FROM 'REJECTED' OFFSET 0) bi
        JOIN registrant r ON r.goc_number = bi.goc_number
       ORDER BY bi.completion_id, bi.revision DESC
    ), recipients AS MATERIALIZED (
      -- Every registrant with a record carried in the cycle and not rejected: one pass over the
      -- registrants, those listed found in a hash of the listed, each other one looked up by key
      -- until a first record (the EXISTS is asked only when the IN is false).
      SELECT f.cycle_id, r.id AS registrant_id, r.email, f.claimed_at, f.ends_at
        FROM f CROSS JOIN registrant r
       WHERE (f.cycle_id, r.id) IN (SELECT l.cycle_id, l.registrant_id FROM listed l)
          OR EXISTS (
            SELECT 1 FROM completion c
              JOIN batch_item bi ON bi.completion_id = c.id
              JOIN batch b ON b.id = bi.batch_id
             WHERE c.registrant_id = r.id AND c.completed_at >= f.starts_at AND c.completed_at < f.ends_at
               AND b.cycle_id = f.cycle_id AND bi.goc_number = r.goc_number
               AND bi.ack_status IS DISTINCT FROM 'REJECTED'
             LIMIT 1)
    )`;
}

/**
 * One row per item an ACCEPT_PENDING_POINTS reminder lists, or one row with a NULL
 * completion_id for a recipient it lists nothing for.
 */
export function acceptDueSql(options: DueOptions): RawBuilder<unknown> {
  return sql`
    WITH ${acceptCtes(options)}
    SELECT 'ACCEPT_PENDING_POINTS'::text AS kind, r.registrant_id, r.cycle_id, l.completion_id,
           'UPLOADED'::text AS stage, r.claimed_at AS due_at, r.ends_at AS deadline
      FROM recipients r LEFT JOIN listed l ON l.cycle_id = r.cycle_id AND l.registrant_id = r.registrant_id`;
}

/**
 * For the transaction (JIT is off on every connection: database.ts): room to hash the listed
 * items. The planner cannot tell how few batches the last six weeks hold, expects ten times
 * too many rows and, within the default 4 MB, would scan the listed items once per registrant
 * instead of hashing them (32 s).
 */
export async function settings(trx: Db): Promise<void> {
  await sql`SET LOCAL work_mem = '64MB'`.execute(trx);
}

/** Everything due at `now` that has no reminder yet, one row per completion (dry run). */
export async function listDue(db: Db, options: DueOptions): Promise<Array<DueItem & { email: string | null; goc_number: string; provider_ref: string | null }>> {
  return db.transaction().execute(async (trx) => {
    await settings(trx);
    return (await listDueSql(options).execute(trx)).rows;
  });
}

export function listDueSql(options: DueOptions) {
  return sql<DueItem & { email: string | null; goc_number: string; provider_ref: string | null }>`
    SELECT d.kind, d.registrant_id, d.cycle_id, d.completion_id, d.stage, d.due_at, d.deadline,
           r.email, r.goc_number,
           -- Looked up by key: a join invited a hash of all of completion.
           (SELECT c.provider_ref FROM completion c WHERE c.id = d.completion_id) AS provider_ref
      FROM (SELECT kind, registrant_id, cycle_id, completion_id, stage, due_at, deadline FROM (${peerDueSql(options)}) p
            UNION ALL
            -- ACCEPT_PENDING_POINTS: the items it lists, or the registrant alone when it lists none.
            SELECT kind, registrant_id, cycle_id, completion_id, stage, due_at, deadline FROM (${acceptDueSql(options)}) a) d
      JOIN registrant r ON r.id = d.registrant_id
     ORDER BY r.goc_number, d.kind, provider_ref`;
}

export interface CreatedReminder {
  id: string;
  kind: ReminderKind;
  registrant_id: number;
  status: ReminderStatus;
}

/**
 * Creates the reminders due at `now` (one per registrant, cycle and kind) with their items, in
 * one transaction under an advisory lock: two `remind` runs at once (operators, schedulers)
 * compute in turn, and the second finds nothing left. The unique keys hold even without it.
 */
export async function createDueReminders(db: Db, options: DueOptions): Promise<CreatedReminder[]> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${LOCK_KEY})`.execute(trx);
    await settings(trx);
    const peer = await createPeerDueSql(options).execute(trx);
    const accept = await createAcceptDueSql(options).execute(trx);
    return [...peer.rows, ...accept.rows].sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  });
}

/** The PEER_CONFIRMATION reminders due at `now`: one per registrant and cycle, with its items. */
export function createPeerDueSql(options: DueOptions) {
  return sql<CreatedReminder>`
      WITH due AS (${peerDueSql(options)}),
      grouped AS (
        SELECT kind, registrant_id, cycle_id, max(due_at) AS due_at, min(deadline) AS deadline
          FROM due GROUP BY kind, registrant_id, cycle_id
      ),
      created AS (
        INSERT INTO reminder (kind, registrant_id, cycle_id, due_at, deadline, email, status, created_at)
        SELECT g.kind, g.registrant_id, g.cycle_id, g.due_at, g.deadline, r.email,
               CASE WHEN r.email IS NULL THEN 'UNREACHABLE' ELSE 'DUE' END, now()
          FROM grouped g JOIN registrant r ON r.id = g.registrant_id
         ORDER BY g.kind, g.registrant_id, g.cycle_id
        ON CONFLICT DO NOTHING
        RETURNING id, kind, registrant_id, cycle_id, status
      ),
      items AS (
        INSERT INTO reminder_item (reminder_id, completion_id, stage, due_at, deadline)
        SELECT DISTINCT ON (d.completion_id, d.stage) x.id, d.completion_id, d.stage, d.due_at, d.deadline
          FROM created x JOIN due d ON d.kind = x.kind AND d.registrant_id = x.registrant_id AND d.cycle_id = x.cycle_id
        ON CONFLICT DO NOTHING
        RETURNING reminder_id
      )
      SELECT x.id, x.kind, x.registrant_id, x.status FROM created x ORDER BY x.id`;
}

/**
 * The ACCEPT_PENDING_POINTS reminders due at `now`: each recipient's reminder straight from the
 * one pass over the registrants, its items from the listed ones (no regrouping of what was
 * computed per registrant already).
 *
 * Plain inserts, without ON CONFLICT DO NOTHING (whose speculative insertion doubled the cost
 * of writing 20,000 reminders and their items): nothing here can meet an existing key. Only a
 * cycle without any such reminder is computed (f), one row per registrant and cycle, each
 * completion listed once, and creators run one at a time under the advisory lock, each
 * statement seeing what the one before committed. Should a key ever be met all the same, the
 * unique indexes refuse it and the run fails whole rather than skipping a message silently.
 */
export function createAcceptDueSql(options: DueOptions) {
  return sql<CreatedReminder>`
      WITH ${acceptCtes(options)},
      created AS (
        INSERT INTO reminder (kind, registrant_id, cycle_id, due_at, deadline, email, status, created_at)
        SELECT 'ACCEPT_PENDING_POINTS', r.registrant_id, r.cycle_id, r.claimed_at, r.ends_at, r.email,
               CASE WHEN r.email IS NULL THEN 'UNREACHABLE' ELSE 'DUE' END, now()
          FROM recipients r
         ORDER BY r.registrant_id, r.cycle_id
        RETURNING id, kind, registrant_id, cycle_id, status, due_at, deadline
      ),
      items AS (
        INSERT INTO reminder_item (reminder_id, completion_id, stage, due_at, deadline)
        SELECT x.id, l.completion_id, 'UPLOADED', x.due_at, x.deadline
          FROM created x JOIN listed l ON l.cycle_id = x.cycle_id AND l.registrant_id = x.registrant_id
        RETURNING reminder_id
      )
      SELECT x.id, x.kind, x.registrant_id, x.status FROM created x ORDER BY x.id`;
}
