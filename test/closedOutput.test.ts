import { spawn } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMPLETIONS_HEADER, importCli, seedBasics, writeFile } from './fixtures/imports/helpers.ts';
import { CLI } from './support/runCli.ts';
import { useTestEnvironment } from './support/testEnvironment.ts';

// `cet-uploader report … | head`: the reader closes the pipe after the lines it wanted. The
// command stops there with nothing on stderr and exit 0, as other tools do, not with "A file
// operation failed: write EPIPE".
describe('a report whose reader stops reading', () => {
  const env = useTestEnvironment();

  beforeAll(async () => {
    await seedBasics(env);
    // 20,000 rejected rows: a report of them is far more than a pipe holds.
    const file = writeFile(env, 'bad.csv', [COMPLETIONS_HEADER, ...Array.from({ length: 20_000 }, (_, i) => `BAD-${i},01-99999,C-70001,2021-03-01T10:00:00Z`)]);
    const result = await importCli(env, 'completions', file, '2021-12-31T00:00:00Z');
    expect(result.code, result.stderr).toBe(3);
  });

  it('stops quietly when its output pipe is closed after the first lines', async () => {
    const child = spawn(process.execPath, [CLI, 'report', 'rejects', '--format', 'csv'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const first = await new Promise<string>((resolve) => child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString('utf8'))));
    child.stdout.destroy(); // what `head` does once it has its lines
    const code = await new Promise<number | null>((resolve) => child.on('close', (exit) => resolve(exit)));
    expect(first).toMatch(/^file,line,/);
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
