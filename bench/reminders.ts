// `node bench/reminders.ts [--n N] [--runs R] [--db NAME] [--keep] [--reuse]`: how long
// computing the due reminders takes with N completions (default 1,000,000) in history. Not part
// of `npm test`.
//
// Builds its own database (--db, default cet_bench_reminders, dropped and recreated) in SQL: one
// cycle, 20,000 registrants with addresses, 50 events (10 interactive), N completions over the
// cycle, all but 10,000 carried by 156 weekly batches up to the week before the FINAL (with
// their batch_item snapshots; the last six weeks of the cycle carry ~5 of them), the 10,000
// pending of which half are interactive and held. Then times, median of R runs:
//   1. PEER_CONFIRMATION: listDue at a moment when ~1/14 of the held are at a due stage (dry run);
//   2. the same through createDueReminders (creates the reminders; rolled back by deleting them);
//   3. ACCEPT_PENDING_POINTS after a FINAL batch: every registrant, and the items of the last
//      six weeks (~32,000);
//   4. the same when nothing was carried in the last six weeks (the weekly cutoffs moved back
//      ten weeks for the step): every recipient is then looked up one by one, the worst case.

import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { createDueReminders, listDue } from '../src/reminders/dueSql.ts';
import { psql, type Pg } from './baselines.ts';
import { sql } from 'kysely';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const N = Number(option('n') ?? 1_000_000);
const RUNS = Number(option('runs') ?? 5);
const server = process.env.BENCH_PG_SERVER ?? 'postgresql://127.0.0.1:5432';
const pg: Pg = { server, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PGUSER: process.env.PGUSER ?? process.env.USER ?? 'root' } };
// --db NAME (default cet_bench_reminders): its own database, so that two runs can go side by side.
const DB = option('db') ?? 'cet_bench_reminders';
if (!/^[a-z_][a-z0-9_]{0,40}$/.test(DB)) throw new Error('--db must be a lower-case SQL identifier of at most 41 characters');
const PENDING = 10_000;

// --keep leaves the database for a later --reuse (which skips building it).
const KEEP = process.argv.includes('--keep');
const REUSE = process.argv.includes('--reuse') && psql(pg, 'postgres', [`SELECT 1 FROM pg_database WHERE datname = '${DB}'`]) === '1';
if (!REUSE) psql(pg, 'postgres', [`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`, `CREATE DATABASE ${DB}`]);
// One connection: its server process's CPU time is read around each run (below).
const handle = openDatabase(`${server}/${DB}`, { max: 1 });
const db = handle.db;
const result = await migrateToLatest(db);
if (result.error) throw result.error;

const t0 = performance.now();
if (REUSE) {
  await sql`DELETE FROM reminder_item; DELETE FROM reminder; DELETE FROM batch WHERE kind = 'FINAL'`.execute(db);
  await sql`VACUUM reminder, reminder_item, batch`.execute(db);
} else await sql`
  INSERT INTO cycle (code, first_day, last_day, starts_at, ends_at, final_cutoff)
  VALUES ('2019-2021', '2019-01-01', '2021-12-31', '2019-01-01T00:00:00Z', '2022-01-01T00:00:00Z', '2021-12-30T12:00:00Z');
  INSERT INTO registrant (goc_number, surname, forenames, profession, specialties, updated_at, email)
  SELECT '01-' || lpad(g::text, 5, '0'), 'Surname' || g, 'Forename', 'optometrist', '{}', now(), 'r' || g || '@example.com'
    FROM generate_series(1, 20000) g;
  INSERT INTO registration_span (registrant_id, registered_from, registered_to) SELECT id, '2000-01-01', NULL FROM registrant;
  INSERT INTO event (event_ref, title, points, category, interactive, professions, approved_from, approved_to, updated_at)
  SELECT 'C-' || (10000 + g), 'Event ' || g, 1 + g % 3, 'general', g <= 10, '{optometrist}', '2019-01-01', '2021-12-31', now()
    FROM generate_series(1, 50) g;
`.execute(db);
// Carried history over the cycle, then the pending tail in the last three weeks before the moment.
if (!REUSE) await sql`
  INSERT INTO completion (provider_ref, registrant_id, event_id, completed_at, completed_on, received_at, changed_at)
  SELECT 'B-' || g, 1 + g % 20000, 1 + g % 50,
         ts, (ts AT TIME ZONE 'Europe/London')::date, ts, ts
    FROM generate_series(1, ${sql.raw(String(N - PENDING))}) g,
         LATERAL (SELECT timestamptz '2019-01-02T10:00:00Z' + (g::float8 / ${sql.raw(String(N))}) * interval '1096 days' AS ts) t;
  INSERT INTO completion (provider_ref, registrant_id, event_id, completed_at, completed_on, received_at, changed_at)
  SELECT 'P-' || g, 1 + g % 20000, CASE WHEN g % 2 = 0 THEN 1 + g % 10 ELSE 11 + g % 40 END,
         ts, (ts AT TIME ZONE 'Europe/London')::date, ts, ts
    FROM generate_series(1, ${sql.raw(String(PENDING))}) g,
         LATERAL (SELECT timestamptz '2021-11-01T00:00:00Z' + (g::float8 / ${sql.raw(String(PENDING))}) * interval '14 days' AS ts) t;
  INSERT INTO upload_pending (completion_id) SELECT id FROM completion WHERE provider_ref LIKE 'P-%';
  INSERT INTO batch (cycle_id, kind, period, cutoff, seq, provider_code, trigger, claimed_at)
  SELECT 1, 'WEEKLY', 'W' || w, timestamptz '2019-01-04T06:00:00Z' + w * interval '7 days', w + 1, 'BENCH', 'scheduler', timestamptz '2019-01-04T06:00:00Z' + w * interval '7 days'
    FROM generate_series(0, 155) w;
  INSERT INTO batch_item (batch_id, completion_id, revision, provider_ref, goc_number, surname, event_ref, completed_on, points, category, interactive)
  SELECT b.id, c.id, 1, c.provider_ref, r.goc_number, r.surname, e.event_ref, c.completed_on, e.points, 'G', e.interactive
    FROM completion c JOIN registrant r ON r.id = c.registrant_id JOIN event e ON e.id = c.event_id
    JOIN batch b ON b.period = 'W' || least(155, floor(extract(epoch FROM c.completed_at - timestamptz '2019-01-04T06:00:00Z') / 604800)::int + 1)
   WHERE c.provider_ref LIKE 'B-%';
  ANALYZE;
`.execute(db);
const built = performance.now() - t0;
const counts = await sql<{ c: string; bi: string; p: string }>`SELECT (SELECT count(*) FROM completion) c, (SELECT count(*) FROM batch_item) bi, (SELECT count(*) FROM upload_pending) p`.execute(db);

// The CPU time the server process spent on a run (from /proc, when PostgreSQL runs on this
// machine): on the shared, loaded machine the wall time is mostly waiting for a core, and the
// CPU time is what a quiet machine's wall time would be, near enough.
function cpuMs(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in ticks of 1/100 s
  } catch {
    return undefined;
  }
}

async function time(label: string, work: () => Promise<number>, reset?: () => Promise<void>): Promise<string> {
  const times: number[] = [];
  const cpus: number[] = [];
  let rows = 0;
  for (let run = 0; run < RUNS; run++) {
    const pid = Number((await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(db)).rows[0]!.pid);
    const cpu0 = cpuMs(pid);
    const start = performance.now();
    rows = await work();
    times.push(performance.now() - start);
    const cpu1 = cpuMs(pid);
    if (cpu0 !== undefined && cpu1 !== undefined) cpus.push(cpu1 - cpu0);
    await reset?.();
  }
  times.sort((a, b) => a - b);
  cpus.sort((a, b) => a - b);
  const cpu = cpus.length === RUNS ? `${cpus[Math.floor(cpus.length / 2)]!.toFixed(0)} ms` : 'n/a';
  return `| ${label} | ${rows} | ${times[Math.floor(times.length / 2)]!.toFixed(0)} ms | ${times[0]!.toFixed(0)}-${times[times.length - 1]!.toFixed(0)} ms | ${cpu} |`;
}

// Reminders are never deleted in service: vacuum the deleted ones away, or every later run reads
// their dead index entries (the NOT EXISTS on reminder) and the figures drift up run by run.
const clear = async () => {
  await sql`DELETE FROM reminder_item; DELETE FROM reminder`.execute(db);
  await sql`VACUUM reminder, reminder_item`.execute(db);
};
const moment = new Date('2021-11-12T00:00:00Z');
const load0 = loadavg()[0]!;
const lines = [
  `N = ${counts.rows[0]!.c} completions (${counts.rows[0]!.bi} carried, ${counts.rows[0]!.p} pending); data built in ${(built / 1000).toFixed(1)} s; median of ${RUNS} runs`,
  '',
  '| step | rows | median | range | server CPU (median) |',
  '| --- | ---: | ---: | ---: | ---: |',
  await time('PEER_CONFIRMATION due (remind --dry-run)', async () => (await listDue(db, { now: moment, holdDays: 14 })).length),
  await time('PEER_CONFIRMATION created (remind)', async () => (await createDueReminders(db, { now: moment, holdDays: 14 })).length, clear),
];
await sql`INSERT INTO batch (cycle_id, kind, period, cutoff, seq, provider_code, trigger, claimed_at)
  VALUES (1, 'FINAL', 'FINAL', '2021-12-30T12:00:00Z', 1000, 'BENCH', 'scheduler', '2021-12-30T12:00:00Z')`.execute(db);
await sql`ANALYZE batch`.execute(db);
const after = new Date('2021-12-30T13:00:00Z');
lines.push(await time('ACCEPT_PENDING_POINTS due, after FINAL (remind --dry-run)', async () => (await listDue(db, { now: after, holdDays: 14 })).length));
lines.push(await time('ACCEPT_PENDING_POINTS created (remind)', async () => (await createDueReminders(db, { now: after, holdDays: 14 })).length, clear));
await sql`UPDATE batch SET cutoff = cutoff - interval '70 days' WHERE kind = 'WEEKLY'`.execute(db);
try {
  lines.push(await time('ACCEPT_PENDING_POINTS due, nothing carried in the last six weeks', async () => (await listDue(db, { now: after, holdDays: 14 })).length));
  lines.push(await time('ACCEPT_PENDING_POINTS created, nothing carried in the last six weeks', async () => (await createDueReminders(db, { now: after, holdDays: 14 })).length, clear));
} finally {
  await sql`UPDATE batch SET cutoff = cutoff + interval '70 days' WHERE kind = 'WEEKLY'`.execute(db);
}
await createDueReminders(db, { now: after, holdDays: 14 });
lines.push(await time('the next hourly remind after that (nothing new due)', async () => (await createDueReminders(db, { now: new Date(after.getTime() + 3_600_000), holdDays: 14 })).length));
lines.push('', `load average (1 min) ${load0.toFixed(1)} at the start of the timings, ${loadavg()[0]!.toFixed(1)} at the end`);
console.log(lines.join('\n'));
await handle.close();
if (!KEEP) psql(pg, 'postgres', [`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`]);
