import { checkedTableSql, type Query } from './checkedTable.ts';

// Peer confirmations, keyed by (provider_ref, party): each of an interactive completion, by a
// known registrant who is not the completion's own.

export function checkConfirmations(): Query {
  const text = checkedTableSql({
    kind: 'confirmations',
    key: `CASE WHEN s.n_provider_ref IS NOT NULL AND s.n_party IS NOT NULL THEN s.n_provider_ref || '/' || s.n_party END`,
    rawKey: `btrim(coalesce(f.r_provider_ref, f.n_provider_ref, '')) || '/' || btrim(coalesce(f.r_party, f.n_party, ''))`,
    select: `
    s.n_confirmed_at::timestamptz AS confirmed_at,
    c.id AS completion_id,
    c.registrant_id AS completion_registrant_id,
    e.interactive,
    p.id AS peer_registrant_id,
    x.completion_id IS NOT NULL AS known,
    (x.confirmed_at, x.peer_registrant_id) IS DISTINCT FROM (s.n_confirmed_at::timestamptz, p.id) AS changed`,
    joins: `
  LEFT JOIN completion c ON c.provider_ref = s.n_provider_ref
  LEFT JOIN event e ON e.id = c.event_id
  LEFT JOIN registrant p ON p.goc_number = s.n_peer_goc_number
  LEFT JOIN confirmation x ON x.completion_id = c.id AND x.party = s.n_party`,
    codes: [
      `CASE WHEN b.n_provider_ref IS NOT NULL AND b.completion_id IS NULL THEN 'UNKNOWN_COMPLETION' END`,
      `CASE WHEN b.completion_id IS NOT NULL AND NOT b.interactive THEN 'NOT_INTERACTIVE' END`,
      `CASE WHEN b.n_peer_goc_number IS NOT NULL AND b.peer_registrant_id IS NULL THEN 'UNKNOWN_REGISTRANT' END`,
      `CASE WHEN b.peer_registrant_id = b.completion_registrant_id THEN 'SELF_CONFIRMATION' END`,
    ],
    keep: ['confirmed_at', 'completion_id', 'peer_registrant_id'],
    isNew: 'NOT f.known',
    changed: 'f.changed',
  });
  return { text, values: [] };
}

export function mergeConfirmations(): Query[] {
  return [
    {
      text: `
INSERT INTO confirmation (completion_id, party, confirmed_at, peer_registrant_id)
SELECT k.completion_id, k.n_party, k.confirmed_at, k.peer_registrant_id
FROM import_checked k
WHERE k.outcome = 'inserted'`,
      values: [],
    },
    {
      text: `
UPDATE confirmation x
SET confirmed_at = k.confirmed_at, peer_registrant_id = k.peer_registrant_id
FROM import_checked k
WHERE k.outcome = 'updated' AND x.completion_id = k.completion_id AND x.party = k.n_party`,
      values: [],
    },
  ];
}
