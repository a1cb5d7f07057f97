import { isUtf8 } from 'node:buffer';
import { Transform, type TransformCallback } from 'node:stream';
import type { Options } from 'csv-parse';
import { matchHeader } from '../domain/importHeader.ts';
import { CHECK_ROW, IMPORT_COLUMNS, OPTIONAL_COLUMNS, REPEAT_KEYS, type ImportKind } from '../domain/importRows.ts';
import { RAW_EXTRA_FIELDS_CAP, keepRaw, showBytes } from '../domain/rawText.ts';
import { copyField } from './copyText.ts';
import { SeenBefore } from './seenBefore.ts';
import { UnusableFileError } from './errors.ts';

const FLUSH_AT = 64 * 1024;
const LF = 0x0a;
const CR = 0x0d;

/** A file's header as StageRows read it: the names as written, and where each column is. */
export interface StagedHeader {
  header: string[];
  positions: number[];
  width: number;
}

/**
 * csv-parse's options for an import file: fields as text when the whole file is UTF-8
 * (utf8File.ts), otherwise as bytes, which StageRows decodes strictly (a row that is not UTF-8 is
 * rejected). A leading byte-order mark is dropped before (stripBom.ts).
 */
export function parseOptions(text: boolean): Options {
  return { encoding: text ? 'utf8' : null, bom: false, relax_column_count: true, relax_quotes: true, record_delimiter: ['\r\n', '\n', '\r'] };
}

/**
 * The filters of repeated keys for `kind`'s rows in a file of `fileBytes` (one per REPEAT_KEYS
 * entry); shareable with other threads when `share`, or made over the `shared` buffers of others.
 */
export function seenFilters(kind: ImportKind, fileBytes: number, options: { share?: boolean; shared?: SharedArrayBuffer[] } = {}): SeenBefore[] {
  // Rows are rarely shorter than 32 bytes: enough bits for every row of the file.
  const expectedRows = Math.ceil(fileBytes / 32);
  return REPEAT_KEYS[kind].map((_, i) => new SeenBefore(expectedRows, { share: options.share, shared: options.shared?.[i] }));
}

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
const SHORT = 1024;

/**
 * One field's bytes as text, in one pass that also counts its line breaks (CRLF, LF or CR):
 * ASCII (nearly every field) is turned into a string directly; anything else is checked to be
 * UTF-8 and decoded, or shown with its bad bytes as \xNN (`bad` then set).
 */
function decodeField(bytes: Uint8Array): { text: string; breaks: number; bad: boolean } {
  let breaks = 0;
  let ascii = true;
  const length = bytes.length;
  for (let i = 0; i < length; i++) {
    const b = bytes[i]!;
    if (b >= 0x80) ascii = false;
    else if (b === LF) breaks++;
    else if (b === CR && bytes[i + 1] !== LF) breaks++;
  }
  if (ascii) {
    const text = length <= SHORT ? String.fromCharCode.apply(null, bytes as unknown as number[]) : utf8.decode(bytes);
    return { text, breaks, bad: false };
  }
  if (isUtf8(bytes)) return { text: utf8.decode(bytes), breaks, bad: false };
  return { text: showBytes(bytes), breaks, bad: true };
}

/** The line breaks (CRLF, LF or CR) in a field's text. */
function countBreaks(text: string): number {
  if (text.indexOf('\n') < 0 && text.indexOf('\r') < 0) return 0;
  let breaks = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === LF) breaks++;
    else if (c === CR && text.charCodeAt(i + 1) !== LF) breaks++;
  }
  return breaks;
}

/**
 * Turns parsed CSV records (fields as bytes) into COPY text rows of the staging table: the
 * file's physical line number where the row starts, the row's own codes, and per column the
 * raw value (only when it differs from the normal form, to keep the COPY small; capped, see
 * rawText.ts) and the normal form. Records come as text when the whole file is UTF-8
 * (utf8File.ts), otherwise as bytes, decoded strictly field by field: a row holding bytes that
 * are not UTF-8 is rejected INVALID_ENCODING, never imported with the bytes replaced.
 */
export class StageRows extends Transform {
  readonly kind: ImportKind;
  readonly nowMs: number;
  /** The header as written in the file, once read. */
  header: string[] | null = null;
  positions: number[] = [];
  rows = 0;
  #width = 0;
  #nextLine = 1;
  #buffer = '';

  readonly #repeatKeys: (typeof REPEAT_KEYS)[ImportKind];
  readonly #seen: SeenBefore[];

  /**
   * `seen`: the filters of repeated keys, one per REPEAT_KEYS entry of the kind (seenFilters).
   * A part of a file after its first line (stageParallel.ts) starts at `part.firstLine`, its
   * header already read (`part.header`).
   */
  constructor(kind: ImportKind, nowMs: number, seen: SeenBefore[], part?: { firstLine: number; header: StagedHeader }) {
    super({ writableObjectMode: true, writableHighWaterMark: 256 });
    this.kind = kind;
    this.nowMs = nowMs;
    this.#repeatKeys = REPEAT_KEYS[kind];
    if (seen.length !== this.#repeatKeys.length) throw new Error(`${kind} rows need ${this.#repeatKeys.length} filters of repeated keys`);
    this.#seen = seen;
    if (part) {
      this.#nextLine = part.firstLine;
      this.header = part.header.header;
      this.positions = part.header.positions;
      this.#width = part.header.width;
    }
  }

  /** The header as read, for a StageRows that reads a later part of the same file. */
  get stagedHeader(): StagedHeader | null {
    return this.header === null ? null : { header: this.header, positions: this.positions, width: this.#width };
  }

  /** The physical line where the next record (or the record being read) starts. */
  get nextLine(): number {
    return this.#nextLine;
  }

  override _transform(record: Uint8Array[] | string[], _encoding: BufferEncoding, done: TransformCallback): void {
    const line = this.#nextLine;
    let breaks = 0;
    let badEncoding: Set<number> | null = null;
    const fields: string[] = new Array(record.length);
    for (let i = 0; i < record.length; i++) {
      const value = record[i]!;
      if (value.length === 0) {
        fields[i] = '';
        continue;
      }
      if (typeof value === 'string') {
        // A file already known to be UTF-8, parsed as text.
        breaks += countBreaks(value);
        fields[i] = value.trim();
        continue;
      }
      const field = decodeField(value);
      breaks += field.breaks;
      // Surrounding white space is trimmed from every field (import-files.md).
      fields[i] = field.text.trim();
      if (field.bad) (badEncoding ??= new Set()).add(i);
    }
    this.#nextLine += 1 + breaks;
    if (this.header === null) {
      if (badEncoding) return done(new UnusableFileError(`line ${line}, the header, holds bytes that are not UTF-8 (${fields.join(',')}); save the file as UTF-8`));
      const refused = this.#readHeader(fields);
      if (!refused) this.emit('header', this.stagedHeader);
      return done(refused);
    }
    if (record.length === 1 && record[0]!.length === 0) return done();
    this.rows++;
    this.#buffer += this.#stageLine(line, fields, badEncoding);
    if (this.#buffer.length >= FLUSH_AT) {
      this.push(this.#buffer);
      this.#buffer = '';
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.header === null) return done(new UnusableFileError('the file is empty: it has no header line'));
    if (this.#buffer) this.push(this.#buffer);
    this.#buffer = '';
    done();
  }

  #readHeader(record: string[]): Error | null {
    const columns = IMPORT_COLUMNS[this.kind];
    const match = matchHeader(record, columns, OPTIONAL_COLUMNS[this.kind]);
    if (!match.ok) {
      return new UnusableFileError(`${match.problems.join('; ')} (a ${this.kind} file has the columns ${columns.join(', ')})`);
    }
    this.header = record;
    this.positions = match.positions;
    this.#width = match.width;
    return null;
  }

  #stageLine(line: number, record: string[], badEncoding: Set<number> | null): string {
    const positions = this.positions;
    let codes: readonly string[];
    let values: ReadonlyArray<string | null>;
    let extra = '\\N';
    if (record.length === this.#width) {
      const fields = positions.map((p) => (p < 0 ? '' : record[p]!));
      ({ codes, values } = CHECK_ROW[this.kind](fields, this.nowMs));
      if (badEncoding) {
        // The bad bytes' field has no value; the other fields are still checked.
        codes = ['INVALID_ENCODING', ...codes];
        values = values.map((value, i) => (badEncoding.has(positions[i]!) ? null : value));
      }
    } else {
      codes = badEncoding ? ['INVALID_ENCODING', 'WRONG_FIELD_COUNT'] : ['WRONG_FIELD_COUNT'];
      values = [];
      if (record.length > this.#width) {
        const surplus = record.slice(this.#width, this.#width + RAW_EXTRA_FIELDS_CAP).map(keepRaw);
        const cut = record.length - this.#width - surplus.length;
        if (cut > 0) surplus.push(`…[cut: ${cut} more fields not kept]`);
        extra = copyField(JSON.stringify(surplus));
      }
    }
    // No normal form holds NUL (control characters are refused); never let one reach COPY.
    for (let i = 0; i < values.length; i++) {
      if (values[i]?.includes('\0')) {
        values = values.map((value) => (value?.includes('\0') ? null : value));
        break;
      }
    }
    // Bit i: the row's i-th repeat key was (probably) met before on another line: an earlier one,
    // or, when the file is parsed in two threads, one the other thread met first.
    let seen = 0;
    for (let i = 0; i < this.#repeatKeys.length; i++) {
      const columns = this.#repeatKeys[i]!;
      let whole = true;
      for (let c = 0; c < columns.length; c++) if (values[columns[c]!] == null) whole = false;
      if (whole && this.#seen[i]!.add(values, columns)) seen |= 1 << i;
    }
    let text = `${line}\t{${codes.join(',')}}\t${extra}\t${seen}`;
    for (let i = 0; i < positions.length; i++) {
      if (positions[i]! < 0) {
        text += '\t\\N\t\\N'; // a left-out optional column: nothing given
        continue;
      }
      const raw = record[positions[i]!] ?? null;
      const value = values[i] ?? null;
      text += `\t${raw === value ? '\\N' : copyField(raw === null ? null : keepRaw(raw))}\t${copyField(value)}`;
    }
    return `${text}\n`;
  }
}
