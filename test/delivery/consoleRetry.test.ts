import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../../src/console/users.ts';
import { QUEUE_NAME } from '../../src/queue/jobNames.ts';
import { launchChromium, startConsole, type RunningConsole } from '../support/console.ts';
import { ConsoleClient } from '../support/consoleClient.ts';
import { runCli, waitFor, type RunningCli } from '../support/runCli.ts';
import { createSshd, destroySshd } from '../support/sshd.ts';
import { useTestEnvironment } from '../support/testEnvironment.ts';
import { redisUrl } from '../support/urls.ts';
import { digests, importExample, runBatches, startWorker, stopWorkers } from './helpers.ts';

// The console's Retry of a FAILED delivery, in Chromium, against a real sshd and a real worker:
// the file goes back to PENDING with its attempts kept, deliver-<seq> is queued as the worker
// queues a written file, the worker sends it, and the audit says who asked. A viewer is refused.

const OPERATOR = { name: 'olive', password: 'operator-pass-6d2f9a' };
const VIEWER = { name: 'victor', password: 'viewer-pass-41c7be03' };
/** Kept after the run (the test's own directory is removed): look at them. */
const SCREENSHOTS = path.join(tmpdir(), 'cet-console-retry-screenshots');
const W48_W49 = [
  ['upload', 'weekly', '--week', '2021-W48'],
  ['upload', 'weekly', '--week', '2021-W49'],
];

const sshd = await createSshd();
afterAll(() => destroySshd(sshd));

describe('Deliveries: Retry a FAILED file in the console', { timeout: 180_000 }, () => {
  const env = useTestEnvironment({ ...sshd.env, LOG_LEVEL: 'warn' });
  const running: RunningCli[] = [];
  let console_: RunningConsole;
  let browser: Browser;
  let queue: Queue;
  let queueRedis: Redis;

  beforeAll(async () => {
    rmSync(SCREENSHOTS, { recursive: true, force: true });
    mkdirSync(SCREENSHOTS, { recursive: true });
    await sshd.start();
    const usersFile = path.join(env.workDir, 'console-users');
    await addUser(usersFile, OPERATOR.name, 'operator', OPERATOR.password);
    await addUser(usersFile, VIEWER.name, 'viewer', VIEWER.password);
    await importExample(env, env.env);
    // Two files written with delivery off; then a run by hand against a server whose host key
    // is not the pinned one: file 1 FAILED at once (retrying would not help), file 2 waits for it.
    await runBatches({ ...env.env, DELIVERY: 'none' }, W48_W49);
    const refused = await runCli(['deliver'], { ...env.env, SFTP_HOST_KEY: sshd.otherFingerprint });
    expect(refused.code, refused.stdout + refused.stderr).toBe(1);
    console_ = await startConsole({ ...env.env, CONSOLE_USERS_FILE: usersFile }, env.handle, { usersFile });
    queueRedis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
    queue = new Queue(QUEUE_NAME, { connection: queueRedis, prefix: env.queuePrefix });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await console_?.close();
    await stopWorkers(running);
    await queue?.close();
    queueRedis?.disconnect();
  });

  async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ baseURL: console_.url, viewport: { width: 1366, height: 900 } });
    return { context, page: await context.newPage() };
  }

  async function logIn(page: Page, user: { name: string; password: string }): Promise<void> {
    await page.goto('/login');
    await page.getByLabel('User name').fill(user.name);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForLoadState();
  }

  const states = () => env.db.selectFrom('delivery').select(['seq', 'state', 'attempts', 'delivered_by']).orderBy('seq').execute();

  it('starts from file 1 FAILED on the wrong host key and file 2 waiting for it', async () => {
    expect(await states()).toEqual([
      { seq: 1, state: 'FAILED', attempts: 1, delivered_by: null },
      { seq: 2, state: 'PENDING', attempts: 0, delivered_by: null },
    ]);
    expect(readdirSync(sshd.uploadDir)).toEqual([]);
  });

  it('refuses a viewer: no Deliveries page, no button, and a hand-made POST is 403 and changes nothing', async () => {
    const { context, page } = await newPage();
    await logIn(page, VIEWER);
    expect(await page.getByRole('link', { name: 'Deliveries' }).count()).toBe(0);
    const shown = await page.goto('/deliveries');
    expect(shown?.status()).toBe(403);
    expect(await page.getByRole('button', { name: /Retry/ }).count()).toBe(0);
    await page.goto('/');
    const token = await page.locator('input[name="_csrf"]').first().inputValue();
    const post = await context.request.post('/deliveries/1/retry', { form: { _csrf: token }, maxRedirects: 0 });
    expect(post.status()).toBe(403);
    expect(await states()).toEqual([
      { seq: 1, state: 'FAILED', attempts: 1, delivered_by: null },
      { seq: 2, state: 'PENDING', attempts: 0, delivered_by: null },
    ]);
    expect(await queue.getJob('deliver-1')).toBeUndefined();
    const audit = await env.db.selectFrom('console_audit').select(['username', 'action', 'target', 'outcome']).where('action', 'in', ['REFUSED', 'DELIVERY_RETRY']).execute();
    expect(audit).toEqual([{ username: 'victor', action: 'REFUSED', target: 'POST /deliveries/1/retry', outcome: 'refused: not an operator' }]);
    await context.close();
  });

  it('refuses an operator POST without its CSRF token', async () => {
    const { context, page } = await newPage();
    await logIn(page, OPERATOR);
    const post = await context.request.post('/deliveries/1/retry', { form: {}, maxRedirects: 0 });
    expect(post.status()).toBe(403);
    expect((await states())[0]).toMatchObject({ state: 'FAILED', attempts: 1 });
    expect(await queue.getJob('deliver-1')).toBeUndefined();
    await context.close();
  });

  it('an operator clicks Retry: PENDING with attempts kept, deliver-1 queued, the worker delivers both files in order, audited', async () => {
    await startWorker(env.env, running);
    const { context, page } = await newPage();
    await logIn(page, OPERATOR);
    await page.goto('/deliveries');
    const rows = page.locator('table tbody tr');
    expect(await rows.nth(1).textContent()).toMatch(/#1 CET_P00001_000001_20211203\.csv.*FAILED.*presented host key/s);
    expect(await page.getByRole('button', { name: 'Retry #1' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Retry #2' }).count()).toBe(0); // PENDING: already queued, waits for #1
    await page.screenshot({ path: path.join(SCREENSHOTS, 'deliveries-failed.png'), fullPage: true });

    await page.getByRole('button', { name: 'Retry #1' }).click();
    await page.waitForURL(/\/deliveries\?done=/);
    const notice = await page.getByRole('status').textContent();
    expect(notice).toContain('File 1 (CET_P00001_000001_20211203.csv) is PENDING again (1 attempt so far) and queued for delivery (job deliver-1; deliver-2 for the files that waited for it).');
    expect(notice).not.toContain('No worker is running');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'deliveries-retry-queued.png'), fullPage: true });

    const delivered = await waitFor(async () => {
      const now = await states();
      return now.every((row) => row.state === 'DELIVERED') ? now : null;
    }, 'both files delivered');
    expect(delivered).toEqual([
      { seq: 1, state: 'DELIVERED', attempts: 2, delivered_by: 'sftp' },
      { seq: 2, state: 'DELIVERED', attempts: 1, delivered_by: 'sftp' },
    ]);
    expect(digests(sshd.uploadDir)).toEqual(digests(env.outboxDir, '.csv'));
    expect([...digests(sshd.uploadDir).keys()]).toEqual(['CET_P00001_000001_20211203.csv', 'CET_P00001_000002_20211210.csv']);
    const job = await queue.getJob('deliver-1');
    expect(job?.name).toBe('deliver-file');

    await page.goto('/deliveries');
    expect(await rows.nth(1).textContent()).toMatch(/#1 CET_P00001_000001_20211203\.csv.*DELIVERED \(SFTP\)/s);
    expect(await page.getByRole('button', { name: /Retry/ }).count()).toBe(0);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'deliveries-retried.png'), fullPage: true });

    const audit = await env.db.selectFrom('console_audit').select(['username', 'target', 'outcome', 'detail']).where('action', '=', 'DELIVERY_RETRY').execute();
    expect(audit).toEqual([
      { username: 'olive', target: '1 CET_P00001_000001_20211203.csv', outcome: 'ok', detail: notice },
    ]);

    // The same form posted again (a second tab, a double submit): nothing changes, nothing is sent.
    const token = await page.locator('input[name="_csrf"]').first().inputValue();
    const again = await context.request.post('/deliveries/1/retry', { form: { _csrf: token }, maxRedirects: 0 });
    expect(again.status()).toBe(303);
    expect(decodeURIComponent(again.headers()['location'] ?? '')).toContain('File 1 (CET_P00001_000001_20211203.csv) is DELIVERED, not FAILED; nothing was changed.');
    expect((await states())[0]).toEqual({ seq: 1, state: 'DELIVERED', attempts: 2, delivered_by: 'sftp' });
    expect(readdirSync(sshd.uploadDir).sort()).toEqual(['CET_P00001_000001_20211203.csv', 'CET_P00001_000002_20211210.csv']);
    await context.close();
  });
});

describe('Deliveries: Retry while Redis is unreachable', { timeout: 120_000 }, () => {
  const env = useTestEnvironment({ ...sshd.env, LOG_LEVEL: 'warn' });

  it('says the job could not be queued, leaves the file FAILED as it was, and audits the failure', async () => {
    await sshd.start(); // the host key check needs the server up (a refused connection is not final)
    const usersFile = path.join(env.workDir, 'console-users');
    await addUser(usersFile, OPERATOR.name, 'operator', OPERATOR.password);
    await importExample(env, env.env);
    await runBatches({ ...env.env, DELIVERY: 'none' }, W48_W49.slice(0, 1));
    const refused = await runCli(['deliver'], { ...env.env, SFTP_HOST_KEY: sshd.otherFingerprint });
    expect(refused.code, refused.stdout + refused.stderr).toBe(1);
    const before = await env.db.selectFrom('delivery').selectAll().where('seq', '=', 1).executeTakeFirstOrThrow();
    expect(before).toMatchObject({ state: 'FAILED', attempts: 1 });

    const down = await startConsole({ ...env.env, CONSOLE_USERS_FILE: usersFile }, env.handle, { usersFile, redisUrl: `redis://127.0.0.1:${await closedPort()}` });
    try {
      const operator = new ConsoleClient(down.url);
      await operator.login(OPERATOR.name, OPERATOR.password);
      const listed = await operator.request('/deliveries');
      expect(listed.text).toContain('Retry #1');
      const retried = await operator.request('/deliveries/1/retry', { form: { _csrf: ConsoleClient.csrfOf(listed.text) } });
      expect(retried.status).toBe(303);
      const said = new URLSearchParams(retried.headers.get('location')!.split('?')[1]).get('done');
      expect(said).toBe(
        'File 1 (CET_P00001_000001_20211203.csv) could not be queued (the queue (Redis) did not answer within 5 s); it is FAILED as before. ' +
          'Try again when Redis answers, or run `cet-uploader deliver --seq 1`.',
      );
      const after = await env.db.selectFrom('delivery').selectAll().where('seq', '=', 1).executeTakeFirstOrThrow();
      expect({ state: after.state, attempts: after.attempts, last_error: after.last_error }).toEqual({ state: 'FAILED', attempts: 1, last_error: before.last_error });
      const audit = await env.db.selectFrom('console_audit').select(['username', 'target', 'outcome']).where('action', '=', 'DELIVERY_RETRY').execute();
      expect(audit).toEqual([{ username: 'olive', target: '1 CET_P00001_000001_20211203.csv', outcome: 'failed: not queued' }]);
    } finally {
      await down.close();
    }
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('End of cycle in the console with DELIVERY=sftp and no worker running', { timeout: 120_000 }, () => {
  const env = useTestEnvironment({ ...sshd.env, LOG_LEVEL: 'warn' });
  const running: RunningCli[] = [];
  afterAll(() => stopWorkers(running));

  it('queues deliver-<seq> for the FINAL file its in-console worker wrote, as `upload final` does; it is sent', async () => {
    await sshd.start();
    for (const name of readdirSync(sshd.uploadDir)) rmSync(path.join(sshd.uploadDir, name), { force: true });
    const usersFile = path.join(env.workDir, 'console-users');
    await addUser(usersFile, OPERATOR.name, 'operator', OPERATOR.password);
    await importExample(env, env.env);
    const atCutoff = await startConsole({ ...env.env, CONSOLE_USERS_FILE: usersFile }, env.handle, { usersFile, now: new Date('2021-12-30T12:00:00Z') });
    const redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
    const queue = new Queue(QUEUE_NAME, { connection: redis, prefix: env.queuePrefix });
    try {
      const operator = new ConsoleClient(atCutoff.url);
      await operator.login(OPERATOR.name, OPERATOR.password);
      const form = await operator.request('/end-of-cycle');
      const ran = await operator.request('/end-of-cycle/2019-2021', { form: { _csrf: ConsoleClient.csrfOf(form.text), confirm: '2019-2021' } });
      expect(ran.status, ran.text).toBe(303);
      const final = await env.db.selectFrom('batch').select(['seq', 'file_name']).where('kind', '=', 'FINAL').executeTakeFirstOrThrow();
      const job = await queue.getJob(`deliver-${final.seq}`);
      expect(job?.name).toBe('deliver-file');
      // The in-console worker may take it before it stops; otherwise the worker started now does.
      await startWorker(env.env, running);
      await waitFor(async () => {
        const row = await env.db.selectFrom('delivery').select('state').where('seq', '=', final.seq!).executeTakeFirst();
        return row?.state === 'DELIVERED' ? row : null;
      }, 'the FINAL file delivered');
      expect(digests(sshd.uploadDir)).toEqual(digests(env.outboxDir, '.csv'));
      expect([...digests(sshd.uploadDir).keys()]).toEqual([final.file_name]);
    } finally {
      await stopWorkers(running);
      await queue.close();
      redis.disconnect();
      await atCutoff.close();
    }
  });
});
