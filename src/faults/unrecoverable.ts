/**
 * Errors that retrying a job cannot fix, worded with what the operator must do; null for the
 * ones worth retrying (a lost connection, a timeout, a deadlock…), which BullMQ retries with back-off.
 */
export function unrecoverableReason(error: unknown): string | null {
  const e = error as { code?: string; message?: string; constraint?: string; table?: string } | null;
  const code = e?.code ?? '';
  const text = (e?.message ?? String(error)).split('\n')[0] ?? '';
  if (code === '3D000') return `PostgreSQL has no such database (${text}). Run \`cet-uploader migrate\` first; it creates it.`;
  if (['42P01', '42703', '42883', '3F000'].includes(code)) return `The database schema is missing or old (${text}). Run \`cet-uploader migrate\`.`;
  if (code === '28P01' || code === '28000') return `PostgreSQL refused the login (${text}). Check the user and password in DATABASE_URL.`;
  // Integrity constraints: the data, not the moment, is wrong.
  if (code.startsWith('23')) {
    return `PostgreSQL refused the change: constraint ${e?.constraint ?? '?'}${e?.table ? ` on ${e.table}` : ''} (${text}). The data must be corrected before the job can run; see \`cet-uploader status\`.`;
  }
  if ((error as Error)?.name === 'RewriteMismatchError') return text;
  return null;
}
