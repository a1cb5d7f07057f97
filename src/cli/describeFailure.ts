import { ConfigError } from '../config.ts';
import { redactSecrets, redactUrl } from '../faults/redact.ts';
import { classifyServiceError, describeServiceError } from '../faults/serviceFailure.ts';
import { ExitCode, OperatorError } from './errors.ts';

interface Failure {
  message: string;
  exitCode: ExitCode;
}

/** Errors retrying cannot fix: the schema is missing or older than the code. */
const SCHEMA_CODES = new Set(['42P01', '42703', '42883', '3F000']);

/** What a failure is described with: the services' URLs and the timeouts in force. */
export interface FailureContext {
  database?: string;
  redis?: string;
  connectTimeoutMs?: number;
  /** The statement timeout this command's connections carry, and the variable that sets it. */
  statementTimeout?: { variable: string; ms: number };
}

/** Turns any error into one line for the operator and an exit code; never a stack or a password. */
export function describeFailure(error: unknown, urls: FailureContext): Failure {
  const failure = describe(error, urls);
  return { ...failure, message: redactSecrets(failure.message) };
}

function describe(error: unknown, urls: FailureContext): Failure {
  if (error instanceof OperatorError) return { message: error.message, exitCode: error.exitCode };
  if (error instanceof ConfigError) return { message: error.message, exitCode: ExitCode.usage };
  const e = error as { code?: string; message?: string; syscall?: string };
  const text = (e?.message ?? String(error)).split('\n')[0] ?? '';
  if ((error as Error)?.name === 'RedisLostError') {
    return { message: `Redis at ${redactUrl(urls.redis)} stopped answering: ${text}. The job carries on when it is back; run the command again then (it is safe).`, exitCode: ExitCode.failed };
  }
  const service = classifyServiceError(error, urls);
  if ((error as Error)?.name === 'JobFailedError' && !service) {
    // The worker's reason, already worded for the operator (or BullMQ's, after its retries).
    return { message: /Run `|cet-uploader /.test(text) ? text : `The batch job failed: ${text}`, exitCode: ExitCode.failed };
  }
  if (service) return { message: describeServiceError(error, service.service, service.kind, urls, urls.connectTimeoutMs), exitCode: ExitCode.failed };
  if (e?.code === '3D000') {
    return { message: `PostgreSQL has no such database (${text}) at ${redactUrl(urls.database)}. Run \`cet-uploader migrate\` first; it creates it.`, exitCode: ExitCode.failed };
  }
  if (e?.code && SCHEMA_CODES.has(e.code)) {
    return { message: `The database schema is missing or old (${text}). Run \`cet-uploader migrate\`.`, exitCode: ExitCode.failed };
  }
  if (e?.code === '57014' && /statement timeout/i.test(text)) {
    const limit = urls.statementTimeout ?? { variable: 'PG_STATEMENT_TIMEOUT_MS', ms: NaN };
    const seconds = Number.isFinite(limit.ms) ? ` (${limit.ms / 1000} s)` : '';
    const which = limit.variable === 'PG_READ_STATEMENT_TIMEOUT_MS' ? 'the statement timeout of read-only commands' : 'the statement timeout';
    return {
      message: `PostgreSQL cancelled a statement that ran longer than ${which}, ${limit.variable}${seconds} (${text}): the database may be busy or locked by another process. Run the command again, or raise ${limit.variable}.`,
      exitCode: ExitCode.failed,
    };
  }
  if (e?.code === '55P03') {
    return { message: `A statement waited for a lock longer than PG_LOCK_TIMEOUT_MS (${text}); another process holds it. Run the command again, or raise PG_LOCK_TIMEOUT_MS.`, exitCode: ExitCode.failed };
  }
  if (e?.syscall && e?.code) {
    return { message: `A file operation failed: ${text}. Check the path and its permissions.`, exitCode: ExitCode.failed };
  }
  return { message: `Failed: ${text}. (Set CET_DEBUG=1 to see where.)`, exitCode: ExitCode.failed };
}
