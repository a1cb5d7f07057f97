// domain-rules.md restated in plain TypeScript, as the property tests' oracle: which batch
// carries a completion and how, given the batches' cutoffs in order.

const DAY = 86_400_000;

export interface OracleCompletion {
  ref: string;
  interactive: boolean;
  completedAt: number;
  registrantConfirmedAt?: number;
  peerConfirmedAt?: number;
}

export interface OracleBatch {
  name: string;
  cutoff: number;
  isFinal: boolean;
}

export type OracleOutcome = { batch: string; interactive: boolean; reason: string | null } | null;

export function expectedOutcome(c: OracleCompletion, batches: OracleBatch[], cycleCutoff: number, holdDays = 14): OracleOutcome {
  for (const batch of batches) {
    const cutoff = Math.min(batch.cutoff, cycleCutoff);
    if (c.completedAt >= cutoff) continue;
    if (!c.interactive) return { batch: batch.name, interactive: false, reason: null };
    const holdEnd = c.completedAt + holdDays * DAY;
    const limit = Math.min(cutoff, holdEnd);
    const confirmed = (at?: number) => at !== undefined && at < limit;
    if (confirmed(c.registrantConfirmedAt) && confirmed(c.peerConfirmedAt)) return { batch: batch.name, interactive: true, reason: null };
    if (holdEnd <= cutoff) return { batch: batch.name, interactive: false, reason: 'PEER_UNCONFIRMED_14_DAYS' };
    if (batch.isFinal) return { batch: batch.name, interactive: false, reason: 'PEER_UNCONFIRMED_AT_CUTOFF' };
  }
  return null;
}
