import { validate as validateCron } from 'node-cron';
import * as v from 'valibot';
import { wholeNumber } from '../configValues.ts';

// Delivery's variables (delivery.md), spread into the schema of src/config.ts. Nothing here is
// ever printed or logged; the URL only through describeSftpUrl (without any password).


const sftpUrl = v.pipe(
  v.string(),
  v.trim(),
  v.check((text) => parseSftpUrl(text) !== null, 'not an SFTP URL like sftp://user@host:22/upload/dir'),
);

export const deliveryConfigEntries = {
  DELIVERY: v.optional(v.picklist(['none', 'sftp'], 'not one of none, sftp'), 'none'),
  SFTP_URL: v.optional(sftpUrl),
  SFTP_PRIVATE_KEY_FILE: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1))),
  SFTP_HOST_KEY: v.optional(
    v.pipe(v.string(), v.trim(), v.regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, 'not a fingerprint as `ssh-keygen -lf` prints it, e.g. SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8')),
  ),
  SFTP_ACK_DIR: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1))),
  DELIVERY_ATTEMPTS: v.optional(wholeNumber(1, 100), '12'),
  // The first retry's delay; each next one doubles, up to 60 times this (1 minute .. 1 hour).
  DELIVERY_RETRY_MS: v.optional(wholeNumber(10, 3_600_000), '60000'),
  // Connecting, and each SFTP operation (stat, rename, list), must finish within this.
  SFTP_TIMEOUT_MS: v.optional(wholeNumber(100, 600_000), '30000'),
  // One file's whole transfer must finish within this.
  SFTP_TRANSFER_TIMEOUT_MS: v.optional(wholeNumber(1000, 86_400_000), '3600000'),
  ACK_POLL_CRON: v.optional(v.pipe(v.string(), v.check((expression) => validateCron(expression), 'not a valid cron expression')), '15 * * * *'),
};

const deliveryConfigSchema = v.object(deliveryConfigEntries);
export type DeliveryConfig = v.InferOutput<typeof deliveryConfigSchema>;

export interface SftpTarget {
  host: string;
  port: number;
  username: string;
  /** The upload directory as the server names it. */
  directory: string;
}

export function parseSftpUrl(text: string): SftpTarget | null {
  try {
    const url = new URL(text);
    if (url.protocol !== 'sftp:' || !url.hostname || !url.username) return null;
    return {
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port ? Number(url.port) : 22,
      username: decodeURIComponent(url.username),
      directory: decodeURIComponent(url.pathname) || '.',
    };
  } catch {
    return null;
  }
}

/** The URL for messages: never a password. */
export function describeSftpUrl(target: SftpTarget): string {
  return `sftp://${target.username}@${target.host}:${target.port}${target.directory.startsWith('/') ? '' : '/'}${target.directory}`;
}

/** What the SFTP transport needs, once the configuration says DELIVERY=sftp. */
export interface SftpSettings {
  target: SftpTarget;
  privateKeyFile: string;
  hostKey: string;
  ackDir: string | null;
  timeoutMs: number;
  transferTimeoutMs: number;
}

export interface DeliverySettings {
  mode: 'none' | 'sftp';
  sftp: SftpSettings | null;
  attempts: number;
  retryMs: number;
  ackPollCron: string;
}

/** Checks the variables that go together; every problem is returned (empty: usable). */
export function deliveryProblems(config: DeliveryConfig): string[] {
  if (config.DELIVERY !== 'sftp') return [];
  const problems: string[] = [];
  if (!config.SFTP_URL) problems.push('SFTP_URL: required when DELIVERY=sftp, e.g. sftp://uploader@sftp.example.org:22/incoming');
  if (!config.SFTP_PRIVATE_KEY_FILE) problems.push('SFTP_PRIVATE_KEY_FILE: required when DELIVERY=sftp: the path of an OpenSSH private key (passwords are not supported)');
  if (!config.SFTP_HOST_KEY) problems.push("SFTP_HOST_KEY: required when DELIVERY=sftp: the server's host key fingerprint as `ssh-keygen -lf` prints it (SHA256:…)");
  return problems;
}

export function deliverySettings(config: DeliveryConfig): DeliverySettings {
  const sftp: SftpSettings | null =
    config.DELIVERY === 'sftp' && config.SFTP_URL && config.SFTP_PRIVATE_KEY_FILE && config.SFTP_HOST_KEY
      ? {
          target: parseSftpUrl(config.SFTP_URL)!,
          privateKeyFile: config.SFTP_PRIVATE_KEY_FILE,
          hostKey: config.SFTP_HOST_KEY,
          ackDir: config.SFTP_ACK_DIR ?? null,
          timeoutMs: config.SFTP_TIMEOUT_MS,
          transferTimeoutMs: config.SFTP_TRANSFER_TIMEOUT_MS,
        }
      : null;
  return { mode: config.DELIVERY, sftp, attempts: config.DELIVERY_ATTEMPTS, retryMs: config.DELIVERY_RETRY_MS, ackPollCron: config.ACK_POLL_CRON };
}
