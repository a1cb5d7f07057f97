import type { Transport } from './transport.ts';

/** What the worker and the commands need to deliver, wired by the entry points when DELIVERY=sftp. */
export interface DeliveryWiring {
  transport: Transport;
  /** Attempts per file before it is FAILED. */
  maxAttempts: number;
  /** The first retry's delay; doubled each time, capped at 60 times this. */
  retryMs: number;
}
