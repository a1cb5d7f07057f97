import { REGISTRANTS_WITH_SPANS } from '../db/registrantSpans.ts';
import { checkedTableSql, type ImportParameters, type Query } from './checkedTable.ts';

// Completions: the checks of import-files.md that need the registrant, the event, the cycle or
// the stored completion, and the merge that the batch pipeline reads (revision, upload_pending).

export function checkCompletions({ zone }: ImportParameters): Query {
  const text = checkedTableSql({
    kind: 'completions',
    key: 's.n_provider_ref',
    rawKey: 'btrim(coalesce(f.r_provider_ref, f.n_provider_ref))',
    prepare: `s.n_completed_at::timestamptz AS completed_at, (s.n_completed_at::timestamptz AT TIME ZONE $1)::date AS completed_on`,
    select: `
    r.id AS registrant_id, r.profession,
    e.id AS event_id, e.approved_from, e.approved_to, e.professions,
    coalesce(r.spans @> s.completed_on, false) AS registered,
    c.id AS completion_id,
    (c.registrant_id, c.event_id, c.completed_at) IS DISTINCT FROM (r.id, e.id, s.completed_at) AS changed,
    bi.completion_id IS NOT NULL AND (bi.ack_status IS NULL OR bi.ack_status = 'ACCEPTED') AS carried,
    cy.id AS cycle_id, cy.starts_at AS cycle_starts_at, cy.ends_at AS cycle_ends_at`,
    // A registrant with its spans as one multirange (registrantSpans.ts). batch_item is keyed by
    // (completion, revision), so its join cannot repeat a row; as joins rather than per-row
    // subqueries they can be hashed.
    joins: `
  LEFT JOIN ${REGISTRANTS_WITH_SPANS} r ON r.goc_number = s.n_goc_number
  LEFT JOIN event e ON e.event_ref = s.n_event_ref
  LEFT JOIN completion c ON c.provider_ref = s.n_provider_ref
  LEFT JOIN batch_item bi ON bi.completion_id = c.id AND bi.revision = c.revision
  LEFT JOIN cycle cy ON s.completed_at >= cy.starts_at AND s.completed_at < cy.ends_at`,
    codes: [
      `CASE WHEN b.n_goc_number IS NOT NULL AND b.registrant_id IS NULL THEN 'UNKNOWN_REGISTRANT' END`,
      `CASE WHEN b.n_event_ref IS NOT NULL AND b.event_id IS NULL THEN 'UNKNOWN_EVENT' END`,
      `CASE WHEN b.event_id IS NOT NULL AND (b.completed_on < b.approved_from OR b.completed_on > b.approved_to) THEN 'EVENT_NOT_APPROVED' END`,
      `CASE WHEN b.registrant_id IS NOT NULL AND b.event_id IS NOT NULL AND NOT (b.profession = ANY (b.professions)) THEN 'EVENT_NOT_FOR_PROFESSION' END`,
      `CASE WHEN b.registrant_id IS NOT NULL AND b.completed_on IS NOT NULL AND NOT b.registered THEN 'NOT_REGISTERED' END`,
      // A change to what a batch carried, unless the regulator rejected it (then it is a correction).
      `CASE WHEN b.registrant_id IS NOT NULL AND b.event_id IS NOT NULL AND b.completed_at IS NOT NULL
          AND b.changed AND b.carried THEN 'ALREADY_UPLOADED' END`,
    ],
    // DUPLICATE_COMPLETION is added after this check, by clashCompletions.
    keep: ['registrant_id', 'event_id', 'completion_id', 'completed_at', 'completed_on', 'cycle_id', 'cycle_starts_at', 'cycle_ends_at'],
    isNew: 'f.completion_id IS NULL',
    changed: 'f.changed',
  });
  return { text, values: [zone] };
}

/**
 * DUPLICATE_COMPLETION (import-files.md), as two changes to the few checked rows it rejects, run
 * after the check (and its statistics) in this order; the code is added last, as the check would.
 *
 * First: another completion of the registrant and event in the same cycle is stored under another
 * provider_ref. A semi-join of the checked rows with the stored completions, which the planner
 * hashes or probes by index as their sizes say (a lookup per row inside the check cost ~1 s per
 * million rows, even with no completion stored).
 *
 * Second: an earlier line of this file holds the registrant, event and cycle under another
 * provider_ref, that earlier line being accepted (no code at all: inserted, updated or
 * unchanged). A rejected line stores nothing, so it is no completion for a later line to
 * duplicate. In a group, the accepted lines all hold the ref of the group's first accepted line
 * (any other is itself rejected here), so a row clashes when the group's first accepted line
 * comes before it under another ref: one window, ordered accepted lines first and then by line,
 * finds that line. Only the groups of rows that staging flagged are sorted (bit 2 of seen: the
 * GOC number and event reference were probably met on another line first; some line of every
 * group of two or more is flagged, whichever of its lines staging met second, and a group of
 * one row finds nothing); grouping the million rows to find the groups of several cost ~1 s.
 * The rows found (few) are updated by ctid (a TID scan each). Over import_checked rather than
 * CTEs of the check: there, the million checked rows were kept a second time, in a CTE spilled
 * to disk, and sorted by line for a merge join with these few.
 */
export function clashCompletions(): Query[] {
  return [
    {
      text: `
UPDATE import_checked k
SET codes = k.codes || 'DUPLICATE_COMPLETION'::text, outcome = 'rejected'
WHERE k.registrant_id IS NOT NULL AND k.event_id IS NOT NULL AND k.cycle_id IS NOT NULL AND k.n_key IS NOT NULL
  AND EXISTS (
    SELECT 1 FROM completion o
    WHERE o.registrant_id = k.registrant_id AND o.event_id = k.event_id AND o.provider_ref <> k.n_key
      AND o.completed_at >= k.cycle_starts_at AND o.completed_at < k.cycle_ends_at)`,
      values: [],
    },
    {
      text: `
WITH crowded AS (
  SELECT DISTINCT k.registrant_id, k.event_id, k.cycle_id
  FROM import_checked k
  WHERE k.seen & 2 <> 0
    AND k.registrant_id IS NOT NULL AND k.event_id IS NOT NULL AND k.cycle_id IS NOT NULL AND k.n_key IS NOT NULL
), earlier AS (
  SELECT k.ctid AS row_id, k.line, k.n_key,
         'DUPLICATE_COMPLETION' = ANY (k.codes) AS duplicate,
         first_value(cardinality(k.codes) = 0) OVER w AS first_accepted,
         first_value(k.line) OVER w AS first_line,
         first_value(k.n_key) OVER w AS first_ref
  FROM import_checked k
  JOIN crowded g ON g.registrant_id = k.registrant_id AND g.event_id = k.event_id AND g.cycle_id = k.cycle_id
  WHERE k.n_key IS NOT NULL
  WINDOW w AS (PARTITION BY k.registrant_id, k.event_id, k.cycle_id ORDER BY cardinality(k.codes) = 0 DESC, k.line)
)
UPDATE import_checked k
SET codes = k.codes || 'DUPLICATE_COMPLETION'::text, outcome = 'rejected'
FROM earlier x
WHERE k.ctid = x.row_id AND x.first_accepted AND x.first_line < x.line AND x.first_ref <> x.n_key AND NOT x.duplicate`,
      values: [],
    },
  ];
}

export function mergeCompletions({ now }: ImportParameters): Query[] {
  return [
    {
      // A change is a new revision, which no batch has carried: it is pending again.
      text: `
WITH changed AS (
  UPDATE completion c
  SET registrant_id = k.registrant_id, event_id = k.event_id, completed_at = k.completed_at,
      completed_on = k.completed_on, revision = c.revision + 1, changed_at = $1
  FROM import_checked k
  WHERE k.outcome = 'updated' AND c.id = k.completion_id
  RETURNING c.id
)
INSERT INTO upload_pending (completion_id) SELECT id FROM changed ON CONFLICT DO NOTHING`,
      values: [now],
    },
    {
      text: `
WITH added AS (
  INSERT INTO completion (provider_ref, registrant_id, event_id, completed_at, completed_on, received_at, revision, changed_at)
  SELECT k.n_provider_ref, k.registrant_id, k.event_id, k.completed_at, k.completed_on, $1, 1, $1
  FROM import_checked k
  WHERE k.outcome = 'inserted'
  ORDER BY k.line
  RETURNING id
)
INSERT INTO upload_pending (completion_id) SELECT id FROM added`,
      values: [now],
    },
  ];
}
