import type { Config } from '../config.ts';
import { deliverySettings } from '../delivery/config.ts';
import type { DeliveryWiring } from '../delivery/deliveryWiring.ts';
import { sftpTransport } from '../delivery/sftpTransport.ts';

/** The delivery wiring when DELIVERY=sftp; undefined with DELIVERY=none. */
export function deliveryWiring(config: Config): DeliveryWiring | undefined {
  const settings = deliverySettings(config);
  if (settings.mode !== 'sftp' || !settings.sftp) return undefined;
  return { transport: sftpTransport(settings.sftp), maxAttempts: settings.attempts, retryMs: settings.retryMs };
}
