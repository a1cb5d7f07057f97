import { Transform, type TransformCallback } from 'node:stream';
import { matchHeader } from '../domain/importHeader.ts';
import { CHECK_ROW, IMPORT_COLUMNS, OPTIONAL_COLUMNS, type ImportKind } from '../domain/importRows.ts';
import { copyField } from './copyText.ts';
import { UnusableFileError } from './errors.ts';

const FLUSH_AT = 64 * 1024;
const ODD = /[\0\r\n]/;
const LINE_BREAK = /\r\n|\r|\n/g;

/**
 * Turns parsed CSV records into COPY text rows of the staging table (see staging.ts): the
 * file's line number, the row's own codes, and per column the raw value (only when it differs
 * from the normal form, to keep the COPY small) and the normal form.
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

  constructor(kind: ImportKind, nowMs: number) {
    super({ writableObjectMode: true, writableHighWaterMark: 256 });
    this.kind = kind;
    this.nowMs = nowMs;
  }

  override _transform(record: string[], _encoding: BufferEncoding, done: TransformCallback): void {
    const line = this.#nextLine;
    let breaks = 0;
    for (let i = 0; i < record.length; i++) {
      const field = record[i]!;
      if (field.length && ODD.test(field)) {
        breaks += field.match(LINE_BREAK)?.length ?? 0;
        // PostgreSQL text cannot hold NUL; the row is refused for it anyway (a control character).
        if (field.includes('\0')) record[i] = field.replaceAll('\0', '\uFFFD');
      }
    }
    this.#nextLine += 1 + breaks;
    if (this.header === null) return done(this.#readHeader(record));
    if (record.length === 1 && record[0] === '') return done();
    this.rows++;
    this.#buffer += this.#stageLine(line, record);
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

  #stageLine(line: number, record: string[]): string {
    const positions = this.positions;
    let codes: readonly string[];
    let values: ReadonlyArray<string | null>;
    let extra = '\\N';
    if (record.length === this.#width) {
      const fields = positions.map((p) => (p < 0 ? '' : record[p]!.trim()));
      ({ codes, values } = CHECK_ROW[this.kind](fields, this.nowMs));
    } else {
      codes = ['WRONG_FIELD_COUNT'];
      values = [];
      if (record.length > this.#width) extra = copyField(JSON.stringify(record.slice(this.#width)));
    }
    let text = `${line}\t{${codes.join(',')}}\t${extra}`;
    for (let i = 0; i < positions.length; i++) {
      if (positions[i]! < 0) {
        text += '\t\\N\t\\N'; // a left-out optional column: nothing given
        continue;
      }
      const raw = record[positions[i]!] ?? null;
      const value = values[i] ?? null;
      text += `\t${raw === value ? '\\N' : copyField(raw)}\t${copyField(value)}`;
    }
    return `${text}\n`;
  }
}
