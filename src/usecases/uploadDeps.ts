import type pg from 'pg';
import type { Db } from '../db/database.ts';
import type { UploadFormat } from '../format/uploadFormat.ts';
import type { DeliveryWiring } from '../delivery/deliveryWiring.ts';

/** What the batch use cases need; wired by the entry points (CLI, worker). */
export interface UploadDeps {
  db: Db;
  pool: pg.Pool;
  format: UploadFormat;
  outboxDir: string;
  zone: string;
  holdDays: number;
  providerCode: string;
  /** The real clock, for the manifest's createdAt; business decisions take explicit instants. */
  clock: () => Date;
  /** Present when DELIVERY=sftp: written files are queued for delivery (src/delivery/). */
  delivery?: DeliveryWiring;
  /** Told, as an upload file is written, how many of its records are written (for progress on a terminal). */
  onFileProgress?: (progress: FileProgress) => void;
}

export interface FileProgress {
  file: string;
  written: number;
  records: number;
}
