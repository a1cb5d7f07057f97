// psql: the administration of the benchmark's databases, and the two baselines.

import { spawnSync } from 'node:child_process';
import { BIG } from './generate.ts';

export interface Pg {
  /** postgresql://user@host:port, without a database. */
  server: string;
  env: Record<string, string>;
}

export function urlOf(pg: Pg, database: string): string {
  return `${pg.server}/${database}`;
}

/** Runs SQL (or psql meta-commands, one per string) with psql; returns its output. */
export function psql(pg: Pg, database: string, commands: string[]): string {
  const args = [urlOf(pg, database), '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1'];
  for (const command of commands) args.push('-c', command);
  const result = spawnSync('psql', args, { env: pg.env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`psql ${database}: ${commands.join('; ')}\n${result.stderr}`);
  return result.stdout.trim();
}

export function dropDatabase(pg: Pg, name: string): void {
  psql(pg, 'postgres', [`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]);
}

/**
 * A fresh copy of a template: seconds, whatever it holds. FILE_COPY copies the files and
 * checkpoints before and after, so the step measured next starts with nothing left to flush:
 * PostgreSQL 15's default (WAL_LOG) writes the whole copy (~1 GB at N = 1M) to the WAL, and the
 * checkpoint that then forces landed in the middle of whichever run came next (batch runs of
 * 14.5-20.5 s and SQL baselines of 9.2-12.4 s in one bench).
 */
export function cloneDatabase(pg: Pg, template: string, name: string): void {
  dropDatabase(pg, name);
  psql(pg, 'postgres', [`CREATE DATABASE ${name} TEMPLATE ${template} STRATEGY FILE_COPY`]);
}

/** psql arguments of the import baseline: \copy of the file into an unindexed table of the same columns. */
export function importBaselineArgs(pg: Pg, database: string, file: string): string[] {
  return [
    urlOf(pg, database), '-X', '-q', '-v', 'ON_ERROR_STOP=1',
    '-c', 'DROP TABLE IF EXISTS bench_copy; CREATE TABLE bench_copy (provider_ref text, goc_number text, event_ref text, completed_at text)',
    '-c', `\\copy bench_copy FROM '${file}' WITH (FORMAT csv, HEADER true)`,
  ];
}

/**
 * The rows of the big week as a three-table join, in file order, written by psql: the same
 * fields as a detail record. (It takes every completion before the slot: it includes the few
 * the batch holds for confirmation.)
 */
export function batchBaselineSql(): string {
  return `SELECT 'D', c.provider_ref, r.goc_number, r.surname, e.event_ref, to_char(c.completed_on, 'YYYY-MM-DD'), e.points, ` +
    `CASE e.category WHEN 'general' THEN 'G' ELSE 'S' END, CASE WHEN e.interactive THEN 'Y' ELSE 'N' END ` +
    `FROM completion c JOIN registrant r ON r.id = c.registrant_id JOIN event e ON e.id = c.event_id ` +
    `WHERE c.completed_at < '${BIG.slot}' ORDER BY e.event_ref, r.goc_number, c.provider_ref`;
}

export function batchBaselineArgs(pg: Pg, database: string, outFile: string): string[] {
  return [urlOf(pg, database), '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', `\\copy (${batchBaselineSql()}) TO '${outFile}' WITH (FORMAT csv)`];
}
