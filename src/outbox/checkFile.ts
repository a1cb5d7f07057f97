import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rename, stat } from 'node:fs/promises';
import path from 'node:path';

/** What a written upload file is, against the SHA-256 and size its batch recorded. */
export type FileCheck = 'ok' | 'missing' | 'altered';

export interface RecordedFile {
  fileName: string;
  sha256: string;
  bytes: number | null;
}

/** Compares the file in the outbox with its record: size first (cheap), then the digest. */
export async function checkFile(outboxDir: string, recorded: RecordedFile): Promise<FileCheck> {
  const filePath = path.join(outboxDir, recorded.fileName);
  const info = await stat(filePath).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (!info) return 'missing';
  if (!info.isFile()) return 'altered';
  if (recorded.bytes !== null && info.size !== Number(recorded.bytes)) return 'altered';
  return (await sha256Of(filePath)) === recorded.sha256 ? 'ok' : 'altered';
}

export async function sha256Of(filePath: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(filePath)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** `<name>.altered-<UTC instant>`, e.g. CET_P00001_000001_20211203.csv.altered-20211203T061500.123Z */
export function alteredName(fileName: string, at: Date): string {
  return `${fileName}.altered-${at.toISOString().replace(/[-:]/g, '')}`;
}

/** Moves an altered file aside (never deletes it) and returns its new path. */
export async function moveAside(outboxDir: string, fileName: string, at: Date): Promise<string> {
  const target = path.join(outboxDir, alteredName(fileName, at));
  await rename(path.join(outboxDir, fileName), target);
  return target;
}

export interface FileRepair {
  state: 'rewritten' | 'moved-aside-and-rewritten';
  movedTo?: string;
}

/** The repair a write did, if any: for reporting it to whoever asked. */
export function repairOf(file: { state: string; movedTo?: string } | null | undefined): FileRepair | undefined {
  if (file?.state !== 'rewritten' && file?.state !== 'moved-aside-and-rewritten') return undefined;
  return { state: file.state, ...(file.movedTo ? { movedTo: file.movedTo } : {}) };
}
