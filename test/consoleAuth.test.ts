import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsole, TEST_SESSION_SECRET, type RunningConsole } from './support/console.ts';
import { ConsoleClient } from './support/consoleClient.ts';
import { runCli } from './support/runCli.ts';
import { seedCompletion, seedCycle, seedEvent, seedRegistrant } from './support/seed.ts';
import { useTestEnvironment } from './support/testEnvironment.ts';

const OPERATOR_PASSWORD = 'operator-pass-6d2f9a';
const VIEWER_PASSWORD = 'viewer-pass-41c7be03';

describe('console users, sessions, CSRF and the audit', () => {
  const env = useTestEnvironment();
  let usersFile: string;
  let console_: RunningConsole;
  let hashes: string[];

  beforeAll(async () => {
    usersFile = path.join(env.workDir, 'console-users');
    const userEnv = { ...env.env, CONSOLE_USERS_FILE: usersFile };
    const added = await runCli(['console-user', 'add', 'olive', '--role', 'operator'], userEnv, { input: `${OPERATOR_PASSWORD}\n` });
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toBe(`Added console user olive (operator) in ${usersFile}.\n`);
    const viewer = await runCli(['console-user', 'add', 'victor', '--role', 'viewer'], userEnv, { input: `${VIEWER_PASSWORD}\n` });
    expect(viewer.code, viewer.stderr).toBe(0);
    hashes = readFileSync(usersFile, 'utf8').trim().split('\n').map((line) => line.split(':').slice(2).join(':'));
    await seedCycle(env.db);
    console_ = await startConsole(userEnv, env.handle, { now: new Date('2021-12-22T10:00:00Z'), usersFile, loginLimit: { max: 1000, timeWindowMs: 60_000 } });
  });
  afterAll(async () => {
    await console_?.close();
  });

  it('console-user add writes name:role:bcrypt-hash lines, mode 600, and refuses a short password', async () => {
    expect(statSync(usersFile).mode & 0o777).toBe(0o600);
    const lines = readFileSync(usersFile, 'utf8').trim().split('\n');
    expect(lines.map((l) => l.split(':').slice(0, 2).join(':'))).toEqual(['olive:operator', 'victor:viewer']);
    for (const hash of hashes) expect(hash).toMatch(/^\$2[aby]\$12\$.{53}$/);
    const short = await runCli(['console-user', 'add', 'shorty', '--role', 'viewer'], { ...env.env, CONSOLE_USERS_FILE: usersFile }, { input: 'short\n' });
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/at least 12 characters/);
  });

  it('asks for a login; a wrong password or an unknown user gets the same answer; the right one a signed HttpOnly SameSite=Strict cookie', async () => {
    const client = new ConsoleClient(console_.url);
    const first = await client.request('/batches');
    expect(first.status).toBe(302);
    expect(first.headers.get('location')).toBe('/login?next=%2Fbatches');

    const wrong = await client.login('olive', 'not-the-password');
    const unknown = await client.login('nobody', OPERATOR_PASSWORD);
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    for (const answer of [wrong, unknown]) expect(answer.text).toContain('Wrong user name or password.');

    const ok = await client.login('olive', OPERATOR_PASSWORD);
    expect(ok.status).toBe(303);
    const cookie = ok.headers.getSetCookie().find((c) => c.startsWith('cet_console='))!;
    expect(cookie).toMatch(/; HttpOnly/i);
    expect(cookie).toMatch(/; SameSite=Strict/i);
    expect(cookie).not.toMatch(/; Secure/i);
    // Signed: the id, a dot, the signature.
    expect(cookie).toMatch(/^cet_console=[^.;]+\.[^;]+;/);
    expect((await client.request('/')).status).toBe(200);

    const logout = await client.request('/logout', { form: { _csrf: ConsoleClient.csrfOf((await client.request('/')).text) } });
    expect(logout.status).toBe(303);
    expect((await client.request('/')).status).toBe(302);
    expect(console_.logs()).toContain('"msg":"login refused"');
  });

  it('refuses a POST without its CSRF token, even from an operator', async () => {
    const client = new ConsoleClient(console_.url);
    await client.login('olive', OPERATOR_PASSWORD);
    const forged = await client.request('/end-of-cycle/2019-2021', { form: { confirm: '2019-2021' } });
    expect(forged.status).toBe(403);
    const loginWithout = await new ConsoleClient(console_.url).request('/login', { form: { username: 'olive', password: OPERATOR_PASSWORD } });
    expect(loginWithout.status).toBe(403);
  });

  it("refuses (403) a viewer's operator action, by page and by a hand-made POST with a valid token", async () => {
    const client = new ConsoleClient(console_.url);
    await client.login('victor', VIEWER_PASSWORD);
    const home = await client.request('/');
    expect(home.text).not.toContain('href="/end-of-cycle"');
    for (const page of ['/end-of-cycle', '/deliveries', '/queue', '/queue/api/queues']) expect((await client.request(page)).status, page).toBe(403);
    const post = await client.request('/end-of-cycle/2019-2021', { form: { _csrf: ConsoleClient.csrfOf(home.text), confirm: '2019-2021' } });
    expect(post.status).toBe(403);
    expect(post.text).toContain('Only an operator may do this');
    const batches = await env.db.selectFrom('batch').select('id').execute();
    expect(batches).toEqual([]);
  });

  it('Deliveries: an operator marks a file delivered by hand (CSRF, audited, as `deliver --mark-delivered`); a viewer cannot', async () => {
    const me = await seedRegistrant(env.db, '01-70001', 'Handed');
    await seedCompletion(env.db, 'D-1', me, await seedEvent(env.db, 'C-90001'), '2021-12-01T09:00:00Z');
    const weekly = await runCli(['upload', 'weekly', '--week', '2021-W49', '--now', '2021-12-10T07:00:00Z'], env.env);
    expect(weekly.code, weekly.stderr).toBe(0);
    const viewer = new ConsoleClient(console_.url);
    await viewer.login('victor', VIEWER_PASSWORD);
    const refused = await viewer.request('/deliveries/1/mark-delivered', { form: { _csrf: ConsoleClient.csrfOf((await viewer.request('/')).text) } });
    expect(refused.status).toBe(403);
    const operator = new ConsoleClient(console_.url);
    await operator.login('olive', OPERATOR_PASSWORD);
    const listed = await operator.request('/deliveries');
    expect(listed.status).toBe(200);
    expect(listed.text).toMatch(/#1<\/a> CET_P00001_000001_\d{8}\.csv/);
    expect(listed.text).toContain('PENDING');
    expect(listed.text).toContain('Mark #1 delivered by hand');
    const marked = await operator.request('/deliveries/1/mark-delivered', { form: { _csrf: ConsoleClient.csrfOf(listed.text) } });
    expect(marked.status).toBe(303);
    const row = await env.db.selectFrom('delivery').select(['state', 'delivered_by']).where('seq', '=', 1).executeTakeFirstOrThrow();
    expect(row).toEqual({ state: 'DELIVERED', delivered_by: 'manual' });
    const after = await operator.request('/deliveries');
    expect(after.text).toContain('DELIVERED (by hand)');
    expect(after.text).not.toContain('Mark #1 delivered by hand');
    const audited = await env.db.selectFrom('console_audit').select(['username', 'outcome']).where('action', '=', 'DELIVERY_MARK').execute();
    expect(audited).toEqual([{ username: 'olive', outcome: 'ok' }]);
  });

  it('rate-limits logins per address', async () => {
    const limited = await startConsole({ ...env.env, CONSOLE_USERS_FILE: usersFile }, env.handle, { usersFile, loginLimit: { max: 3, timeWindowMs: 60_000 } });
    try {
      const client = new ConsoleClient(limited.url);
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await client.login('olive', 'wrong-wrong-wrong')).status);
      expect(statuses).toEqual([401, 401, 401, 429]);
    } finally {
      await limited.close();
    }
  });

  it('audits logins, failed logins and refused actions; `report audit` lists them', async () => {
    const audit = await runCli(['report', 'audit', '--format', 'csv'], env.env);
    expect(audit.code, audit.stderr).toBe(0);
    const lines = audit.stdout.trim().split('\n');
    expect(lines[0]).toBe('at,user,action,target,outcome,detail,from');
    const actions = lines.slice(1).map((l) => l.split(',').slice(1, 5).join(','));
    expect(actions).toContain('olive,LOGIN_FAILED,,refused');
    expect(actions).toContain('nobody,LOGIN_FAILED,,refused');
    expect(actions).toContain('olive,LOGIN,,ok');
    expect(actions).toContain('olive,LOGOUT,,ok');
    expect(actions).toContain('victor,REFUSED,POST /end-of-cycle/2019-2021,refused: not an operator');
    const table = await runCli(['report', 'audit'], env.env);
    expect(table.stdout).toMatch(/LOGIN_FAILED/);
  });

  it('never shows a password, the session secret or a hash in a page, a header or a log line', async () => {
    const client = new ConsoleClient(console_.url);
    await client.login('olive', OPERATOR_PASSWORD);
    for (const page of ['/', '/batches', '/reports/held', '/trace?q=01-50001', '/chart', '/audit', '/end-of-cycle', '/deliveries', '/metrics', '/readyz']) {
      expect((await client.request(page)).status, page).toBeLessThan(500);
    }
    const everything = `${client.seen.join('\n')}\n${console_.logs()}`;
    for (const secret of [OPERATOR_PASSWORD, VIEWER_PASSWORD, TEST_SESSION_SECRET, ...hashes]) expect(everything).not.toContain(secret);
  });
});
