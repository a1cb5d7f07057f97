import { Command, CommanderError } from 'commander';
import { CommandContext } from './context.ts';
import { describeFailure } from './describeFailure.ts';
import { ExitCode } from './errors.ts';
import { registerAck } from './commands/ack.ts';
import { registerCycle } from './commands/cycle.ts';
import { registerDemo } from './commands/demo.ts';
import { registerImport } from './commands/import.ts';
import { registerMigrate } from './commands/migrate.ts';
import { registerReport } from './commands/report.ts';
import { registerRequirements } from './commands/requirements.ts';
import { registerScheduler } from './commands/scheduler.ts';
import { registerStatus } from './commands/status.ts';
import { registerTrace } from './commands/trace.ts';
import { registerUpload } from './commands/upload.ts';
import { registerWorker } from './commands/worker.ts';

/** What a command's action resolves to; undefined means done (exit 0). */
export type CommandResult = ExitCode | void;

export function buildProgram(context: CommandContext, setExit: (code: ExitCode) => void): Command {
  const program = new Command('cet-uploader')
    .description("Uploads registrants' CET points to the General Optical Council.")
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => context.stdout.write(text),
      writeErr: (text) => context.stderr.write(text),
    });
  for (const register of [
    registerMigrate,
    registerCycle,
    registerImport,
    registerUpload,
    registerAck,
    registerWorker,
    registerScheduler,
    registerStatus,
    registerTrace,
    registerReport,
    registerRequirements,
    registerDemo,
  ]) {
    register(program, context, setExit);
  }
  return program;
}

export async function main(argv: string[], context = new CommandContext()): Promise<ExitCode> {
  let exitCode: ExitCode = ExitCode.ok;
  const program = buildProgram(context, (code) => (exitCode = code));
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed the problem; help and version are not failures.
      exitCode = error.exitCode === 0 || error.code.startsWith('commander.help') || error.code === 'commander.version'
        ? ExitCode.ok
        : ExitCode.usage;
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

function safeUrls(context: CommandContext): { database?: string; redis?: string } {
  try {
    return { database: context.config.DATABASE_URL, redis: context.config.REDIS_URL };
  } catch {
    return {};
  }
}
