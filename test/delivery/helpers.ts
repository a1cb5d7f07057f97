import { createHash } from 'node:crypto';
import { cpSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { runCli, startCli, waitFor, type RunningCli } from '../support/runCli.ts';
import type { TestEnvironment } from '../support/testEnvironment.ts';

const EXAMPLE = fileURLToPath(new URL('../fixtures/example/', import.meta.url));

/** Migrates and imports the specification's worked example (its batches are then run by the caller). */
export async function importExample(env: TestEnvironment, cliEnv: Record<string, string>): Promise<void> {
  const inputs = path.join(env.workDir, 'example');
  cpSync(EXAMPLE, inputs, { recursive: true });
  const steps: Array<[string[], number]> = [
    [['cycle', 'add', '2019-2021', '--first-day', '2019-01-01', '--last-day', '2021-12-31', '--cutoff', '2021-12-30T12:00'], 0],
    [['import', 'registrants', path.join(inputs, 'registrants.csv'), '--now', '2022-01-04T09:00:00Z'], 0],
    [['import', 'events', path.join(inputs, 'events.csv'), '--now', '2022-01-04T09:00:00Z'], 0],
    [['import', 'completions', path.join(inputs, 'completions.csv'), '--now', '2022-01-04T09:00:00Z'], 3],
    [['import', 'confirmations', path.join(inputs, 'confirmations.csv'), '--now', '2022-01-04T09:00:00Z'], 3],
  ];
  for (const [args, code] of steps) {
    const result = await runCli(args, cliEnv);
    expect(result.code, `${args.join(' ')}\n${result.stdout}${result.stderr}`).toBe(code);
  }
}

/** The example's four batches: three weekly files and the FINAL one. */
export const EXAMPLE_BATCHES: string[][] = [
  ['upload', 'weekly', '--week', '2021-W48'],
  ['upload', 'weekly', '--week', '2021-W49'],
  ['upload', 'weekly', '--week', '2021-W50'],
  ['upload', 'weekly', '--week', '2021-W51'],
  ['upload', 'final', '--cycle', '2019-2021', '--now', '2021-12-30T12:00:00Z', '--yes'],
];

export async function runBatches(cliEnv: Record<string, string>, batches = EXAMPLE_BATCHES): Promise<void> {
  for (const args of batches) {
    const result = await runCli(args, cliEnv);
    expect(result.code, `${args.join(' ')}\n${result.stdout}${result.stderr}`).toBe(0);
  }
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** name -> SHA-256 of every file in a directory (optionally only names ending in `suffix`). */
export function digests(dir: string, suffix = ''): Map<string, string> {
  return new Map(
    readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith(suffix))
      .map((entry) => entry.name)
      .sort()
      .map((name) => [name, sha256(readFileSync(path.join(dir, name)))]),
  );
}

export async function startWorker(cliEnv: Record<string, string>, running: RunningCli[], args: string[] = []): Promise<RunningCli> {
  const worker = startCli(['worker', ...args], { ...cliEnv, LOG_LEVEL: 'info' });
  running.push(worker);
  await waitFor(() => worker.output().includes('worker ready'), 'the worker');
  return worker;
}

/** Kills and awaits the workers (after each test: none may outlive its environment's queue keys). */
export async function stopWorkers(running: RunningCli[]): Promise<void> {
  for (const worker of running.splice(0)) {
    worker.child.kill('SIGKILL');
    await worker.exited;
  }
}

/** Removes every file of a directory (an SFTP directory shared by a file's tests). */
export function emptyDir(dir: string): void {
  for (const name of readdirSync(dir)) rmSync(path.join(dir, name), { recursive: true, force: true });
}
