// Runs one child process and measures it: wall time on a monotonic clock (the machine's wall
// clock has been seen to jump), the time of its last output, and its peak RSS as reported by
// GNU time (%M: the maximum resident set size of the process, in KiB).

import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface Measured {
  label: string;
  /** Spawn to exit. */
  ms: number;
  /** Spawn to the last byte written on stdout or stderr. */
  lastOutputMs: number;
  rssMb: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

let counter = 0;

export async function measure(
  label: string,
  command: string,
  args: string[],
  options: { env: Record<string, string>; okCodes?: number[] },
): Promise<Measured> {
  const rssFile = path.join(tmpdir(), `cet-bench-rss-${process.pid}-${counter++}`);
  const started = performance.now();
  let last = started;
  const child = spawn('/usr/bin/time', ['-f', '%M', '-o', rssFile, command, ...args], {
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    last = performance.now();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    last = performance.now();
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exitCode) => resolve(exitCode));
  });
  const ms = performance.now() - started;
  const rssText = await readFile(rssFile, 'utf8').catch(() => '');
  await rm(rssFile, { force: true });
  // GNU time writes "Command exited with non-zero status N" before the figure when it fails.
  const rssKb = Number(rssText.trim().split('\n').pop());
  const result: Measured = { label, ms, lastOutputMs: last - started, rssMb: rssKb / 1024, code, stdout, stderr };
  if (!(options.okCodes ?? [0]).includes(code ?? -1)) {
    throw new Error(`${label}: ${command} ${args.join(' ')} exited with ${code}\n${stdout}\n${stderr}`);
  }
  return result;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
