// The same work as `import completions` and a weekly batch, done by hand in SQL through psql:
// the floor a user could script (issue 14). Each is one psql run of a script file, timed
// from spawn to exit like the CLI.

import { writeFile } from 'node:fs/promises';
import { BIG } from './generate.ts';
import { urlOf, type Pg } from './baselines.ts';

/**
 * Import: \copy the file into a temporary table, then one INSERT … SELECT joining registrant
 * (GOC number normalised as the import does) and event into completion (its indexes and
 * foreign keys), skipping the rows the import rejects (no time zone, future, bad provider_ref),
 * then every new completion into upload_pending; one transaction.
 */
export async function importSameWorkArgs(pg: Pg, database: string, csvFile: string, scriptFile: string): Promise<string[]> {
  await writeFile(
    scriptFile,
    `\\set ON_ERROR_STOP 1
BEGIN;
CREATE TEMP TABLE stage (provider_ref text, goc_number text, event_ref text, completed_at text) ON COMMIT DROP;
\\copy stage FROM '${csvFile}' WITH (FORMAT csv, HEADER true)
INSERT INTO completion (provider_ref, registrant_id, event_id, completed_at, completed_on, received_at, revision, changed_at)
SELECT s.provider_ref, r.id, e.id, t.at, (t.at AT TIME ZONE 'Europe/London')::date, now(), 1, now()
  FROM stage s
  CROSS JOIN LATERAL (SELECT upper(replace(btrim(s.goc_number), '-', '')) AS g,
                             CASE WHEN s.completed_at ~ '(Z|[+-][0-9][0-9]:[0-9][0-9])$' THEN s.completed_at::timestamptz END AS at) t
  JOIN registrant r ON r.goc_number = left(t.g, length(t.g) - 5) || '-' || right(t.g, 5)
  JOIN event e ON e.event_ref = s.event_ref
 WHERE t.at < '${BIG.importNow}' AND s.provider_ref ~ '^[A-Za-z0-9._/-]+$';
INSERT INTO upload_pending SELECT id FROM completion;
COMMIT;
`,
  );
  return [urlOf(pg, database), '-X', '-q', '-f', scriptFile];
}

/**
 * Weekly batch: one transaction inserting the batch row and its items (a join of pending,
 * completion, registrant and event, in key order) and deleting the carried rows from
 * upload_pending; then \copy of the snapshot out in file order. No readiness decisions (the
 * interactive rows are carried as they are): the floor, not the same rules.
 */
export async function batchSameWorkArgs(pg: Pg, database: string, outFile: string, scriptFile: string): Promise<string[]> {
  await writeFile(
    scriptFile,
    `\\set ON_ERROR_STOP 1
BEGIN;
WITH b AS (
  INSERT INTO batch (cycle_id, kind, period, cutoff, seq, provider_code, trigger, claimed_at)
  SELECT id, 'WEEKLY', '${BIG.week}', '${BIG.slot}', 1, 'BENCH01', 'manual', now() FROM cycle RETURNING id)
INSERT INTO batch_item (batch_id, completion_id, revision, provider_ref, goc_number, surname, event_ref, completed_on, points, category, interactive)
SELECT b.id, c.id, c.revision, c.provider_ref, r.goc_number, r.surname, e.event_ref, c.completed_on, e.points,
       CASE e.category WHEN 'general' THEN 'G' ELSE 'S' END, e.interactive
  FROM b, upload_pending p
  JOIN completion c ON c.id = p.completion_id
  JOIN registrant r ON r.id = c.registrant_id
  JOIN event e ON e.id = c.event_id
 WHERE c.completed_at < '${BIG.slot}'
 ORDER BY c.id;
DELETE FROM upload_pending p USING batch_item i WHERE i.completion_id = p.completion_id;
COMMIT;
\\copy (SELECT 'D', provider_ref, goc_number, surname, event_ref, to_char(completed_on, 'YYYY-MM-DD'), points, category, CASE WHEN interactive THEN 'Y' ELSE 'N' END FROM batch_item ORDER BY event_ref, goc_number, provider_ref) TO '${outFile}' WITH (FORMAT csv)
`,
  );
  return [urlOf(pg, database), '-X', '-q', '-f', scriptFile];
}
