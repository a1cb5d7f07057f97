import type { Logger } from 'pino';
import { redactUrl } from './redact.ts';

export type ServiceName = 'Redis' | 'PostgreSQL';

/**
 * Whether this process's connections to each service are up, for readiness and for logs: one
 * line when a service is lost (the first of its connections to drop) and one when it is back
 * (the last to come back), never one per retry.
 */
export class ConnectionHealth {
  readonly #logger?: Logger;
  readonly #urls: Record<ServiceName, string>;
  readonly #down: Record<ServiceName, Set<object>> = { Redis: new Set(), PostgreSQL: new Set() };
  readonly #lostAt: Partial<Record<ServiceName, number>> = {};

  constructor(options: { logger?: Logger; urls: Record<ServiceName, string> }) {
    this.#logger = options.logger;
    this.#urls = { Redis: redactUrl(options.urls.Redis), PostgreSQL: redactUrl(options.urls.PostgreSQL) };
  }

  down(service: ServiceName, connection: object, reason?: string): void {
    const set = this.#down[service];
    if (set.has(connection)) return;
    set.add(connection);
    if (set.size === 1) {
      this.#lostAt[service] = Date.now();
      this.#logger?.warn({ service, url: this.#urls[service], reason }, `${service} connection lost; reconnecting with back-off`);
    }
  }

  up(service: ServiceName, connection: object): void {
    const set = this.#down[service];
    if (!set.delete(connection) || set.size > 0) return;
    const since = this.#lostAt[service];
    delete this.#lostAt[service];
    this.#logger?.info({ service, url: this.#urls[service], downForMs: since ? Date.now() - since : undefined }, `${service} connection back`);
  }

  /** Forget a connection closed on purpose. */
  forget(service: ServiceName, connection: object): void {
    this.up(service, connection);
  }

  isUp(service: ServiceName): boolean {
    return this.#down[service].size === 0;
  }

  /** When the service was lost, or null while it is up. */
  lostSince(service: ServiceName): number | null {
    return this.#lostAt[service] ?? null;
  }
}
