import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type SftpClient from 'ssh2-sftp-client';
import { describeSftpUrl, type SftpSettings } from './config.ts';
import { TransportError, type RemoteEntry, type Transport, type TransportSession } from './transport.ts';

/** `SHA256:…` of a raw host key, as `ssh-keygen -lf` prints it. */
export function fingerprintOf(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

async function readPrivateKey(file: string): Promise<Buffer> {
  let mode: number;
  try {
    mode = (await stat(file)).mode;
  } catch {
    throw new TransportError('key-file', `SFTP_PRIVATE_KEY_FILE: cannot read the key file (${file}); set SFTP_PRIVATE_KEY_FILE to an OpenSSH private key readable by this user.`);
  }
  if (mode & 0o044) {
    throw new TransportError('key-file', `SFTP_PRIVATE_KEY_FILE: the key file ${file} is readable by group or others; refused. Run \`chmod 600 ${file}\`.`);
  }
  return readFile(file);
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new TransportError('timeout', `${what} timed out after ${ms} ms`));
    }, ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** SFTP through ssh2-sftp-client: key authentication only, the host key pinned, every step bounded. */
export function sftpTransport(settings: SftpSettings): Transport {
  const where = describeSftpUrl(settings.target);
  return {
    describe: where,
    async open(): Promise<TransportSession> {
      const privateKey = await readPrivateKey(settings.privateKeyFile);
      const { default: Client } = await import('ssh2-sftp-client');
      const client: SftpClient = new Client('cet-uploader');
      let presented: string | null = null;
      const kill = () => {
        (client as unknown as { client?: { destroy(): void } }).client?.destroy();
      };
      try {
        await withTimeout(
          client.connect({
            host: settings.target.host,
            port: settings.target.port,
            username: settings.target.username,
            privateKey,
            readyTimeout: settings.timeoutMs,
            // Key authentication only; no agent, no password, no keyboard-interactive.
            authHandler: ['publickey'],
            hostVerifier: (key: Buffer) => {
              presented = fingerprintOf(key);
              return presented === settings.hostKey;
            },
            retries: 0,
          } as SftpClient.ConnectOptions),
          settings.timeoutMs,
          `connecting to ${where}`,
          kill,
        );
      } catch (error) {
        kill();
        if (error instanceof TransportError) throw error;
        if (presented !== null && presented !== settings.hostKey) {
          throw new TransportError(
            'host-key',
            `the server at ${settings.target.host}:${settings.target.port} presented host key ${presented}, not the expected ${settings.hostKey} (SFTP_HOST_KEY); ` +
              'nothing was sent. If the regulator changed its key, confirm the new fingerprint with it and set SFTP_HOST_KEY.',
          );
        }
        const message = (error as Error)?.message ?? String(error);
        if (/authentication methods failed|authentication/i.test(message)) {
          throw new TransportError('authentication', `the server at ${where} refused the key in SFTP_PRIVATE_KEY_FILE for user ${settings.target.username}: ${message}`);
        }
        throw new TransportError('connection', `cannot connect to ${where}: ${message}`);
      }

      const op = <T>(work: Promise<T>, what: string, ms = settings.timeoutMs) =>
        withTimeout(work, ms, what, kill).catch((error: unknown) => {
          if (error instanceof TransportError) throw error;
          throw new TransportError('transfer', `${what} failed: ${(error as Error)?.message ?? String(error)}`);
        });
      const remote = (name: string) => path.posix.join(settings.target.directory, name);

      return {
        async sizeOf(name) {
          const found = await op(client.exists(remote(name)), `looking for ${remote(name)}`);
          if (!found) return null;
          return (await op(client.stat(remote(name)), `reading the size of ${remote(name)}`)).size;
        },
        async send(localPath, name, bytes) {
          const part = remote(`${name}.part`);
          // fastPut opens the .part for writing with truncation: one left by a crashed attempt is replaced.
          await op(client.fastPut(localPath, part), `sending ${name} to ${part}`, settings.transferTimeoutMs);
          const size = (await op(client.stat(part), `reading the size of ${part}`)).size;
          if (size !== bytes) throw new TransportError('transfer', `${part} has ${size} bytes on the server after sending, not ${bytes}; it was not renamed`);
          await op(client.rename(part, remote(name)), `renaming ${part} to ${name}`);
          return remote(name);
        },
        async listAcks(): Promise<RemoteEntry[]> {
          const dir = settings.ackDir;
          if (!dir) return [];
          const entries = await op(client.list(dir), `listing the acknowledgement directory ${dir}`);
          return entries.filter((entry) => entry.type === '-').map((entry) => ({ name: entry.name, size: entry.size }));
        },
        async fetchAck(name, localPath) {
          const dir = settings.ackDir!;
          await op(client.fastGet(path.posix.join(dir, name), localPath), `fetching ${path.posix.join(dir, name)}`, settings.transferTimeoutMs);
        },
        async close() {
          await withTimeout(client.end(), settings.timeoutMs, 'closing the SFTP connection', kill).catch(kill);
        },
      };
    },
  };
}
