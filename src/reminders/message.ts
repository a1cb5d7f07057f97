import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import type { ReminderKind } from '../db/schema.ts';

// The text of a reminder: pure, no I/O, no clock. Plain text; it names only the registrant it
// goes to and their own completions (never a peer, never anyone else).

export interface PeerItem {
  eventRef: string;
  title: string;
  points: number;
  completedAt: Date;
  deadline: Date;
  registrantConfirmed: boolean;
  peerConfirmed: boolean;
}

export interface UploadedItem {
  eventRef: string;
  title: string;
  points: number;
  completedOn: string;
  interactive: boolean;
}

export interface ReminderContent {
  kind: ReminderKind;
  forenames: string;
  surname: string;
  cycleCode: string;
  /** The cycle's last day, YYYY-MM-DD (ACCEPT_PENDING_POINTS: accept before it ends). */
  cycleLastDay: string;
  peerItems: PeerItem[];
  uploadedItems: UploadedItem[];
}

export interface RenderedMessage {
  subject: string;
  text: string;
}

/** "12:00 on Thursday 30 December 2021", in the business zone. */
export function londonDeadline(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone }).setLocale('en-GB').toFormat("HH:mm 'on' cccc d LLLL yyyy");
}

/** "Friday 31 December 2021" for a YYYY-MM-DD date. */
export function londonDay(date: string): string {
  return DateTime.fromISO(date, { zone: 'UTC' }).setLocale('en-GB').toFormat('cccc d LLLL yyyy');
}

function points(n: number): string {
  return `${n} point${n === 1 ? '' : 's'}`;
}

function missing(item: PeerItem): string {
  if (!item.registrantConfirmed && !item.peerConfirmed) return 'your confirmation and your peer\'s confirmation';
  if (!item.registrantConfirmed) return 'your confirmation';
  return 'your peer\'s confirmation';
}

export function renderReminder(content: ReminderContent, providerName: string, zone: string): RenderedMessage {
  const greeting = `Dear ${content.forenames} ${content.surname},`;
  const signature = `${providerName}`;
  if (content.kind === 'PEER_CONFIRMATION') {
    const items = [...content.peerItems].sort((a, b) => a.deadline.getTime() - b.deadline.getTime() || a.eventRef.localeCompare(b.eventRef));
    const first = items[0]!;
    const lines = items.flatMap((item) => [
      `- ${item.title} (${item.eventRef}), ${points(item.points)}, completed ${londonDeadline(item.completedAt, zone)}`,
      `  Still needed: ${missing(item)}`,
      `  Deadline: ${londonDeadline(item.deadline, zone)}`,
    ]);
    const what = items.length === 1 ? 'this interactive CET' : `these ${items.length} interactive CET completions`;
    return {
      subject: `Interactive CET: confirm your peer interaction before ${londonDeadline(first.deadline, zone)}`,
      text: [
        greeting,
        '',
        'Interactive CET counts as interactive only when both you and your peer have confirmed the',
        `peer interaction. We are still waiting for confirmation of ${what}:`,
        '',
        ...lines,
        '',
        'Please make sure both confirmations are made, and that you see the on-screen confirmation,',
        'before the deadline (UK time). Otherwise the points will be awarded as non-interactive.',
        '',
        signature,
        '',
      ].join('\n'),
    };
  }
  const deadline = `before midnight on ${londonDay(content.cycleLastDay)}`;
  const items = [...content.uploadedItems].sort((a, b) => a.completedOn.localeCompare(b.completedOn) || a.eventRef.localeCompare(b.eventRef));
  const lines = items.length
    ? ['What we uploaded for you in the last six weeks of the cycle:', '', ...items.map((item) =>
        `- ${item.title} (${item.eventRef}), completed ${londonDay(item.completedOn)}: ${points(item.points)}, ${item.interactive ? 'interactive' : 'non-interactive'}`)]
    : ['We uploaded nothing for you in the last six weeks of the cycle; earlier uploads may still be pending.'];
  return {
    subject: `Accept your pending CET points ${deadline}`,
    text: [
      greeting,
      '',
      `We have uploaded your CET points for the ${content.cycleCode} cycle to the General Optical Council.`,
      'Uploaded points appear as "pending" in your GOC CET account, and they count towards your',
      `total only once you accept them. Please accept them in MyGOC ${deadline}.`,
      '',
      ...lines,
      '',
      signature,
      '',
    ].join('\n'),
  };
}

export interface ReminderKey {
  kind: ReminderKind;
  registrantId: number;
  cycleId: number;
  dueAt: Date;
}

/**
 * The Message-ID header, derived from the reminder's key alone: every attempt of one reminder
 * (including a repeat after a crash) carries the same one, and it holds no personal data.
 */
export function messageIdFor(key: ReminderKey, mailFrom: string): string {
  const digest = createHash('sha256')
    .update(`${key.kind}|${key.registrantId}|${key.cycleId}|${key.dueAt.toISOString()}`)
    .digest('hex')
    .slice(0, 32);
  const domain = /@([^>\s]+)>?\s*$/.exec(mailFrom)?.[1] ?? 'cet-uploader.invalid';
  return `<reminder.${key.kind.toLowerCase().replaceAll('_', '-')}.${digest}@${domain}>`;
}
