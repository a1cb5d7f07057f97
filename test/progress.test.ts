import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, runCli, waitFor } from './support/runCli.ts';
import { seedCycle, seedManyCompletions } from './support/seed.ts';
import { useTestEnvironment } from './support/testEnvironment.ts';

// Progress of a long import or a large batch: a bar on a terminal (driven through tmux, a real pseudo-terminal),
// nothing at all when the output is piped (as in logs, cron mail or a script).

const ROWS = 20_000;
const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

describe('import progress', () => {
  const env = useTestEnvironment();
  const socket = `cet-test-${randomBytes(4).toString('hex')}`;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  afterAll(() => {
    try {
      tmux('kill-server');
    } catch {
      // already gone
    }
  });

  function completionsFile(name: string): string {
    const lines = ['provider_ref,goc_number,event_ref,completed_at'];
    for (let i = 0; i < ROWS; i++) lines.push(`PG-${i},01-${String(20000 + (i % 5000)).padStart(5, '0')},C-80001,2021-06-01T10:00:00Z`);
    const file = path.join(env.workDir, name);
    writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  }

  it('draws a bar on a terminal, and nothing when piped', async () => {
    const onTerminal = completionsFile('terminal.csv');
    const vars = Object.entries({ ...env.env, PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' }).map(([k, v]) => `${k}=${quote(v)}`);
    const command = `env -i ${vars.join(' ')} ${quote(process.execPath)} ${quote(CLI)} import completions ${quote(onTerminal)} --now 2022-01-01T00:00:00Z; echo "EXIT=$?"; sleep 120`;
    tmux('new-session', '-d', '-s', 'import', '-x', '160', '-y', '40', command);
    const screen = await waitFor(() => {
      const text = tmux('capture-pane', '-p', '-t', 'import');
      return text.includes('EXIT=') ? text : '';
    }, 'the import on the terminal to finish', 120_000, 200);
    expect(screen).toMatch(/EXIT=3/); // every row names an unknown registrant: rejected, exit 3
    expect(screen).toMatch(/Importing completions \|[█░]+\| 100% /);
    expect(screen).toMatch(/Imported completions from .*: 20000 rows/);

    const piped = await runCli(['import', 'completions', completionsFile('piped.csv'), '--now', '2022-01-01T00:00:00Z'], env.env);
    expect(piped.code).toBe(3);
    expect(piped.stdout).toMatch(/Imported completions from .*: 20000 rows/);
    for (const output of [piped.stdout, piped.stderr]) {
      expect(output).not.toMatch(/Importing completions|[█░]|\r|\x1b\[/);
    }
  });
});

describe('progress of a large batch', () => {
  const env = useTestEnvironment();
  const socket = `cet-test-${randomBytes(4).toString('hex')}`;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  afterAll(() => {
    try {
      tmux('kill-server');
    } catch {
      // already gone
    }
  });

  it('draws a bar while the file is written on a terminal, and nothing when piped', async () => {
    await seedCycle(env.db);
    // About 12,400 completions before W47's slot (Fri 26 Nov 06:00) and 11,600 between it and W48's.
    await seedManyCompletions(env.db, { count: 24_000, registrants: 500, from: '2021-11-19T00:00:00Z', to: '2021-12-03T00:00:00Z' });
    const vars = Object.entries({ ...env.env, PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' }).map(([k, v]) => `${k}=${quote(v)}`);
    const run = (week: string) => `${quote(process.execPath)} ${quote(CLI)} upload weekly --week ${week} --now 2021-12-10T07:00:00Z`;
    tmux('new-session', '-d', '-s', 'batch', '-x', '200', '-y', '40', `env -i ${vars.join(' ')} ${run('2021-W47')}; echo "EXIT=$?"; sleep 120`);
    const screen = await waitFor(() => {
      const text = tmux('capture-pane', '-p', '-t', 'batch');
      return text.includes('EXIT=') ? text : '';
    }, 'the batch on the terminal to finish', 120_000, 200);
    expect(screen).toMatch(/EXIT=0/);
    // The bar is drawn with the file's record count. (Where it ends on the screen depends on when the
    // terminal redraws relative to the waiting messages; the final progress is given to it either way.)
    expect(screen).toMatch(/Writing CET_P00001_000001_\d{8}\.csv \|[█░]+\| \d+% \d+\/12428 records/);

    // The next week's batch, piped: the same outcome lines, no bar.
    const piped = await runCli(['upload', 'weekly', '--week', '2021-W48', '--now', '2021-12-10T07:00:00Z'], env.env);
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout).toMatch(/Batch 2, WEEKLY 2021-W48 .*: 1\d{4} records/);
    for (const output of [piped.stdout, piped.stderr]) expect(output).not.toMatch(/Writing CET|[█░]|\r|\x1b\[/);
  });
});
