import path from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsole, type RunningConsole } from './support/console.ts';
import { ConsoleClient } from './support/consoleClient.ts';
import { runCli, startCli, waitFor } from './support/runCli.ts';
import { useTestEnvironment } from './support/testEnvironment.ts';

// Whether a worker and the scheduler are running is visible outside their logs: /metrics and the
// console's Overview read their heartbeats in Redis (src/status/presence.ts).

const PASSWORD = 'readiness-operator-password';

describe('the worker\'s and the scheduler\'s readiness in /metrics and on the Overview', () => {
  const env = useTestEnvironment({ LOG_LEVEL: 'info' });
  let console_: RunningConsole;
  let client: ConsoleClient;

  beforeAll(async () => {
    const usersFile = path.join(env.workDir, 'console-users');
    const added = await runCli(['console-user', 'add', 'olive', '--role', 'operator'], { ...env.env, CONSOLE_USERS_FILE: usersFile }, { input: `${PASSWORD}\n` });
    expect(added.code, added.stderr).toBe(0);
    console_ = await startConsole(env.env, env.handle, { usersFile });
    client = new ConsoleClient(console_.url);
    expect((await client.login('olive', PASSWORD)).status).toBe(303);
  });
  afterAll(async () => {
    await console_?.close();
  });

  async function scrape(): Promise<(name: string) => number | undefined> {
    const families = parsePrometheusTextFormat(await (await fetch(`${console_.url}/metrics`)).text());
    return (name) => {
      const value = families.find((f) => f.name === name)?.metrics[0]?.value;
      return value === undefined ? undefined : Number(value);
    };
  }
  const overview = async () => (await client.request('/')).text;

  it('says no worker and no scheduler, then both running, then the scheduler stopped', async () => {
    let metric = await scrape();
    expect(metric('cet_uploader_workers_live')).toBe(0);
    expect(metric('cet_uploader_scheduler_up')).toBe(0);
    expect(metric('cet_uploader_scheduler_heartbeat_timestamp_seconds')).toBe(0);
    let page = await overview();
    expect(page).toContain('<strong>NO_WORKER</strong>: No worker is running');
    expect(page).toContain('<strong>NO_SCHEDULER</strong>: No scheduler has sent a heartbeat');

    const startedAt = Date.now();
    const worker = startCli(['worker'], env.env);
    const scheduler = startCli(['scheduler'], env.env);
    await waitFor(() => worker.output().includes('worker ready'), 'the worker');
    await waitFor(() => scheduler.output().includes('scheduler started'), 'the scheduler', 40_000);
    metric = await scrape();
    expect(metric('cet_uploader_workers_live')).toBe(1);
    expect(metric('cet_uploader_scheduler_up')).toBe(1);
    const beat = metric('cet_uploader_scheduler_heartbeat_timestamp_seconds')!;
    expect(beat * 1000).toBeGreaterThanOrEqual(Math.floor(startedAt / 1000) * 1000);
    expect(beat * 1000).toBeLessThanOrEqual(Date.now());
    page = await overview();
    expect(page).not.toContain('NO_WORKER');
    expect(page).not.toContain('NO_SCHEDULER');
    expect(page).toMatch(/<dt>Workers running<\/dt><dd>1<\/dd>/);
    expect(page).toMatch(/<dt>Scheduler<\/dt><dd>running \(last heartbeat /);

    worker.child.kill('SIGTERM');
    scheduler.child.kill('SIGTERM');
    for (const exited of await Promise.all([worker.exited, scheduler.exited])) expect(exited.code, exited.stderr).toBe(0);
    metric = await scrape();
    expect(metric('cet_uploader_workers_live')).toBe(0);
    expect(metric('cet_uploader_scheduler_up')).toBe(0);
    // The last heartbeat stays readable after the stop.
    expect(metric('cet_uploader_scheduler_heartbeat_timestamp_seconds')).toBeGreaterThanOrEqual(beat);
    page = await overview();
    expect(page).toContain('<strong>NO_WORKER</strong>');
    expect(page).toMatch(/<strong>NO_SCHEDULER<\/strong>: The scheduler stopped at /);
    expect(page).toMatch(/<dt>Scheduler<\/dt><dd>stopped at /);
  });
});
