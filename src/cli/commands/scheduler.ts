import { openQueue } from '../../queue/enqueueAndWait.ts';
import { announceScheduler } from '../../queue/schedulerPresence.ts';
import { onShutdown, within } from '../../faults/lifecycle.ts';
import { redactUrl } from '../../faults/redact.ts';
import { ExitCode, OperatorError } from '../errors.ts';
import { planCatchUp } from '../../scheduler/catchUpPlan.ts';
import { UploadScheduler } from '../../scheduler/uploadScheduler.ts';
import { processLogger } from '../wiring.ts';
import { openReminderQueue } from '../../reminders/reminderQueue.ts';
import { parseNow } from '../nowOption.ts';
import { DeliveryPoller } from '../../delivery/deliveryPoller.ts';
import { deliveryWiring } from '../deliveryWiring.ts';
import type { RegisterCommand } from './types.ts';

export const registerScheduler: RegisterCommand = (program, context) => {
  program
    .command('scheduler')
    .description('long-running: enqueues weekly batches and each open cycle\'s FINAL batch on time; catches up missed ones at start')
    .option('--now <instant>', 'start as if this were the current time (ISO 8601 with offset)')
    .option('--once', 'catch up what is due, then exit instead of waiting for the next slot')
    .action(async (options: { now?: string; once?: boolean }) => {
      const config = context.config;
      const logger = processLogger(context, 'cet-uploader-scheduler');
      // Reconnect forever; one log line when PostgreSQL or Redis is lost, one when it is back.
      context.serve(logger);
      let scheduler: UploadScheduler | undefined;
      let poller: DeliveryPoller | undefined;
      let heartbeat: Awaited<ReturnType<typeof announceScheduler>> | undefined;
      const stopped = onShutdown(logger, async () => {
        await scheduler?.stop();
        await poller?.stop();
        await heartbeat?.stop();
      });
      const startedAt = parseNow(options.now);
      const offset = startedAt.getTime() - Date.now();
      const clock = () => new Date(Date.now() + offset);
      const queue = openQueue(context.redis(), config.QUEUE_PREFIX);
      queue.on('error', () => {}); // connection errors: logged once by the connection's health
      context.onClose(async () => {
        await queue.close();
      });
      await within(queue.waitUntilReady(), 10_000, () => new OperatorError(`Redis is unreachable at ${redactUrl(config.REDIS_URL)} (no answer within 10 s). Start it, or set REDIS_URL.`, ExitCode.failed));
      // Readiness outside the logs: a heartbeat in Redis (the console's Overview and /metrics read it).
      if (!options.once) {
        const connection = context.redis();
        heartbeat = await announceScheduler(connection, config.QUEUE_PREFIX);
      }
      const reminderQueue = openReminderQueue(context.redis(), config.QUEUE_PREFIX);
      reminderQueue.on('error', () => {}); // connection errors: logged once by the connection's health
      context.onClose(() => reminderQueue.close());
      scheduler = new UploadScheduler({ db: context.db, queue, cron: config.WEEKLY_CRON, zone: config.BUSINESS_TIME_ZONE, logger, clock, reminderQueue, snapshotCron: config.STATE_SNAPSHOT_CRON });
      const plan = await planCatchUp(context.db, { cron: config.WEEKLY_CRON, zone: config.BUSINESS_TIME_ZONE }, startedAt);
      logger.info({ missedSlots: plan.slots.length, overdueFinals: plan.overdueFinals.map((c) => c.code), outbox: config.OUTBOX_DIR }, 'start-up check');
      const interrupted = await Promise.race([scheduler.catchUp(plan).then(() => false), stopped.then(() => true)]);
      if (interrupted) {
        logger.info('scheduler stopped during the catch-up; it resumes at the next start');
        return;
      }
      // DELIVERY=sftp: queue any undelivered file and fetch acknowledgements at start and at ACK_POLL_CRON.
      const wiring = deliveryWiring(config);
      poller = wiring
        ? new DeliveryPoller({ db: context.db, queue, wiring, cron: config.ACK_POLL_CRON, zone: config.BUSINESS_TIME_ZONE, fetchAcks: Boolean(config.SFTP_ACK_DIR), logger })
        : undefined;
      await poller?.tick(clock());
      if (options.once) {
        logger.info('caught up; exiting (--once)');
        return;
      }
      scheduler.start();
      poller?.start();
      await stopped;
      logger.info('scheduler stopped');
    });
};
