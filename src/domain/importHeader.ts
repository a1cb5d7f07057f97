// The columns a rejects file puts before the original ones; a fixed rejects file can be
// imported again as it is, so these are skipped when they lead the header.
export const REJECTS_FILE_COLUMNS = ['line', 'codes', 'message'] as const;

export type HeaderMatch =
  | { ok: true; positions: number[]; width: number }
  | { ok: false; problems: string[] };

/**
 * Where each of `columns` is in the header (any order, names compared without regard to case);
 * or every problem: a missing, unknown or repeated column makes the file unusable.
 */
export function matchHeader(header: readonly string[], columns: readonly string[], optional: readonly string[] = []): HeaderMatch {
  const names = header.map((name) => name.trim().toLowerCase());
  const skipped = REJECTS_FILE_COLUMNS.every((name, i) => names[i] === name) ? REJECTS_FILE_COLUMNS.length : 0;
  const problems: string[] = [];
  const seen = new Map<string, number>();
  names.forEach((name, i) => {
    if (i < skipped) return;
    if (!columns.includes(name)) problems.push(`unknown column "${header[i]}"`);
    else if (seen.has(name)) problems.push(`column "${name}" appears twice`);
    else seen.set(name, i);
  });
  for (const column of columns) if (!seen.has(column) && !optional.includes(column)) problems.push(`missing column "${column}"`);
  if (problems.length) return { ok: false, problems };
  // A left-out optional column has position -1.
  return { ok: true, positions: columns.map((column) => seen.get(column) ?? -1), width: header.length };
}
