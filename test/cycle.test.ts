import { describe, expect, it } from 'vitest';
import { runCli } from './support/runCli.ts';
import { useTestEnvironment } from './support/testEnvironment.ts';

describe('cycle add and list, through the CLI', () => {
  const env = useTestEnvironment();

  it('adds a cycle whose cutoff is read in Europe/London, and lists it', async () => {
    const added = await runCli(['cycle', 'add', '2019-2021', '--first-day', '2019-01-01', '--last-day', '2021-12-31', '--cutoff', '2021-12-30T12:00'], env.env);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('2021-12-30T12:00:00.000Z');
    const listed = await runCli(['cycle', 'list', '--format', 'json'], env.env);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ cycle: '2019-2021', cutoff_utc: '2021-12-30T12:00:00.000Z', sealed: false }),
    ]);
  });

  it('reads a summer cutoff as BST', async () => {
    const added = await runCli(['cycle', 'add', '2022-2024', '--first-day', '2022-01-01', '--last-day', '2024-12-31', '--cutoff', '2024-07-01T12:00'], env.env);
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('2024-07-01T11:00:00.000Z');
    expect(added.stdout).toMatch(/Mon 1 Jul 2024 12:00:00\.000 BST/);
  });

  it('refuses an overlapping cycle and a cutoff in the spring-forward gap with exit 2, naming the problem', async () => {
    const overlap = await runCli(['cycle', 'add', 'X', '--first-day', '2021-06-01', '--last-day', '2022-06-01', '--cutoff', '2022-05-01T12:00'], env.env);
    expect(overlap.code).toBe(2);
    expect(overlap.stderr).toMatch(/overlap cycle 2019-2021/);
    const gap = await runCli(['cycle', 'add', 'Y', '--first-day', '2030-01-01', '--last-day', '2030-12-31', '--cutoff', '2030-03-31T01:30'], env.env);
    expect(gap.code).toBe(2);
    expect(gap.stderr).toMatch(/does not exist in Europe\/London/);
  });
});
