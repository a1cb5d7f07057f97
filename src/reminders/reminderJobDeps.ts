import type { Queue } from 'bullmq';
import type { Db } from '../db/database.ts';
import type { SendDeps } from './sendReminder.ts';

/** What the reminders' jobs need; wired by the entry points (worker, remind). */
export interface ReminderJobDeps {
  db: Db;
  holdDays: number;
  /** DELIVERY=sftp: ACCEPT_PENDING_POINTS waits for the FINAL file's delivery. */
  finalDelivered: boolean;
  /** The reminders queue, for the send jobs a tick creates. */
  queue: Queue;
  sendOptions: SendJobOptions;
  /** Absent without SMTP_URL: reminders are computed and listed, not sent. */
  send?: SendDeps;
}

export interface SendJobOptions {
  attempts: number;
  retryDelayMs: number;
}

export type ReminderJobResult = { created: number; queued: number } | { outcome: string };
