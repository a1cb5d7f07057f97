// Safe text (upload-file.md): in every CSV written for people to open, a value that begins with
// =, +, -, @, TAB or CR is written with a ' in front, so that a spreadsheet shows text and runs
// no formula. Then RFC 4180 quoting where needed.

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** The value with a ' in front when a spreadsheet would read it as a formula. */
export function safeText(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** A CSV field, made safe, then quoted the RFC 4180 way when it needs to be. */
export function safeTextField(value: string): string {
  const safe = safeText(value);
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
