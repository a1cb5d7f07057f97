import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { databaseUrl, redisUrl } from './support/urls.ts';

// What a new user does: `git clone` into a directory of their own (no sibling folders, so no
// ../shared), then the README's two commands. The clone is of this checkout's last commit.
// `npm test` is run on the test file that reads the worked example's fixtures through the bin (the whole suite twice
// would not fit CI's budget); .ci/run runs the whole suite from a fresh clone (see README).
const REPO = fileURLToPath(new URL('..', import.meta.url));
const SUITE_PART = ['test/workedExample.test.ts'];

/** The environment of a new user: the machine's PATH (its own Node and npm), nothing of this run's npm. */
function userEnv(extra: Record<string, string>): Record<string, string> {
  const keep = ['HOME', 'LANG', 'TMPDIR', 'TEST_DATABASE_URL', 'TEST_REDIS_URL'];
  const env: Record<string, string> = Object.fromEntries(keep.flatMap((key) => (process.env[key] ? [[key, process.env[key]!]] : [])));
  env.PATH = (process.env.PATH ?? '').split(path.delimiter).filter((dir) => !dir.includes(`${path.sep}node_modules${path.sep}`)).join(path.delimiter);
  return { ...env, ...extra };
}

function sh(command: string, args: string[], cwd: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('a fresh clone in a directory of its own', () => {
  const home = mkdtempSync(path.join(tmpdir(), 'cet-clone-'));
  const clone = path.join(home, 'cet-uploader');
  const queuePrefix = `cettest-${inject('runId')}_clone`;
  afterAll(async () => {
    rmSync(home, { recursive: true, force: true });
    const redis = new Redis(redisUrl());
    for (const pattern of [`${queuePrefix}:*`, `${queuePrefix}-demo:*`]) {
      const keys = await redis.keys(pattern);
      if (keys.length) await redis.unlink(...keys);
    }
    redis.disconnect();
  });

  it('passes the README’s two commands: `npm ci && npx cet-uploader demo`, then `npm test`', { timeout: 300_000 }, async () => {
    execFileSync('git', ['clone', '--quiet', REPO, clone]);
    expect(readdirSync(home)).toEqual(['cet-uploader']);

    // The demo makes its database by appending _demo; this one is dropped with the run's others.
    const env = userEnv({
      DATABASE_URL: databaseUrl(`cet_test_${inject('runId')}_clone`),
      REDIS_URL: redisUrl(),
      QUEUE_PREFIX: queuePrefix,
    });
    const first = await sh('sh', ['-c', 'npm ci --no-audit --no-fund && npx cet-uploader demo'], clone, env);
    expect(first.code, first.output).toBe(0);
    expect(first.output).toMatch(/The demo wrote \d+ upload files/);
    // What it says it keeps is there, and its hints run as printed (from the checkout).
    const kept = /are kept in (\S+)\.\n/.exec(first.output)?.[1];
    expect(kept && readdirSync(kept)).toContain('completions.csv.rejects.csv');
    expect(first.output).not.toMatch(/^\s*(\$ )?cet-uploader /m);
    const hint = /^ {2}(DATABASE_URL=.* npx cet-uploader trace 01-10004)$/m.exec(first.output)?.[1];
    const traced = await sh('sh', ['-c', hint!], clone, env);
    expect(traced.code, traced.output).toBe(0);
    expect(traced.output).toContain('01-10004');

    const second = await sh('npm', ['test', '--', ...SUITE_PART], clone, env);
    expect(second.code, second.output).toBe(0);
    expect(second.output.replace(/\x1b\[[0-9;]*m/g, '')).toMatch(/Test Files\s+1 passed \(1\)/);
  });
});
