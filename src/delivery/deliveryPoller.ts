import cron, { type ScheduledTask } from 'node-cron';
import type { Queue } from 'bullmq';
import type { Db } from '../db/database.ts';
import type { Logger } from '../logger.ts';
import { addOrJoinJob } from '../queue/enqueueAndWait.ts';
import { JobName } from '../queue/jobNames.ts';
import { queueDeliveries } from './deliveryJobs.ts';
import type { DeliveryWiring } from './deliveryWiring.ts';

export interface DeliveryPollerOptions {
  db: Db;
  queue: Queue;
  wiring: DeliveryWiring;
  /** ACK_POLL_CRON, in the business zone. */
  cron: string;
  zone: string;
  /** Fetch acknowledgements too (SFTP_ACK_DIR set). */
  fetchAcks: boolean;
  logger: Logger;
}

/** The newest file not yet delivered nor FAILED: its job delivers every undelivered file before it too. */
async function newestUndelivered(db: Db): Promise<number | null> {
  const row = await db
    .selectFrom('batch as b')
    .leftJoin('delivery as d', 'd.batch_id', 'b.id')
    .select((eb) => eb.fn.max('b.seq').as('seq'))
    .where('b.seq', 'is not', null)
    .where('b.file_name', 'is not', null)
    .where((eb) => eb.or([eb('d.state', 'is', null), eb('d.state', 'in', ['PENDING', 'SENDING'])]))
    .executeTakeFirst();
  return (row?.seq as number | null | undefined) ?? null;
}

/**
 * The scheduler's part of delivery (DELIVERY=sftp). Ticks only enqueue: at ACK_POLL_CRON a
 * `fetch-acks` job carrying its due time, and a `deliver-<seq>` job for any file written while
 * nothing queued it (say, by a worker started with DELIVERY=none).
 */
export class DeliveryPoller {
  readonly #options: DeliveryPollerOptions;
  #task?: ScheduledTask;

  constructor(options: DeliveryPollerOptions) {
    this.#options = options;
  }

  start(): void {
    const { cron: expression, zone } = this.#options;
    this.#task = cron.schedule(expression, (context) => this.tick(context.date), { timezone: zone, name: 'ack-poll' });
  }

  async stop(): Promise<void> {
    await this.#task?.stop();
  }

  /** Enqueues what is due at `dueAt`; never throws (the next tick tries again). */
  async tick(dueAt: Date): Promise<void> {
    const { db, queue, wiring, logger } = this.#options;
    try {
      const seq = await newestUndelivered(db);
      if (seq !== null) {
        await queueDeliveries(queue, wiring, [seq]);
        logger.info({ seq }, 'undelivered files queued for delivery');
      }
      if (this.#options.fetchAcks) {
        const { job } = await addOrJoinJob(queue, JobName.FetchAcks, { dueAt: dueAt.toISOString() });
        logger.info({ job: job.id }, 'acknowledgement fetch enqueued');
      }
    } catch (error) {
      logger.error({ err: error }, 'could not enqueue delivery or the acknowledgement fetch; the next tick tries again');
    }
  }
}
