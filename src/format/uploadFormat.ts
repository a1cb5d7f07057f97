import type { RawBuilder } from 'kysely';

/** What a batch's header and trailer need; the details come from its snapshot rows. */
export interface BatchForFile {
  provider: string;
  seq: number;
  cycle: string;
  kind: 'WEEKLY' | 'FINAL';
  cutoff: Date;
  /** Business-zone date of the cutoff, YYYY-MM-DD. */
  cutoffDate: string;
  records: number;
  points: number;
  interactivePoints: number;
}

/** One carried completion, as snapshotted in batch_item. */
export interface DetailRecord {
  providerRef: string;
  gocNumber: string;
  surname: string;
  eventRef: string;
  completedOn: string;
  points: number;
  category: 'G' | 'S';
  interactive: boolean;
}

/**
 * A regulator file format. The pipeline only talks to this interface, so a second format is a
 * second implementation. Detail lines are written by PostgreSQL's COPY (detailFieldsSql, in CSV
 * format) so that a million records stream straight from the database; renderDetail is the
 * same rule in TypeScript, and the tests prove the two byte-identical.
 */
export interface UploadFormat {
  readonly name: string;
  readonly version: number;
  fileName(batch: Pick<BatchForFile, 'provider' | 'seq' | 'cutoffDate'>): string;
  header(batch: BatchForFile): string;
  /**
   * The SQL select list over batch_item aliased `bi` whose fields, written by COPY in CSV format
   * (comma-separated, quoted only where needed, each row ended by LF), make one detail line.
   */
  detailFieldsSql(): RawBuilder<unknown>;
  /** The SQL ORDER BY list over `bi` that puts detail lines in file order. */
  detailOrderSql(): RawBuilder<unknown>;
  renderDetail(record: DetailRecord): string;
  trailer(batch: BatchForFile): string;
  readonly lineEnd: string;
}
