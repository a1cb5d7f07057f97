import { sql } from 'kysely';
import { safeTextField } from './safeText.ts';
import type { BatchForFile, DetailRecord, UploadFormat } from './uploadFormat.ts';

// GOC-CET-UPLOAD version 1 (upload-file.md): CSV, CRLF after every record, RFC 4180 quoting
// only where needed, surnames made safe against spreadsheet formulas.

export { safeTextField } from './safeText.ts';

const CRLF = '\r\n';

export const gocCetUpload: UploadFormat = {
  name: 'GOC-CET-UPLOAD',
  version: 1,
  lineEnd: CRLF,

  fileName({ provider, seq, cutoffDate }) {
    return `CET_${provider}_${String(seq).padStart(6, '0')}_${cutoffDate.replaceAll('-', '')}.csv`;
  },

  header(batch: BatchForFile) {
    return `H,GOC-CET-UPLOAD,1,${batch.provider},${batch.seq},${batch.cycle},${batch.kind},${batch.cutoff.toISOString()}${CRLF}`;
  },

  renderDetail(record: DetailRecord) {
    return [
      'D',
      record.providerRef,
      record.gocNumber,
      safeTextField(record.surname),
      record.eventRef,
      record.completedOn,
      String(record.points),
      record.category,
      record.interactive ? 'Y' : 'N',
    ].join(',');
  },

  // provider_ref, goc_number and event_ref are restricted to [A-Za-z0-9_-] by the import, so
  // only the surname can need quoting, and COPY's CSV quoting is safeTextField's: a field is
  // quoted when it holds a comma, a double quote, CR or LF, its quotes doubled. (COPY would
  // also quote an empty string; no field here is ever empty: the import refuses an empty name.)
  // Keep this in step with renderDetail (a test runs both through COPY).
  detailFieldsSql() {
    return sql`'D', bi.provider_ref, bi.goc_number,
      CASE WHEN left(bi.surname, 1) IN ('=', '+', '-', '@', chr(9), chr(13)) THEN '''' || bi.surname ELSE bi.surname END,
      bi.event_ref, to_char(bi.completed_on, 'YYYY-MM-DD'), bi.points, bi.category,
      CASE WHEN bi.interactive THEN 'Y' ELSE 'N' END`;
  },

  detailOrderSql() {
    return sql`bi.event_ref, bi.goc_number, bi.provider_ref`;
  },

  trailer(batch: BatchForFile) {
    return `T,${batch.records},${batch.points},${batch.interactivePoints}${CRLF}`;
  },
};
