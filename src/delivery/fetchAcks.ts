import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, mkdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Db } from '../db/database.ts';
import { ensurePrivateDir, writeFileAtomically } from '../files/atomicFile.ts';
import { readAck } from '../usecases/readAck.ts';
import type { UploadDeps } from '../usecases/uploadDeps.ts';
import type { Transport } from './transport.ts';

const ACK_FETCH_LOCK = [0x4345_5403, 2];

export interface AckFetchDeps {
  upload: Pick<UploadDeps, 'db' | 'pool' | 'outboxDir' | 'clock'>;
  transport: Transport;
}

export type AckFetchOutcome =
  | { name: string; outcome: 'skipped' }
  | { name: string; outcome: 'read'; uploadFile: string; seq: number | null; accepted: number; rejected: number; localPath: string }
  | { name: string; outcome: 'already-read'; uploadFile: string; seq: number | null; localPath: string }
  | { name: string; outcome: 'refused'; problems: string[]; localPath: string }
  | { name: string; outcome: 'new'; size: number };

export function acksDir(outboxDir: string): string {
  return path.join(outboxDir, 'acks');
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

async function fetchedBefore(db: Db, name: string, sha256: string): Promise<boolean> {
  return (await db.selectFrom('ack_fetch').select('id').where('file_name', '=', name).where('sha256', '=', sha256).executeTakeFirst()) !== undefined;
}

async function namesFetched(db: Db): Promise<Set<string>> {
  return new Set((await db.selectFrom('ack_fetch').select('file_name').execute()).map((row) => row.file_name));
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(() => true, () => false);
}

/**
 * Lists the regulator's acknowledgement directory and reads each file not read before exactly
 * as `ack <file>` does (readAck). Fetched files are kept under <OUTBOX_DIR>/acks/ (0600); a
 * refused one goes to acks/refused/ with its problems beside it. Nothing on the server changes.
 * A file fetched before (same name and SHA-256) is skipped.
 */
export async function fetchAcks(deps: AckFetchDeps, options: { receivedAt: Date; dryRun?: boolean }): Promise<AckFetchOutcome[]> {
  const { db, pool, outboxDir } = deps.upload;
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1, $2)', ACK_FETCH_LOCK);
    try {
      const session = await deps.transport.open();
      const outcomes: AckFetchOutcome[] = [];
      try {
        const entries = (await session.listAcks()).sort((a, b) => a.name.localeCompare(b.name));
        if (options.dryRun) {
          const seen = await namesFetched(db);
          return entries.map((entry) => (seen.has(entry.name) ? { name: entry.name, outcome: 'skipped' as const } : { name: entry.name, outcome: 'new' as const, size: entry.size }));
        }
        const dir = acksDir(outboxDir);
        await ensurePrivateDir(outboxDir);
        await ensurePrivateDir(dir);
        for (const entry of entries) {
          if (entry.name.startsWith('.')) continue;
          // An unpredictable temporary name in the private acks folder (as every file the service writes).
          const temp = path.join(dir, `.${entry.name}.${randomBytes(16).toString('hex')}.fetching`);
          await session.fetchAck(entry.name, temp);
          await chmod(temp, 0o600);
          const sha256 = await sha256Of(temp);
          if (await fetchedBefore(db, entry.name, sha256)) {
            await unlink(temp);
            outcomes.push({ name: entry.name, outcome: 'skipped' });
            continue;
          }
          let localPath = path.join(dir, entry.name);
          if (await exists(localPath)) localPath = path.join(dir, `${entry.name}.${sha256.slice(0, 12)}`);
          await rename(temp, localPath);
          const result = await readAck(db, localPath, options.receivedAt);
          if (result.outcome === 'refused') {
            const refusedDir = path.join(dir, 'refused');
            await mkdir(refusedDir, { recursive: true, mode: 0o700 });
            const aside = path.join(refusedDir, path.basename(localPath));
            await rename(localPath, aside);
            await writeFileAtomically(refusedDir, `${path.basename(aside)}.problems.txt`, [`${result.problems.join('\n')}\n`]);
            localPath = aside;
            outcomes.push({ name: entry.name, outcome: 'refused', problems: result.problems, localPath });
          } else if (result.outcome === 'already-read') {
            outcomes.push({ name: entry.name, outcome: 'already-read', uploadFile: result.uploadFile, seq: result.seq, localPath });
          } else {
            outcomes.push({ name: entry.name, outcome: 'read', uploadFile: result.uploadFile, seq: result.seq, accepted: result.accepted, rejected: result.rejected, localPath });
          }
          await db
            .insertInto('ack_fetch')
            .values({
              file_name: entry.name,
              sha256,
              fetched_at: deps.upload.clock(),
              outcome: result.outcome,
              problems: result.outcome === 'refused' ? result.problems : [],
              local_path: localPath,
            })
            .onConflict((oc) => oc.doNothing())
            .execute();
        }
      } finally {
        await session.close();
      }
      return outcomes;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, $2)', ACK_FETCH_LOCK).catch(() => {});
    }
  } finally {
    client.release();
  }
}

export interface RefusedAck {
  fileName: string;
  fetchedAt: Date;
  problems: string[];
  localPath: string;
}

/** Acknowledgement files fetched and refused whole, for status. */
export async function refusedAcks(db: Db): Promise<RefusedAck[]> {
  const rows = await db.selectFrom('ack_fetch').select(['file_name', 'fetched_at', 'problems', 'local_path']).where('outcome', '=', 'refused').orderBy('id').execute();
  return rows.map((row) => ({ fileName: row.file_name, fetchedAt: row.fetched_at, problems: row.problems, localPath: row.local_path }));
}
