import { ConfigError } from '../config.ts';
import { ExitCode, OperatorError } from './errors.ts';

interface Failure {
  message: string;
  exitCode: ExitCode;
}

const redact = (url: string) => {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
};

/** Turns any error into words for the operator and an exit code; never a bare stack trace. */
export function describeFailure(error: unknown, urls: { database?: string; redis?: string }): Failure {
  if (error instanceof OperatorError) return { message: error.message, exitCode: error.exitCode };
  if (error instanceof ConfigError) return { message: error.message, exitCode: ExitCode.usage };
  const e = error as { code?: string; message?: string; errors?: unknown[]; name?: string; syscall?: string; address?: string; port?: number };
  const text = e?.message ?? String(error);
  const network = e?.code === 'ECONNREFUSED' || e?.code === 'ENOTFOUND' || e?.code === 'ETIMEDOUT' || e?.code === 'ECONNRESET';
  const aggregated = Array.isArray(e?.errors) && e.errors.some((inner) => (inner as { code?: string }).code === 'ECONNREFUSED');
  if ((network || aggregated) && e?.port === 6379) {
    return { message: `Redis is unreachable at ${redact(urls.redis ?? '')} (${text}). Start it, or set REDIS_URL.`, exitCode: ExitCode.failed };
  }
  if (network || aggregated) {
    return {
      message: `A service is unreachable (${text}). PostgreSQL: ${redact(urls.database ?? '')}; Redis: ${redact(urls.redis ?? '')}. Start it, or set DATABASE_URL / REDIS_URL.`,
      exitCode: ExitCode.failed,
    };
  }
  if (e?.code === '3D000') {
    return { message: `PostgreSQL has no such database (${text}) at ${redact(urls.database ?? '')}. Run \`cet-uploader migrate\` first; it creates it.`, exitCode: ExitCode.failed };
  }
  if (e?.code === '42P01') {
    return { message: `The database schema is missing or old (${text}). Run \`cet-uploader migrate\`.`, exitCode: ExitCode.failed };
  }
  if (/Connection is closed|MaxRetriesPerRequest|Reached the max retries/i.test(text)) {
    return { message: `Redis is unreachable at ${redact(urls.redis ?? '')} (${text}). Start it, or set REDIS_URL.`, exitCode: ExitCode.failed };
  }
  if (e?.syscall && e?.code) {
    return { message: `A file operation failed: ${text}. Check the path and its permissions.`, exitCode: ExitCode.failed };
  }
  return { message: `Failed: ${text}. (Set CET_DEBUG=1 to see where.)`, exitCode: ExitCode.failed };
}
