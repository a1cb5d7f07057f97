import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importCli, rejectsFile, reportedRejects } from './fixtures/imports/helpers.ts';
import { runCli } from './support/runCli.ts';
import { useTestEnvironment } from './support/testEnvironment.ts';

const EXAMPLE = path.resolve(import.meta.dirname, 'fixtures/example');
const example = (env: { workDir: string }, name: string) => {
  const file = path.join(env.workDir, name);
  copyFileSync(path.join(EXAMPLE, name), file);
  return file;
};

describe('the worked example, imported through the CLI', () => {
  const env = useTestEnvironment();

  it('imports registrants and events cleanly, and rejects EX-7 and the EX-1 confirmation', async () => {
    const cycle = await runCli(['cycle', 'add', '2019-2021', '--first-day', '2019-01-01', '--last-day', '2021-12-31', '--cutoff', '2021-12-30T12:00'], env.env);
    expect(cycle.code).toBe(0);

    const registrants = await importCli(env, 'registrants', example(env, 'registrants.csv'));
    expect(registrants.stderr).toBe('');
    expect(registrants.code).toBe(0);
    expect(registrants.stdout).toMatch(/inserted +4\n/);

    const events = await importCli(env, 'events', example(env, 'events.csv'));
    expect(events.code).toBe(0);
    expect(events.stdout).toMatch(/inserted +3\n/);

    const completionsFile = example(env, 'completions.csv');
    const completions = await importCli(env, 'completions', completionsFile);
    expect(completions.code).toBe(3);
    expect(completions.stdout).toMatch(/inserted +7\n/);
    expect(completions.stdout).toMatch(/rejected +1\n/);
    expect(completions.stdout).toContain('UNKNOWN_EVENT');

    const confirmationsFile = example(env, 'confirmations.csv');
    const confirmations = await importCli(env, 'confirmations', confirmationsFile);
    expect(confirmations.code).toBe(3);
    expect(confirmations.stdout).toMatch(/inserted +5\n/);
    expect(confirmations.stdout).toMatch(/rejected +1\n/);

    expect(rejectsFile(completionsFile)).toEqual([
      {
        line: '8',
        codes: 'UNKNOWN_EVENT',
        message: expect.stringContaining('UNKNOWN_EVENT'),
        provider_ref: 'EX-7',
        goc_number: '01-10001',
        event_ref: 'C-99999',
        completed_at: '2021-12-01T10:00:00Z',
      },
    ]);
    expect(rejectsFile(confirmationsFile)).toEqual([
      expect.objectContaining({ line: '7', codes: 'NOT_INTERACTIVE', provider_ref: 'EX-1', party: 'registrant' }),
    ]);
    const rejects = await reportedRejects(env);
    expect(rejects).toEqual([
      expect.objectContaining({ file: completionsFile, line: 8, kind: 'completions', key: 'EX-7', codes: ['UNKNOWN_EVENT'] }),
      expect.objectContaining({ file: confirmationsFile, line: 7, kind: 'confirmations', key: 'EX-1/registrant', codes: ['NOT_INTERACTIVE'] }),
    ]);
  });

  it('stores the normal forms, the business-zone date and a pending upload per completion', async () => {
    const { rows } = await env.handle.pool.query(
      `SELECT c.provider_ref, r.goc_number, e.event_ref, c.completed_at, c.completed_on, c.revision, c.received_at, c.changed_at,
              EXISTS (SELECT 1 FROM upload_pending u WHERE u.completion_id = c.id) AS pending
       FROM completion c JOIN registrant r ON r.id = c.registrant_id JOIN event e ON e.id = c.event_id
       WHERE c.provider_ref IN ('EX-2', 'EX-6') ORDER BY c.provider_ref`,
    );
    const now = new Date('2022-01-01T00:00:00Z');
    expect(rows).toEqual([
      { provider_ref: 'EX-2', goc_number: 'D-2002', event_ref: 'C-70003', completed_at: new Date('2021-12-02T18:00:00Z'), completed_on: '2021-12-02', revision: 1, received_at: now, changed_at: now, pending: true },
      { provider_ref: 'EX-6', goc_number: '01-10003', event_ref: 'C-70001', completed_at: new Date('2021-06-30T23:30:00Z'), completed_on: '2021-07-01', revision: 1, received_at: now, changed_at: now, pending: true },
    ]);
    const pending = await env.handle.pool.query(`SELECT count(*)::int AS n FROM upload_pending`);
    expect(pending.rows[0].n).toBe(7);
  });

  it('changes nothing when the same files are imported again', async () => {
    const before = await env.handle.pool.query(`SELECT provider_ref, revision, changed_at FROM completion ORDER BY provider_ref`);
    const runs = [['registrants', 4, 0], ['events', 3, 0], ['completions', 7, 3], ['confirmations', 5, 3]] as const;
    const results = await Promise.all(runs.map(([kind]) => importCli(env, kind, path.join(env.workDir, `${kind}.csv`), '2022-02-01T00:00:00Z')));
    runs.forEach(([, rows, exit], i) => {
      const again = results[i]!;
      expect(again.code).toBe(exit);
      expect(again.stdout).toMatch(/inserted +0\n +updated +0\n/);
      expect(again.stdout).toMatch(new RegExp(`unchanged +${rows}\\n`));
    });
    const after = await env.handle.pool.query(`SELECT provider_ref, revision, changed_at FROM completion ORDER BY provider_ref`);
    expect(after.rows).toEqual(before.rows);
    const rejects = await reportedRejects(env, 'completions.csv');
    expect(rejects.map((r) => [r.line, r.codes])).toEqual([[8, ['UNKNOWN_EVENT']], [8, ['UNKNOWN_EVENT']]]);
  });
});
