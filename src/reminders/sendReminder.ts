import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { failpoint } from '../files/failpoint.ts';
import { describeSmtpError, serverMessageId, type Mailer } from './mailer.ts';
import { messageIdFor, renderReminder } from './message.ts';
import { loadContent, type ReminderRow } from './reminderQueries.ts';

export interface SendDeps {
  db: Db;
  mailer: Mailer;
  mailFrom: string;
  providerName: string;
  zone: string;
  clock: () => Date;
}

export type SendOutcome = 'SENT' | 'ALREADY_DONE' | 'BUSY' | 'RETRY' | 'FAILED';

export class SendFailedError extends Error {}

/**
 * Sends one DUE reminder. The row stays locked while the server is asked, and is marked SENT
 * in the transaction that records the server's acceptance: a second worker skips it, and a
 * crash between acceptance and commit leaves it DUE, so at most that one message is sent again,
 * with the same Message-ID. A refusal counts an attempt; the last one marks it FAILED.
 */
export async function sendReminder(deps: SendDeps, id: string, lastAttempt: boolean): Promise<SendOutcome> {
  let failure: string | undefined;
  const outcome = await deps.db.transaction().execute(async (trx): Promise<SendOutcome> => {
    const locked = await sql<ReminderRow>`
      SELECT id, kind, registrant_id, cycle_id, due_at, deadline, email, status, attempts, message_id
        FROM reminder WHERE id = ${id} FOR UPDATE SKIP LOCKED`.execute(trx);
    const row = locked.rows[0];
    if (!row) {
      const exists = await trx.selectFrom('reminder').select('status').where('id', '=', id).executeTakeFirst();
      return exists ? 'BUSY' : 'ALREADY_DONE';
    }
    if (row.status !== 'DUE' || !row.email) return 'ALREADY_DONE';
    const messageId = messageIdFor({ kind: row.kind, registrantId: row.registrant_id, cycleId: row.cycle_id, dueAt: row.due_at }, deps.mailFrom);
    const message = renderReminder(await loadContent(trx, row), deps.providerName, deps.zone);
    let response: string;
    try {
      ({ response } = await deps.mailer.send({ from: deps.mailFrom, to: row.email, subject: message.subject, text: message.text, messageId }));
    } catch (error) {
      failure = describeSmtpError(error);
      await trx
        .updateTable('reminder')
        .set({ attempts: sql`attempts + 1`, last_error: failure, message_id: messageId, status: lastAttempt ? 'FAILED' : 'DUE' })
        .where('id', '=', id)
        .execute();
      return lastAttempt ? 'FAILED' : 'RETRY';
    }
    await failpoint('after-smtp-accept');
    await trx
      .updateTable('reminder')
      .set({ status: 'SENT', sent_at: deps.clock(), server_message_id: serverMessageId(response), message_id: messageId, attempts: sql`attempts + 1`, last_error: null })
      .where('id', '=', id)
      .execute();
    return 'SENT';
  });
  if (outcome === 'RETRY') throw new SendFailedError(`reminder ${id}: the mail server refused: ${failure}`);
  if (outcome === 'BUSY') throw new SendFailedError(`reminder ${id} is being sent by another worker`);
  return outcome;
}
