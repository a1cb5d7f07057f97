import { sql } from 'kysely';
import type { Db } from './database.ts';
import { completionStatesSql, type CompletionState, type CompletionStateRow, type StatesAt } from './completionStates.ts';

/** The completions in some states at `now`, in a stable order; extra is a further SQL condition on `s`. */
export async function completionsInStates(
  db: Db,
  at: StatesAt,
  states: readonly CompletionState[],
  extra = sql<boolean>`true`,
): Promise<CompletionStateRow[]> {
  const { rows } = await sql<CompletionStateRow>`
    SELECT * FROM (${await completionStatesSql(db, at)}) AS s
     WHERE s.state = ANY (${states}::text[]) AND ${extra}
     ORDER BY s.completed_at, s.provider_ref`.execute(db);
  return rows;
}

/** How many completions are in each state at `now`. */
export async function countStates(db: Db, at: StatesAt): Promise<Map<CompletionState, number>> {
  const { rows } = await sql<{ state: CompletionState; n: string }>`
    SELECT s.state, count(*) AS n FROM (${await completionStatesSql(db, at)}) AS s GROUP BY s.state`.execute(db);
  return new Map(rows.map((r) => [r.state, Number(r.n)]));
}

/** Ready completions not yet carried whose ready day is on or before `readyOnOrBefore`. */
export function slaCandidates(db: Db, at: StatesAt, readyOnOrBefore: string): Promise<CompletionStateRow[]> {
  return completionsInStates(db, at, ['WAITING', 'QUARANTINED'], sql<boolean>`s.ready_on::date <= ${readyOnOrBefore}::date`);
}
