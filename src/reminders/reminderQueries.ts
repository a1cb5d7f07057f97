import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { ReminderKind, ReminderStatus } from '../db/schema.ts';
import type { PeerItem, ReminderContent, UploadedItem } from './message.ts';

export interface ReminderRow {
  id: string;
  kind: ReminderKind;
  registrant_id: number;
  cycle_id: number;
  due_at: Date;
  deadline: Date;
  email: string | null;
  status: ReminderStatus;
  attempts: number;
  message_id: string | null;
}

export async function getReminder(db: Db, id: string): Promise<ReminderRow | undefined> {
  return db
    .selectFrom('reminder')
    .select(['id', 'kind', 'registrant_id', 'cycle_id', 'due_at', 'deadline', 'email', 'status', 'attempts', 'message_id'])
    .where('id', '=', id)
    .executeTakeFirst();
}

/** What a message says, read at send time from the reminder's items. */
export async function loadContent(db: Db, reminder: ReminderRow): Promise<ReminderContent> {
  const head = await db
    .selectFrom('registrant as r')
    .innerJoin('cycle as cy', (join) => join.on('cy.id', '=', reminder.cycle_id))
    .select(['r.forenames', 'r.surname', 'cy.code', 'cy.last_day'])
    .where('r.id', '=', reminder.registrant_id)
    .executeTakeFirstOrThrow();
  const content: ReminderContent = {
    kind: reminder.kind,
    forenames: head.forenames,
    surname: head.surname,
    cycleCode: head.code,
    cycleLastDay: head.last_day,
    peerItems: [],
    uploadedItems: [],
  };
  if (reminder.kind === 'PEER_CONFIRMATION') {
    const rows = await sql<{ event_ref: string; title: string; points: number; completed_at: Date; deadline: Date; registrant_at: Date | null; peer_at: Date | null }>`
      SELECT e.event_ref, e.title, e.points, c.completed_at, i.deadline,
             (SELECT max(confirmed_at) FROM confirmation f WHERE f.completion_id = c.id AND f.party = 'registrant' AND f.confirmed_at < i.deadline) AS registrant_at,
             (SELECT max(confirmed_at) FROM confirmation f WHERE f.completion_id = c.id AND f.party = 'peer' AND f.confirmed_at < i.deadline) AS peer_at
        FROM reminder_item i JOIN completion c ON c.id = i.completion_id JOIN event e ON e.id = c.event_id
       WHERE i.reminder_id = ${reminder.id}`.execute(db);
    content.peerItems = rows.rows.map((row): PeerItem => ({
      eventRef: row.event_ref,
      title: row.title,
      points: row.points,
      completedAt: row.completed_at,
      deadline: row.deadline,
      registrantConfirmed: row.registrant_at !== null,
      peerConfirmed: row.peer_at !== null,
    }));
  } else {
    // As uploaded: the batch's snapshot of its latest carried revision not rejected.
    const rows = await sql<{ event_ref: string; title: string | null; points: number; completed_on: string; interactive: boolean }>`
      SELECT DISTINCT ON (bi.completion_id) bi.event_ref, e.title, bi.points, bi.completed_on, bi.interactive
        FROM reminder_item i
        JOIN batch_item bi ON bi.completion_id = i.completion_id AND bi.ack_status IS DISTINCT FROM 'REJECTED'
        LEFT JOIN event e ON e.event_ref = bi.event_ref
       WHERE i.reminder_id = ${reminder.id}
       ORDER BY bi.completion_id, bi.revision DESC`.execute(db);
    content.uploadedItems = rows.rows.map((row): UploadedItem => ({
      eventRef: row.event_ref,
      title: row.title ?? row.event_ref,
      points: row.points,
      completedOn: row.completed_on,
      interactive: row.interactive,
    }));
  }
  return content;
}

export type ReminderListRow = {
  id: string;
  kind: ReminderKind;
  status: ReminderStatus;
  goc_number: string;
  cycle: string;
  due_at: Date;
  deadline: Date;
  items: string;
  attempts: number;
  sent_at: Date | null;
  server_message_id: string | null;
  last_error: string | null;
};

/** The reminders, newest due first, for `report reminders`; addresses are not listed. */
export async function listReminders(db: Db, filter: { kind?: ReminderKind; status?: ReminderStatus; completionId?: string } = {}): Promise<ReminderListRow[]> {
  const result = await sql<ReminderListRow>`
    SELECT m.id, m.kind, m.status, r.goc_number, cy.code AS cycle, m.due_at, m.deadline,
           (SELECT string_agg(c.provider_ref || ' ' || i.stage, '; ' ORDER BY c.provider_ref)
              FROM reminder_item i JOIN completion c ON c.id = i.completion_id WHERE i.reminder_id = m.id) AS items,
           m.attempts, m.sent_at, m.server_message_id, m.last_error
      FROM reminder m
      JOIN registrant r ON r.id = m.registrant_id
      JOIN cycle cy ON cy.id = m.cycle_id
     WHERE (${filter.kind ?? null}::text IS NULL OR m.kind = ${filter.kind ?? null})
       AND (${filter.status ?? null}::text IS NULL OR m.status = ${filter.status ?? null})
       AND (${filter.completionId ?? null}::bigint IS NULL
            OR EXISTS (SELECT 1 FROM reminder_item i WHERE i.reminder_id = m.id AND i.completion_id = ${filter.completionId ?? null}::bigint))
     ORDER BY m.due_at DESC, m.id DESC`.execute(db);
  return result.rows;
}

/** DUE reminders (to enqueue for sending), oldest first. */
export async function dueReminderIds(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('reminder').select('id').where('status', '=', 'DUE').orderBy('id').execute();
  return rows.map((row) => row.id);
}

/** Reminders by status; with `deadlineAfter`, only those whose deadline is still ahead of it. */
export async function countByStatus(db: Db, deadlineAfter?: Date): Promise<Record<ReminderStatus, number>> {
  let query = db.selectFrom('reminder').select(['status', sql<number>`count(*)::int`.as('n')]).groupBy('status');
  if (deadlineAfter) query = query.where('deadline', '>', deadlineAfter);
  const rows = await query.execute();
  const counts: Record<ReminderStatus, number> = { DUE: 0, SENT: 0, FAILED: 0, UNREACHABLE: 0 };
  for (const row of rows) counts[row.status] = row.n;
  return counts;
}

/** "PEER_CONFIRMATION MIDDLE SENT 2021-11-08T10:00:00.000Z", per provider_ref, for `trace`. */
export async function remindersAbout(db: Db, providerRefs: readonly string[]): Promise<Map<string, string>> {
  if (!providerRefs.length) return new Map();
  const result = await sql<{ provider_ref: string; text: string }>`
    SELECT c.provider_ref, string_agg(m.kind || ' ' || i.stage || ' ' || m.status || ' ' || to_char(m.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), '; ' ORDER BY m.due_at, m.id) AS text
      FROM reminder_item i JOIN reminder m ON m.id = i.reminder_id JOIN completion c ON c.id = i.completion_id
     WHERE c.provider_ref = ANY (${[...providerRefs]}::text[])
     GROUP BY c.provider_ref`.execute(db);
  return new Map(result.rows.map((row) => [row.provider_ref, row.text]));
}
