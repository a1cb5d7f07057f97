import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, type CliResult } from './support/runCli.ts';
import { seedCompletion, seedCycle, seedEvent, seedRegistrant } from './support/seed.ts';
import { useTestEnvironment } from './support/testEnvironment.ts';

// Hostile acknowledgement paths and content (issue 11): refused at once, whole, without echoing
// the file's content; nothing changes.

describe('ack against hostile files', () => {
  const env = useTestEnvironment();
  let upload = '';
  const header = 'file,provider_ref,status,code,message\r\n';
  const write = (name: string, content: string | Buffer) => {
    const full = path.join(env.workDir, name);
    writeFileSync(full, content);
    return full;
  };
  const snapshot = async () =>
    (await sql<{ s: string }>`SELECT (SELECT count(*) FROM ack_file) || ':' ||
       (SELECT string_agg(provider_ref || '=' || coalesce(ack_status, '-'), ',' ORDER BY provider_ref) FROM batch_item) AS s`.execute(env.db)).rows[0]!.s;
  /** Runs `ack`, killing it if it has not ended within 20 s (the old code read /dev/zero forever). */
  const ack = async (file: string): Promise<CliResult> => {
    const run = startCli(['ack', file], env.env);
    const timer = setTimeout(() => run.child.kill('SIGKILL'), 20_000);
    try {
      return await run.exited;
    } finally {
      clearTimeout(timer);
    }
  };

  beforeAll(async () => {
    await seedCycle(env.db);
    const registrant = await seedRegistrant(env.db, '01-20001');
    const event = await seedEvent(env.db, 'C-80001');
    for (const ref of ['A-1', 'A-2']) await seedCompletion(env.db, ref, registrant, event, '2021-12-01T10:00:00Z');
    const result = await runCli(['upload', 'weekly', '--week', '2021-W49', '--now', '2021-12-10T07:00:00Z'], env.env);
    expect(result.code, result.stderr).toBe(0);
    upload = /CET_P00001_000001_\d{8}\.csv/.exec(result.stdout)![0];
  });

  it('refuses NUL content whole with exit 4, naming the line, echoing nothing of it', async () => {
    const before = await snapshot();
    const file = write('nul.csv', `${header}${upload},A-1,ACCEPTED,,\r\n${upload},A-2,REJECTED,X,secret\0text\r\n`);
    const result = await ack(file);
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toMatch(/refused whole; nothing was changed/);
    expect(result.stderr).toMatch(/line 3 holds a NUL byte/);
    expect(result.stdout + result.stderr).not.toMatch(/secret|\0/);
    expect(await snapshot()).toBe(before);
  });

  it('refuses bytes that are not UTF-8 with exit 4', async () => {
    const before = await snapshot();
    const file = write('latin1.csv', Buffer.from(`${header}${upload},A-1,ACCEPTED,,\r\n${upload},A-2,REJECTED,X,M\xfcller\r\n`, 'latin1'));
    const result = await ack(file);
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toMatch(/line 3 holds bytes that are not UTF-8/);
    expect(await snapshot()).toBe(before);
  });

  it('refuses /dev/zero at once (exit 2: not a regular file)', async () => {
    const result = await ack('/dev/zero');
    expect(result.signal).toBeNull();
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/\/dev\/zero is a device, not a regular file/);
  });

  it('refuses a directory (exit 2)', async () => {
    const result = await ack(env.workDir);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/is a directory, not a regular file/);
  });

  it('refuses /etc/passwd without printing any of it', async () => {
    const result = await ack('/etc/passwd');
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toMatch(/line 1: the header must be "file,provider_ref,status,code,message"/);
    const output = result.stdout + result.stderr;
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n').filter(Boolean)) {
      for (const field of line.split(':').filter((f) => f.length > 2)) expect(output).not.toContain(field);
    }
  });

  it('refuses a file over 100 MB unread (exit 4)', async () => {
    const file = write('huge.csv', '');
    truncateSync(file, 100 * 1024 * 1024 + 1); // sparse: nothing is written
    const result = await ack(file);
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toMatch(/has 104857601 bytes, more than the 100 MB an acknowledgement may have/);
  });

  it('cuts a long offending field in its message', async () => {
    const status = 'Z'.repeat(5000);
    const file = write('long.csv', `${header}${upload},A-1,${status},,\r\n${upload},A-2,ACCEPTED,,\r\n`);
    const result = await ack(file);
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toContain(`line 2: status "${'Z'.repeat(60)}…" is neither ACCEPTED nor REJECTED`);
    expect(result.stderr).not.toContain('Z'.repeat(61));
  });
});
