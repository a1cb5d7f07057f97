import { describe, expect, it } from 'vitest';
import { runCli } from './support/runCli.ts';
import { seedCompletion, seedCycle, seedEvent, seedRegistrant } from './support/seed.ts';
import { withServicesUp } from './support/servicesUp.ts';
import { useTestEnvironment } from './support/testEnvironment.ts';

describe('status', () => {
  const env = useTestEnvironment();

  it('warns while a cutoff has passed without a FINAL batch, and not once the FINAL batch exists', async () => {
    await seedCycle(env.db);
    const r = await seedRegistrant(env.db, '01-50001');
    const held = await seedEvent(env.db, 'C-92001', { interactive: true });
    await seedCompletion(env.db, 'ST-1', r, held, '2021-12-20T10:00:00Z');

    // With a worker's and the scheduler's heartbeats, so that no NO_WORKER / NO_SCHEDULER stands
    // (statusPresence.test.ts tests those); not around the upload, which would wait for that worker.
    const before = await withServicesUp(env.queuePrefix, () => runCli(['status', '--now', '2021-12-22T10:00:00Z'], env.env));
    expect(before.code, before.stderr).toBe(0);
    expect(before.stdout).not.toMatch(/WARNING/);
    expect(before.stdout).toMatch(/held for peer confirmation: 1/);
    expect(before.stdout).toMatch(/SLA: 0 past the 10-working-day limit, 0 due within 2 working days/);
    expect(before.stdout).toMatch(/weekly batch: Fri 24 Dec 2021 06:00:00.000 GMT/);
    expect(before.stdout).toMatch(/FINAL batch of 2019-2021: Thu 30 Dec 2021 12:00:00.000 GMT/);

    const missed = await runCli(['status', '--now', '2021-12-31T09:00:00Z'], env.env);
    expect(missed.stdout).toMatch(/WARNING: the cutoff of cycle 2019-2021 .* without a FINAL batch: run `cet-uploader upload final --cycle 2019-2021`/);

    const final = await runCli(['upload', 'final', '--cycle', '2019-2021', '--now', '2021-12-31T09:00:00Z', '--yes'], env.env);
    expect(final.code, final.stderr).toBe(0);
    const undelivered = await runCli(['status', '--now', '2021-12-31T09:05:00Z'], env.env);
    // DELIVERY=none: the FINAL file waits for a person to upload it and say so.
    expect(undelivered.stdout).not.toMatch(/WARNING: the cutoff/);
    expect(undelivered.stdout).toMatch(/WARNING: the FINAL file 1 \(CET_P00001_000001_20211230\.csv\) is not delivered .* --mark-delivered 1/);
    const marked = await runCli(['deliver', '--mark-delivered', '1', '--now', '2021-12-31T09:04:00Z'], env.env);
    expect(marked.code, marked.stderr).toBe(0);
    const after = await withServicesUp(env.queuePrefix, () => runCli(['status', '--now', '2021-12-31T09:05:00Z'], env.env));
    expect(after.stdout).not.toMatch(/WARNING/);
    expect(after.stdout).toMatch(/2019-2021 .* sealed by its FINAL batch/);
    expect(after.stdout).toMatch(/#1 {2}FINAL {2}2019-2021 FINAL {2}1 records {2}CET_P00001_000001_20211230\.csv written, delivered 2021-12-31T09:04:00.000Z \(by hand\)/);
    expect(after.stdout).toMatch(/carried, no acknowledgement yet: 1/);
    // Carried by the FINAL batch, so nothing is left for the SLA.
    expect(after.stdout).toMatch(/SLA: 0 past/);
  });
});
