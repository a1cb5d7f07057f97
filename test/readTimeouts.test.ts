import path from 'node:path';
import pg from 'pg';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectionConfig } from '../src/db/database.ts';
import { REGISTRANTS_HEADER, writeFile } from './fixtures/imports/helpers.ts';
import { TEST_SESSION_SECRET } from './support/console.ts';
import { ConsoleClient } from './support/consoleClient.ts';
import { runCli, startCli, waitFor, type RunningCli } from './support/runCli.ts';
import { seedCompletion, seedCycle, seedEvent, seedRegistrant } from './support/seed.ts';
import { useTestEnvironment } from './support/testEnvironment.ts';

// Read-only commands and the console's pages carry PG_READ_STATEMENT_TIMEOUT_MS; claims and
// imports keep the generous PG_STATEMENT_TIMEOUT_MS. The slow query: a read of tables another
// session holds locked (the lock timeout stays far longer, so the statement timeout fires).

const READ_TIMEOUT = /PostgreSQL cancelled a statement (of this page )?that ran longer than the statement timeout of read-only commands(,| and the console,) PG_READ_STATEMENT_TIMEOUT_MS \(0\.5 s\)/;
const PASSWORD = 'read-timeout-operator-password';

describe('statement timeouts: short for reads, generous for writes', () => {
  const env = useTestEnvironment({ PG_READ_STATEMENT_TIMEOUT_MS: '500', LOG_LEVEL: 'warn' });
  let locker: pg.Client | undefined;
  let serve: RunningCli | undefined;

  beforeAll(async () => {
    await seedCycle(env.db);
    const r = await seedRegistrant(env.db, '01-10001', 'Patel');
    await seedCompletion(env.db, 'T-1', r, await seedEvent(env.db, 'C-10001'), '2021-12-01T10:00:00Z');
  });
  afterEach(async () => {
    await locker?.end().catch(() => {});
    locker = undefined;
    if (serve && serve.child.exitCode === null) {
      serve.child.kill('SIGTERM');
      await serve.exited;
    }
  });

  /** Another session takes the tables every command here reads, and keeps them until released. */
  async function lockTables(): Promise<() => Promise<void>> {
    locker = new pg.Client(connectionConfig(env.url));
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE cycle, registrant, completion, batch IN ACCESS EXCLUSIVE MODE');
    const client = locker;
    return async () => {
      await client.query('COMMIT');
    };
  }

  it('status, trace, report and requirements stop at PG_READ_STATEMENT_TIMEOUT_MS, and say so in one line', async () => {
    const release = await lockTables();
    for (const args of [['status'], ['trace', '01-10001'], ['report', 'sla'], ['requirements', '01-10001', '--cycle', '2019-2021']]) {
      const result = await runCli(args, env.env);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines, result.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(READ_TIMEOUT);
      expect(lines[0]).toMatch(/Run the command again, or raise PG_READ_STATEMENT_TIMEOUT_MS\.$/);
    }
    await release();
    const status = await runCli(['status'], env.env);
    expect(status.code, status.stderr).toBe(0);
  });

  it('an import waiting on the same lock for longer is not cut short by it', async () => {
    const file = writeFile(env, 'registrants.csv', [REGISTRANTS_HEADER, '01-10002,Jones,Rhys,optometrist,,2012-09-01,']);
    const release = await lockTables();
    const importing = runCli(['import', 'registrants', file, '--now', '2022-01-01T00:00:00Z'], env.env);
    // Waiting on the lock, well past the read timeout.
    await waitFor(async () => {
      // Not on the locking session: inside its transaction, pg_stat_activity is a cached snapshot.
      const { rows } = await env.handle.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      return rows[0]!.n > 0;
    }, 'the import to wait for the lock', 30_000);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await release();
    const result = await importing;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('inserted   1');
  });

  it("the console's pages (serve) stop at it too: 503 naming it, while /livez answers", async () => {
    const usersFile = path.join(env.workDir, 'console-users');
    const consoleEnv = { ...env.env, CONSOLE_USERS_FILE: usersFile, CONSOLE_SESSION_SECRET: TEST_SESSION_SECRET };
    const added = await runCli(['console-user', 'add', 'olive', '--role', 'operator'], consoleEnv, { input: `${PASSWORD}\n` });
    expect(added.code, added.stderr).toBe(0);
    serve = startCli(['serve', '--port', '0', '--metrics-refresh', '0'], consoleEnv);
    const url = (await waitFor(() => /Console listening on (http:\/\/\S+)/.exec(serve!.output())?.[1], 'the console to listen'))!;
    const client = new ConsoleClient(url);
    expect((await client.login('olive', PASSWORD)).status).toBe(303);

    const release = await lockTables();
    for (const page of ['/', '/metrics']) {
      const response = page === '/' ? await client.request('/') : await fetch(`${url}/metrics`).then(async (r) => ({ status: r.status, text: await r.text() }));
      expect(response.status, page).toBe(503);
      expect(response.text, page).toMatch(READ_TIMEOUT);
      expect(response.text, page).toMatch(/raise PG_READ_STATEMENT_TIMEOUT_MS\.\n$/);
    }
    expect((await fetch(`${url}/livez`)).status).toBe(200);
    await release();
    expect((await client.request('/')).status).toBe(200);
  });
});
