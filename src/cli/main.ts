import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { CommandContext } from './context.ts';
import { describeFailure, type FailureContext } from './describeFailure.ts';
import { ExitCode } from './errors.ts';
import type { RegisterCommand } from './commands/types.ts';

// Each verb's module is loaded only when that verb runs: the upload path then never loads the
// code (and libraries) of imports, reports, requirements or the demo. In the order --help lists them.
const VERBS: ReadonlyArray<[string, () => Promise<RegisterCommand>]> = [
  ['migrate', async () => (await import('./commands/migrate.ts')).registerMigrate],
  ['cycle', async () => (await import('./commands/cycle.ts')).registerCycle],
  ['import', async () => (await import('./commands/import.ts')).registerImport],
  ['upload', async () => (await import('./commands/upload.ts')).registerUpload],
  ['ack', async () => (await import('./commands/ack.ts')).registerAck],
  ['deliver', async () => (await import('./commands/deliver.ts')).registerDeliver],
  ['fetch-acks', async () => (await import('./commands/deliver.ts')).registerFetchAcks],
  ['worker', async () => (await import('./commands/worker.ts')).registerWorker],
  ['scheduler', async () => (await import('./commands/scheduler.ts')).registerScheduler],
  ['status', async () => (await import('./commands/status.ts')).registerStatus],
  ['verify', async () => (await import('./commands/verify.ts')).registerVerify],
  ['trace', async () => (await import('./commands/trace.ts')).registerTrace],
  ['report', async () => (await import('./commands/report.ts')).registerReport],
  ['remind', async () => (await import('./commands/remind.ts')).registerRemind],
  ['requirements', async () => (await import('./commands/requirements.ts')).registerRequirements],
  ['demo', async () => (await import('./commands/demo.ts')).registerDemo],
  ['serve', async () => (await import('./commands/serve.ts')).registerServe],
  ['console-user', async () => (await import('./commands/consoleUser.ts')).registerConsoleUser],
];

/**
 * The verbs to load for argv: the one it names, or all of them for the program's own help
 * (`--help`, `--help upload`, `help`) and for a mistyped verb, so commander can suggest one.
 */
function verbsFor(argv: readonly string[]): typeof VERBS {
  const args = argv.slice(2);
  const at = args.findIndex((arg) => !arg.startsWith('-'));
  if (at < 0 || args.slice(0, at).some((arg) => arg === '-h' || arg === '--help')) return VERBS;
  const verb = VERBS.find(([name]) => name === args[at]);
  return verb ? [verb] : VERBS;
}

/** What a command's action resolves to; undefined means done (exit 0). */
export type CommandResult = ExitCode | void;

export async function buildProgram(context: CommandContext, setExit: (code: ExitCode) => void, argv: readonly string[] = []): Promise<Command> {
  const program = new Command('cet-uploader')
    .description("Uploads registrants' CET points to the General Optical Council.")
    .version(versionText(), '-V, --version', 'prints the version of cet-uploader and of the Node running it')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => context.stdout.write(text),
      writeErr: (text) => context.stderr.write(text),
    });
  for (const [, load] of verbsFor(argv)) (await load())(program, context, setExit);
  return program;
}

function versionText(): string {
  const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return `cet-uploader ${version} (Node ${process.version})`;
}

export async function main(argv: string[], context = new CommandContext()): Promise<ExitCode> {
  let exitCode: ExitCode = ExitCode.ok;
  // A reader that stops reading (`cet-uploader report sla --format csv | head`) closes the pipe:
  // the command stops there, as other command-line tools do, with no message and no failure.
  let outputClosed = false;
  context.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') outputClosed = true;
  });
  try {
    const program = await buildProgram(context, (code) => (exitCode = code), argv);
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed the problem; help and version are not failures.
      exitCode = error.exitCode === 0 || error.code.startsWith('commander.help') || error.code === 'commander.version'
        ? ExitCode.ok
        : ExitCode.usage;
    } else if (outputClosed && (error as NodeJS.ErrnoException)?.code === 'EPIPE') {
      exitCode = ExitCode.ok;
    } else {
      const urls = safeUrls(context);
      const failure = describeFailure(error, urls);
      context.warn(failure.message);
      if (context.env.CET_DEBUG) context.warn(String((error as Error)?.stack ?? error));
      exitCode = failure.exitCode;
    }
  } finally {
    await context.close();
  }
  return exitCode;
}

function safeUrls(context: CommandContext): FailureContext {
  try {
    return {
      database: context.config.DATABASE_URL,
      redis: context.config.REDIS_URL,
      connectTimeoutMs: context.config.PG_CONNECT_TIMEOUT_MS,
      statementTimeout: context.statementTimeout,
    };
  } catch {
    return {};
  }
}
