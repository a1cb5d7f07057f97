import { checkedTableSql, type ImportParameters, type Query } from './checkedTable.ts';

// Events: a changed event is simply updated; batches keep their own snapshot of what they carried.

export function checkEvents(): Query {
  const professions = `string_to_array(s.n_professions, ';')`;
  const text = checkedTableSql({
    kind: 'events',
    key: 's.n_event_ref',
    rawKey: 'btrim(coalesce(f.r_event_ref, f.n_event_ref))',
    select: `
    e.id AS event_id,
    s.n_points::smallint AS points,
    s.n_interactive = 'Y' AS interactive,
    ${professions} AS professions,
    s.n_approved_from::date AS approved_from,
    s.n_approved_to::date AS approved_to,
    ((e.title, e.points, e.category, e.interactive, e.approved_from, e.approved_to)
        IS DISTINCT FROM (s.n_title, s.n_points::smallint, s.n_category, s.n_interactive = 'Y', s.n_approved_from::date, s.n_approved_to::date)
      OR NOT (e.professions @> ${professions} AND e.professions <@ ${professions})) AS changed`,
    joins: `
  LEFT JOIN event e ON e.event_ref = s.n_event_ref`,
    codes: [],
    keep: ['event_id', 'points', 'interactive', 'professions', 'approved_from', 'approved_to'],
    isNew: 'f.event_id IS NULL',
    changed: 'f.changed',
  });
  return { text, values: [] };
}

export function mergeEvents({ now }: ImportParameters): Query[] {
  return [
    {
      text: `
INSERT INTO event (event_ref, title, points, category, interactive, professions, approved_from, approved_to, updated_at)
SELECT k.n_event_ref, k.n_title, k.points, k.n_category, k.interactive, k.professions, k.approved_from, k.approved_to, $1
FROM import_checked k
WHERE k.outcome = 'inserted'
ORDER BY k.line`,
      values: [now],
    },
    {
      text: `
UPDATE event e
SET title = k.n_title, points = k.points, category = k.n_category, interactive = k.interactive,
    professions = k.professions, approved_from = k.approved_from, approved_to = k.approved_to, updated_at = $1
FROM import_checked k
WHERE k.outcome = 'updated' AND e.id = k.event_id`,
      values: [now],
    },
  ];
}
