// The read commands of issue 14 on the 1M databases: each command 3 times (median, peak RSS),
// on a clone of the loaded template (~1M completions pending before the big batch) and of the
// history template (~1M carried, 10k pending). A report is measured to its first 10,000 rows
// (then stopped); the other commands to exit.

import { median, type Measured } from './measure.ts';

export interface ReadCommand {
  name: string;
  args: (now: string, week: string) => string[];
  /** Stop after this many lines (header + 10,000 rows). */
  stopAfterLines?: number;
  /** Measured with no current state snapshot (its meta row deleted before each run): counted from the tables. */
  withoutSnapshot?: boolean;
}

export const FIRST_ROWS = 10_001;

export const READ_COMMANDS: ReadCommand[] = [
  { name: 'status', args: (now) => ['status', '--now', now] },
  { name: 'status, no current state snapshot', args: (now) => ['status', '--now', now], withoutSnapshot: true },
  { name: 'report sla (first 10,000 rows, CSV)', args: (now) => ['report', 'sla', '--now', now, '--format', 'csv'], stopAfterLines: FIRST_ROWS },
  { name: 'report held (CSV)', args: (now) => ['report', 'held', '--now', now, '--format', 'csv'], stopAfterLines: FIRST_ROWS },
  { name: 'report late (CSV)', args: (now) => ['report', 'late', '--now', now, '--format', 'csv'], stopAfterLines: FIRST_ROWS },
  { name: 'report rejected (CSV)', args: () => ['report', 'rejected', '--format', 'csv'], stopAfterLines: FIRST_ROWS },
  { name: 'report rejects (CSV)', args: () => ['report', 'rejects', '--format', 'csv'], stopAfterLines: FIRST_ROWS },
  { name: 'trace 01-10000', args: (now) => ['trace', '01-10000', '--now', now] },
  { name: 'upload weekly --dry-run', args: (now, week) => ['upload', 'weekly', '--week', week, '--dry-run', '--now', now] },
  { name: 'upload weekly --dry-run, no current state snapshot', args: (now, week) => ['upload', 'weekly', '--week', week, '--dry-run', '--now', now], withoutSnapshot: true },
  { name: 'requirements 01-10000 --cycle 2022-2024', args: () => ['requirements', '01-10000', '--cycle', '2022-2024'] },
];

export interface ReadRow {
  command: string;
  database: string;
  runs: Measured[];
}

export async function benchReads(
  databases: Array<{ label: string; now: string; week: string; prepare: () => Promise<void>; dropSnapshot: () => void; refreshSnapshot: () => Promise<void> }>,
  run: (label: string, args: string[], stopAfterLines?: number) => Promise<Measured>,
  runs: number,
  log: (text: string) => void,
): Promise<ReadRow[]> {
  const rows: ReadRow[] = [];
  for (const database of databases) {
    await database.prepare();
    for (const command of READ_COMMANDS) {
      const measured: Measured[] = [];
      for (let i = 1; i <= runs; i++) {
        if (command.withoutSnapshot) database.dropSnapshot();
        const m = await run(`${command.name} #${i} (${database.label})`, command.args(database.now, database.week), command.stopAfterLines);
        measured.push(m);
        log(`${command.name} #${i} on ${database.label}: ${(m.ms / 1000).toFixed(2)} s${m.stopped ? ' (stopped after 10,000 rows)' : ''}, ${m.rssMb.toFixed(0)} MB`);
      }
      rows.push({ command: command.name, database: database.label, runs: measured });
      // As the worker would have done within a minute of the last change.
      if (command.withoutSnapshot) await database.refreshSnapshot();
    }
  }
  return rows;
}

/** The reads table of BENCHMARKS.md. */
export function readsTable(rows: ReadRow[], target: { seconds: number; rssMb: number }): string {
  const lines = rows.map((row) => {
    const t = median(row.runs.map((m) => m.ms)) / 1000;
    const rss = Math.max(...row.runs.map((m) => m.rssMb));
    const met = t <= target.seconds && rss <= target.rssMb ? 'yes' : `no (${[t > target.seconds && 'time', rss > target.rssMb && 'RSS'].filter(Boolean).join(', ')})`;
    return `| ${row.command} | ${row.database} | ${t.toFixed(2)} s | ${row.runs.map((m) => (m.ms / 1000).toFixed(2)).join(', ')} | ${rss.toFixed(0)} | ${met} |`;
  });
  return ['| command | database | median | runs (s) | peak RSS MB | ≤ 2 s, ≤ 150 MB? |', '| --- | --- | --- | --- | --- | --- |', ...lines].join('\n');
}
