// A worker thread's half of staging a file in two (stageParallel.ts): it parses the file from a
// byte offset to its end with its own csv-parse and StageRows, adds keys to the filters of
// repeated keys the main thread shares with it, and posts the COPY text rows back in chunks;
// the main thread writes them into the one COPY. At most CHUNKS_IN_FLIGHT chunks wait to be
// written: the worker pauses until the main thread says one was, so memory stays flat when
// PostgreSQL is slower than parsing.

import { createReadStream } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { parse } from 'csv-parse';
import type { ImportKind } from '../domain/importRows.ts';
import { StageRows, parseOptions, seenFilters, type StagedHeader } from './stageRows.ts';

export interface PartData {
  kind: ImportKind;
  file: string;
  /** Byte offset where the part starts: just after an LF. */
  start: number;
  /** The physical line that starts there. */
  firstLine: number;
  nowMs: number;
  /** The file's size, which sizes the filters (as the main thread sized them). */
  fileBytes: number;
  /** The bits of the filters of repeated keys, shared with the main thread. */
  shared: SharedArrayBuffer[];
}

/** To the worker: the header the first part read, then one `written` per chunk written. */
export type ToPart = { type: 'header'; header: StagedHeader } | { type: 'written' };

/** From the worker. */
export type FromPart =
  | { type: 'rows'; chunk: Uint8Array }
  | { type: 'read'; bytes: number }
  | { type: 'done'; nextLine: number }
  | { type: 'failed'; message: string };

const CHUNKS_IN_FLIGHT = 8;

const port = parentPort!;
const data = workerData as PartData;
let inFlight = 0;
let resume: (() => void) | null = null;

port.on('message', (message: ToPart) => {
  if (message.type === 'header') void run(message.header);
  else {
    inFlight--;
    const go = resume;
    resume = null;
    go?.();
  }
});

async function run(header: StagedHeader): Promise<void> {
  const rows = new StageRows(data.kind, data.nowMs, seenFilters(data.kind, data.fileBytes, { shared: data.shared }), {
    firstLine: data.firstLine,
    header,
  });
  const input = createReadStream(data.file, { start: data.start, highWaterMark: 64 * 1024 });
  input.on('data', () => post({ type: 'read', bytes: input.bytesRead }));
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      // A chunk with its own memory is handed over, not copied.
      const whole = chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength;
      const bytes = whole ? chunk : Uint8Array.prototype.slice.call(chunk);
      port.postMessage({ type: 'rows', chunk: bytes } satisfies FromPart, [bytes.buffer as ArrayBuffer]);
      inFlight++;
      if (inFlight < CHUNKS_IN_FLIGHT) done();
      else resume = () => done();
    },
  });
  try {
    // No byte-order mark is dropped here: the part starts mid-file, where those bytes are data.
    await pipeline(input, parse(parseOptions(true)), rows, sink);
    post({ type: 'done', nextLine: rows.nextLine });
  } catch (error) {
    post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  }
}

function post(message: FromPart): void {
  port.postMessage(message);
}
