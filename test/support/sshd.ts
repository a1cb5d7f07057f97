import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

// A real OpenSSH server for the delivery tests: /usr/sbin/sshd with internal-sftp, on a free
// port, with a host key and a client key pair made for the run, logged into by an unprivileged
// user (created when missing; the tests run as root). No chroot: OpenSSH wants every component
// of a ChrootDirectory root-owned and not group- or world-writable, which the temp directory
// (/tmp, mode 1777) is not. The user's upload and ack directories sit under the test's temp
// directory instead, owned by that user, and the URL names them by absolute path.

export const SSHD = '/usr/sbin/sshd';
export const SFTP_USER = 'cetsftp';

export interface SshdServer {
  readonly port: number;
  readonly root: string;
  /** The directory the files are delivered to (absolute path on the server, and here). */
  readonly uploadDir: string;
  /** The directory the regulator leaves acknowledgement files in. */
  readonly ackDir: string;
  readonly clientKeyFile: string;
  /** `SHA256:…` as `ssh-keygen -lf` prints it. */
  readonly hostKeyFingerprint: string;
  /** A fingerprint of another key: a pinned value that does not match. */
  readonly otherFingerprint: string;
  /** The environment that makes the service deliver to this server. */
  readonly env: Record<string, string>;
  readonly running: boolean;
  /** Starts sshd (again, on the same port with the same host key). */
  start(): Promise<void>;
  /** Stops sshd by its PID (sessions it forked are ended too). */
  stop(): Promise<void>;
  /** The server's log so far (sshd -e). */
  log(): string;
}

function run(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Creates the unprivileged SFTP user when missing (several test files may race to). */
function ensureUser(): { uid: number; gid: number } {
  for (let attempt = 0; ; attempt++) {
    try {
      return { uid: Number(run('id', ['-u', SFTP_USER])), gid: Number(run('id', ['-g', SFTP_USER])) };
    } catch {
      // not there yet
    }
    try {
      // '*' rather than useradd's locked '!': sshd refuses accounts whose password is locked.
      run('useradd', ['--system', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', '--password', '*', SFTP_USER]);
    } catch (error) {
      if (attempt > 20) throw error;
      // Another test created it, or holds the passwd lock: look again shortly.
      execFileSync('sleep', ['0.1']);
    }
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

function fingerprintOf(publicKeyFile: string): string {
  const match = /SHA256:[A-Za-z0-9+/]+/.exec(run('ssh-keygen', ['-lf', publicKeyFile]));
  if (!match) throw new Error(`ssh-keygen printed no SHA256 fingerprint for ${publicKeyFile}`);
  return match[0];
}

/** Makes the keys, directories and configuration; call start() to run it. */
export async function createSshd(): Promise<SshdServer> {
  const { uid, gid } = ensureUser();
  // sshd refuses to start without its privilege separation directory.
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const root = mkdtempSync(path.join(tmpdir(), 'cet-sshd-'));
  chmodSync(root, 0o755); // the SFTP user must traverse it
  const keys = path.join(root, 'keys');
  mkdirSync(keys, { mode: 0o700 });
  const hostKey = path.join(keys, 'host_ed25519');
  const clientKey = path.join(keys, 'client_ed25519');
  const otherKey = path.join(keys, 'other_ed25519');
  for (const file of [hostKey, clientKey, otherKey]) run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'cet-test', '-f', file]);
  const authorizedKeys = path.join(root, 'authorized_keys');
  writeFileSync(authorizedKeys, readFileSync(`${clientKey}.pub`));
  chmodSync(authorizedKeys, 0o644);
  const home = path.join(root, 'sftp');
  const uploadDir = path.join(home, 'upload');
  const ackDir = path.join(home, 'acks');
  for (const dir of [home, uploadDir, ackDir]) {
    mkdirSync(dir, { mode: 0o755 });
    chownSync(dir, uid, gid);
  }
  const pidFile = path.join(root, 'sshd.pid');
  const port = await freePort();
  const configFile = path.join(root, 'sshd_config');
  writeFileSync(
    configFile,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${pidFile}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      `AllowUsers ${SFTP_USER}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'PermitRootLogin no',
      'AllowTcpForwarding no',
      'X11Forwarding no',
      'Subsystem sftp internal-sftp -l INFO',
      // -l INFO logs each open, rename and close: the tests count what arrived.
      `ForceCommand internal-sftp -l INFO -d ${home}`,
      'LogLevel VERBOSE',
      '',
    ].join('\n'),
  );
  chmodSync(configFile, 0o600);
  run(SSHD, ['-t', '-f', configFile]);

  let child: ChildProcess | undefined;
  let output = '';
  const server: SshdServer = {
    port,
    root,
    uploadDir,
    ackDir,
    clientKeyFile: clientKey,
    hostKeyFingerprint: fingerprintOf(`${hostKey}.pub`),
    otherFingerprint: fingerprintOf(`${otherKey}.pub`),
    env: {
      DELIVERY: 'sftp',
      SFTP_URL: `sftp://${SFTP_USER}@127.0.0.1:${port}${uploadDir}`,
      SFTP_PRIVATE_KEY_FILE: clientKey,
      SFTP_HOST_KEY: fingerprintOf(`${hostKey}.pub`),
    },
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    async start() {
      if (server.running) return;
      const started = spawn(SSHD, ['-D', '-e', '-f', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
      child = started;
      let seen = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`sshd did not start within 10 s:\n${seen}`)), 10_000);
        started.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
          seen += chunk;
          output += chunk;
          if (seen.includes(`Server listening on 127.0.0.1 port ${port}`)) {
            clearTimeout(timer);
            resolve();
          }
        });
        started.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`sshd exited (${code}) at start:\n${seen}`));
        });
      });
    },
    async stop() {
      const running = child;
      child = undefined;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      // SIGTERM to the listener leaves its forked sessions running; end this server's ones
      // first, by their parent's PID (never by name), so that "down" means no session either.
      try {
        run('pkill', ['-TERM', '-P', String(running.pid)]);
      } catch {
        // none running
      }
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGTERM');
      await exited;
    },
    log: () => output,
  };
  return server;
}

/** Stops the server and removes its directory. */
export async function destroySshd(server: SshdServer | undefined): Promise<void> {
  if (!server) return;
  await server.stop();
  if (existsSync(server.root)) rmSync(server.root, { recursive: true, force: true });
}
