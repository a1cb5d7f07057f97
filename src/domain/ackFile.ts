// The regulator's acknowledgement file, GOC-CET-ACK version 1 (upload-file.md): the checks
// that need nothing but the file itself. The checks against the batch (unknown, repeated and
// missing provider_refs) are set work and run in PostgreSQL (db/acks.ts), so a large batch is
// never held in memory.

export const ACK_HEADER = ['file', 'provider_ref', 'status', 'code', 'message'] as const;
export const ACK_STATUSES = ['ACCEPTED', 'REJECTED'] as const;
export type AckStatus = (typeof ACK_STATUSES)[number];

export interface AckLine {
  /** The line number in the file (the header is line 1). */
  line: number;
  file: string;
  providerRef: string;
  status: AckStatus;
  /** Null for an accepted record; the regulator's code and message are stored as given. */
  code: string | null;
  message: string | null;
}

/** Largest acknowledgement read (upload-file.md); a bigger file is refused unread. */
export const ACK_MAX_BYTES = 100 * 1024 * 1024;
const SHOWN_MAX = 60;

/**
 * An offending field as a message shows it: quoted, control characters as \xNN, cut after 60
 * characters; no message repeats the file's content beyond the offending field (upload-file.md).
 */
export function shownField(value: string): string {
  return `"${shownText(value)}"`;
}

/** The same without the quotes (for a provider_ref). */
export function shownText(value: string): string {
  const cut = value.length > SHOWN_MAX ? `${value.slice(0, SHOWN_MAX)}…` : value;
  return cut.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * A problem with the header, or null when it is exactly the expected one. The header as given
 * is not repeated: what is refused may be any file (a path mistyped as /etc/passwd).
 */
export function checkAckHeader(fields: readonly string[]): string | null {
  const given = fields.map((field) => field.trim());
  if (given.length === ACK_HEADER.length && given.every((field, i) => field === ACK_HEADER[i])) return null;
  const wrong = ACK_HEADER.flatMap((name, i) => (given[i] === name ? [] : [`column ${i + 1} is not "${name}"`]));
  const count = given.length === ACK_HEADER.length ? '' : `it has ${given.length} field${given.length === 1 ? '' : 's'}, not ${ACK_HEADER.length}; `;
  return `line 1: the header must be "${ACK_HEADER.join(',')}" (${count}${wrong.join(', ') || 'too many columns'}); is this an acknowledgement file?`;
}

/**
 * One data line: its problems, or the line itself. `expectedFile` is the file named by the
 * first data line, which every other line must repeat.
 */
export function checkAckLine(line: number, fields: readonly string[], expectedFile: string | null): { line: AckLine } | { problems: string[] } {
  if (fields.length !== ACK_HEADER.length) {
    return { problems: [`line ${line}: ${fields.length} fields where ${ACK_HEADER.length} are expected (${ACK_HEADER.join(',')})`] };
  }
  const [file, providerRef, status, code, message] = fields.map((field) => field.trim()) as [string, string, string, string, string];
  const problems: string[] = [];
  if (!file) problems.push(`line ${line}: no file name`);
  else if (expectedFile !== null && file !== expectedFile) {
    problems.push(`line ${line}: names the upload file ${shownField(file)}, but the first record names ${shownField(expectedFile)}; one acknowledgement answers one upload file`);
  }
  if (!providerRef) problems.push(`line ${line}: no provider_ref`);
  if (!(ACK_STATUSES as readonly string[]).includes(status)) {
    problems.push(`line ${line}: status ${shownField(status)} is neither ACCEPTED nor REJECTED`);
  } else if (status === 'REJECTED' && !code) {
    problems.push(`line ${line}: ${providerRef ? shownText(providerRef) : 'the record'} is REJECTED without a code`);
  }
  if (problems.length) return { problems };
  return {
    line: {
      line,
      file,
      providerRef,
      status: status as AckStatus,
      code: code || null,
      message: message || null,
    },
  };
}

const LISTED_MAX = 100;

/** The refusal message: every problem, one a line (the first 100 of a file with more). */
export function describeAckRefusal(fileName: string, problems: readonly string[]): string {
  const more = problems.length > LISTED_MAX ? `\n  … and ${problems.length - LISTED_MAX} more` : '';
  return `Acknowledgement ${fileName} refused whole; nothing was changed. ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n` +
    problems.slice(0, LISTED_MAX).map((problem) => `  - ${problem}`).join('\n') + more;
}
