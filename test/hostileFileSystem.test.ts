import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMPLETIONS_HEADER, seedBasics, writeFile } from './fixtures/imports/helpers.ts';
import { spawn } from 'node:child_process';
import { CLI, runCli, startCli } from './support/runCli.ts';
import { seedCompletion, seedCycle, seedEvent, seedRegistrant, truncateAll } from './support/seed.ts';
import { useTestEnvironment } from './support/testEnvironment.ts';

// A hostile file system (issue 11): links planted where the service writes, a directory squatting
// on a file's name, a shared outbox. Every file is created new under an unpredictable name.

describe('the rejects file against planted links', () => {
  const env = useTestEnvironment();
  beforeAll(() => seedBasics(env));

  it('never writes through a link planted at the temporary or final name; the file is 0600', async () => {
    const victim = path.join(env.workDir, 'victim.txt');
    writeFileSync(victim, 'precious\n');
    const input = writeFile(env, 'links.csv', [COMPLETIONS_HEADER, 'R-1,01-99999,C-70001,2021-11-01T10:00:00Z']);
    const rejects = `${input}.rejects.csv`;
    const run = startCli(['import', 'completions', input, '--now', '2022-01-01T00:00:00Z'], env.env);
    // The name the old writer used, `<rejects>.<pid>.tmp`, planted before the child gets that far.
    for (let pid = run.child.pid! - 2; pid <= run.child.pid! + 2; pid++) symlinkSync(victim, `${rejects}.${pid}.tmp`);
    const result = await run.exited;
    expect(result.code, result.stdout + result.stderr).toBe(3);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(lstatSync(rejects).isFile()).toBe(true);
    expect(statSync(rejects).mode & 0o777).toBe(0o600);
    expect(readFileSync(rejects, 'utf8')).toMatch(/UNKNOWN_REGISTRANT/);
    // No temporary file of ours is left beside the input (the planted links are the attacker's).
    expect(readdirSync(env.workDir).filter((f) => f.endsWith('.tmp') && !lstatSync(path.join(env.workDir, f)).isSymbolicLink())).toEqual([]);
  });

  it('replaces a link planted at the final name instead of writing through it', async () => {
    const victim = path.join(env.workDir, 'victim2.txt');
    writeFileSync(victim, 'precious\n');
    const input = writeFile(env, 'final-link.csv', [COMPLETIONS_HEADER, 'R-1,01-99999,C-70001,2021-11-01T10:00:00Z']);
    symlinkSync(victim, `${input}.rejects.csv`);
    const result = await runCli(['import', 'completions', input, '--now', '2022-01-01T00:00:00Z'], env.env);
    expect(result.code, result.stderr).toBe(3);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(lstatSync(`${input}.rejects.csv`).isFile()).toBe(true);
    expect(statSync(`${input}.rejects.csv`).mode & 0o777).toBe(0o600);
  });
});

describe('the outbox', () => {
  const env = useTestEnvironment();
  beforeAll(async () => {
    await seedCycle(env.db);
    const registrant = await seedRegistrant(env.db, '01-20001');
    const event = await seedEvent(env.db, 'C-80001');
    await seedCompletion(env.db, 'A-1', registrant, event, '2021-12-01T10:00:00Z');
  });
  const upload = (outbox: string) =>
    runCli(['upload', 'weekly', '--week', '2021-W49', '--now', '2021-12-10T07:00:00Z'], { ...env.env, OUTBOX_DIR: outbox });

  it('refuses a shared 1777 directory without changing its mode, naming it and the fix', async () => {
    const shared = path.join(env.workDir, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o1777);
    const result = await upload(shared);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`The outbox ${shared} is group- or world-accessible (mode 1777)`);
    expect(result.stderr).toMatch(/Set OUTBOX_DIR to a directory of the service's own/);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack
    expect(statSync(shared).mode & 0o7777).toBe(0o1777);
    expect(readdirSync(shared)).toEqual([]);
  });

  it('removes its temporary file when a directory squats on the upload file name', async () => {
    const outbox = path.join(env.workDir, 'squatted');
    mkdirSync(outbox, { mode: 0o700 });
    chmodSync(outbox, 0o700);
    mkdirSync(path.join(outbox, 'CET_P00001_000001_20211210.csv'));
    writeFileSync(path.join(outbox, 'CET_P00001_000001_20211210.csv', 'keep'), 'x');
    const result = await upload(outbox);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot put .*CET_P00001_000001_20211210\.csv in place: a directory is in the way/);
    expect(readdirSync(outbox).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('creates a missing outbox 0700 and its files 0600', async () => {
    await truncateAll(env.db);
    await seedCycle(env.db);
    const registrant = await seedRegistrant(env.db, '01-20001');
    const event = await seedEvent(env.db, 'C-80001');
    await seedCompletion(env.db, 'A-1', registrant, event, '2021-12-01T10:00:00Z');
    const outbox = path.join(env.workDir, 'fresh', 'outbox');
    const result = await upload(outbox);
    expect(result.code, result.stderr).toBe(0);
    expect(statSync(outbox).mode & 0o777).toBe(0o700);
    for (const name of readdirSync(outbox)) expect(statSync(path.join(outbox, name)).mode & 0o777).toBe(0o600);
    expect(readdirSync(outbox).sort()).toEqual(['CET_P00001_000001_20211210.csv', 'CET_P00001_000001_20211210.csv.manifest.json']);
  });
});

describe('the console users file against planted links', () => {
  const env = useTestEnvironment();

  it('console-user add never writes the password hashes through a link at the old temporary name', async () => {
    const victim = path.join(env.workDir, 'victim-users.txt');
    writeFileSync(victim, 'precious\n');
    const users = path.join(env.workDir, 'users');
    const child = spawn(process.execPath, [CLI, 'console-user', 'add', 'alice', '--role', 'viewer'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env.env, CONSOLE_USERS_FILE: users },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    // The name the old writer used, `.<file>.<pid>.tmp`, planted before the child gets that far.
    for (let pid = child.pid! - 2; pid <= child.pid! + 2; pid++) symlinkSync(victim, path.join(env.workDir, `.users.${pid}.tmp`));
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stdin.end('a password of some length\n');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, output).toBe(0);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(lstatSync(users).isFile()).toBe(true);
    expect(statSync(users).mode & 0o777).toBe(0o600);
    expect(readFileSync(users, 'utf8')).toMatch(/^alice:viewer:/);
  });
});
