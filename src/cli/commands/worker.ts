import { startUploadWorker } from '../../queue/uploadWorker.ts';
import { RefusedError } from '../errors.ts';
import { processLogger, uploadDeps } from '../wiring.ts';
import { reminderJobDeps, reminderQueue } from '../reminderWiring.ts';
import { startReminderWorker } from '../../reminders/reminderQueue.ts';
import type { RegisterCommand } from './types.ts';

export const registerWorker: RegisterCommand = (program, context) => {
  program
    .command('worker')
    .description('long-running: processes the upload queue (SIGTERM lets the running job finish)')
    .option('--concurrency <n>', 'jobs at once', '1')
    .action(async (options: { concurrency: string }) => {
      const concurrency = Number(options.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16) {
        throw new RefusedError(`--concurrency "${options.concurrency}" must be a whole number from 1 to 16.`);
      }
      const config = context.config;
      const logger = processLogger(context, 'cet-uploader-worker');
      const deps = uploadDeps(context);
      await context.db.selectFrom('cycle').select('id').limit(1).execute(); // fail fast: database reachable and migrated
      const connection = context.redis();
      await connection.ping();
      const worker = startUploadWorker(deps, {
        connection,
        prefix: config.QUEUE_PREFIX,
        concurrency,
        lockDuration: config.JOB_LOCK_MS,
        logger,
      });
      await worker.waitUntilReady();
      // The reminders queue: hourly ticks and rate-limited sends (src/reminders/).
      const reminders = startReminderWorker(reminderJobDeps(context, reminderQueue(context)), {
        connection: context.redis(),
        prefix: config.QUEUE_PREFIX,
        perMinute: config.MAIL_PER_MINUTE,
        lockDuration: config.JOB_LOCK_MS,
        logger,
      });
      await reminders.waitUntilReady();
      logger.info({ queue: `${config.QUEUE_PREFIX}:uploads`, concurrency, outbox: config.OUTBOX_DIR }, 'worker ready');
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          logger.info({ signal }, 'stopping: letting the running job finish');
          Promise.all([worker.close(), reminders.close()]).then(() => resolve(), () => resolve());
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
      logger.info('worker stopped');
    });
};
