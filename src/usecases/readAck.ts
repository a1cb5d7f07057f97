import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { CsvError, parse } from 'csv-parse';
import { ACK_MAX_BYTES, checkAckHeader, checkAckLine } from '../domain/ackFile.ts';
import { NotUtf8Error, strictUtf8 } from '../files/strictUtf8.ts';
import { ackMismatches, applyAck, createAckStaging, findAckOfBatch, lockBatchByFileName, stageAckLines, type AckTarget, type EarlierAck, type StagedAckLine } from '../db/acks.ts';
import type { Db } from '../db/database.ts';

export type AckResult =
  | { outcome: 'read'; ackFile: string; uploadFile: string; seq: number | null; accepted: number; rejected: number }
  | { outcome: 'already-read'; ackFile: string; uploadFile: string; seq: number | null; earlier: EarlierAck }
  | { outcome: 'refused'; ackFile: string; problems: string[] };

const STAGE_CHUNK = 1000;

/** Thrown inside the transaction so that a refusal rolls back whatever was staged. */
class Refusal extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super('refused');
    this.problems = problems;
  }
}

/** The path is not a regular file (missing, a directory, a device, a pipe): a usage mistake. */
export class NotARegularFileError extends Error {}

// Every read goes through the one descriptor checked here, from its start, never past the cap.
const readFrom = (file: FileHandle) => file.createReadStream({ start: 0, end: ACK_MAX_BYTES, autoClose: false });

async function sha256Of(file: FileHandle): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(readFrom(file), hash);
  return hash.digest('hex');
}

/**
 * Opens the path without blocking (a FIFO or device opens at once) and makes sure it is a
 * regular file; /dev/zero, a directory or a pipe is refused before a byte is read.
 */
async function openRegularFile(filePath: string): Promise<FileHandle> {
  const file = await open(filePath, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new NotARegularFileError(`No file ${filePath}.`);
    throw error;
  });
  const info = await file.stat();
  if (info.isFile()) return file;
  await file.close();
  const what = info.isDirectory() ? 'a directory' : info.isCharacterDevice() || info.isBlockDevice() ? 'a device' : info.isFIFO() ? 'a pipe' : info.isSocket() ? 'a socket' : 'not a file';
  throw new NotARegularFileError(`${filePath} is ${what}, not a regular file; give the path of the acknowledgement file itself.`);
}

const CSV_PROBLEMS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed',
  CSV_INVALID_CLOSING_QUOTE: 'a closing quote is followed by something other than a comma or the end of the line',
  CSV_INVALID_OPENING_QUOTE: 'a quote appears inside a field that does not begin with one',
};

/**
 * Reads one GOC-CET-ACK file. The whole file is checked before anything changes; a file with
 * any problem is refused with all of them. The same file again (same SHA-256 for the batch)
 * changes nothing. A different acknowledgement for a batch already acknowledged is refused:
 * an accepted record is final (domain-rules.md), so a second answer cannot silently overwrite
 * the first; the operator is told which file was read before.
 */
export async function readAck(db: Db, filePath: string, receivedAt: Date): Promise<AckResult> {
  const ackFile = path.basename(filePath);
  const file = await openRegularFile(filePath);
  try {
    const size = (await file.stat()).size;
    if (size > ACK_MAX_BYTES) {
      return { outcome: 'refused', ackFile, problems: [`the file has ${size} bytes, more than the ${ACK_MAX_BYTES / 1024 / 1024} MB an acknowledgement may have`] };
    }
    return await readOpenAck(db, file, ackFile, receivedAt);
  } finally {
    await file.close();
  }
}

async function readOpenAck(db: Db, file: FileHandle, ackFile: string, receivedAt: Date): Promise<AckResult> {
  const sha256 = await sha256Of(file);
  try {
    return await db.transaction().execute(async (trx) => {
      const problems: string[] = [];
      let headerSeen = false;
      let expectedFile: string | null = null;
      let target: AckTarget | undefined;
      let buffer: StagedAckLine[] = [];
      let dataLines = 0;
      // Strictly UTF-8, NUL refused, before the CSV parser sees a byte; a failure ends the parse.
      const parser = parse({ bom: true, relax_column_count: true, skip_empty_lines: true, info: true });
      pipeline(readFrom(file), strictUtf8(), parser).catch(() => {});
      for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
        if (!headerSeen) {
          headerSeen = true;
          const problem = checkAckHeader(record);
          // Without the right header the lines cannot be read with confidence.
          if (problem) throw new Refusal([problem]);
          continue;
        }
        dataLines += 1;
        if (expectedFile === null && record[0]?.trim()) {
          expectedFile = record[0].trim();
          target = await lockBatchByFileName(trx, expectedFile);
          if (!target) {
            problems.push(`line ${info.lines}: names the upload file "${expectedFile}", which this system did not write (no batch has that file name)`);
          } else {
            const earlier = await findAckOfBatch(trx, target.batchId);
            if (earlier?.sha256 === sha256) {
              return { outcome: 'already-read' as const, ackFile, uploadFile: target.fileName, seq: target.seq, earlier };
            }
            if (earlier) {
              throw new Refusal([
                `batch ${target.seq} (${target.fileName}) was already acknowledged by ${earlier.fileName}, read ${earlier.receivedAt.toISOString()} ` +
                  `(${earlier.accepted} accepted, ${earlier.rejected} rejected); a different acknowledgement for it is not read. ` +
                  'If the regulator re-issued its answer, ask it which one stands.',
              ]);
            }
            await createAckStaging(trx);
          }
        }
        const checked = checkAckLine(info.lines, record, expectedFile);
        if ('problems' in checked) problems.push(...checked.problems);
        // A line with problems is still staged by its provider_ref, so that the unknown,
        // repeated and missing checks see the whole file; nothing is applied after a problem.
        const staged = 'line' in checked ? checked.line : { line: info.lines, providerRef: record[1]?.trim() ?? '', status: record[2]?.trim() ?? '', code: null, message: null };
        if (!target || !staged.providerRef) continue;
        buffer.push(staged);
        if (buffer.length >= STAGE_CHUNK) {
          await stageAckLines(trx, buffer);
          buffer = [];
        }
      }
      if (!headerSeen) throw new Refusal(['the file is empty: no header, no records']);
      if (dataLines === 0 || expectedFile === null) throw new Refusal([...problems, 'the file names no upload file: it has no records with a file name']);
      if (target) {
        await stageAckLines(trx, buffer);
        problems.push(...(await ackMismatches(trx, target)));
      }
      if (problems.length) throw new Refusal(problems);
      const counts = await applyAck(trx, target!, { fileName: ackFile, sha256, receivedAt });
      return { outcome: 'read' as const, ackFile, uploadFile: target!.fileName, seq: target!.seq, accepted: counts.accepted, rejected: counts.rejected };
    });
  } catch (error) {
    if (error instanceof Refusal) return { outcome: 'refused', ackFile, problems: error.problems };
    if (error instanceof NotUtf8Error) {
      return { outcome: 'refused', ackFile, problems: [`${error.message}: an acknowledgement is UTF-8 text (RFC 4180 CSV), without NUL`] };
    }
    if (error instanceof CsvError) {
      // Named by its code and line, never by csv-parse's message, which may quote the content.
      const problem = CSV_PROBLEMS[error.code] ?? error.code;
      return { outcome: 'refused', ackFile, problems: [`not readable as CSV (RFC 4180): ${problem} (line ${error.lines})`] };
    }
    throw error;
  }
}
