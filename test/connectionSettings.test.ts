import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.ts';
import { useTestEnvironment } from './support/testEnvironment.ts';

// Every connection of the service starts with its timeouts and with JIT compilation off
// (database.ts: at a million rows compiling the statements cost more than it saved).

async function setting(url: string, name: 'jit' | 'statement_timeout' | 'lock_timeout' | 'search_path'): Promise<string> {
  const handle = openDatabase(url, { timeouts: { connectMs: 5_000, statementMs: 123_000, lockMs: 45_000 } });
  try {
    const { rows } = await sql<{ value: string }>`SELECT current_setting(${name}) AS value`.execute(handle.db);
    return rows[0]!.value;
  } finally {
    await handle.close();
  }
}

describe('connection settings', () => {
  const env = useTestEnvironment();
  const pgOptions = process.env.PGOPTIONS;
  afterEach(() => {
    if (pgOptions === undefined) delete process.env.PGOPTIONS;
    else process.env.PGOPTIONS = pgOptions;
  });

  it('every connection has JIT off and the configured timeouts', async () => {
    delete process.env.PGOPTIONS;
    expect(await setting(env.url, 'jit')).toBe('off');
    expect(await setting(env.url, 'statement_timeout')).toBe('123s');
    expect(await setting(env.url, 'lock_timeout')).toBe('45s');
  });

  it("libpq's PGOPTIONS still apply, and may turn JIT back on", async () => {
    process.env.PGOPTIONS = '-c search_path=pg_catalog,public';
    expect(await setting(env.url, 'search_path')).toBe('pg_catalog,public');
    expect(await setting(env.url, 'jit')).toBe('off');
    process.env.PGOPTIONS = '-c jit=on';
    expect(await setting(env.url, 'jit')).toBe('on');
  });

  it("a DATABASE_URL with its own options replaces the service's", async () => {
    delete process.env.PGOPTIONS;
    const url = new URL(env.url);
    url.searchParams.set('options', '-c jit=on');
    expect(await setting(url.toString(), 'jit')).toBe('on');
  });
});
