import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../src/console/users.ts';
import { QUEUE_NAME } from '../src/queue/jobNames.ts';
import { launchChromium, startConsole, TEST_SESSION_SECRET, type RunningConsole } from './support/console.ts';
import { runCli } from './support/runCli.ts';
import { useTestEnvironment } from './support/testEnvironment.ts';
import { redisUrl } from './support/urls.ts';

// The console in a real browser: Debian's chromium driven by playwright-core, against the real
// service on the real PostgreSQL and Redis, with the worked example's data.
const EXAMPLE = fileURLToPath(new URL('./fixtures/example/', import.meta.url));
const BEFORE_CUTOFF = new Date('2021-12-22T10:00:00Z');
const AT_CUTOFF = new Date('2021-12-30T12:00:00Z');
const OPERATOR = { name: 'olive', password: 'operator-pass-6d2f9a' };
const VIEWER = { name: 'victor', password: 'viewer-pass-41c7be03' };
/** Kept after the run (the test's own directory is removed): look at them. */
export const SCREENSHOTS = path.join(tmpdir(), 'cet-console-screenshots');

describe('the console in Chromium', { timeout: 240_000 }, () => {
  const env = useTestEnvironment();
  let console_: RunningConsole;
  let browser: Browser;
  let usersFile: string;

  beforeAll(async () => {
    rmSync(SCREENSHOTS, { recursive: true, force: true });
    mkdirSync(SCREENSHOTS, { recursive: true });
    usersFile = path.join(env.workDir, 'console-users');
    await addUser(usersFile, OPERATOR.name, 'operator', OPERATOR.password);
    await addUser(usersFile, VIEWER.name, 'viewer', VIEWER.password);
    const inputs = path.join(env.workDir, 'example');
    cpSync(EXAMPLE, inputs, { recursive: true });
    const steps: Array<[string[], number]> = [
      [['cycle', 'add', '2019-2021', '--first-day', '2019-01-01', '--last-day', '2021-12-31', '--cutoff', '2021-12-30T12:00'], 0],
      [['import', 'registrants', path.join(inputs, 'registrants.csv'), '--now', '2022-01-04T09:00:00Z'], 0],
      [['import', 'events', path.join(inputs, 'events.csv'), '--now', '2022-01-04T09:00:00Z'], 0],
      [['import', 'completions', path.join(inputs, 'completions.csv'), '--now', '2022-01-04T09:00:00Z'], 3],
      [['import', 'confirmations', path.join(inputs, 'confirmations.csv'), '--now', '2022-01-04T09:00:00Z'], 3],
      [['upload', 'weekly', '--week', '2021-W48'], 0],
      [['upload', 'weekly', '--week', '2021-W49'], 0],
      [['upload', 'weekly', '--week', '2021-W50'], 0],
    ];
    for (const [args, code] of steps) {
      const result = await runCli(args, env.env);
      expect(result.code, `${args.join(' ')}\n${result.stdout}${result.stderr}`).toBe(code);
    }
    console_ = await startConsole({ ...env.env, CONSOLE_USERS_FILE: usersFile }, env.handle, { now: BEFORE_CUTOFF, usersFile });
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await console_?.close();
  });

  async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ baseURL: console_.url, viewport: { width: 1366, height: 900 }, acceptDownloads: true });
    return { context, page: await context.newPage() };
  }

  async function logIn(page: Page, user: { name: string; password: string }): Promise<void> {
    await page.goto('/login');
    await page.getByLabel('User name').fill(user.name);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForLoadState();
  }

  async function shoot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  }

  it('logs in and out; a wrong password is refused without saying which part was wrong', async () => {
    const { context, page } = await newPage();
    await page.goto('/batches');
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.getByLabel('User name').fill(OPERATOR.name);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Wrong user name or password.');
    await shoot(page, '00-login-refused');

    await logIn(page, OPERATOR);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Overview');
    expect(await page.locator('header').textContent()).toContain('olive (operator)');
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/login$/);
    await page.goto('/');
    expect(new URL(page.url()).pathname).toBe('/login');
    await context.close();
  });

  it('refuses a viewer an operator action, by the page and by a hand-made POST', async () => {
    const { context, page } = await newPage();
    await logIn(page, VIEWER);
    expect(await page.getByRole('link', { name: 'End of cycle' }).count()).toBe(0);
    const refused = await page.goto('/end-of-cycle');
    expect(refused?.status()).toBe(403);
    expect(await page.getByRole('alert').textContent()).toContain('Only an operator may do this');
    await shoot(page, '01-viewer-refused');
    await page.goto('/');
    const token = await page.locator('input[name="_csrf"]').first().inputValue();
    const post = await context.request.post('/end-of-cycle/2019-2021', { form: { _csrf: token, confirm: '2019-2021' }, maxRedirects: 0 });
    expect(post.status()).toBe(403);
    expect((await context.request.get('/queue', { maxRedirects: 0 })).status()).toBe(403);
    expect(await env.db.selectFrom('batch').select('id').where('kind', '=', 'FINAL').execute()).toEqual([]);
    await context.close();
  });

  it('traces by each accepted form of a GOC number, and by a provider_ref', async () => {
    const { context, page } = await newPage();
    await logIn(page, VIEWER);
    const cases: Array<[string, string, string[]]> = [
      ['01-10001', 'Registrant 01-10001 Asha Patel', ['EX-1', 'EX-3']],
      ['0110001', 'Registrant 01-10001 Asha Patel', ['EX-1', 'EX-3']],
      [' 01-10001 ', 'Registrant 01-10001 Asha Patel', ['EX-1', 'EX-3']],
      ['D-2002', 'Registrant D-2002 Rhys Jones', ['EX-2']],
      ['d2002', 'Registrant D-2002 Rhys Jones', ['EX-2']],
      ['D2002', 'Registrant D-2002 Rhys Jones', ['EX-2']],
      ['d-2002', 'Registrant D-2002 Rhys Jones', ['EX-2']],
      ['EX-4', 'Completion EX-4', ['EX-4']],
    ];
    for (const [key, who, refs] of cases) {
      await page.goto('/trace');
      await page.getByLabel('GOC number or provider_ref').fill(key);
      await page.getByRole('button', { name: 'Trace' }).click();
      await page.waitForLoadState();
      expect(await page.getByRole('heading', { level: 2 }).textContent(), key).toBe(who);
      const cells = await page.locator('table tbody tr td:first-child').allTextContents();
      expect(cells, key).toEqual(expect.arrayContaining(refs));
    }
    await shoot(page, '02-trace');
    await page.goto('/trace?q=01-99999');
    expect(await page.getByRole('alert').textContent()).toMatch(/No registrant or completion matches "01-99999"/);
    await context.close();
  });

  it('downloads each report as CSV, byte for byte what `report … --format csv` prints', async () => {
    const names = ['held', 'late', 'rejected', 'rejects', 'sla'];
    const cli = Promise.all(
      names.map((name) => runCli(['report', name, '--format', 'csv', ...(name === 'rejected' || name === 'rejects' ? [] : ['--now', BEFORE_CUTOFF.toISOString()])], env.env)),
    );
    const { context, page } = await newPage();
    await logIn(page, VIEWER);
    const downloaded: Buffer[] = [];
    for (const name of names) {
      await page.goto(`/reports/${name}`);
      await shoot(page, `03-report-${name}`);
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download as CSV' }).click()]);
      const saved = path.join(env.workDir, `${name}.csv`);
      await download.saveAs(saved);
      downloaded.push(readFileSync(saved));
    }
    const printed = await cli;
    names.forEach((name, i) => {
      expect(printed[i]!.code, printed[i]!.stderr).toBe(0);
      expect(downloaded[i]!.equals(Buffer.from(printed[i]!.stdout)), name).toBe(true);
    });
    // Not only headers: the example leaves a held, a rejected-at-import row, and more.
    expect(downloaded[0]!.toString()).toMatch(/EX-8/);
    expect(downloaded[3]!.toString()).toMatch(/UNKNOWN_EVENT/);
    await context.close();
  });

  it('shows the End of cycle disabled before the cutoff, and after it runs one FINAL batch however often it is confirmed', async () => {
    const { context, page } = await newPage();
    await logIn(page, OPERATOR);
    await page.goto('/end-of-cycle');
    const button = page.getByRole('button', { name: /FINAL batch of 2019-2021/ });
    expect(await button.isDisabled()).toBe(true);
    expect(await page.locator('main').textContent()).toMatch(/8 days 2 hours remain/);
    await shoot(page, '04-end-of-cycle-before-cutoff');
    // A hand-made POST before the cutoff is refused too, and changes nothing.
    const token = await page.locator('input[name="_csrf"]').first().inputValue();
    const early = await context.request.post('/end-of-cycle/2019-2021', { form: { _csrf: token, confirm: '2019-2021' }, maxRedirects: 0 });
    expect(early.status()).toBe(409);

    console_.setNow(AT_CUTOFF);
    const second = await context.newPage();
    for (const p of [page, second]) {
      await p.goto('/end-of-cycle');
      await p.getByLabel(/Type the cycle code/).fill('2019-2021');
    }
    await shoot(page, '05-end-of-cycle-after-cutoff');
    // A wrong confirmation changes nothing.
    const third = await context.newPage();
    await third.goto('/end-of-cycle');
    await third.getByLabel(/Type the cycle code/).fill('2019-202');
    await third.getByRole('button', { name: /Run the FINAL batch/ }).click();
    expect(await third.getByRole('alert').textContent()).toMatch(/Not confirmed/);
    // Confirmed twice at once, then once more.
    await Promise.all([page, second].map((p) => p.getByRole('button', { name: /Run the FINAL batch/ }).click()));
    await Promise.all([page, second].map((p) => p.waitForURL(/\/end-of-cycle\?done=/)));
    const said = [await page.getByRole('status').textContent(), await second.getByRole('status').textContent()];
    expect(said.filter((s) => /FINAL batch #4 of 2019-2021: 1 records/.test(s ?? '')).length + said.filter((s) => /already sealed/.test(s ?? '')).length).toBe(2);
    await shoot(page, '06-end-of-cycle-done');
    const again = await context.request.post('/end-of-cycle/2019-2021', { form: { _csrf: token, confirm: '2019-2021' } });
    expect(again.status()).toBe(200);

    const finals = await env.db.selectFrom('batch').select(['seq', 'file_name']).where('kind', '=', 'FINAL').execute();
    expect(finals).toEqual([{ seq: 4, file_name: 'CET_P00001_000004_20211230.csv' }]);
    const files = readdirSync(env.outboxDir).filter((f) => f.endsWith('.csv'));
    expect(files.sort()).toEqual(readdirSync(path.join(EXAMPLE, 'expected')).sort());
    expect(readFileSync(path.join(env.outboxDir, 'CET_P00001_000004_20211230.csv')).equals(readFileSync(path.join(EXAMPLE, 'expected', 'CET_P00001_000004_20211230.csv')))).toBe(true);
    // Through the same queue and job id as `upload final`.
    const connection = new Redis(redisUrl(), { maxRetriesPerRequest: null });
    const queue = new Queue(QUEUE_NAME, { connection, prefix: env.queuePrefix });
    try {
      const job = await queue.getJob('final-2019-2021');
      expect(job?.name).toBe('final-batch');
      expect(await job?.getState()).toBe('completed');
    } finally {
      await queue.close();
      connection.disconnect();
    }
    // Every confirmation is audited: refused before the cutoff, refused unconfirmed, then the three that ran or joined the one batch.
    const audit = await env.db.selectFrom('console_audit').select(['username', 'outcome']).where('action', '=', 'FINAL').orderBy('id').execute();
    // (Two confirmations at once may both join the job that made the batch, or the later one find it made.)
    expect(audit.filter((a) => a.outcome === 'refused')).toHaveLength(2);
    expect(audit.filter((a) => a.outcome.startsWith('ok'))).toHaveLength(3);
    expect(audit.at(-1)?.outcome).toBe('ok: already sealed');
    console_.setNow(BEFORE_CUTOFF);
    await context.close();
  });

  it('shows every page readably (screenshots kept), and none shows a password, the secret or a hash', async () => {
    const { context, page } = await newPage();
    await logIn(page, OPERATOR);
    const batchId = (await env.db.selectFrom('batch').select('id').where('seq', '=', 1).executeTakeFirstOrThrow()).id;
    const pages: Array<[string, string]> = [
      ['10-overview', '/'],
      ['11-batches', '/batches'],
      ['12-batch', `/batches/${batchId}`],
      ['13-chart', '/chart'],
      ['14-audit', '/audit'],
      ['15-deliveries', '/deliveries'],
      ['16-trace-empty', '/trace'],
      ['17-end-of-cycle-sealed', '/end-of-cycle'],
    ];
    const hashes = readFileSync(usersFile, 'utf8').trim().split('\n').map((l) => l.split(':').slice(2).join(':'));
    const secrets = [OPERATOR.password, VIEWER.password, TEST_SESSION_SECRET, ...hashes];
    for (const [name, url] of pages) {
      const response = await page.goto(url);
      expect(response?.status(), url).toBe(200);
      await shoot(page, name);
      const text = `${await page.content()}\n${JSON.stringify(await response!.allHeaders())}`;
      for (const secret of secrets) expect(text).not.toContain(secret);
      if (url === '/chart') expect(await page.locator('svg[role="img"]').count()).toBe(2);
    }
    const [file] = await Promise.all([page.waitForEvent('download'), page.goto(`/batches/${batchId}`).then(() => page.getByRole('link', { name: 'CET_P00001_000001_20211203.csv' }).click())]);
    const saved = path.join(env.workDir, 'batch1.csv');
    await file.saveAs(saved);
    expect(readFileSync(saved).equals(readFileSync(path.join(env.outboxDir, 'CET_P00001_000001_20211203.csv')))).toBe(true);
    await page.goto('/queue');
    await page.getByText('CET uploads queue').first().waitFor({ timeout: 20_000 });
    await shoot(page, '18-queue');
    for (const secret of secrets) expect(console_.logs()).not.toContain(secret);
    await context.close();
  });
});
