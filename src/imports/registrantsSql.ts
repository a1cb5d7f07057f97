import { checkedTableSql, type ImportParameters, type Query } from './checkedTable.ts';

// Registrants: a row for a known GOC number replaces the details and adds (or re-dates) the span
// that starts on its registered_from. Spans of one registrant never overlap.

export function checkRegistrants(): Query {
  const specialties = `string_to_array(s.n_specialties, ';')`;
  const text = checkedTableSql({
    kind: 'registrants',
    key: 's.n_goc_number',
    rawKey: 'btrim(coalesce(f.r_goc_number, f.n_goc_number))',
    select: `
    s.n_registered_from::date AS registered_from,
    NULLIF(s.n_registered_to, '')::date AS registered_to,
    ${specialties} AS specialties,
    r.id AS registrant_id,
    -- email: NULL when the file has no email column (keep the stored one), '' for none.
    CASE WHEN s.n_email IS NULL THEN r.email ELSE NULLIF(s.n_email, '') END AS email,
    ((r.surname, r.forenames, r.profession) IS DISTINCT FROM (s.n_surname, s.n_forenames, s.n_profession)
      OR (s.n_email IS NOT NULL AND r.email IS DISTINCT FROM NULLIF(s.n_email, ''))
      OR NOT (r.specialties @> ${specialties} AND r.specialties <@ ${specialties})) AS details_changed,
    sp.registrant_id IS NOT NULL AS span_known,
    sp.registered_to AS stored_registered_to`,
    joins: `
  LEFT JOIN registrant r ON r.goc_number = s.n_goc_number
  LEFT JOIN registration_span sp ON sp.registrant_id = r.id AND sp.registered_from = s.n_registered_from::date`,
    codes: [
      `CASE WHEN b.registrant_id IS NOT NULL AND b.registered_from IS NOT NULL AND b.n_registered_to IS NOT NULL
          AND b.registered_from <= coalesce(b.registered_to, 'infinity') AND EXISTS (
          -- Inclusive days, a span without an end open: as comparisons, not daterange &&, so that
          -- the planner reads the registrant's spans by key; with &&, it also read the exclusion
          -- constraint's index, whose every span overlaps when all began before the file's date
          -- (a re-import of 18,000 registrants took 43 s).
          SELECT 1 FROM registration_span o
          WHERE o.registrant_id = b.registrant_id AND o.registered_from <> b.registered_from
            AND o.registered_from <= coalesce(b.registered_to, 'infinity') AND b.registered_from <= coalesce(o.registered_to, 'infinity'))
        THEN 'OVERLAPPING_SPAN' END`,
    ],
    keep: ['registered_from', 'registered_to', 'specialties', 'registrant_id', 'email'],
    isNew: 'f.registrant_id IS NULL',
    changed: 'f.details_changed OR NOT f.span_known OR f.stored_registered_to IS DISTINCT FROM f.registered_to',
  });
  return { text, values: [] };
}

export function mergeRegistrants({ now }: ImportParameters): Query[] {
  return [
    {
      text: `
INSERT INTO registrant (goc_number, surname, forenames, profession, specialties, email, updated_at)
SELECT k.n_goc_number, k.n_surname, k.n_forenames, k.n_profession, k.specialties, k.email, $1
FROM import_checked k
WHERE k.outcome = 'inserted'
ORDER BY k.line`,
      values: [now],
    },
    {
      text: `
INSERT INTO registration_span (registrant_id, registered_from, registered_to)
SELECT r.id, k.registered_from, k.registered_to
FROM import_checked k JOIN registrant r ON r.goc_number = k.n_goc_number
WHERE k.outcome = 'inserted'`,
      values: [],
    },
    {
      text: `
UPDATE registrant r
SET surname = k.n_surname, forenames = k.n_forenames, profession = k.n_profession, specialties = k.specialties, email = k.email, updated_at = $1
FROM import_checked k
WHERE k.outcome = 'updated' AND r.id = k.registrant_id`,
      values: [now],
    },
    {
      text: `
INSERT INTO registration_span (registrant_id, registered_from, registered_to)
SELECT k.registrant_id, k.registered_from, k.registered_to FROM import_checked k WHERE k.outcome = 'updated'
ON CONFLICT (registrant_id, registered_from) DO UPDATE SET registered_to = EXCLUDED.registered_to`,
      values: [],
    },
    {
      // The regulator rejected these records, and the registrant's details have since been
      // corrected: a new revision, carried again by the next batch (domain-rules.md).
      text: `
WITH corrected AS (
  UPDATE completion c
  SET revision = c.revision + 1, changed_at = $1
  FROM import_checked k, batch_item bi
  WHERE k.outcome = 'updated' AND c.registrant_id = k.registrant_id
    AND bi.completion_id = c.id AND bi.revision = c.revision AND bi.ack_status = 'REJECTED'
  RETURNING c.id
)
INSERT INTO upload_pending (completion_id) SELECT id FROM corrected ON CONFLICT DO NOTHING`,
      values: [now],
    },
  ];
}
