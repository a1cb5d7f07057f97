import { startUploadWorker } from '../../queue/uploadWorker.ts';
import { redactUrl } from '../../faults/redact.ts';
import { onShutdown, within } from '../../faults/lifecycle.ts';
import { ExitCode, OperatorError, RefusedError } from '../errors.ts';
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
      // Reconnect forever; one log line when PostgreSQL or Redis is lost, one when it is back.
      const health = context.serve(logger);
      let worker: ReturnType<typeof startUploadWorker> | undefined;
      let reminders: ReturnType<typeof startReminderWorker> | undefined;
      const stopped = onShutdown(logger, async (signal) => {
        logger.info({ signal }, 'stopping: letting the running job finish (or handing it back)');
        await Promise.all([worker?.close(), reminders?.close()]);
      });
      const deps = uploadDeps(context);
      await context.db.selectFrom('cycle').select('id').limit(1).execute(); // fail fast: database reachable and migrated
      const connection = context.redis();
      await within(connection.ping(), 10_000, () => new OperatorError(`Redis is unreachable at ${redactUrl(config.REDIS_URL)} (no answer within 10 s). Start it, or set REDIS_URL.`, ExitCode.failed));
      worker = startUploadWorker(deps, {
        connection,
        prefix: config.QUEUE_PREFIX,
        concurrency,
        lockDuration: config.JOB_LOCK_MS,
        logger,
        postgresLostSince: () => health.lostSince('PostgreSQL'),
      });
      await worker.waitUntilReady();
      // The reminders queue: hourly ticks and rate-limited sends (src/reminders/).
      reminders = startReminderWorker(reminderJobDeps(context, reminderQueue(context)), {
        connection: context.redis(),
        prefix: config.QUEUE_PREFIX,
        perMinute: config.MAIL_PER_MINUTE,
        lockDuration: config.JOB_LOCK_MS,
        logger,
      });
      await reminders.waitUntilReady();
      logger.info({ queue: `${config.QUEUE_PREFIX}:uploads`, concurrency, outbox: config.OUTBOX_DIR }, 'worker ready');
      await stopped;
      logger.info('worker stopped');
    });
};
