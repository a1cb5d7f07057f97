import { buildConsole } from '../../console/server.ts';
import { readUsers, UsersFileError } from '../../console/users.ts';
import { deliveryWiring } from '../deliveryWiring.ts';
import { RefusedError } from '../errors.ts';
import { nowOption, parseNow } from '../nowOption.ts';
import { processLogger } from '../wiring.ts';
import type { RegisterCommand } from './types.ts';

export const registerServe: RegisterCommand = (program, context) => {
  program
    .command('serve')
    .description('long-running: the ops console, /livez, /readyz and /metrics over HTTP')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0: any free port)', '8080')
    .addOption(nowOption().argParser((value) => value))
    .option('--metrics-refresh <seconds>', 'read the metrics from PostgreSQL in the background this often; 0: at each scrape', '60')
    .action(async (options: { host: string; port: string; now?: string; metricsRefresh: string }) => {
      const refresh = Number(options.metricsRefresh);
      if (!Number.isInteger(refresh) || refresh < 0 || refresh > 3600) {
        throw new RefusedError(`--metrics-refresh "${options.metricsRefresh}" must be a whole number of seconds from 0 to 3600.`);
      }
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RefusedError(`--port "${options.port}" must be a whole number from 0 to 65535.`);
      const fixedNow = options.now === undefined ? undefined : parseNow(options.now);
      const config = context.config;
      const secret = config.CONSOLE_SESSION_SECRET ?? '';
      // Never print the secret, not even a part of it.
      if (Buffer.byteLength(secret) < 32) {
        throw new RefusedError(
          `CONSOLE_SESSION_SECRET is ${secret ? 'shorter than 32 bytes' : 'not set'}: set it to 32 or more random bytes, e.g. \`openssl rand -base64 48\`.`,
        );
      }
      const usersFile = config.CONSOLE_USERS_FILE;
      if (!usersFile) throw new RefusedError('CONSOLE_USERS_FILE is not set: point it at the users file that `cet-uploader console-user add` writes.');
      try {
        const users = await readUsers(usersFile);
        if (!users.size) throw new UsersFileError(`CONSOLE_USERS_FILE ${usersFile} has no user; add one with \`cet-uploader console-user add <name> --role operator\`.`);
      } catch (error) {
        if (error instanceof UsersFileError) throw new RefusedError(error.message);
        throw error;
      }
      const logger = processLogger(context, 'cet-uploader-console');
      // The pages only read (PG_READ_STATEMENT_TIMEOUT_MS); the FINAL batch gets connections of its own.
      context.readOnly();
      const app = await buildConsole({
        config,
        db: context.db,
        pool: context.database.pool,
        writes: () => context.writeDatabase,
        clock: fixedNow ? () => fixedNow : () => new Date(),
        logger,
        sessionSecret: secret,
        usersFile,
        delivery: deliveryWiring(config),
        metricsRefreshMs: refresh * 1000,
      });
      const address = await app.listen({ host: options.host, port });
      logger.info({ address, fixedNow: fixedNow?.toISOString() }, 'console listening');
      context.print(`Console listening on ${address}`);
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          logger.info({ signal }, 'stopping the console');
          app.close().then(resolve, resolve);
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
    });
};
