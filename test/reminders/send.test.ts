import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, waitFor } from '../support/runCli.ts';
import { seedCompletion, seedConfirmation, seedCycle, seedEvent, seedRegistrant } from '../support/seed.ts';
import { startSmtpServer, type TestSmtpServer } from '../support/smtpServer.ts';
import { useTestEnvironment } from '../support/testEnvironment.ts';

// Sending through a real SMTP server (smtp-server in a child process on a free port).

describe('sending reminders by SMTP', () => {
  const env = useTestEnvironment({ MAIL_FROM: 'CET Reminders <reminders@provider.example>', PROVIDER_NAME: 'Example Optics CET', MAIL_RETRY_DELAY_MS: '100', MAIL_ATTEMPTS: '5' });
  let smtp: TestSmtpServer;
  let me: number;
  let other: number;
  let events: number[];

  const reminders = async () =>
    (await sql<{ id: string; kind: string; status: string; attempts: number; message_id: string | null; server_message_id: string | null; last_error: string | null; goc_number: string }>`
      SELECT m.id, m.kind, m.status, m.attempts, m.message_id, m.server_message_id, m.last_error, r.goc_number
        FROM reminder m JOIN registrant r ON r.id = m.registrant_id ORDER BY m.id`.execute(env.db)).rows;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    env.env.SMTP_URL = smtp.url;
    await seedCycle(env.db);
    me = await seedRegistrant(env.db, '01-60001', 'Patel');
    other = await seedRegistrant(env.db, '01-60002', 'Secretive');
    await sql`UPDATE registrant SET email = 'asha.patel@example.com', forenames = 'Asha' WHERE id = ${me}`.execute(env.db);
    await sql`UPDATE registrant SET email = 'other@example.com' WHERE id = ${other}`.execute(env.db);
    events = [
      await seedEvent(env.db, 'C-81001', { interactive: true, points: 3 }),
      await seedEvent(env.db, 'C-81002', { interactive: true, points: 2 }),
      await seedEvent(env.db, 'C-81003', { interactive: true, points: 1 }),
    ];
    await sql`UPDATE event SET title = 'Peer discussion: the red eye' WHERE id = ${events[0]!}`.execute(env.db);
  });
  afterAll(async () => {
    await smtp?.stop();
  });

  it('three held completions: one plain-text message naming all three, with the deadline in London time, marked SENT with the server id', async () => {
    // Completed 20 Dec: hold ends 3 Jan, so the deadline is the cycle's cutoff, 12:00 on Thursday 30 December 2021.
    const a = await seedCompletion(env.db, 'S-1', me, events[0]!, '2021-12-20T10:00:00Z');
    await seedCompletion(env.db, 'S-2', me, events[1]!, '2021-12-20T11:00:00Z');
    await seedCompletion(env.db, 'S-3', me, events[2]!, '2021-12-20T12:00:00Z');
    await seedConfirmation(env.db, a, 'registrant', '2021-12-21T09:00:00Z', other);
    const peerHeld = await seedCompletion(env.db, 'S-OTHER', other, events[0]!, '2021-12-20T10:00:00Z');
    await seedConfirmation(env.db, peerHeld, 'peer', '2021-12-21T09:00:00Z', me);
    // 48 hours before the cutoff: the BEFORE_DEADLINE moment of all four.
    const run = await runCli(['remind', '--now', '2021-12-28T12:00:00Z', '--format', 'json'], env.env);
    expect(run.code, run.stderr).toBe(0);
    const listed = JSON.parse(run.stdout) as Array<{ status: string; goc_number: string }>;
    expect(listed.map((r) => [r.goc_number, r.status]).sort()).toEqual([['01-60001', 'SENT'], ['01-60002', 'SENT']]);

    const received = await smtp.received();
    expect(received).toHaveLength(2);
    const mine = received.find((m) => m.to === 'asha.patel@example.com')!;
    expect(mine.from).toBe('"CET Reminders" <reminders@provider.example>');
    expect(mine.contentType).toBe('text/plain');
    expect(mine.subject).toBe('Interactive CET: confirm your peer interaction before 12:00 on Thursday 30 December 2021');
    expect(mine.text).toContain('Dear Asha Patel,');
    expect(mine.text).toContain('- Peer discussion: the red eye (C-81001), 3 points, completed 10:00 on Monday 20 December 2021');
    expect(mine.text).toContain('  Still needed: your peer\'s confirmation');
    expect(mine.text).toContain('- C-81002 (C-81002), 2 points');
    expect(mine.text).toContain('- C-81003 (C-81003), 1 point, completed 12:00 on Monday 20 December 2021');
    expect(mine.text).toContain('  Still needed: your confirmation and your peer\'s confirmation');
    expect(mine.text.match(/Deadline: 12:00 on Thursday 30 December 2021/g)).toHaveLength(3);
    expect(mine.text).toContain('the points will be awarded as non-interactive');
    expect(mine.text).toContain('Example Optics CET');
    // Nothing about anyone else.
    expect(mine.text).not.toMatch(/Secretive|60002|S-OTHER|other@example/);
    const rows = await reminders();
    const row = rows.find((r) => r.goc_number === '01-60001')!;
    expect(row).toMatchObject({ status: 'SENT', attempts: 1, message_id: mine.messageId });
    expect(row.server_message_id).toMatch(/^Q\d+X\d+$/);
    expect(mine.messageId).toMatch(/^<reminder\.peer-confirmation\.[0-9a-f]{32}@provider\.example>$/);
  });

  it('the server refusing (451, then 550) and then accepting: retried, sent once', async () => {
    const before = (await smtp.received()).length;
    await seedCompletion(env.db, 'S-RETRY', other, events[1]!, '2021-11-01T10:00:00Z');
    smtp.plan(['451', '550']);
    const run = await runCli(['remind', '--now', '2021-11-08T10:00:00Z', '--format', 'json'], env.env);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([expect.objectContaining({ status: 'SENT', attempts: 3, goc_number: '01-60002' })]);
    expect(smtp.attempts().slice(-3)).toEqual(['451', '550', 'accept']);
    expect((await smtp.received()).length).toBe(before + 1);
  });

  it('attempts spent: FAILED with the last error, listed, and counted by status', async () => {
    await seedCompletion(env.db, 'S-FAIL', me, events[1]!, '2021-11-02T10:00:00Z');
    smtp.plan(['451', '451', '451', '451', '550']);
    const run = await runCli(['remind', '--now', '2021-11-09T10:00:00Z', '--format', 'json'], env.env);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain(`Not sent: 1 FAILED (attempts spent) and 0 still to be retried; the mail server (${new URL(smtp.url).host}) refused them`);
    const report = await runCli(['report', 'reminders', '--state', 'FAILED', '--format', 'json'], env.env);
    expect(JSON.parse(report.stdout)).toEqual([expect.objectContaining({ status: 'FAILED', attempts: 5, goc_number: '01-60001', last_error: expect.stringMatching(/^550 /) })]);
  });
});

describe('exactly once, as far as email allows', () => {
  const env = useTestEnvironment({ MAIL_RETRY_DELAY_MS: '100', JOB_LOCK_MS: '1000' });
  let smtp: TestSmtpServer;
  const running: Array<ReturnType<typeof startCli>> = [];

  beforeAll(async () => {
    smtp = await startSmtpServer();
    env.env.SMTP_URL = smtp.url;
    // A cycle begun shortly before, so the scheduler's catch-up has few weekly slots to run.
    await seedCycle(env.db, '2019-2021', '2021-12-30T12:00:00.000Z', '2021-10-25');
    const event = await seedEvent(env.db, 'C-82001', { interactive: true });
    for (let i = 1; i <= 6; i++) {
      const id = await seedRegistrant(env.db, `01-7000${i}`, `Many${i}`);
      await sql`UPDATE registrant SET email = ${`many${i}@example.com`} WHERE id = ${id}`.execute(env.db);
      await seedCompletion(env.db, `M-${i}`, id, event, '2021-11-01T10:00:00Z');
    }
  });
  afterAll(async () => {
    for (const cli of running) if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
    await Promise.all(running.map((cli) => cli.exited));
    await smtp?.stop();
  });

  it('two remind runs at once and a scheduler: each reminder sent once', async () => {
    const worker = startCli(['worker'], env.env);
    running.push(worker);
    await waitFor(() => worker.output().includes('worker ready'), 'the worker');
    const at = '2021-11-08T10:00:00Z'; // the middle moment of all six
    const [one, two, scheduler] = await Promise.all([
      runCli(['remind', '--now', at], env.env),
      runCli(['remind', '--now', at], env.env),
      runCli(['scheduler', '--once', '--now', at], env.env),
    ]);
    expect(one.code, one.stderr).toBe(0);
    expect(two.code, two.stderr).toBe(0);
    expect(scheduler.code, scheduler.stderr).toBe(0);
    await waitFor(async () => (await env.db.selectFrom('reminder').select('id').where('status', '=', 'DUE').execute()).length === 0, 'no reminder DUE');
    const received = await smtp.received();
    expect(received.map((m) => m.to).sort()).toEqual([1, 2, 3, 4, 5, 6].map((i) => `many${i}@example.com`));
    expect(new Set(received.map((m) => m.messageId)).size).toBe(6);
    worker.child.kill('SIGTERM');
    await worker.exited;
  });

  it('a crash after the server accepted and before the mark: that one message repeated, with the same Message-ID', async () => {
    const event = await env.db.selectFrom('event').select('id').executeTakeFirstOrThrow();
    const id = await seedRegistrant(env.db, '01-79999', 'Crash');
    await sql`UPDATE registrant SET email = 'crash@example.com' WHERE id = ${id}`.execute(env.db);
    await seedCompletion(env.db, 'M-CRASH', id, event.id, '2021-11-02T10:00:00Z');
    const before = (await smtp.received()).length;
    // A worker that stops for a minute between the server's acceptance and the mark.
    const stuck = startCli(['worker'], { ...env.env, CET_FAILPOINT: 'after-smtp-accept:60000' });
    running.push(stuck);
    await waitFor(() => stuck.output().includes('worker ready'), 'the stuck worker');
    const remind = runCli(['remind', '--now', '2021-11-09T10:00:00Z'], env.env);
    await waitFor(async () => (await smtp.received()).length === before + 1, 'the first delivery', 60_000);
    stuck.child.kill('SIGKILL');
    await stuck.exited;
    const row = await env.db.selectFrom('reminder').select(['status']).where('registrant_id', '=', id).executeTakeFirstOrThrow();
    expect(row.status).toBe('DUE');
    // A new worker finds the job stalled and sends again: the same Message-ID.
    const worker = startCli(['worker'], env.env);
    running.push(worker);
    expect((await remind).code).toBe(0);
    await waitFor(async () => (await env.db.selectFrom('reminder').select('status').where('registrant_id', '=', id).executeTakeFirstOrThrow()).status === 'SENT', 'SENT', 60_000);
    const received = (await smtp.received()).slice(before);
    expect(received).toHaveLength(2);
    expect(received[0]!.to).toBe('crash@example.com');
    expect(received[1]!.messageId).toBe(received[0]!.messageId);
    // And never again.
    const again = await runCli(['remind', '--now', '2021-11-09T11:00:00Z'], env.env);
    expect(again.code, again.stderr).toBe(0);
    expect((await smtp.received()).length).toBe(before + 2);
    worker.child.kill('SIGTERM');
    await worker.exited;
  });
});
