import { batchFileRecords } from '../db/writtenFiles.ts';
import type { StatusWarning, WarningSource } from '../status/collectStatus.ts';
import { checkFile } from './checkFile.ts';

/** status warns while a recorded upload file is missing from the outbox or differs from its record. */
export const outboxFileWarnings: WarningSource = async (db, at) => {
  if (!at.outboxDir) return [];
  const warnings: StatusWarning[] = [];
  for (const record of await batchFileRecords(db)) {
    if (!record.writtenAt || !record.sha256) continue;
    const check = await checkFile(at.outboxDir, { fileName: record.fileName, sha256: record.sha256, bytes: record.bytes });
    if (check === 'ok') continue;
    const what = `the upload file ${record.fileName} of batch ${record.seq} (${record.kind === 'FINAL' ? 'FINAL' : `WEEKLY ${record.period}`}, cycle ${record.cycle})`;
    warnings.push(
      check === 'missing'
        ? { code: 'FILE_MISSING', message: `${what} is missing from the outbox: run \`cet-uploader verify\` to write it again from the batch's snapshot.` }
        : { code: 'FILE_ALTERED', message: `${what} differs from its recorded SHA-256 or size: run \`cet-uploader verify\` to move it aside and write it again.` },
    );
  }
  return warnings;
};
