const EVENT_REF = /^C-?(\d{5,6})$/;

/** The normal form of an event reference (`c12345` → `C-12345`), or null when it is not one. */
export function normaliseEventRef(text: string): string | null {
  const match = EVENT_REF.exec(text.replace(/\s+/g, '').toUpperCase());
  return match ? `C-${match[1]!}` : null;
}
