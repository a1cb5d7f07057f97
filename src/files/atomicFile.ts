import { createHash } from 'node:crypto';
import { mkdir, chmod, open, readdir, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { failpoint } from './failpoint.ts';

/** Makes the outbox (mode 0700) if need be; files in it are private to the service's user. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
}

/** Removes what a writer killed mid-file left behind: `.<name>.<tag>.tmp`. */
export async function removeStaleTemps(dir: string, finalName: string): Promise<void> {
  const prefix = `.${finalName}.`;
  for (const entry of await readdir(dir)) {
    if (entry.startsWith(prefix) && entry.endsWith('.tmp')) await unlink(path.join(dir, entry)).catch(() => {});
  }
}

export interface WrittenFile {
  path: string;
  sha256: string;
  bytes: number;
}

/**
 * Writes chunks to a temporary name in the same directory (mode 0600), flushes it to disk,
 * renames it into place and flushes the directory: no reader ever sees a partial file under
 * its final name, and a crash leaves at most a temporary file behind. Each chunk is hashed and
 * written before the next is asked for, so a producer may reuse its buffer.
 */
export async function writeFileAtomically(
  dir: string,
  finalName: string,
  chunks: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
): Promise<WrittenFile> {
  const finalPath = path.join(dir, finalName);
  const tempPath = path.join(dir, `.${finalName}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  const hash = createHash('sha256');
  let bytes = 0;
  const file = await open(tempPath, 'wx', 0o600);
  try {
    for await (const chunk of chunks) {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      hash.update(buffer);
      bytes += buffer.length;
      let offset = 0;
      while (offset < buffer.length) offset += (await file.write(buffer, offset)).bytesWritten;
    }
    await file.sync();
  } catch (error) {
    await file.close().catch(() => {});
    await unlink(tempPath).catch(() => {});
    throw error;
  }
  await file.close();
  await failpoint('before-rename');
  await rename(tempPath, finalPath);
  await syncDirectory(dir);
  return { path: finalPath, sha256: hash.digest('hex'), bytes };
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
