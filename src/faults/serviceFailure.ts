import { redactUrl } from './redact.ts';

export type Service = 'PostgreSQL' | 'Redis';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ECONNABORTED']);
const PG_CONNECT_TIMEOUT = /timeout expired|Connection terminated due to connection timeout|timeout exceeded when trying to connect/i;
const PG_LOST = /Connection terminated unexpectedly|terminating connection due to administrator command|Client has encountered a connection error and is not queryable|Connection terminated/i;
const REDIS_LOST = /Connection is closed|MaxRetriesPerRequest|Reached the max retries|Stream isn't writeable|enableOfflineQueue/i;

interface ErrorLike {
  code?: string;
  message?: string;
  port?: number;
  errors?: unknown[];
}

/** The network error itself, or the first of an AggregateError (Node tries IPv6 and IPv4). */
function networkError(error: unknown): ErrorLike | null {
  const e = error as ErrorLike | null;
  if (!e || typeof e !== 'object') return null;
  if (e.code && NETWORK_CODES.has(e.code)) return e;
  const inner = Array.isArray(e.errors) ? (e.errors.find((x) => NETWORK_CODES.has((x as ErrorLike)?.code ?? '')) as ErrorLike | undefined) : undefined;
  return inner ?? null;
}

function portOf(url: string | undefined, fallback: number): number | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.port ? Number(parsed.port) : fallback;
  } catch {
    return null;
  }
}

/** A connection problem of a service, and which one: by the port it failed on, or by its words. */
export function classifyServiceError(error: unknown, urls: { database?: string; redis?: string }): { service: Service; kind: 'unreachable' | 'connect-timeout' | 'lost' } | null {
  const text = (error as ErrorLike)?.message ?? String(error);
  const network = networkError(error);
  if (network) {
    const pgPort = portOf(urls.database, 5432);
    const redisPort = portOf(urls.redis, 6379);
    const port = network.port ?? Number(/:(\d+)\s*$/.exec(network.message ?? '')?.[1] ?? NaN);
    if (port === redisPort && port !== pgPort) return { service: 'Redis', kind: 'unreachable' };
    if (port === pgPort && port !== redisPort) return { service: 'PostgreSQL', kind: 'unreachable' };
    if (REDIS_LOST.test(text)) return { service: 'Redis', kind: 'unreachable' };
  }
  if (PG_CONNECT_TIMEOUT.test(text)) return { service: 'PostgreSQL', kind: 'connect-timeout' };
  if (REDIS_LOST.test(text)) return { service: 'Redis', kind: 'lost' };
  if (PG_LOST.test(text) || (error as ErrorLike)?.code === '57P01') return { service: 'PostgreSQL', kind: 'lost' };
  return null;
}

/** One line for the operator: the service, its URL without the password, why, and what to set. */
export function describeServiceError(
  error: unknown,
  service: Service,
  kind: 'unreachable' | 'connect-timeout' | 'lost',
  urls: { database?: string; redis?: string },
  connectTimeoutMs?: number,
): string {
  const text = ((error as ErrorLike)?.message ?? String(error)).split('\n')[0];
  const url = redactUrl(service === 'Redis' ? urls.redis : urls.database);
  const variable = service === 'Redis' ? 'REDIS_URL' : 'DATABASE_URL';
  if (kind === 'connect-timeout') {
    const within = connectTimeoutMs ? ` within ${connectTimeoutMs / 1000} s (PG_CONNECT_TIMEOUT_MS)` : '';
    return `PostgreSQL did not answer at ${url}${within}: is PostgreSQL listening there? Check ${variable}.`;
  }
  if (kind === 'lost') return `The connection to ${service} at ${url} failed or was lost (${text}): is ${service} running there? Run the command again once it is, or set ${variable}.`;
  return `${service} is unreachable at ${url} (${text}). Start it, or set ${variable}.`;
}
