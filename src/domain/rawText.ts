// How the raw text of a bad import row is kept (import-files.md): bytes that are not UTF-8 are
// shown as \xNN, never replaced; NUL (which PostgreSQL text cannot hold) is shown as \x00; and a
// field is kept only up to a cap, the cut said in the value itself, so that one huge field or a
// million bad rows cannot grow memory or the rejects file without bound.

/** Characters of one raw field kept with a rejected row. More than any good field (a title: 200). */
export const RAW_FIELD_CAP = 1000;
/** Surplus fields (beyond the header's columns) kept with a rejected row. */
export const RAW_EXTRA_FIELDS_CAP = 20;

const hex = (byte: number) => `\\x${byte.toString(16).padStart(2, '0')}`;

/** The length of the valid UTF-8 sequence at `i`, or 0 when the byte there does not start one. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i]!;
  if (b0 < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < bytes.length && bytes[i + k]! >= lo && bytes[i + k]! <= hi;
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((b0 >= 0xe1 && b0 <= 0xec) || b0 === 0xee || b0 === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (b0 === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (b0 === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (b0 >= 0xf1 && b0 <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (b0 === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** Bytes that are not all UTF-8, as text: the valid parts decoded, each bad byte as \xNN. */
export function showBytes(bytes: Uint8Array): string {
  let out = '';
  let runStart = 0;
  let i = 0;
  while (i < bytes.length) {
    const length = sequenceLength(bytes, i);
    if (length > 0) {
      i += length;
      continue;
    }
    out += utf8.decode(bytes.subarray(runStart, i)) + hex(bytes[i]!);
    i += 1;
    runStart = i;
  }
  return out + utf8.decode(bytes.subarray(runStart));
}

/** Text that PostgreSQL can store, capped: NUL shown as \x00, the rest cut at RAW_FIELD_CAP. */
export function keepRaw(text: string): string {
  let kept = text;
  let cut = 0;
  if (text.length > RAW_FIELD_CAP) {
    let end = RAW_FIELD_CAP;
    // Never cut a surrogate pair in two.
    const last = text.charCodeAt(end - 1);
    if (last >= 0xd800 && last <= 0xdbff) end -= 1;
    kept = text.slice(0, end);
    cut = text.length - end;
  }
  if (kept.includes('\0')) kept = kept.replaceAll('\0', '\\x00');
  return cut ? `${kept}…[cut: ${cut} more characters not kept]` : kept;
}

/** How many bytes a sequence led by `b0` has, or 0 when `b0` cannot lead one. */
function expectedLength(b0: number): number {
  if (b0 < 0x80) return 1;
  if (b0 >= 0xc2 && b0 <= 0xdf) return 2;
  if (b0 >= 0xe0 && b0 <= 0xef) return 3;
  if (b0 >= 0xf0 && b0 <= 0xf4) return 4;
  return 0;
}

export type Utf8Scan =
  | { ok: true; incompleteFrom: number | null }
  | { ok: false; at: number; nul: boolean };

/**
 * Checks bytes that may be followed by more: the first NUL or byte that is not UTF-8, or where
 * a sequence cut by the end of the chunk starts (to be checked again with what follows).
 */
export function scanUtf8(bytes: Uint8Array): Utf8Scan {
  let i = 0;
  while (i < bytes.length) {
    const b0 = bytes[i]!;
    if (b0 === 0) return { ok: false, at: i, nul: true };
    const length = sequenceLength(bytes, i);
    if (length > 0) {
      i += length;
      continue;
    }
    const expected = expectedLength(b0);
    let cut = expected > 1 && i + expected > bytes.length;
    for (let k = i + 1; cut && k < bytes.length; k++) if (bytes[k]! < 0x80 || bytes[k]! > 0xbf) cut = false;
    if (cut) return { ok: true, incompleteFrom: i };
    return { ok: false, at: i, nul: false };
  }
  return { ok: true, incompleteFrom: null };
}
