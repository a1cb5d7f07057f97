import { QueueEvents } from 'bullmq';
import { openQueue } from '../../queue/enqueueAndWait.ts';
import { QUEUE_NAME } from '../../queue/jobNames.ts';
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
      const startedAt = parseNow(options.now);
      const offset = startedAt.getTime() - Date.now();
      const clock = () => new Date(Date.now() + offset);
      const queue = openQueue(context.redis(), config.QUEUE_PREFIX);
      const events = new QueueEvents(QUEUE_NAME, { connection: context.redis(), prefix: config.QUEUE_PREFIX });
      context.onClose(async () => {
        await events.close();
        await queue.close();
      });
      await events.waitUntilReady();
      const reminderQueue = openReminderQueue(context.redis(), config.QUEUE_PREFIX);
      context.onClose(() => reminderQueue.close());
      const scheduler = new UploadScheduler({ db: context.db, queue, events, cron: config.WEEKLY_CRON, zone: config.BUSINESS_TIME_ZONE, logger, clock, reminderQueue });
      const plan = await planCatchUp(context.db, { cron: config.WEEKLY_CRON, zone: config.BUSINESS_TIME_ZONE }, startedAt);
      logger.info({ missedSlots: plan.slots.length, overdueFinals: plan.overdueFinals.map((c) => c.code), outbox: config.OUTBOX_DIR }, 'start-up check');
      await scheduler.catchUp(plan);
      // DELIVERY=sftp: queue any undelivered file and fetch acknowledgements at start and at ACK_POLL_CRON.
      const wiring = deliveryWiring(config);
      const poller = wiring
        ? new DeliveryPoller({ db: context.db, queue, wiring, cron: config.ACK_POLL_CRON, zone: config.BUSINESS_TIME_ZONE, fetchAcks: Boolean(config.SFTP_ACK_DIR), logger })
        : undefined;
      await poller?.tick(clock());
      if (options.once) {
        logger.info('caught up; exiting (--once)');
        return;
      }
      scheduler.start();
      poller?.start();
      await new Promise<void>((resolve) => {
        process.once('SIGTERM', resolve);
        process.once('SIGINT', resolve);
      });
      await scheduler.stop();
      await poller?.stop();
      logger.info('scheduler stopped');
    });
};
