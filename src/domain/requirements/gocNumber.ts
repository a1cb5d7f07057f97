// GOC numbers in their normal form (import-files.md): white space removed, upper-cased,
// with the hyphen put back when it was left out (d12345 -> D-12345).
const FORMS: ReadonlyArray<[RegExp, string]> = [
  [/^01-?(\d{5})$/, '01-'],
  [/^D-?(\d{4,5})$/, 'D-'],
  [/^CO-?(\d{5})$/, 'CO-'],
  [/^U-?(\d{4,5})$/, 'U-'],
];

/** The normal form of a GOC number, or null when it is not one. */
export function normaliseGocNumber(text: string): string | null {
  const compact = text.replace(/\s+/g, '').toUpperCase();
  for (const [pattern, prefix] of FORMS) {
    const match = pattern.exec(compact);
    if (match) return `${prefix}${match[1]}`;
  }
  return null;
}
