import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { loadConfig, type Config } from '../config.ts';
import { openDatabase, type DbHandle } from '../db/database.ts';
import { ConnectionHealth } from '../faults/connectionHealth.ts';
import { openRedis } from '../faults/redisConnection.ts';

/**
 * What a command needs from the outside world, opened on first use and closed by main.
 * Commands never open connections themselves, so main can close everything on any exit.
 */
export class CommandContext {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  #config?: Config;
  #database?: DbHandle;
  #redis: Redis[] = [];
  #closers: Array<() => Promise<void>> = [];
  #role: 'command' | 'service' = 'command';
  #health?: ConnectionHealth;
  #reads = false;
  #writes?: DbHandle;

  constructor(options: {
    env?: NodeJS.ProcessEnv;
    stdout?: NodeJS.WritableStream & { isTTY?: boolean };
    stderr?: NodeJS.WritableStream;
    stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  } = {}) {
    this.env = options.env ?? process.env;
    this.stdout = options.stdout ?? process.stdout;
    this.stderr = options.stderr ?? process.stderr;
    this.stdin = options.stdin ?? process.stdin;
  }

  get config(): Config {
    this.#config ??= loadConfig(this.env);
    return this.#config;
  }

  get database(): DbHandle {
    this.#database ??= this.#open(this.statementTimeout.ms);
    return this.#database;
  }

  #open(statementMs: number): DbHandle {
    const c = this.config;
    return openDatabase(c.DATABASE_URL, {
      timeouts: { connectMs: c.PG_CONNECT_TIMEOUT_MS, statementMs, lockMs: c.PG_LOCK_TIMEOUT_MS },
      ...(this.#health ? { health: this.#health } : {}),
    });
  }

  /**
   * For a command that only reads (status, report, trace, requirements, the console's pages),
   * before its first query: its statements are cut short after PG_READ_STATEMENT_TIMEOUT_MS
   * rather than the generous PG_STATEMENT_TIMEOUT_MS of claims and imports.
   */
  readOnly(): void {
    if (this.#database) throw new Error('readOnly() must come before the first query');
    this.#reads = true;
  }

  /** The statement timeout this command's connections carry, and the variable that sets it. */
  get statementTimeout(): { variable: 'PG_READ_STATEMENT_TIMEOUT_MS' | 'PG_STATEMENT_TIMEOUT_MS'; ms: number } {
    const c = this.config;
    return this.#reads ? { variable: 'PG_READ_STATEMENT_TIMEOUT_MS', ms: c.PG_READ_STATEMENT_TIMEOUT_MS } : { variable: 'PG_STATEMENT_TIMEOUT_MS', ms: c.PG_STATEMENT_TIMEOUT_MS };
  }

  /**
   * Connections with the generous PG_STATEMENT_TIMEOUT_MS for the one write a read-only process
   * may do (the console's FINAL batch, processed in the console when no worker runs); opened on
   * first use, closed with the context.
   */
  get writeDatabase(): DbHandle {
    if (!this.#reads) return this.database;
    this.#writes ??= this.#open(this.config.PG_STATEMENT_TIMEOUT_MS);
    return this.#writes;
  }

  get db(): DbHandle['db'] {
    return this.database.db;
  }

  /**
   * For the long-running worker and scheduler, before any connection is opened: connections
   * reconnect forever with capped back-off, and one line is logged when a service is lost and
   * one when it is back. Returns the health that readiness reads.
   */
  serve(logger: Logger): ConnectionHealth {
    this.#role = 'service';
    this.#health ??= new ConnectionHealth({ logger, urls: { Redis: this.config.REDIS_URL, PostgreSQL: this.config.DATABASE_URL } });
    return this.#health;
  }

  /**
   * A new Redis connection for BullMQ (maxRetriesPerRequest: null). A command's gives up at once
   * when Redis never answered, but rides out an outage once connected; a service's never gives up.
   */
  redis(): Redis {
    const connection = openRedis(this.config.REDIS_URL, { role: this.#role, ...(this.#health ? { health: this.#health } : {}) });
    this.#redis.push(connection);
    return connection;
  }

  onClose(closer: () => Promise<void>): void {
    this.#closers.push(closer);
  }

  print(line = ''): void {
    this.stdout.write(`${line}\n`);
  }

  warn(line: string): void {
    this.stderr.write(`${line}\n`);
  }

  async close(): Promise<void> {
    for (const closer of this.#closers.reverse()) await closer().catch(() => {});
    this.#closers = [];
    // One that already gave up ('end') is left alone: disconnect() would end its destroyed socket
    // again and keep the process alive for ioredis' disconnectTimeout (2 s) for nothing.
    for (const connection of this.#redis) if (connection.status !== 'end') connection.disconnect();
    this.#redis = [];
    if (this.#database) await this.#database.close().catch(() => {});
    this.#database = undefined;
    if (this.#writes) await this.#writes.close().catch(() => {});
    this.#writes = undefined;
  }
}
