import { mkdir, stat } from 'node:fs/promises';

/** A directory that must be private to the service's user is shared, or not a directory; nothing was written. */
export class OutboxNotPrivateError extends Error {}

/**
 * Makes the outbox (mode 0700) when it is missing. An existing one is used only when it is a
 * directory that neither group nor others can reach: it is never re-permissioned, since it may
 * be shared with others (a 1777 /tmp, a team folder).
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
  const found = await stat(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (found === null) {
    // The mode is masked by the umask, which can only take permissions away.
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return;
  }
  if (!found.isDirectory()) {
    throw new OutboxNotPrivateError(`The outbox ${dir} is not a directory. Set OUTBOX_DIR to a directory of the service's own (it is created, mode 0700, when missing).`);
  }
  const mode = found.mode & 0o7777;
  if ((mode & 0o077) !== 0) {
    throw new OutboxNotPrivateError(
      `The outbox ${dir} is group- or world-accessible (mode ${mode.toString(8).padStart(4, '0')}); upload files hold personal data, so nothing was written there. ` +
        `Set OUTBOX_DIR to a directory of the service's own (created 0700 when missing), or, if ${dir} is the service's alone, run \`chmod 700 ${dir}\`.`,
    );
  }
}
