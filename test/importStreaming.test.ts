import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMPLETIONS_HEADER, EVENTS_HEADER, REGISTRANTS_HEADER, importCli, writeFile } from './fixtures/imports/helpers.ts';
import { runCli } from './support/runCli.ts';
import { useTestEnvironment } from './support/testEnvironment.ts';

const ROWS = 200_000;
const REGISTRANTS = 2_000;
const EVENTS = ROWS / REGISTRANTS;

/** Streams a generated completions file to disk; every 1000th row is bad in some way. */
async function generate(file: string): Promise<{ bad: number }> {
  const out = createWriteStream(file);
  out.write(`${COMPLETIONS_HEADER}\n`);
  let bad = 0;
  const start = Date.parse('2019-01-01T00:00:00Z');
  for (let n = 0; n < ROWS; n++) {
    const at = new Date(start + ((n * 397_000) % (3 * 365 * 86_400_000))).toISOString();
    const goc = `01-${20000 + Math.floor(n / EVENTS)}`;
    const event = `C-${80000 + (n % EVENTS)}`;
    const line = n % 1000 === 999 ? (bad++, `S-${n},${goc},C-99999,${at}`) : `S-${n},${goc},${event},${at}`;
    if (!out.write(`${line}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  out.end();
  await finished(out);
  return { bad };
}

describe('a large completions file, streamed', () => {
  const env = useTestEnvironment();
  let file = '';
  let bad = 0;

  beforeAll(async () => {
    const cycle = await runCli(['cycle', 'add', '2019-2021', '--first-day', '2019-01-01', '--last-day', '2021-12-31', '--cutoff', '2021-12-30T12:00'], env.env);
    expect(cycle.code).toBe(0);
    const registrants = writeFile(env, 'registrants.csv', [
      REGISTRANTS_HEADER,
      ...Array.from({ length: REGISTRANTS }, (_, i) => `01-${20000 + i},Surname${i},Fore,optometrist,,2010-01-01,`),
    ]);
    const events = writeFile(env, 'events.csv', [
      EVENTS_HEADER,
      ...Array.from({ length: EVENTS }, (_, j) => `C-${80000 + j},Event ${j},1,general,N,optometrist,2019-01-01,2021-12-31`),
    ]);
    expect((await importCli(env, 'registrants', registrants)).code).toBe(0);
    expect((await importCli(env, 'events', events)).code).toBe(0);
    file = path.join(env.workDir, 'completions.csv');
    ({ bad } = await generate(file));
  }, 120_000);

  it(`gives every one of ${ROWS} rows exactly one outcome`, async () => {
    const started = performance.now();
    const result = await importCli(env, 'completions', file);
    const seconds = (performance.now() - started) / 1000;
    console.log(`imported ${ROWS} completions in ${seconds.toFixed(1)} s through the CLI`);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(3);
    const counts = Object.fromEntries(
      ['inserted', 'updated', 'unchanged', 'rejected'].map((outcome) => [outcome, Number(new RegExp(`${outcome} +(\\d+)`).exec(result.stdout)?.[1])]),
    );
    expect(counts).toEqual({ inserted: ROWS - bad, updated: 0, unchanged: 0, rejected: bad });
    const stored = await env.handle.pool.query(
      `SELECT (SELECT count(*)::int FROM completion) AS completions, (SELECT count(*)::int FROM upload_pending) AS pending,
              (SELECT count(*)::int FROM import_reject) AS rejects`,
    );
    expect(stored.rows[0]).toEqual({ completions: ROWS - bad, pending: ROWS - bad, rejects: bad });
  }, 120_000);
});
