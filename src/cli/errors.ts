/** The CLI's exit codes (README, "Running it"). */
export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  partial: 3,
  inputRefused: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error meant for the operator: its message says what and why, and what to do. */
export class OperatorError extends Error {
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** A usage error or a refused action (exit 2). */
export class RefusedError extends OperatorError {
  constructor(message: string) {
    super(message, ExitCode.usage);
  }
}

/** An input file refused whole (exit 4). */
export class InputRefusedError extends OperatorError {
  constructor(message: string) {
    super(message, ExitCode.inputRefused);
  }
}
