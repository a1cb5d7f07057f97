import { sql, type RawBuilder } from 'kysely';
import { REGISTRANTS_WITH_SPANS } from './registrantSpans.ts';

/**
 * How a pending completion stands at a batch's cutoff C (domain-rules.md, "Which completions a
 * batch carries"):
 *   NON_INTERACTIVE  its event is not interactive: ready at once
 *   INTERACTIVE      both parties confirmed before min(C, end of hold window)
 *   DOWNGRADE_14     hold window ended (completed_at + hold <= C) without both confirmations
 *   DOWNGRADE_CUTOFF still unconfirmed, and this is the cycle's FINAL batch
 *   HELD             still waiting for confirmations
 * The hold is elapsed time (hold days x 24 hours), never calendar days, whatever the clocks do.
 */
export type Decision = 'NON_INTERACTIVE' | 'INTERACTIVE' | 'DOWNGRADE_14' | 'DOWNGRADE_CUTOFF' | 'HELD';

export interface ReadinessWindow {
  cycleStartsAt: Date;
  /** The earlier of the batch cutoff and the cycle's final-upload cutoff. */
  cutoff: Date;
  isFinal: boolean;
  holdDays: number;
}

/** The end of an interactive completion's hold window, as SQL over its instant (completion `c`'s by default). */
export function holdWindowEndSql(holdDays: number, completedAt: RawBuilder<Date> = sql<Date>`c.completed_at`): RawBuilder<Date> {
  return sql<Date>`(${completedAt} + make_interval(hours => ${holdDays * 24}))`;
}

/**
 * Every pending completion `c` with its event `e` and its registrant `r`: the FROM clause the
 * batch's decisions, the states and the state snapshot start from, and `registered`, whether a
 * registration span of `r` covers the completion's date, as that FROM reads the spans:
 *
 * - `by row`: the span covering the date joined to each row (an index probe; a registrant's
 *   spans never overlap, migration 0002, so the join adds no rows). A cursor that streams its
 *   first rows in an order (report sla and late, trace) can then start at once: joined as one
 *   grouped relation, the spans made the planner read and sort every pending row before the
 *   first (report sla's first 10,000 rows at 1M pending: 0.99 s -> 9.2 s).
 * - `all`: each registrant with all its spans as one multirange (registrantSpans.ts), hashed
 *   once: for reading every pending completion at once (the claim's set path), where the join
 *   on a date condition had the planner hash the million pending rows instead.
 */
export function pendingCompletionsSql(spans: 'by row' | 'all'): { from: RawBuilder<unknown>; registered: RawBuilder<boolean> } {
  const from = sql`FROM upload_pending p
      JOIN completion c ON c.id = p.completion_id
      JOIN event e ON e.id = c.event_id`;
  if (spans === 'all') {
    return {
      from: sql`${from}
      JOIN ${sql.raw(REGISTRANTS_WITH_SPANS)} r ON r.id = c.registrant_id`,
      registered: sql<boolean>`coalesce(r.spans @> c.completed_on, false)`,
    };
  }
  return {
    from: sql`${from}
      JOIN registrant r ON r.id = c.registrant_id
      LEFT JOIN registration_span s ON s.registrant_id = c.registrant_id AND s.registered_from <= c.completed_on
            AND (s.registered_to IS NULL OR s.registered_to >= c.completed_on)`,
    registered: sql<boolean>`(s.registrant_id IS NOT NULL)`,
  };
}

/**
 * Still true of the completion now (the import checks that depend on other rows): false means
 * quarantined, kept out of every batch until an import sets it right. Over completion `c`,
 * event `e` and registrant `r`; `registered` says whether a span of `r` covers the completion
 * date (by default looked up per row). `r.surname_no_controls` is computed when the registrant
 * is written (migration 0012).
 */
export function stillValidSql(
  registered: RawBuilder<boolean> = sql<boolean>`EXISTS (SELECT 1 FROM registration_span s
                 WHERE s.registrant_id = r.id AND s.registered_from <= c.completed_on
                   AND (s.registered_to IS NULL OR s.registered_to >= c.completed_on))`,
): RawBuilder<boolean> {
  return sql<boolean>`(
    c.completed_on BETWEEN e.approved_from AND e.approved_to
    AND r.profession = ANY (e.professions)
    AND r.surname_no_controls
    AND ${registered})`;
}

export interface DecisionOptions {
  /**
   * Read pending completions one by one by id, instead of joining the tables as sets: far
   * faster when few are pending against a long history, slower when most are pending.
   */
  drivenByPending?: boolean;
  /**
   * The joins as sets without their fence (see pendingDecisionsAsSets), so that PostgreSQL may
   * share them between parallel workers (it never runs a subquery with OFFSET in parallel). Only
   * for a reader that groups the rows without filtering on the decision (the dry run): a filter
   * on it is what the fence keeps from the joins' estimates.
   */
  unfenced?: boolean;
}

/**
 * Every pending completion of the window's cycle completed before the cutoff, with the
 * snapshot a batch would store and its decision. Columns: completion_id, revision,
 * provider_ref, goc_number, surname, event_ref, completed_on, points, category, interactive,
 * decision, hold_end, valid.
 */
export function pendingDecisionsSql(window: ReadinessWindow, options: DecisionOptions = {}): RawBuilder<unknown> {
  return options.drivenByPending ? pendingDecisionsOneByOne(window) : pendingDecisionsAsSets(window, options.unfenced === true);
}

/** The decision of one row at the window's cutoff, over the given columns (see Decision). */
export function decisionSql(window: ReadinessWindow, row: { interactive: RawBuilder<unknown>; registrantAt: RawBuilder<unknown>; peerAt: RawBuilder<unknown> }, holdEnd: RawBuilder<Date>): RawBuilder<string> {
  const cutoff = window.cutoff.toISOString();
  return sql<string>`CASE
             WHEN NOT ${row.interactive} THEN 'NON_INTERACTIVE'
             WHEN ${row.registrantAt} < least(${cutoff}::timestamptz, ${holdEnd})
              AND ${row.peerAt} < least(${cutoff}::timestamptz, ${holdEnd}) THEN 'INTERACTIVE'
             WHEN ${holdEnd} <= ${cutoff}::timestamptz THEN 'DOWNGRADE_14'
             WHEN ${window.isFinal} THEN 'DOWNGRADE_CUTOFF'
             ELSE 'HELD'
           END`;
}

/**
 * Each pending row fetches its completion, confirmations and registration by key: the cost
 * follows the number pending, whatever the history. OFFSET 0 keeps the planner from
 * flattening the lateral lookup back into a set join.
 */
function pendingDecisionsOneByOne(window: ReadinessWindow): RawBuilder<unknown> {
  const holdEnd = holdWindowEndSql(window.holdDays);
  const cutoff = window.cutoff.toISOString();
  return sql`
    SELECT c.id AS completion_id, c.revision, c.provider_ref, r.goc_number, r.surname, e.event_ref,
           c.completed_on, e.points,
           CASE e.category WHEN 'general' THEN 'G' ELSE 'S' END AS category,
           ${holdEnd} AS hold_end,
           ${stillValidSql()} AS valid,
           ${decisionSql(window, { interactive: sql`e.interactive`, registrantAt: sql`f.both_at`, peerAt: sql`f.both_at` }, holdEnd)} AS decision
      FROM upload_pending p CROSS JOIN LATERAL (SELECT * FROM completion c0 WHERE c0.id = p.completion_id OFFSET 0) c
      JOIN event e ON e.id = c.event_id
      JOIN registrant r ON r.id = c.registrant_id
      -- When both parties had confirmed: the later confirmation, a row only when there are two
      -- (at most one per party: confirmation's primary key), so "both before L" is both_at < L.
      LEFT JOIN LATERAL (
        SELECT max(confirmed_at) AS both_at
          FROM confirmation WHERE completion_id = c.id AND e.interactive HAVING count(*) = 2) f ON true
     WHERE c.completed_at >= ${window.cycleStartsAt.toISOString()}::timestamptz
       AND c.completed_at < ${cutoff}::timestamptz`;
}

/**
 * Every table joined whole, by hash: the fast way when much of the history is pending (the
 * end of a cycle, a first upload). The joins are fenced off (OFFSET 0) from the decisions
 * computed over them: with the CASE filters inside, the planner expected a few rows and
 * probed indexes a million times.
 */
function pendingDecisionsAsSets(window: ReadinessWindow, unfenced: boolean): RawBuilder<unknown> {
  const cutoff = window.cutoff.toISOString();
  const pending = pendingCompletionsSql('all');
  return sql`
    SELECT x.completion_id, x.revision, x.provider_ref, x.goc_number, x.surname, x.event_ref,
           x.completed_on, x.points, x.category, x.hold_end, x.valid,
           ${decisionSql(window, { interactive: sql`x.interactive`, registrantAt: sql`x.both_at`, peerAt: sql`x.both_at` }, sql<Date>`x.hold_end`)} AS decision
      FROM (
        SELECT c.id AS completion_id, c.revision, c.provider_ref, r.goc_number, r.surname, e.event_ref,
               c.completed_on, e.points,
               CASE e.category WHEN 'general' THEN 'G' ELSE 'S' END AS category,
               ${holdWindowEndSql(window.holdDays)} AS hold_end,
               ${stillValidSql(pending.registered)} AS valid,
               e.interactive, f.both_at
          ${pending.from}
          -- When both parties had confirmed, as above. Grouping every confirmation measured faster
          -- (1M pending: claim 12-13 s -> 10-11 s) than restricting them to the pending ones first or
          -- joining once per party; this path runs only when pending is at least a tenth of all
          -- completions, so at most ~10x the pending's confirmations are grouped.
          LEFT JOIN (
            SELECT completion_id, max(confirmed_at) AS both_at
              FROM confirmation GROUP BY completion_id HAVING count(*) = 2) f ON f.completion_id = c.id AND e.interactive
         WHERE c.completed_at >= ${window.cycleStartsAt.toISOString()}::timestamptz
           AND c.completed_at < ${cutoff}::timestamptz
        ${unfenced ? sql`` : sql`OFFSET 0`}) x`;
}
