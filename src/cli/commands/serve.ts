import { Redis } from 'ioredis';
import { buildConsole } from '../../console/server.ts';
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
    .action(async (options: { host: string; port: string; now?: string }) => {
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RefusedError(`--port "${options.port}" must be a whole number from 0 to 65535.`);
      const fixedNow = options.now === undefined ? undefined : parseNow(options.now);
      const config = context.config;
      const logger = processLogger(context, 'cet-uploader-console');
      const app = await buildConsole({
        config,
        db: context.db,
        redis: () =>
          // Fails fast while Redis is down: /readyz must answer within 2 s, never queue a PING.
          new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: (times) => Math.min(times * 200, 2_000) }).on('error', () => {}),
        clock: fixedNow ? () => fixedNow : () => new Date(),
        logger,
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
