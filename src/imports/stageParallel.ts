import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { Worker } from 'node:worker_threads';
import { parse } from 'csv-parse';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { ImportKind } from '../domain/importRows.ts';
import { failpoint } from '../files/failpoint.ts';
import { splitPoint, type Cut } from './splitPoint.ts';
import type { FromPart, PartData, ToPart } from './stagePartWorker.ts';
import { stageCopySql } from './stageSql.ts';
import type { SeenBefore } from './seenBefore.ts';
import { StageRows, parseOptions, seenFilters } from './stageRows.ts';
import { stripBom } from './stripBom.ts';

/**
 * The share of the file this thread parses: it also writes both parts' rows to PostgreSQL. At a
 * million rows (55 MB) the two parts ended within 0.2 s of each other at 0.45 and 0.5.
 */
const FIRST_PART = 0.47;

/**
 * Where a file of `size` bytes would be cut for stageInTwo (null: nothing to cut off). Read
 * before the import's transaction and lock are taken, as the UTF-8 check is.
 */
export function cutInTwo(file: string, size: number): Promise<Cut | null> {
  return splitPoint(file, Math.floor(size * FIRST_PART));
}

/**
 * Stages a UTF-8 file in two parts parsed at once, into the staging table import_stage (made
 * already): this thread parses the file up to `cut` (cutInTwo), a worker thread the rest
 * (stagePartWorker.ts); both write COPY text rows into the one COPY, and add keys to the same
 * filters of repeated keys (shared bits; seenBefore.ts says why that stays exact). Parsing is
 * what staging spends its time on (PostgreSQL ingests the rows several times faster), and a
 * second core does half of it.
 *
 * Returns the first part's StageRows (its header), or null when the two parts cannot be
 * trusted to be what one parse of the file would have made: the cut fell inside a quoted field
 * (the first part ends inside it), the parts' line numbers do not meet, or either part failed
 * for any reason. The caller then stages the whole file in one pass, as for a small file; its
 * rows copied here are rolled back first (a savepoint), so a file is never staged twice and
 * every error is reported as the one-pass parse reports it (its line numbers and words).
 */
export async function stageInTwo(
  client: pg.PoolClient,
  kind: ImportKind,
  file: string,
  { size, cut }: { size: number; cut: Cut },
  nowMs: number,
  onRead: (bytesRead: number) => void,
): Promise<StageRows | null> {
  const filters = seenFilters(kind, size, { share: true });
  const worker = new Worker(new URL('./stagePartWorker.ts', import.meta.url), {
    // Its live data is a few rows and the chunks in flight; left to grow, its heap took the
    // import of a million rows from ~140 to ~190 MB, at 16 MB ~160 MB (same time). Should a
    // pathological row ever not fit, the worker fails and the file is staged in one pass. Its
    // young generation as the main thread's (the bin's --max-semi-space-size=4: 3 x 4 MB): with
    // a worker's default, its part took ~25 % longer (more scavenges).
    resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 12 },
    workerData: {
      kind,
      file,
      start: cut.offset,
      firstLine: cut.line,
      nowMs,
      fileBytes: size,
      shared: filters.map((filter) => filter.buffer as SharedArrayBuffer),
    } satisfies PartData,
  });
  // Never what keeps the process alive, and always stopped when staging ends, however it ends.
  worker.unref();
  try {
    return await stageParts(client, kind, file, nowMs, onRead, { worker, cut, filters });
  } finally {
    await worker.terminate();
  }
}

async function stageParts(
  client: pg.PoolClient,
  kind: ImportKind,
  file: string,
  nowMs: number,
  onRead: (bytesRead: number) => void,
  { worker, cut, filters }: { worker: Worker; cut: Cut; filters: SeenBefore[] },
): Promise<StageRows | null> {
  const tell = (message: ToPart) => worker.postMessage(message);
  await client.query('SAVEPOINT stage_in_two');
  const copy = client.query(copyFrom(stageCopySql(kind)));
  let copyError: Error | null = null;
  copy.on('error', (error: Error) => {
    copyError ??= error;
  });
  const write = async (chunk: Buffer | Uint8Array): Promise<void> => {
    if (copyError) throw copyError;
    if (!copy.write(chunk)) await once(copy, 'drain');
  };

  // The worker's part: its chunks are written in the order they come, one at a time. The chain
  // never rejects: a failed write (the COPY failed: PostgreSQL lost, say) ends the worker's part
  // at once, since the worker would otherwise wait for the word that its chunks were written.
  let firstRead = 0;
  let secondRead = 0;
  let writes = Promise.resolve();
  let writeFailed = false;
  const second = new Promise<{ nextLine: number } | { failed: string }>((resolve) => {
    worker.on('message', (message: FromPart) => {
      if (message.type === 'rows') {
        writes = writes.then(async () => {
          if (writeFailed) return;
          try {
            await write(message.chunk);
            tell({ type: 'written' });
          } catch (error) {
            writeFailed = true;
            resolve({ failed: (error as Error).message });
          }
        });
      } else if (message.type === 'read') {
        secondRead = message.bytes;
        onRead(firstRead + secondRead);
      } else {
        // After every chunk it posted before.
        void writes.then(() => resolve(message.type === 'done' ? { nextLine: message.nextLine } : { failed: message.message }));
      }
    });
    worker.on('error', (error) => resolve({ failed: error.message }));
    worker.on('exit', (code) => resolve({ failed: `the worker stopped (exit code ${code})` }));
  });

  // This thread's part.
  const rows = new StageRows(kind, nowMs, filters);
  let started = false;
  rows.once('header', (header) => {
    started = true;
    tell({ type: 'header', header });
  });
  const input = createReadStream(file, { end: cut.offset - 1, highWaterMark: 64 * 1024 });
  input.on('data', () => {
    firstRead = input.bytesRead;
    onRead(firstRead + secondRead);
  });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      failpoint('import-copying-in-two')
        .then(() => write(chunk))
        .then(() => done(), done);
    },
  });
  const first = await pipeline(input, stripBom(), parse(parseOptions(true)), rows, sink).then(
    () => true,
    () => false,
  );
  // Only a first part read to its end outside a quoted field makes the cut a record boundary.
  // A worker that was given the header is let finish even so (it is as far on as this thread):
  // whatever it copied is then always there to roll back, not there or not by a race.
  const outcome = started ? await second : { failed: 'the first part failed before its header' };
  const whole = first && 'nextLine' in outcome && rows.nextLine === cut.line;
  // Nothing is written after this: the worker is done, or its chunks are skipped once a write failed.
  await writes;
  copy.end();
  const copied = await finished(copy).then(
    () => true,
    () => false,
  );
  if (whole && copied) {
    await client.query('RELEASE SAVEPOINT stage_in_two');
    return rows;
  }
  await client.query('ROLLBACK TO SAVEPOINT stage_in_two');
  await client.query('RELEASE SAVEPOINT stage_in_two');
  return null;
}
