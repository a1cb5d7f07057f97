import { describe, expect, it } from 'vitest';
import { runCli } from './support/runCli.ts';

// Each verb's code loads only when that verb runs (src/cli/main.ts); help must still show all.
const VERBS = ['migrate', 'cycle', 'import', 'upload', 'ack', 'deliver', 'fetch-acks', 'worker', 'scheduler', 'status', 'verify', 'trace', 'report', 'remind', 'requirements', 'demo', 'serve', 'console-user'];

function listedVerbs(help: string): string[] {
  const commands = help.split(/^Commands:$/m)[1] ?? '';
  return [...commands.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((match) => match[1]!).filter((verb) => verb !== 'help');
}

describe('help, through the CLI', () => {
  it.each([['--help'], ['--help', 'upload'], ['-h', 'status'], ['help']])('`%s …` lists every verb and exits 0', async (...args) => {
    const result = await runCli(args, {});
    expect(result.code, result.stderr).toBe(0);
    expect(listedVerbs(result.stdout)).toEqual(VERBS);
  });

  it("a verb's own help lists its subcommands", async () => {
    const result = await runCli(['upload', '--help'], {});
    expect(result.code, result.stderr).toBe(0);
    expect(listedVerbs(result.stdout)).toEqual(['weekly', 'final']);
  });

  it('a mistyped verb is refused with exit 2 and the verb it was probably meant to be', async () => {
    const result = await runCli(['uplaod'], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'uplaod'");
    expect(result.stderr).toContain('Did you mean upload?');
  });
});
