// Runs one child process and measures it: wall time on a monotonic clock (the machine's wall
// clock has been seen to jump), the time of its last output, and its peak RSS as reported by
// GNU time (%M: the maximum resident set size of the process, in KiB).

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
  /** It printed its last line but did not exit within the idle limit, and was killed. */
  hung: boolean;
  /** It was stopped after stopAfterLines lines of output (ms is the time to that line). */
  stopped: boolean;
  stdout: string;
  stderr: string;
}

let counter = 0;

export async function measure(
  label: string,
  command: string,
  args: string[],
  options: {
    env: Record<string, string>;
    okCodes?: number[];
    /** Silence after which the process counts as hung and is stopped. */
    idleLimitMs?: number;
    /** Output that means the command is done: after it, only doneGraceMs of silence is allowed. */
    done?: RegExp;
    doneGraceMs?: number;
    /** Stop the process once it has written this many lines on stdout (the first rows of a report). */
    stopAfterLines?: number;
  },
): Promise<Measured> {
  const longLimit = options.idleLimitMs ?? 10 * 60_000;
  const doneGrace = options.doneGraceMs ?? 15_000;
  const rssFile = path.join(tmpdir(), `cet-bench-rss-${process.pid}-${counter++}`);
  const started = performance.now();
  let last = started;
  const child = spawn('/usr/bin/time', ['-f', '%M', '-o', rssFile, command, ...args], {
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let lines = 0;
  let stoppedAt: number | null = null;
  const stopMeasured = () => {
    // Stop the measured process (the child of /usr/bin/time), by its id; time then reports.
    try {
      const children = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
      for (const pid of children) process.kill(Number(pid), 'SIGTERM');
    } catch {
      // Already gone.
    }
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    last = performance.now();
    if (options.stopAfterLines !== undefined) {
      // Keep only the count and a little text: a report may write a million lines.
      for (let i = chunk.indexOf('\n'); i >= 0; i = chunk.indexOf('\n', i + 1)) lines++;
      if (stdout.length < 4096) stdout += chunk.slice(0, 4096);
      if (stoppedAt === null && lines >= options.stopAfterLines) {
        stoppedAt = last;
        stopMeasured();
      }
      return;
    }
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    last = performance.now();
  });
  // A process silent for longer than the limit is taken to hang, and stopped.
  let hung = false;
  const watchdog = setInterval(() => {
    const idleLimit = options.done?.test(stdout) ? doneGrace : longLimit;
    if (!hung && performance.now() - last > idleLimit && child.exitCode === null) {
      hung = true;
      stopMeasured();
    }
  }, 1000);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exitCode) => resolve(exitCode));
  }).finally(() => clearInterval(watchdog));
  const ms = (stoppedAt ?? performance.now()) - started;
  const rssText = await readFile(rssFile, 'utf8').catch(() => '');
  await rm(rssFile, { force: true });
  // GNU time writes "Command exited with non-zero status N" before the figure when it fails.
  const rssKb = Number(rssText.trim().split('\n').pop());
  const stopped = stoppedAt !== null;
  const result: Measured = { label, ms, lastOutputMs: (stoppedAt ?? last) - started, rssMb: rssKb / 1024, code, hung, stopped, stdout, stderr };
  if (hung || stopped) return result;
  if (!(options.okCodes ?? [0]).includes(code ?? -1)) {
    throw new Error(`${label}: ${command} ${args.join(' ')} exited with ${code}\n${stdout}\n${stderr}`);
  }
  return result;
}

/** The time a run counts for: to exit, or to its last output when it hung after it. */
export function effectiveMs(m: Measured): number {
  return m.hung ? m.lastOutputMs : m.ms;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
