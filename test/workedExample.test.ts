import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/runCli.ts';
import { useTestEnvironment } from './support/testEnvironment.ts';

// The specification's worked example (a copy under test/fixtures/example), run through the real executable exactly as its README says.
const EXAMPLE = fileURLToPath(new URL('./fixtures/example/', import.meta.url));

describe('the worked example of the specification', () => {
  const env = useTestEnvironment();

  it('produces the four expected files byte for byte, each with a matching manifest', async () => {
    const steps: Array<[string[], number]> = [
      [['migrate'], 0],
      [['cycle', 'add', '2019-2021', '--first-day', '2019-01-01', '--last-day', '2021-12-31', '--cutoff', '2021-12-30T12:00'], 0],
      [['import', 'registrants', path.join(EXAMPLE, 'registrants.csv'), '--now', '2022-01-04T09:00:00Z'], 0],
      [['import', 'events', path.join(EXAMPLE, 'events.csv'), '--now', '2022-01-04T09:00:00Z'], 0],
      [['import', 'completions', path.join(EXAMPLE, 'completions.csv'), '--now', '2022-01-04T09:00:00Z'], 3],
      [['import', 'confirmations', path.join(EXAMPLE, 'confirmations.csv'), '--now', '2022-01-04T09:00:00Z'], 3],
      [['upload', 'weekly', '--week', '2021-W48'], 0],
      [['upload', 'weekly', '--week', '2021-W49'], 0],
      [['upload', 'weekly', '--week', '2021-W50'], 0],
      [['upload', 'weekly', '--week', '2021-W51'], 0],
      [['upload', 'final', '--cycle', '2019-2021', '--now', '2021-12-30T12:00:00Z', '--yes'], 0],
    ];
    // The import writes its rejects beside the input, which is read-only here: copy the inputs.
    const { cpSync } = await import('node:fs');
    const inputs = path.join(env.workDir, 'example');
    cpSync(EXAMPLE, inputs, { recursive: true });
    for (const [args, code] of steps) {
      const realArgs = args.map((a) => (a.startsWith(EXAMPLE) ? path.join(inputs, path.basename(a)) : a));
      const result = await runCli(realArgs, env.env);
      expect(result.code, `${args.join(' ')}\n${result.stdout}${result.stderr}`).toBe(code);
    }
    const expectedDir = path.join(EXAMPLE, 'expected');
    const expected = readdirSync(expectedDir).sort();
    const written = readdirSync(env.outboxDir).sort();
    expect(written.filter((f) => f.endsWith('.csv'))).toEqual(expected);
    expect(written.filter((f) => f.endsWith('.manifest.json'))).toEqual(expected.map((f) => `${f}.manifest.json`));
    for (const name of expected) {
      const bytes = readFileSync(path.join(env.outboxDir, name));
      expect(bytes.equals(readFileSync(path.join(expectedDir, name))), name).toBe(true);
      expect(statSync(path.join(env.outboxDir, name)).mode & 0o777).toBe(0o600);
      const manifest = JSON.parse(readFileSync(path.join(env.outboxDir, `${name}.manifest.json`), 'utf8'));
      expect(manifest).toMatchObject({ format: 'GOC-CET-UPLOAD', version: 1, file: name, provider: 'P00001', cycle: '2019-2021', bytes: bytes.length });
      expect(manifest.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
    expect(statSync(env.outboxDir).mode & 0o777).toBe(0o700);
    const w50 = JSON.parse(readFileSync(path.join(env.outboxDir, 'CET_P00001_000003_20211217.csv.manifest.json'), 'utf8'));
    expect(w50).toMatchObject({ batch: 3, kind: 'WEEKLY', period: '2021-W50', cutoff: '2021-12-17T06:00:00.000Z', records: 1, points: 3, interactivePoints: 0, downgraded: 1 });

    // Asking again is not an error, and changes nothing.
    const again = await runCli(['upload', 'weekly', '--week', '2021-W48'], env.env);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already existed/);
    expect(readdirSync(env.outboxDir).sort()).toEqual(written);
  });
});
