// EXPLAIN (ANALYZE, BUFFERS) of the read side of a weekly claim: the same SQL the claim runs
// (pendingDecisionsSql of src/db/readiness.ts), with the claim's filter and order.

import { sql } from 'kysely';
import { openDatabase } from '../src/db/database.ts';
import { pendingDecisionsSql } from '../src/db/readiness.ts';

export async function explainClaim(url: string, window: { cycleStartsAt: Date; cutoff: Date; holdDays: number }): Promise<{ plan: string; ms: number }> {
  const handle = openDatabase(url, { max: 1 });
  try {
    const query = sql<{ 'QUERY PLAN': string }>`EXPLAIN (ANALYZE, BUFFERS)
      SELECT d.* FROM (${pendingDecisionsSql({ ...window, isFinal: false })}) AS d
       WHERE d.valid AND d.decision <> 'HELD'
       ORDER BY d.event_ref, d.goc_number, d.provider_ref`;
    const { rows } = await query.execute(handle.db);
    const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
    const ms = Number(/Execution Time: ([\d.]+) ms/.exec(plan)?.[1] ?? NaN);
    return { plan, ms };
  } finally {
    await handle.close();
    // Kysely's destroy ends the pool only if Kysely used it; end it ourselves otherwise.
    if (!handle.pool.ended) await handle.pool.end().catch(() => {});
  }
}
