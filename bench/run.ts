// `npm run bench [-- --n N] [-- --runs R] [-- --keep]`: the performance benchmark of issue 6.
//
// Generates the input, then runs the real CLI (bin/cet-uploader.js as child processes) against
// its own databases (cet_bench*, dropped and recreated), its own queue prefix and outbox
// (bench/out), and psql for the baselines. Each step's state is restored between runs by
// cloning a template database. Prints the table and writes it to BENCHMARKS.md.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { batchBaselineArgs, cloneDatabase, dropDatabase, importBaselineArgs, psql, type Pg } from './baselines.ts';
import { BIG, CYCLE, generate, LATER } from './generate.ts';
import { effectiveMs, measure, median, type Measured } from './measure.ts';
import { benchReads, readsTable, type ReadRow } from './reads.ts';
import { batchSameWorkArgs, importSameWorkArgs } from './sameWork.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = path.join(ROOT, 'bin/cet-uploader.js');
const DATA = path.join(ROOT, 'bench/data');
const OUT = path.join(ROOT, 'bench/out');
const OUTBOX = path.join(OUT, 'outbox');

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const N = Number(option('n') ?? 1_000_000);
const RUNS = Number(option('runs') ?? 3);
const KEEP = process.argv.includes('--keep');
// Only the read commands, on the templates a previous `--keep` run left (migrated first).
const READS_ONLY = process.argv.includes('--reads-only');
if (!Number.isInteger(N) || N < 1000) throw new Error('--n must be a whole number of at least 1000');
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error('--runs must be at least 1');

const server = process.env.BENCH_PG_SERVER ?? 'postgresql://postgres@127.0.0.1:5432';
const baseEnv: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
const pg: Pg = { server, env: baseEnv };
// BENCH_DB names the databases (default cet_bench), so that two benchmarks can run side by side.
const DB = process.env.BENCH_DB ?? 'cet_bench';
if (!/^[a-z_][a-z0-9_]{0,40}$/.test(DB)) throw new Error('BENCH_DB must be a lower-case SQL identifier of at most 41 characters');
const T_SETUP = `${DB}_t_setup`; // registrants and events
const T_LOADED = `${DB}_t_loaded`; // + the big week's completions and confirmations
const T_HISTORY = `${DB}_t_history`; // + its batch uploaded, + the later week
const T_EMPTY = `${DB}_t_empty`; // registrants, events and the later week only
const QUEUE = `cetbench${process.pid}`;

function cliEnv(run: string): Record<string, string> {
  return {
    ...baseEnv,
    DATABASE_URL: `${server}/${DB}`,
    REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `${QUEUE}-${run}`,
    OUTBOX_DIR: OUTBOX,
    PROVIDER_CODE: 'BENCH01',
    LOG_LEVEL: 'warn',
  };
}

// The last line `upload weekly` prints; a process still running 15 s after it is taken to hang.
const UPLOAD_DONE = /\(and its \.manifest\.json\)\n|nothing to carry/;

function cli(label: string, args: string[], run = 'setup'): Promise<Measured> {
  // Exit 3: the import finished with rejected rows (expected: the input has invalid rows).
  // Run as an operator runs it: the bin itself, so its shebang's Node flags apply (node on PATH is
  // the project's Node 24 under `npm run bench`).
  return measure(label, CLI, args, {
    env: cliEnv(run),
    okCodes: [0, 3],
    idleLimitMs: 180_000,
    done: args[0] === 'upload' ? UPLOAD_DONE : undefined,
  });
}

function nproc(): string {
  return execFileSync('nproc', { encoding: 'utf8' }).trim();
}

function log(text: string): void {
  process.stdout.write(`[bench] ${text}\n`);
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(2);
}

async function freshOutbox(): Promise<void> {
  await rm(OUTBOX, { recursive: true, force: true });
}

function vacuumAnalyze(): void {
  // What autovacuum would have done by the next Friday; without it a freshly cloned database
  // has no statistics for the planner.
  psql(pg, DB, ['VACUUM (ANALYZE)']);
}

function count(sqlText: string): number {
  return Number(psql(pg, DB, [sqlText]));
}

function removeQueueKeys(): void {
  const redis = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const keys = spawnSync('redis-cli', ['-u', redis, '--scan', '--pattern', `${QUEUE}-*`], { encoding: 'utf8' });
  const list = (keys.stdout ?? '').split('\n').filter(Boolean);
  for (let i = 0; i < list.length; i += 500) spawnSync('redis-cli', ['-u', redis, 'DEL', ...list.slice(i, i + 500)]);
}

interface Row {
  step: string;
  runs: Measured[];
  baselineName: string;
  baseline: Measured[];
  target: { ratio: number; rssMb: number | null };
  note?: string;
}

const rows: Row[] = [];
const info: Array<[string, string]> = [];

let readRows: ReadRow[] = [];
const snapshotBuilds: Array<[string, Measured]> = [];

/** The read commands on a clone of the loaded template and of the history template (migrated first). */
async function reads(): Promise<void> {
  const readRun = (label: string, args: string[], stopAfterLines?: number) =>
    measure(label, CLI, args, { env: cliEnv('reads'), okCodes: [0, 3], stopAfterLines, idleLimitMs: 180_000 });
  // The state snapshot `status` and the dry run read (src/db/stateSnapshot.ts) is rebuilt by the
  // worker within a minute of a change; here by `status --refresh`, timed.
  const refreshSnapshot = (label: string) => async () => {
    const m = await cli(`state snapshot rebuild (${label})`, ['status', '--refresh', '--now', BIG.runNow]);
    snapshotBuilds.push([label, m]);
    log(`state snapshot rebuilt (status --refresh) on ${label}: ${seconds(m.ms)} s, ${m.rssMb.toFixed(0)} MB`);
  };
  const dropSnapshot = () => psql(pg, DB, ['DELETE FROM state_snapshot_meta']);
  const database = (label: string, template: string, at: { runNow: string; week: string }) => ({
    label,
    now: at.runNow,
    week: at.week,
    prepare: async () => {
      cloneDatabase(pg, template, DB);
      await cli('migrate', ['migrate']);
      vacuumAnalyze();
      await refreshSnapshot(label)();
    },
    dropSnapshot,
    refreshSnapshot: async () => {
      await refreshSnapshot(label)();
    },
  });
  readRows = await benchReads(
    [database('1M pending', T_LOADED, BIG), database('1M carried, 10k pending', T_HISTORY, LATER)],
    readRun,
    RUNS,
    log,
  );
}

async function main(): Promise<void> {
  await mkdir(OUT, { recursive: true });
  const nodeVersion = process.version;
  const pgVersion = psql(pg, 'postgres', ['SHOW server_version']);
  log(`N = ${N}, ${RUNS} runs per step, ${nproc()} cores, Node ${nodeVersion}, PostgreSQL ${pgVersion}`);
  if (READS_ONLY) {
    await reads();
    await writeReads(nodeVersion, pgVersion);
    dropDatabase(pg, DB);
    removeQueueKeys();
    return;
  }

  // 1. Input.
  let started = performance.now();
  const files = await generate(DATA, N);
  info.push(['generate input', `${seconds(performance.now() - started)} s (${JSON.stringify(files.counts)})`]);
  log(`generated in ${seconds(performance.now() - started)} s: ${JSON.stringify(files.counts)}`);

  // 2. Setup: schema, cycle, registrants, events.
  for (const name of [DB, T_SETUP, T_LOADED, T_HISTORY, T_EMPTY]) dropDatabase(pg, name);
  await cli('migrate', ['migrate']);
  await cli('cycle add', ['cycle', 'add', CYCLE.code, '--first-day', CYCLE.firstDay, '--last-day', CYCLE.lastDay, '--cutoff', CYCLE.cutoff]);
  const registrants = await cli('import registrants', ['import', 'registrants', files.registrants, '--now', BIG.importNow]);
  const events = await cli('import events', ['import', 'events', files.events, '--now', BIG.importNow]);
  info.push(['import registrants (50,000)', `${seconds(registrants.ms)} s, ${registrants.rssMb.toFixed(0)} MB`]);
  info.push(['import events (2,000)', `${seconds(events.ms)} s, ${events.rssMb.toFixed(0)} MB`]);
  cloneDatabase(pg, DB, T_SETUP);

  // 3. Import of the completions vs psql \copy of the same file.
  const importRuns: Measured[] = [];
  const importBase: Measured[] = [];
  const importSame: Measured[] = [];
  for (let run = 1; run <= RUNS; run++) {
    // The same work by hand first: the CLI's import must be the one left in DB after the loop.
    cloneDatabase(pg, T_SETUP, DB);
    const same = await measure(`import same work #${run}`, 'psql', await importSameWorkArgs(pg, DB, files.completions, path.join(OUT, 'same-import.sql')), { env: baseEnv });
    importSame.push(same);
    log(`same-work SQL import #${run}: ${seconds(same.ms)} s (${count('SELECT count(*) FROM completion')} completions)`);
    cloneDatabase(pg, T_SETUP, DB);
    const m = await cli(`import completions #${run}`, ['import', 'completions', files.completions, '--now', BIG.importNow]);
    importRuns.push(m);
    log(`import completions #${run}: ${seconds(m.ms)} s${m.hung ? ' HUNG' : ''} (last output ${seconds(m.lastOutputMs)} s), ${m.rssMb.toFixed(0)} MB`);
    const b = await measure(`psql \\copy #${run}`, 'psql', importBaselineArgs(pg, DB, files.completions), { env: baseEnv });
    importBase.push(b);
    log(`psql \\copy FROM #${run}: ${seconds(b.ms)} s`);
  }
  psql(pg, DB, ['DROP TABLE IF EXISTS bench_copy']);
  const imported = count('SELECT count(*) FROM completion');
  const rejected = count(`SELECT rejected FROM import_run WHERE kind = 'completions' ORDER BY id DESC LIMIT 1`);
  rows.push({
    step: `import completions (${N.toLocaleString('en-GB')} rows)`,
    runs: importRuns,
    baselineName: 'psql \\copy FROM into an unindexed table',
    baseline: importBase,
    target: { ratio: 3, rssMb: 200 },
    note: `${imported} inserted, ${rejected} rejected`,
  });
  rows.push({
    step: `import completions (${N.toLocaleString('en-GB')} rows) vs the same work in SQL`,
    runs: importRuns,
    baselineName: 'psql: \\copy into a temp table, INSERT … SELECT joining registrant and event into completion, upload_pending',
    baseline: importSame,
    target: { ratio: 1.3, rssMb: null },
  });

  const confirmations = await cli('import confirmations', ['import', 'confirmations', files.confirmations, '--now', BIG.importNow]);
  info.push([`import confirmations (${files.counts.confirmations.toLocaleString('en-GB')})`, `${seconds(confirmations.ms)} s, ${confirmations.rssMb.toFixed(0)} MB`]);
  log(`import confirmations: ${seconds(confirmations.ms)} s, ${confirmations.rssMb.toFixed(0)} MB`);
  vacuumAnalyze();
  cloneDatabase(pg, DB, T_LOADED);

  // 4. One weekly batch of ~N completions vs psql \copy (join) TO file.
  const batchRuns: Measured[] = [];
  const batchBase: Measured[] = [];
  const batchSame: Measured[] = [];
  const baselineFile = path.join(OUT, 'baseline-week.csv');
  for (let run = 1; run <= RUNS; run++) {
    // The same work by hand first: the CLI's batch must be the one left in DB after the loop.
    cloneDatabase(pg, T_LOADED, DB);
    const same = await measure(`batch same work #${run}`, 'psql', await batchSameWorkArgs(pg, DB, path.join(OUT, 'same-week.csv'), path.join(OUT, 'same-batch.sql')), { env: baseEnv });
    batchSame.push(same);
    log(`same-work SQL batch #${run}: ${seconds(same.ms)} s`);
    cloneDatabase(pg, T_LOADED, DB);
    await freshOutbox();
    const m = await cli(`upload weekly #${run}`, ['upload', 'weekly', '--week', BIG.week, '--now', BIG.runNow], `big${run}`);
    batchRuns.push(m);
    log(`upload weekly #${run}: ${seconds(m.ms)} s${m.hung ? ' HUNG' : ''} (last output ${seconds(m.lastOutputMs)} s), ${m.rssMb.toFixed(0)} MB`);
    const b = await measure(`psql \\copy TO #${run}`, 'psql', batchBaselineArgs(pg, DB, baselineFile), { env: baseEnv });
    batchBase.push(b);
    log(`psql \\copy TO #${run}: ${seconds(b.ms)} s`);
  }
  const carried = count(`SELECT records FROM batch WHERE period = '${BIG.week}'`);
  const baselineLines = (await readFile(baselineFile, 'utf8')).split('\n').length - 1;
  const held = count('SELECT count(*) FROM upload_pending');
  rows.push({
    step: `weekly batch of ~${N.toLocaleString('en-GB')} (claim + file + manifest, via the queue)`,
    runs: batchRuns,
    baselineName: 'psql \\copy (3-table join ORDER BY file order) TO file',
    baseline: batchBase,
    target: { ratio: 1.5, rssMb: 150 },
    note: `batch carried ${carried} records (${held} held for confirmation); the baseline wrote ${baselineLines} rows`,
  });
  rows.push({
    step: `weekly batch of ~${N.toLocaleString('en-GB')} vs the same work in SQL`,
    runs: batchRuns,
    baselineName: 'psql: INSERT INTO batch_item SELECT … join in key order, DELETE the pending rows, \\copy the snapshot out in file order',
    baseline: batchSame,
    target: { ratio: 1.2, rssMb: null },
  });

  // 5. History: the later week's 10,000 with the big week already uploaded, vs on an empty history.
  // The big week was marked uploaded by running its batch (the last run above); what it held
  // for confirmation is taken out of upload_pending by SQL, so that both sides carry the same 10k.
  psql(pg, DB, ['DELETE FROM upload_pending']);
  await cli('import later week', ['import', 'completions', files.weekCompletions, '--now', LATER.importNow]);
  await cli('import later week confirmations', ['import', 'confirmations', files.weekConfirmations, '--now', LATER.importNow]);
  vacuumAnalyze();
  const history = count('SELECT count(*) FROM batch_item');
  cloneDatabase(pg, DB, T_HISTORY);
  cloneDatabase(pg, T_SETUP, DB);
  await cli('import later week (empty history)', ['import', 'completions', files.weekCompletions, '--now', LATER.importNow]);
  await cli('import later week confirmations (empty history)', ['import', 'confirmations', files.weekConfirmations, '--now', LATER.importNow]);
  vacuumAnalyze();
  cloneDatabase(pg, DB, T_EMPTY);

  const withHistory: Measured[] = [];
  const emptyHistory: Measured[] = [];
  let historyRecords = 0;
  let emptyRecords = 0;
  for (let run = 1; run <= RUNS; run++) {
    for (const [template, into, key] of [[T_HISTORY, withHistory, 'history'], [T_EMPTY, emptyHistory, 'empty']] as const) {
      cloneDatabase(pg, template, DB);
      await freshOutbox();
      const m = await cli(`upload weekly later #${run} (${key})`, ['upload', 'weekly', '--week', LATER.week, '--now', LATER.runNow], `${key}${run}`);
      into.push(m);
      const records = count(`SELECT records FROM batch WHERE period = '${LATER.week}'`);
      if (key === 'history') historyRecords = records;
      else emptyRecords = records;
      log(`10k batch #${run}, ${key} history: ${seconds(effectiveMs(m))} s${m.hung ? ` (HUNG after its last output, killed at ${seconds(m.ms)} s)` : ''}, ${m.rssMb.toFixed(0)} MB, ${records} records`);
    }
  }
  rows.push({
    step: `weekly batch of 10k with ${history.toLocaleString('en-GB')} uploaded in history`,
    runs: withHistory,
    baselineName: 'the same batch on an empty history',
    baseline: emptyHistory,
    target: { ratio: 1.5, rssMb: null },
    note: `${historyRecords} vs ${emptyRecords} records`,
  });

  // 6. The read commands (issue 14).
  await reads();

  // Process start-up, for scale: the CLI doing nothing.
  const idle: Measured[] = [];
  for (let run = 1; run <= RUNS; run++) idle.push(await cli('cycle list', ['cycle', 'list']));
  info.push(['CLI start-up and exit (`cycle list`)', `${seconds(median(idle.map((m) => m.ms)))} s, ${median(idle.map((m) => m.rssMb)).toFixed(0)} MB`]);

  await report(nodeVersion, pgVersion);
  await writeReads(nodeVersion, pgVersion);

  if (!KEEP) for (const name of [DB, T_SETUP, T_LOADED, T_HISTORY, T_EMPTY]) dropDatabase(pg, name);
  removeQueueKeys();
}

async function report(nodeVersion: string, pgVersion: string): Promise<void> {
  const header = ['step', 'median', 'baseline', 'baseline median', 'ratio', 'peak RSS MB', 'target', 'met?'];
  const lines = rows.map((row) => {
    const t = median(row.runs.map(effectiveMs));
    const b = median(row.baseline.map(effectiveMs));
    const ratio = t / b;
    const rss = Math.max(...row.runs.map((m) => m.rssMb));
    const ratioMet = ratio <= row.target.ratio;
    const rssMet = row.target.rssMb === null || rss <= row.target.rssMb;
    const target = `≤ ${row.target.ratio}×${row.target.rssMb === null ? '' : `, ≤ ${row.target.rssMb} MB`}`;
    const met = ratioMet && rssMet ? 'yes' : `no (${[!ratioMet && 'time', !rssMet && 'RSS'].filter(Boolean).join(', ')})`;
    return [row.step, `${seconds(t)} s`, row.baselineName, `${seconds(b)} s`, `${ratio.toFixed(2)}×`, rss.toFixed(0), target, met];
  });
  const table = [header, header.map(() => '---'), ...lines].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
  const runsTable = [
    '| step | runs (s, to exit) | to last output (s) | RSS per run (MB) | baseline runs (s) |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row.step} | ${row.runs.map((m) => (m.hung ? `${seconds(m.lastOutputMs)} (hung after its last output: killed after ${seconds(m.ms)})` : seconds(m.ms))).join(', ')} | ${row.runs.map((m) => seconds(m.lastOutputMs)).join(', ')} | ${row.runs.map((m) => m.rssMb.toFixed(0)).join(', ')} | ${row.baseline.map((m) => (m.hung ? `${seconds(m.lastOutputMs)} (hung: killed after ${seconds(m.ms)})` : seconds(m.ms))).join(', ')} |`),
  ].join('\n');
  const stepNotes = rows.filter((r) => r.note).map((r) => `- ${r.step}: ${r.note}.`);
  const infoLines = info.map(([what, value]) => `- ${what}: ${value}`);
  process.stdout.write(`\n${table}\n\n${runsTable}\n\n${stepNotes.join('\n')}\n${infoLines.join('\n')}\n`);

  const date = new Date().toISOString().slice(0, 10);
  const measured = `<!-- bench:results -->
## Results of ${date}

Machine: ${nproc()} cores (\`nproc\`), Node ${nodeVersion}, PostgreSQL ${pgVersion}. N = ${N.toLocaleString('en-GB')}; median of ${RUNS} runs per step.

${table}

Times are wall-clock from spawning the process to its exit (monotonic clock), so they include
the CLI's start-up; a run that hung after its last line counts to that line. Peak RSS is GNU time's maximum resident set size of the uploader process
(the largest over the runs).

${runsTable}

${stepNotes.join('\n')}

Setup and other figures (not targets):

${infoLines.join('\n')}
<!-- /bench:results -->`;
  const file = path.join(ROOT, 'BENCHMARKS.md');
  const existing = await readFile(file, 'utf8').catch(() => '');
  const marked = /<!-- bench:results -->[\s\S]*<!-- \/bench:results -->/;
  const text = marked.test(existing)
    ? existing.replace(marked, measured)
    : `# Benchmarks\n\n\`npm run bench\` (bench/run.ts; issue 6). \`-- --n N\` sets the number of completions.\n\n${measured}\n`;
  await writeFile(file, text);
  log(`wrote ${path.relative(ROOT, file)}`);
}

/** The reads table, in its own marked section of BENCHMARKS.md. */
async function writeReads(nodeVersion: string, pgVersion: string): Promise<void> {
  const table = readsTable(readRows, { seconds: 2, rssMb: 150 });
  process.stdout.write(`\n${table}\n`);
  const measured = `<!-- bench:reads -->
## Read commands, ${new Date().toISOString().slice(0, 10)}

Machine: ${nproc()} cores, Node ${nodeVersion}, PostgreSQL ${pgVersion}; load average ${loadavg().map((l) => l.toFixed(1)).join(', ')} at the end.
Each command ${RUNS} times on a fresh clone of the template (migrated, VACUUM ANALYZE, state
snapshot rebuilt as the worker would within a minute of a change); reports are stopped after their
first 10,000 rows (time to that line), the others run to exit. The rows "no current state snapshot"
delete its meta row before each run, so \`status\` and the dry run count from the tables (what they
do in the minute after a change, until the worker has rebuilt it).

${table}

State snapshot rebuilds (\`status --refresh\`, the worker's \`refresh-state-snapshot\` job): ${snapshotBuilds
    .map(([label, m]) => `${label} ${seconds(m.ms)} s, ${m.rssMb.toFixed(0)} MB`)
    .join('; ')}.
<!-- /bench:reads -->`;
  const file = path.join(ROOT, 'BENCHMARKS.md');
  const existing = await readFile(file, 'utf8').catch(() => '');
  const marked = /<!-- bench:reads -->[\s\S]*<!-- \/bench:reads -->/;
  await writeFile(file, marked.test(existing) ? existing.replace(marked, measured) : `${existing.trimEnd()}\n\n${measured}\n`);
}

await main();
