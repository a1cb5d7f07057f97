import type { ColumnType, Generated, GeneratedAlways } from 'kysely';

// One interface per table (kysely's own example layout). Dates are kept as 'YYYY-MM-DD'
// strings (pg's date parser is switched off in database.ts), instants as Date.
type DateText = string;
type Instant = ColumnType<Date, Date | string, Date | string>;
type BigId = ColumnType<string, string | number | bigint, string | number | bigint>;

export interface CycleTable {
  id: Generated<number>;
  code: string;
  first_day: DateText;
  last_day: DateText;
  starts_at: Instant;
  ends_at: Instant;
  final_cutoff: Instant;
  created_at: Generated<Date>;
}

export interface ImportRunTable {
  id: Generated<string>;
  kind: 'registrants' | 'events' | 'completions' | 'confirmations';
  file_name: string;
  started_at: Instant;
  finished_at: Instant | null;
  inserted: Generated<number>;
  updated: Generated<number>;
  unchanged: Generated<number>;
  rejected: Generated<number>;
}

export interface ImportRejectTable {
  id: Generated<string>;
  import_id: BigId;
  line: number;
  row_key: string | null;
  codes: string[];
  message: string;
  raw: ColumnType<Record<string, string>, string, string>;
}

export type Profession = 'optometrist' | 'dispensing_optician';

export interface RegistrantTable {
  id: Generated<number>;
  goc_number: string;
  surname: string;
  forenames: string;
  profession: Profession;
  specialties: string[];
  updated_at: Instant;
  /** Added by migration 0005 (reminders); NULL: no address. */
  email: ColumnType<string | null, string | null | undefined, string | null>;
  /** Migration 0012: computed by PostgreSQL from surname (no control character in it). */
  surname_no_controls: GeneratedAlways<boolean>;
}

export interface RegistrationSpanTable {
  registrant_id: number;
  registered_from: DateText;
  registered_to: DateText | null;
}

export interface EventTable {
  id: Generated<number>;
  event_ref: string;
  title: string;
  points: number;
  category: 'general' | 'specialist';
  interactive: boolean;
  professions: Profession[];
  approved_from: DateText;
  approved_to: DateText;
  updated_at: Instant;
}

export interface CompletionTable {
  id: Generated<string>;
  provider_ref: string;
  registrant_id: number;
  event_id: number;
  completed_at: Instant;
  completed_on: DateText;
  received_at: Instant;
  revision: Generated<number>;
  changed_at: Instant;
}

export interface UploadPendingTable {
  completion_id: BigId;
}

export interface ConfirmationTable {
  completion_id: BigId;
  party: 'registrant' | 'peer';
  confirmed_at: Instant;
  peer_registrant_id: number;
}

export type BatchKind = 'WEEKLY' | 'FINAL';
export type BatchTrigger = 'scheduler' | 'catch-up' | 'manual';
export type DowngradeReason = 'PEER_UNCONFIRMED_14_DAYS' | 'PEER_UNCONFIRMED_AT_CUTOFF';

export interface BatchTable {
  id: Generated<string>;
  cycle_id: number;
  kind: BatchKind;
  period: string;
  cutoff: Instant;
  seq: number | null;
  provider_code: string;
  trigger: BatchTrigger;
  claimed_at: Instant;
  records: Generated<number>;
  points: Generated<number>;
  interactive_points: Generated<number>;
  downgraded: Generated<number>;
  file_name: string | null;
  sha256: string | null;
  bytes: ColumnType<string | null, number | null, number | null>;
  written_at: Instant | null;
}

export interface BatchItemTable {
  batch_id: BigId;
  completion_id: BigId;
  revision: number;
  provider_ref: string;
  goc_number: string;
  surname: string;
  event_ref: string;
  completed_on: DateText;
  points: number;
  category: 'G' | 'S';
  interactive: boolean;
  downgrade_reason: DowngradeReason | null;
  ack_status: 'ACCEPTED' | 'REJECTED' | null;
  ack_code: string | null;
  ack_message: string | null;
  ack_id: BigId | null;
}

export interface AckFileTable {
  id: Generated<string>;
  batch_id: BigId;
  file_name: string;
  sha256: string;
  received_at: Instant;
  accepted: number;
  rejected: number;
}

export interface Database {
  cycle: CycleTable;
  import_run: ImportRunTable;
  import_reject: ImportRejectTable;
  registrant: RegistrantTable;
  registration_span: RegistrationSpanTable;
  event: EventTable;
  completion: CompletionTable;
  upload_pending: UploadPendingTable;
  confirmation: ConfirmationTable;
  batch: BatchTable;
  batch_item: BatchItemTable;
  ack_file: AckFileTable;
  delivery: DeliveryTable;
  ack_fetch: AckFetchTable;
  reminder: ReminderTable;
  reminder_item: ReminderItemTable;
}

// Reminders (migration 0005, spec reminders.md).
export type ReminderKind = 'PEER_CONFIRMATION' | 'ACCEPT_PENDING_POINTS';
export type ReminderStatus = 'DUE' | 'SENT' | 'FAILED' | 'UNREACHABLE';
export type ReminderStage = 'MIDDLE' | 'BEFORE_DEADLINE' | 'UPLOADED';

export interface ReminderTable {
  id: Generated<string>;
  kind: ReminderKind;
  registrant_id: number;
  cycle_id: number;
  due_at: Instant;
  deadline: Instant;
  email: string | null;
  status: ReminderStatus;
  created_at: Instant;
  attempts: Generated<number>;
  last_error: string | null;
  message_id: string | null;
  sent_at: Instant | null;
  server_message_id: string | null;
}

export interface ReminderItemTable {
  reminder_id: BigId;
  completion_id: BigId;
  stage: ReminderStage;
  due_at: Instant;
  deadline: Instant;
}

// Console audit (migration 0004, issue 15). Declared as a merge of Database, so that tables
// added by parallel work each append their own block.
export interface ConsoleAuditTable {
  id: Generated<string>;
  at: ColumnType<Date, Date | string | undefined, never>;
  username: string;
  action: string;
  target: string | null;
  outcome: string;
  detail: string | null;
  remote_address: string | null;
}

export interface Database {
  console_audit: ConsoleAuditTable;
}

// Migration 0003 (delivery, issue 13).
export type DeliveryState = 'PENDING' | 'SENDING' | 'DELIVERED' | 'FAILED';

export interface DeliveryTable {
  batch_id: BigId;
  seq: number;
  state: Generated<DeliveryState>;
  attempts: Generated<number>;
  last_error: string | null;
  delivered_by: 'sftp' | 'found' | 'manual' | null;
  remote_path: string | null;
  bytes: ColumnType<string | null, number | null, number | null>;
  created_at: Generated<Date>;
  attempted_at: Instant | null;
  delivered_at: Instant | null;
  updated_at: Generated<Date>;
}

export interface AckFetchTable {
  id: Generated<string>;
  file_name: string;
  sha256: string;
  fetched_at: Instant;
  outcome: 'read' | 'already-read' | 'refused';
  problems: Generated<string[]>;
  local_path: string;
}
