import { requireProviderCode } from '../config.ts';
import { gocCetUpload } from '../format/gocCetUpload.ts';
import { createLogger, type Logger } from '../logger.ts';
import type { UploadDeps } from '../usecases/uploadDeps.ts';
import type { CommandContext } from './context.ts';
import { deliveryWiring } from './deliveryWiring.ts';

/** Wires the batch use cases to this process's database, outbox and configuration. */
export function uploadDeps(context: CommandContext): UploadDeps {
  const config = context.config;
  const delivery = deliveryWiring(config);
  return {
    ...(delivery ? { delivery } : {}),
    db: context.db,
    pool: context.database.pool,
    format: gocCetUpload,
    outboxDir: config.OUTBOX_DIR,
    zone: config.BUSINESS_TIME_ZONE,
    holdDays: config.INTERACTIVE_HOLD_DAYS,
    providerCode: requireProviderCode(config),
    clock: () => new Date(),
  };
}

export function processLogger(context: CommandContext, name: string): Logger {
  return createLogger(name, context.config.LOG_LEVEL, context.stdout);
}
