import { sql } from 'kysely';
import { businessDate, describeInstant } from '../domain/businessTime.ts';
import { normaliseGocNumber } from '../domain/gocNumber.ts';
import { completionStatesSql, type CompletionStateRow } from '../db/completionStates.ts';
import type { Db } from '../db/database.ts';
import { findCompletionByRef, findRegistrantByGocNumber, importRejectsFor } from '../db/reportsTraceLookup.ts';
import type { ReportAt } from './reportRows.ts';
import { remindersAbout } from '../reminders/reminderQueries.ts';
import { deliveriesOfSeqs } from '../delivery/deliveryQueries.ts';

// The answer to "where are my points?", for `trace` and the console's Trace page. The key is
// tried as a GOC number first (any form the import accepts: 01-12345, 0112345, d1234), then as
// a provider_ref.

export interface TraceAnswer {
  key: string;
  /** The key read as a GOC number, when it is one. */
  gocNumber: string | null;
  /** Who or what matched, in words; null when nothing matched. */
  who: string | null;
  completions: number;
  /** Rows refused at import under the key and not imported since (resolved ones are listed, not counted). */
  rejectedAtImport: number;
  /** Typed values: null for none, booleans, numbers, lists. */
  rows: Array<Record<string, unknown>>;
  /** Why nothing matched, when nothing did. */
  nothing: string | null;
}

export async function traceKey(db: Db, key: string, at: ReportAt): Promise<TraceAnswer> {
  const { now, zone } = at;
  const gocNumber = normaliseGocNumber(key);
  const registrant = gocNumber ? await findRegistrantByGocNumber(db, gocNumber) : undefined;
  const completion = registrant ? undefined : await findCompletionByRef(db, key.trim());
  const filter = registrant ? { registrantId: registrant.id } : completion ? { providerRef: completion.provider_ref } : null;
  const states: CompletionStateRow[] = filter
    ? (await sql<CompletionStateRow>`SELECT * FROM (${await completionStatesSql(db, at, filter)}) AS s
          ORDER BY s.completed_at, s.provider_ref`.execute(db)).rows
    : [];
  const rejects = await importRejectsFor(db, {
    gocNumber: gocNumber,
    providerRefs: states.length ? states.map((s) => s.provider_ref) : [key.trim()],
  });
  const nothing =
    !registrant && !completion && !rejects.length
      ? `No registrant or completion matches "${key}"` +
        (gocNumber ? ` (read as GOC number ${gocNumber}, and as a provider_ref)` : ' (not a GOC number; no completion has this provider_ref)') +
        ', and no import row was rejected under it.'
      : null;
  const reminders = await remindersAbout(db, states.map((s) => s.provider_ref));
  // When the file carrying each completion was delivered (delivery.md); none before a delivery run records it.
  const deliveries = await deliveriesOfSeqs(db, [...new Set(states.flatMap((s) => (s.batch_seq == null ? [] : [s.batch_seq])))]);
  const deliveryOf = (seq: number | null | undefined) => (seq == null ? undefined : deliveries.get(seq));
  const deliveryText = (seq: number | null | undefined) => {
    const d = deliveryOf(seq);
    if (!d) return '';
    return d.state === 'DELIVERED'
      ? `; file delivered ${d.deliveredAt ? describeInstant(d.deliveredAt, zone) : ''} (${d.deliveredBy === 'manual' ? 'marked by hand' : d.deliveredBy === 'found' ? 'found on the server' : 'by SFTP'})`.replace('  ', ' ')
      : `; file not delivered yet (${d.state}${d.lastError ? `: ${d.lastError}` : ''})`;
  };
  const rows = [
    ...states.map((s) => ({
      provider_ref: s.provider_ref,
      revision: s.revision,
      goc_number: s.goc_number,
      event_ref: s.event_ref,
      completed_at: s.completed_at.toISOString(),
      completed_on: s.completed_on,
      points: s.points,
      cycle: s.cycle ?? null,
      state: s.state,
      hold_end: s.state === 'HELD' && s.hold_end ? s.hold_end.toISOString() : null,
      batch: s.batch_seq ?? null,
      file: s.file_name ?? null,
      line: null,
      interactive: s.carried_interactive ?? null,
      downgrade_reason: s.downgrade_reason ?? null,
      ack: s.ack_status ?? null,
      ack_code: s.ack_code ?? null,
      import_codes: null,
      correction_pending: s.correction_pending ?? false,
      delivery: deliveryOf(s.batch_seq)?.state ?? null,
      delivered_at: deliveryOf(s.batch_seq)?.deliveredAt?.toISOString() ?? null,
      detail: describeState(s, zone, now) + deliveryText(s.batch_seq) + (reminders.has(s.provider_ref) ? `; reminders: ${reminders.get(s.provider_ref)}` : ''),
      reminders: reminders.get(s.provider_ref) ?? null,
    })),
    ...rejects.map((j) => ({
      provider_ref: j.row_key ?? null,
      revision: null,
      goc_number: null,
      event_ref: null,
      completed_at: null,
      completed_on: null,
      points: null,
      cycle: null,
      // Resolved: the same key was imported successfully since; listed for the record, not counted.
      state: j.resolved ? 'IMPORT_REJECT_RESOLVED' : 'REJECTED_AT_IMPORT',
      hold_end: null,
      batch: null,
      file: j.file_name,
      line: j.line,
      interactive: null,
      downgrade_reason: null,
      ack: null,
      ack_code: null,
      import_codes: j.codes,
      correction_pending: null,
      delivery: null,
      delivered_at: null,
      reminders: null,
      detail:
        `refused at import ${describeInstant(j.imported_at, zone)} (${j.file_name} line ${j.line}): ${j.codes.join(', ')}: ${j.message}` +
        (j.resolved ? '; resolved: the same key was imported successfully since' : ''),
    })),
  ];
  const who = registrant
    ? `Registrant ${registrant.goc_number} ${registrant.forenames} ${registrant.surname}`
    : completion
      ? `Completion ${completion.provider_ref}`
      : nothing
        ? null
        : `"${key}"`;
  return { key, gocNumber, who, completions: states.length, rejectedAtImport: rejects.filter((j) => !j.resolved).length, rows, nothing };
}

/** The columns a table of the trace shows (CSV and JSON carry every column). */
export const TRACE_TABLE_COLUMNS = ['provider_ref', 'event_ref', 'completed_on', 'points', 'state', 'batch', 'file', 'interactive', 'ack', 'detail'];

const HOW: Record<string, string> = {
  NON_INTERACTIVE: 'as non-interactive',
  INTERACTIVE: 'as interactive (both parties confirmed)',
  DOWNGRADE_14: 'downgraded to non-interactive (PEER_UNCONFIRMED_14_DAYS)',
  DOWNGRADE_CUTOFF: 'downgraded to non-interactive (PEER_UNCONFIRMED_AT_CUTOFF)',
};

function describeState(s: CompletionStateRow, zone: string, now: Date): string {
  const batch = `batch ${s.batch_seq ?? '(no number)'} ${s.batch_kind === 'FINAL' ? 'FINAL' : s.batch_period ?? ''} (${s.file_name ?? 'no file'})`;
  const carried = s.carried_interactive === null ? '' : s.carried_interactive ? ', interactive Y' : `, interactive N${s.downgrade_reason ? `, downgraded ${s.downgrade_reason}` : ''}`;
  let text: string;
  switch (s.state) {
    case 'ACCEPTED':
      text = `accepted by the regulator; carried in ${batch}${carried}`;
      break;
    case 'REJECTED':
      text = `rejected by the regulator: ${s.ack_code ?? ''} ${s.ack_message ?? ''} (in ${batch}); not corrected yet: an import that changes it sends it again`;
      break;
    case 'CARRIED':
      text = `carried in ${batch}${carried}${s.written_at ? '' : ', file not written yet'}; no acknowledgement read yet`;
      break;
    case 'HELD':
      text = `held for peer confirmation (${s.confirmations} of 2 confirmed) until the hold window ends ${s.hold_end ? describeInstant(s.hold_end, zone) : ''}`;
      break;
    case 'WAITING': {
      const final = s.final_cutoff && now >= s.final_cutoff;
      text = `ready: ${final ? `the FINAL batch of ${s.cycle} (cutoff passed; run \`cet-uploader upload final --cycle ${s.cycle}\`)` : `the next weekly batch of ${s.cycle}`} carries it ${HOW[s.decision ?? ''] ?? ''}`.trim();
      break;
    }
    case 'QUARANTINED':
      text = 'quarantined: it no longer passes the import checks (event approval dates, profession, registration, name); an import that sets it right releases it';
      break;
    case 'LATE':
      text = `LATE: cycle ${s.cycle} was sealed by its FINAL batch before it arrived (received ${describeInstant(s.received_at, zone)}); never uploaded: tell the registrant and the regulator`;
      break;
    case 'AFTER_CUTOFF':
      text = `AFTER_CUTOFF: completed at or after the final-upload cutoff of ${s.cycle} (${s.final_cutoff ? describeInstant(s.final_cutoff, zone) : ''}); never uploaded`;
      break;
    case 'NO_OPEN_CYCLE':
      text = `NO_OPEN_CYCLE: no configured cycle contains ${businessDate(s.completed_at, zone)}; it waits until one is added`;
      break;
    default:
      text = 'neither waiting nor carried: please report this';
  }
  if (s.correction_pending) text += `; corrected (revision ${s.revision}) after revision ${s.carried_revision} was rejected in ${batch}: ${s.ack_code ?? ''}`;
  return text;
}
