import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import type { ExitCode } from '../errors.ts';

/** Each command file adds its verbs to the program; setExit records a non-zero outcome. */
export type RegisterCommand = (program: Command, context: CommandContext, setExit: (code: ExitCode) => void) => void;
