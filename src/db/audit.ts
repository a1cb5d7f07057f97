import type { Db } from './database.ts';

/** What the console records (console.md, "Audit"). */
export type AuditAction = 'LOGIN' | 'LOGIN_FAILED' | 'LOGOUT' | 'FINAL' | 'DELIVERY_RETRY' | 'DELIVERY_MARK' | 'REFUSED';

export interface AuditEntry {
  username: string;
  action: AuditAction;
  target?: string | null;
  /** ok, refused, failed, … */
  outcome: string;
  detail?: string | null;
  remoteAddress?: string | null;
  at?: Date;
}

export async function recordAudit(db: Db, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('console_audit')
    .values({
      username: entry.username.slice(0, 128),
      action: entry.action,
      target: entry.target ?? null,
      outcome: entry.outcome,
      detail: entry.detail?.slice(0, 2000) ?? null,
      remote_address: entry.remoteAddress ?? null,
      ...(entry.at ? { at: entry.at } : {}),
    })
    .execute();
}

export interface AuditRow {
  id: string;
  at: Date;
  username: string;
  action: string;
  target: string | null;
  outcome: string;
  detail: string | null;
  remote_address: string | null;
}

/** Newest first. */
export function listAudit(db: Db, options: { limit?: number; offset?: number } = {}): Promise<AuditRow[]> {
  let query = db.selectFrom('console_audit').selectAll().orderBy('id', 'desc');
  if (options.limit !== undefined) query = query.limit(options.limit).offset(options.offset ?? 0);
  return query.execute();
}

export async function countAudit(db: Db): Promise<number> {
  const row = await db.selectFrom('console_audit').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}
