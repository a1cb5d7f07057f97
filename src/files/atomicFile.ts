import { createHash, randomBytes, type Hash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, readdir, rename, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { failpoint } from './failpoint.ts';

export { ensurePrivateDir, OutboxNotPrivateError } from './privateDir.ts';

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

/** The file could not be put in place under its final name; its temporary file was removed. */
export class FilePlacementError extends Error {
  readonly code: string | undefined;
  constructor(finalPath: string, cause: NodeJS.ErrnoException) {
    const why = cause.code === 'EISDIR' || cause.code === 'ENOTEMPTY' || cause.code === 'EEXIST'
      ? 'a directory is in the way'
      : cause.code ?? cause.message;
    super(`cannot put ${finalPath} in place: ${why} (${cause.code ?? 'error'}). Move ${finalPath} aside and run the command again.`);
    this.code = cause.code;
  }
}

// O_EXCL with O_CREAT never opens an existing name, and never follows a link planted there;
// O_NOFOLLOW says the same once more for systems that would.
const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

/**
 * A file being written: created new (O_CREAT|O_EXCL, mode 0600) under an unpredictable
 * temporary name (`.<final name>.<128 random bits>.tmp`) in its target directory, then either
 * committed (flushed, renamed into place, the directory flushed) or discarded. A failed rename
 * removes the temporary file. Every file the service writes goes through this.
 */
export class NewFile {
  readonly finalPath: string;
  readonly tempPath: string;
  readonly #handle: FileHandle;
  readonly #hash: Hash = createHash('sha256');
  #bytes = 0;
  #done = false;

  private constructor(finalPath: string, tempPath: string, handle: FileHandle) {
    this.finalPath = finalPath;
    this.tempPath = tempPath;
    this.#handle = handle;
  }

  static async create(dir: string, finalName: string): Promise<NewFile> {
    const finalPath = path.join(dir, finalName);
    const tempPath = path.join(dir, `.${finalName}.${randomBytes(16).toString('hex')}.tmp`);
    const handle = await open(tempPath, CREATE_NEW, 0o600);
    return new NewFile(finalPath, tempPath, handle);
  }

  /** Writes (and hashes) the whole chunk before it returns, so the caller may reuse its buffer. */
  async write(chunk: Buffer | string): Promise<void> {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    this.#hash.update(buffer);
    this.#bytes += buffer.length;
    let offset = 0;
    while (offset < buffer.length) offset += (await this.#handle.write(buffer, offset)).bytesWritten;
  }

  /** Flushes the file, renames it into place and flushes the directory. */
  async commit(): Promise<WrittenFile> {
    this.#done = true;
    try {
      await this.#handle.sync();
      await this.#handle.close();
    } catch (error) {
      await this.#handle.close().catch(() => {});
      await unlink(this.tempPath).catch(() => {});
      throw error;
    }
    await failpoint('before-rename');
    try {
      await rename(this.tempPath, this.finalPath);
    } catch (error) {
      await unlink(this.tempPath).catch(() => {});
      throw new FilePlacementError(this.finalPath, error as NodeJS.ErrnoException);
    }
    await syncDirectory(path.dirname(this.finalPath));
    return { path: this.finalPath, sha256: this.#hash.digest('hex'), bytes: this.#bytes };
  }

  /** Closes and removes the temporary file; nothing appears under the final name. */
  async discard(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    await this.#handle.close().catch(() => {});
    await unlink(this.tempPath).catch(() => {});
  }
}

/**
 * Writes chunks to a new file (see NewFile): no reader ever sees a partial file under its final
 * name, and a crash leaves at most a temporary file behind. Each chunk is hashed and written
 * before the next is asked for, so a producer may reuse its buffer.
 */
export async function writeFileAtomically(
  dir: string,
  finalName: string,
  chunks: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
): Promise<WrittenFile> {
  const file = await NewFile.create(dir, finalName);
  try {
    for await (const chunk of chunks) await file.write(chunk);
  } catch (error) {
    await file.discard();
    throw error;
  }
  return file.commit();
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
