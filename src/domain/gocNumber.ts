import type { Profession } from './importValues.ts';

// 01- optometrist, D- dispensing optician, CO- (either), U- a temporary number for a
// registrant restoring to the register (either). The hyphen is often lost in exports.
const GOC_NUMBER = /^(01|D|CO|U)-?(\d{4,5})$/;

/** The normal form of a GOC number (`d12345` → `D-12345`), or null when it is not one. */
export function normaliseGocNumber(text: string): string | null {
  const compact = text.replace(/\s+/g, '').toUpperCase();
  const match = GOC_NUMBER.exec(compact);
  if (!match) return null;
  const prefix = match[1]!;
  const digits = match[2]!;
  if ((prefix === '01' || prefix === 'CO') && digits.length !== 5) return null;
  return `${prefix}-${digits}`;
}

/** The profession a normalised GOC number implies, or null when the number allows either. */
export function professionOfGocNumber(gocNumber: string): Profession | null {
  if (gocNumber.startsWith('01-')) return 'optometrist';
  if (gocNumber.startsWith('D-')) return 'dispensing_optician';
  return null;
}
