import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.ts';
import { useTestEnvironment } from './support/testEnvironment.ts';

// Every connection of the service starts with its timeouts and with JIT compilation off
// (database.ts: at a million rows compiling the statements cost more than it saved).

async function setting(url: string, name: 'jit' | 'statement_timeout' | 'lock_timeout'): Promise<string> {
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

  it('every connection has JIT off and the configured timeouts', async () => {
    expect(await setting(env.url, 'jit')).toBe('off');
    expect(await setting(env.url, 'statement_timeout')).toBe('123s');
    expect(await setting(env.url, 'lock_timeout')).toBe('45s');
  });

  it("a DATABASE_URL with its own options replaces the service's", async () => {
    const url = new URL(env.url);
    url.searchParams.set('options', '-c jit=on');
    expect(await setting(url.toString(), 'jit')).toBe('on');
  });
});
