// `npm run bench:delivery [-- --runs R] [-- --build] [-- --keep]` (node bench/delivery.ts): issue 13's
// "a 1,000,000-record file delivers with flat memory". Not part of `npm test`.
//
// For a file of ~1,000,000 records and one of ~10,000: a batch is written by the real CLI
// (`upload weekly`, DELIVERY=none), then the real bin runs `deliver --seq <n>` with DELIVERY=sftp
// against a real OpenSSH server (test/support/sshd.ts: /usr/sbin/sshd with internal-sftp on a free
// port, keys made for the run), under GNU time (%M, peak RSS). Each run starts from an empty
// upload directory and the delivery PENDING again; the remote file's SHA-256 is compared with the
// outbox file's and the batch's recorded one.
//
// The batches come from the main benchmark's templates when they exist (BENCH_TEMPLATES, default
// cet_bench: `npm run bench -- --keep` leaves <T>_t_loaded with the big week's million completions
// pending, and <T>_t_empty with the later week's 10,000): cloned, never connected to. Without them,
// or with --build, each database is built in SQL instead (registrants, non-interactive events and
// N pending completions); either way the file is written by the CLI's own file writer.
// Databases: <BENCH_DB>_delivery_1m and <BENCH_DB>_delivery_10k (BENCH_DB default cet_bench),
// dropped at the end unless --keep.

import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createSshd, destroySshd, type SshdServer } from '../test/support/sshd.ts';
import { cloneDatabase, dropDatabase, psql, type Pg } from './baselines.ts';
import { BIG, LATER } from './generate.ts';
import { measure, median, type Measured } from './measure.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = path.join(ROOT, 'bin/cet-uploader.js');
const OUT = path.join(ROOT, 'bench/out/delivery');

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const RUNS = Number(option('runs') ?? 3);
const BUILD = process.argv.includes('--build');
const KEEP = process.argv.includes('--keep');
// --only 1m|10k: one size (a quick check of the bench itself).
const ONLY = option('only');
if (ONLY !== undefined && ONLY !== '1m' && ONLY !== '10k') throw new Error('--only must be 1m or 10k');
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error('--runs must be at least 1');

const server = process.env.BENCH_PG_SERVER ?? 'postgresql://postgres@127.0.0.1:5432';
const baseEnv: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
const pg: Pg = { server, env: baseEnv };
const DB = process.env.BENCH_DB ?? 'cet_bench';
const TEMPLATES = process.env.BENCH_TEMPLATES ?? 'cet_bench';
for (const [name, value] of [['BENCH_DB', DB], ['BENCH_TEMPLATES', TEMPLATES]]) {
  if (!/^[a-z_][a-z0-9_]{0,40}$/.test(value!)) throw new Error(`${name} must be a lower-case SQL identifier of at most 41 characters`);
}
const QUEUE = `cetbenchdelivery${process.pid}`;

interface Case {
  label: string;
  size: '1m' | '10k';
  database: string;
  template: string;
  /** When built in SQL instead of cloned. */
  n: number;
  week: string;
  now: string;
}

const CASES: Case[] = [
  { label: '~1,000,000 records', size: '1m', database: `${DB}_delivery_1m`, template: `${TEMPLATES}_t_loaded`, n: 1_000_000, week: BIG.week, now: BIG.runNow },
  { label: '~10,000 records', size: '10k', database: `${DB}_delivery_10k`, template: `${TEMPLATES}_t_empty`, n: 10_000, week: LATER.week, now: LATER.runNow },
];

function log(text: string): void {
  process.stdout.write(`[bench:delivery] ${text}\n`);
}

const seconds = (ms: number) => (ms / 1000).toFixed(2);
const load = () => loadavg().map((l) => l.toFixed(1)).join(', ');

function cliEnv(c: Case, outbox: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...baseEnv,
    DATABASE_URL: `${server}/${c.database}`,
    REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `${QUEUE}-${c.database}`,
    OUTBOX_DIR: outbox,
    PROVIDER_CODE: 'BENCH01',
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

function exists(database: string): boolean {
  // Asked of the catalogue through `postgres`: a template is never connected to.
  return psql(pg, 'postgres', [`SELECT 1 FROM pg_database WHERE datname = '${database}'`]) === '1';
}

/** A cycle, registrants, non-interactive events and n completions pending before the week's slot. */
function buildInSql(c: Case): void {
  psql(pg, c.database, [
    `INSERT INTO cycle (code, first_day, last_day, starts_at, ends_at, final_cutoff)
     VALUES ('2022-2024', '2022-01-01', '2024-12-31', '2022-01-01T00:00:00Z', '2025-01-01T00:00:00Z', '2024-12-30T12:00:00Z')`,
    `INSERT INTO registrant (goc_number, surname, forenames, profession, specialties, updated_at)
     SELECT '01-' || lpad(g::text, 5, '0'), 'Surname' || g, 'Forename', 'optometrist', '{}', now() FROM generate_series(1, 50000) g`,
    `INSERT INTO registration_span (registrant_id, registered_from, registered_to) SELECT id, '2000-01-01', NULL FROM registrant`,
    `INSERT INTO event (event_ref, title, points, category, interactive, professions, approved_from, approved_to, updated_at)
     SELECT 'C-' || (10000 + g), 'Event ' || g, 1 + g % 3, 'general', false, '{optometrist}', '2022-01-01', '2024-12-31', now() FROM generate_series(1, 2000) g`,
    `INSERT INTO completion (provider_ref, registrant_id, event_id, completed_at, completed_on, received_at, changed_at)
     SELECT 'B-' || g, 1 + g % 50000, 1 + (g / 50000 + g) % 2000, ts, (ts AT TIME ZONE 'Europe/London')::date, ts, ts
       FROM generate_series(1, ${c.n}) g,
            LATERAL (SELECT timestamptz '2023-01-02T10:00:00Z' + (g::float8 / ${c.n}) * interval '150 days' AS ts) t`,
    `INSERT INTO upload_pending (completion_id) SELECT id FROM completion`,
    'ANALYZE',
  ]);
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * One more run, not under GNU time: the uploader's resident set read from /proc every 50 ms, so
 * that the table can show where the peak is reached (flat: early, then level) and not only its size.
 */
async function sampledRun(args: string[], env: Record<string, string>): Promise<{ ms: number; samples: Array<[number, number]> }> {
  const started = performance.now();
  // The bin's shebang is `/usr/bin/env -S node …`: env execs node, so this pid is the uploader's.
  const child = spawn(CLI, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const samples: Array<[number, number]> = [];
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const timer = setInterval(() => {
    try {
      const kb = /VmRSS:\s+(\d+) kB/.exec(procStatus(child.pid!))?.[1];
      if (kb) samples.push([performance.now() - started, Number(kb) / 1024]);
    } catch {
      // exited
    }
  }, 50);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearInterval(timer);
  if (code !== 0) throw new Error(`sampled ${args.join(' ')} exited with ${code}:\n${output}`);
  return { ms: performance.now() - started, samples };
}

function procStatus(pid: number): string {
  return readFileSync(`/proc/${pid}/status`, 'utf8');
}

/** The largest resident set sampled in each tenth of the run, in MB. */
function byTenths(run: { ms: number; samples: Array<[number, number]> }): number[] {
  const tenths = Array.from({ length: 10 }, () => 0);
  for (const [at, mb] of run.samples) {
    const i = Math.min(9, Math.floor((at / run.ms) * 10));
    tenths[i] = Math.max(tenths[i]!, mb);
  }
  return tenths;
}

interface Result {
  c: Case;
  source: string;
  records: number;
  bytes: number;
  fileName: string;
  write: Measured;
  runs: Measured[];
  digestsEqual: boolean;
  loadBefore: string;
  tenths: number[];
}

async function runCase(c: Case, sshd: SshdServer): Promise<Result> {
  const outbox = path.join(OUT, c.database, 'outbox');
  await rm(path.join(OUT, c.database), { recursive: true, force: true });
  await mkdir(path.join(OUT, c.database), { recursive: true });
  let source: string;
  if (!BUILD && exists(c.template)) {
    // Another benchmark cloning the same template at that moment makes CREATE DATABASE refuse: wait, try again.
    for (let attempt = 1; ; attempt++) {
      try {
        cloneDatabase(pg, c.template, c.database);
        break;
      } catch (error) {
        if (attempt >= 10 || !/being accessed by other users/.test(String(error))) throw error;
        await new Promise((resolve) => setTimeout(resolve, 5_000));
      }
    }
    source = `a clone of ${c.template}`;
  } else {
    dropDatabase(pg, c.database);
    psql(pg, 'postgres', [`CREATE DATABASE ${c.database}`]);
    source = `built in SQL (${c.n.toLocaleString('en-GB')} pending completions)`;
  }
  const migrate = await measure('migrate', CLI, ['migrate'], { env: cliEnv(c, outbox) });
  if (migrate.code !== 0) throw new Error(`migrate: ${migrate.stderr}`);
  if (source.startsWith('built')) buildInSql(c);
  log(`${c.label}: database ${c.database}, ${source}`);

  // The file, written by the CLI's own writer (delivery off: nothing is queued).
  const write = await measure(`upload weekly ${c.week}`, CLI, ['upload', 'weekly', '--week', c.week, '--now', c.now], {
    env: cliEnv(c, outbox, { DELIVERY: 'none' }),
    idleLimitMs: 300_000,
    // Its last line; a process still running 15 s after it is taken to hang (as bench/run.ts).
    done: /\(and its \.manifest\.json\)\n|nothing to carry/,
  });
  const [seqText, fileName, recordedSha, bytesText, recordsText] = psql(pg, c.database, [
    `SELECT seq, file_name, sha256, bytes, records FROM batch WHERE period = '${c.week}' AND kind = 'WEEKLY'`,
  ]).split('|');
  if (!fileName) throw new Error(`${c.label}: upload weekly wrote no file:\n${write.stdout}\n${write.stderr}`);
  const local = path.join(outbox, fileName);
  const bytes = (await stat(local)).size;
  if (bytes !== Number(bytesText)) throw new Error(`${c.label}: the outbox file has ${bytes} bytes, the batch records ${bytesText}`);
  log(`${c.label}: ${fileName}, ${Number(recordsText).toLocaleString('en-GB')} records, ${(bytes / 1e6).toFixed(1)} MB, written in ${seconds(write.ms)} s (${write.rssMb.toFixed(0)} MB)`);
  const outboxSha = await sha256Of(local);
  if (outboxSha !== recordedSha) throw new Error(`${c.label}: the outbox file's SHA-256 is not the recorded one`);

  const resetAndEmpty = async () => {
    for (const name of await readdir(sshd.uploadDir)) await rm(path.join(sshd.uploadDir, name), { force: true });
    psql(pg, c.database, [
      `UPDATE delivery SET state = 'PENDING', attempts = 0, last_error = NULL, delivered_by = NULL, remote_path = NULL, bytes = NULL, attempted_at = NULL, delivered_at = NULL`,
    ]);
  };
  const loadBefore = load();
  const runs: Measured[] = [];
  let digestsEqual = true;
  for (let run = 1; run <= RUNS; run++) {
    // From scratch each time: nothing on the server, the delivery PENDING with no attempt.
    await resetAndEmpty();
    const m = await measure(`deliver #${run}`, CLI, ['deliver', '--seq', seqText!, '--now', c.now], {
      env: cliEnv(c, outbox, { ...sshd.env }),
      idleLimitMs: 600_000,
    });
    if (!/delivered to /.test(m.stdout)) throw new Error(`${c.label}: deliver did not deliver:\n${m.stdout}\n${m.stderr}`);
    const state = psql(pg, c.database, [`SELECT state || ' ' || delivered_by || ' ' || bytes FROM delivery WHERE seq = ${seqText}`]);
    const remote = path.join(sshd.uploadDir, fileName);
    const remoteSha = await sha256Of(remote);
    const equal = remoteSha === outboxSha && state === `DELIVERED sftp ${bytes}` && (await readdir(sshd.uploadDir)).length === 1;
    digestsEqual &&= equal;
    runs.push(m);
    log(`${c.label}: deliver #${run}: ${seconds(m.ms)} s, peak RSS ${m.rssMb.toFixed(0)} MB; remote SHA-256 ${remoteSha.slice(0, 16)}… ${equal ? 'equals' : 'DIFFERS FROM'} the outbox's; ${state} (load ${load()})`);
  }
  await resetAndEmpty();
  const sampled = await sampledRun(['deliver', '--seq', seqText!, '--now', c.now], cliEnv(c, outbox, { ...sshd.env }));
  digestsEqual &&= (await sha256Of(path.join(sshd.uploadDir, fileName))) === outboxSha;
  const tenths = byTenths(sampled);
  log(`${c.label}: sampled run ${seconds(sampled.ms)} s; largest RSS in each tenth of it (MB): ${tenths.map((mb) => mb.toFixed(0)).join(', ')}`);
  return { c, source, records: Number(recordsText), bytes, fileName, write, runs, digestsEqual, loadBefore, tenths };
}

function removeQueueKeys(): void {
  const redis = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const keys = spawnSync('redis-cli', ['-u', redis, '--scan', '--pattern', `${QUEUE}-*`], { encoding: 'utf8' });
  const list = (keys.stdout ?? '').split('\n').filter(Boolean);
  for (let i = 0; i < list.length; i += 500) spawnSync('redis-cli', ['-u', redis, 'DEL', ...list.slice(i, i + 500)]);
}

async function writeSection(results: Result[], nodeVersion: string, pgVersion: string): Promise<void> {
  const header = '| file | records | size | deliver, median (runs) | MB/s | peak RSS MB (runs) | remote SHA-256 = outbox | written by `upload weekly` |';
  const lines = results.map((r) => {
    const ms = median(r.runs.map((m) => m.ms));
    return `| ${r.fileName} | ${r.records.toLocaleString('en-GB')} | ${(r.bytes / 1e6).toFixed(1)} MB | ${seconds(ms)} s (${r.runs.map((m) => seconds(m.ms)).join(', ')}) | ${(r.bytes / 1e6 / (ms / 1000)).toFixed(1)} | ${Math.max(...r.runs.map((m) => m.rssMb)).toFixed(0)} (${r.runs.map((m) => m.rssMb.toFixed(0)).join(', ')}) | ${r.digestsEqual ? 'yes, every run' : 'NO'} | ${seconds(r.write.ms)} s, ${r.write.rssMb.toFixed(0)} MB |`;
  });
  const [big, small] = results;
  const ratio = big && small ? `${(big.bytes / small.bytes).toFixed(0)}× the bytes of the small one, at ${(Math.max(...big.runs.map((m) => m.rssMb)) / Math.max(...small.runs.map((m) => m.rssMb))).toFixed(2)}× its peak RSS` : 'measured alone here (run both sizes to compare)';
  const section = `<!-- bench:delivery -->
## Delivery of a 1,000,000-record file (issue 13)

\`npm run bench:delivery -- --runs ${RUNS}\` (bench/delivery.ts), ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.
Machine: ${spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()} cores, Node ${nodeVersion}, PostgreSQL ${pgVersion}; load average ${results.map((r) => r.loadBefore).join(' / ')} before each size's runs, ${load()} at the end (shared machine).
Each file written by \`upload weekly\` (DELIVERY=none) in ${results.map((r) => r.source).join(' and ')}; then the bin's
\`deliver --seq <n>\` with DELIVERY=sftp sends it to a real OpenSSH server (sshd with internal-sftp
on 127.0.0.1, test/support/sshd.ts), ${RUNS} runs from an empty upload directory and a PENDING
delivery. Time is spawn to exit (CLI start-up, the outbox file's SHA-256 check, connect, \`.part\`
upload with ssh2's fastPut, size check, rename); peak RSS is GNU time's %M of the uploader process.

${header}
| --- | --- | --- | --- | --- | --- | --- | --- |
${lines.join('\n')}

The resident set over one more run of each (read from /proc every 50 ms, not under GNU time):
the largest value in each tenth of the run, in MB.

${results.map((r) => `- ${r.fileName}: ${r.tenths.map((mb) => mb.toFixed(0)).join(', ')}`).join('\n')}

Flat memory: the large file is ${ratio}. The file is never read into memory: its digest is
hashed from a stream and ssh2's fastPut reads and sends it in 32 KiB chunks (at most 64 in flight).
<!-- /bench:delivery -->`;
  process.stdout.write(`\n${section}\n`);
  const file = path.join(ROOT, 'BENCHMARKS.md');
  const existing = await readFile(file, 'utf8').catch(() => '');
  const marked = /<!-- bench:delivery -->[\s\S]*<!-- \/bench:delivery -->/;
  await writeFile(file, marked.test(existing) ? existing.replace(marked, section) : `${existing.trimEnd()}\n\n${section}\n`);
  log('wrote BENCHMARKS.md (its bench:delivery section)');
}

async function main(): Promise<void> {
  const nodeVersion = process.version;
  const pgVersion = psql(pg, 'postgres', ['SHOW server_version']);
  log(`${RUNS} runs per size, Node ${nodeVersion}, PostgreSQL ${pgVersion}, load ${load()}`);
  const sshd = await createSshd();
  const results: Result[] = [];
  try {
    await sshd.start();
    for (const c of CASES.filter((each) => ONLY === undefined || each.size === ONLY)) results.push(await runCase(c, sshd));
    await writeSection(results, nodeVersion, pgVersion);
  } finally {
    await destroySshd(sshd);
    if (!KEEP) for (const c of CASES) dropDatabase(pg, c.database);
    removeQueueKeys();
    await rm(OUT, { recursive: true, force: true });
  }
}

await main();
