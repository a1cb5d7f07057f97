import { Redis } from 'ioredis';
import { loadConfig, type Config } from '../config.ts';
import { openDatabase, type DbHandle } from '../db/database.ts';

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
    const c = this.config;
    this.#database ??= openDatabase(c.DATABASE_URL, {
      timeouts: { connectMs: c.PG_CONNECT_TIMEOUT_MS, statementMs: c.PG_STATEMENT_TIMEOUT_MS, lockMs: c.PG_LOCK_TIMEOUT_MS },
    });
    return this.#database;
  }

  get db(): DbHandle['db'] {
    return this.database.db;
  }

  /** A new Redis connection for BullMQ (which wants maxRetriesPerRequest: null on workers). */
  redis(): Redis {
    const connection = new Redis(this.config.REDIS_URL, {
      maxRetriesPerRequest: null,
      // Fail fast and clearly when Redis is down, rather than retrying forever in silence.
      retryStrategy: (times) => (times > 3 ? null : 200 * times),
      lazyConnect: false,
    });
    connection.on('error', () => {});
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
    for (const connection of this.#redis) connection.disconnect();
    this.#redis = [];
    if (this.#database) await this.#database.close().catch(() => {});
    this.#database = undefined;
  }
}
