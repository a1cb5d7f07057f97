import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/runCli.ts';
import { createSshd, destroySshd } from '../support/sshd.ts';
import { detailLines } from '../support/outbox.ts';
import { useTestEnvironment } from '../support/testEnvironment.ts';
import { importExample, runBatches } from './helpers.ts';

const sshd = await createSshd();
afterAll(() => destroySshd(sshd));

const F1 = 'CET_P00001_000001_20211203.csv';
const F2 = 'CET_P00001_000002_20211210.csv';
const HEADER = 'file,provider_ref,status,code,message\r\n';

describe('fetching acknowledgements from SFTP_ACK_DIR', () => {
  const env = useTestEnvironment({ ...sshd.env, SFTP_ACK_DIR: sshd.ackDir, LOG_LEVEL: 'warn' });

  it('records a valid file, refuses a mismatched one whole and lists it; fetching again changes nothing', async () => {
    await sshd.start();
    await importExample(env, env.env);
    await runBatches({ ...env.env, DELIVERY: 'none' }, [
      ['upload', 'weekly', '--week', '2021-W48'],
      ['upload', 'weekly', '--week', '2021-W49'],
    ]);
    const refs1 = detailLines(env.outboxDir, F1).map((line) => line.split(',')[1]);
    writeFileSync(path.join(sshd.ackDir, 'ACK_000001.csv'), HEADER + refs1.map((ref) => `${F1},${ref},ACCEPTED,,\r\n`).join(''));
    // File 2's acknowledgement names a record file 2 never carried.
    writeFileSync(path.join(sshd.ackDir, 'ACK_000002.csv'), `${HEADER}${F2},NOT-CARRIED,ACCEPTED,,\r\n`);
    const serverBefore = readdirSync(sshd.ackDir).sort();

    const dry = await runCli(['fetch-acks', '--dry-run'], env.env);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/ACK_000001\.csv: new/);
    expect(await env.db.selectFrom('ack_file').select('id').execute()).toEqual([]);

    const first = await runCli(['fetch-acks', '--now', '2021-12-20T09:00:00Z'], env.env);
    expect(first.code, first.stdout + first.stderr).toBe(4);
    expect(first.stdout).toMatch(new RegExp(`ACK_000001\\.csv: read; batch 1 \\(${F1}\\): ${refs1.length} accepted, 0 rejected`));
    expect(first.stdout).toMatch(/ACK_000002\.csv: REFUSED whole/);
    expect(first.stdout).toMatch(/NOT-CARRIED/);
    const acks = await env.db.selectFrom('ack_file').select(['file_name', 'accepted', 'rejected']).execute();
    expect(acks).toEqual([{ file_name: 'ACK_000001.csv', accepted: refs1.length, rejected: 0 }]);
    // Kept locally (0600), the refused one aside with its problems; nothing changed on the server.
    const local = path.join(env.outboxDir, 'acks');
    expect(readFileSync(path.join(local, 'ACK_000001.csv'))).toEqual(readFileSync(path.join(sshd.ackDir, 'ACK_000001.csv')));
    expect(statSync(path.join(local, 'ACK_000001.csv')).mode & 0o777).toBe(0o600);
    expect(readdirSync(path.join(local, 'refused')).sort()).toEqual(['ACK_000002.csv', 'ACK_000002.csv.problems.txt']);
    expect(readdirSync(sshd.ackDir).sort()).toEqual(serverBefore);

    const status = await runCli(['status', '--now', '2021-12-20T09:05:00Z'], env.env);
    expect(status.stdout).toMatch(/WARNING: acknowledgement ACK_000002\.csv, fetched .* was refused whole .*NOT-CARRIED/);
    expect(status.stdout).toMatch(/Acknowledgement files refused whole:\n {2}ACK_000002\.csv/);
    expect(status.stdout).toMatch(new RegExp(`${F1} written, PENDING, acknowledged \\(ACK_000001\\.csv\\)`));

    const again = await runCli(['fetch-acks', '--now', '2021-12-20T10:00:00Z'], env.env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/ACK_000001\.csv: read before; skipped/);
    expect(again.stdout).toMatch(/ACK_000002\.csv: read before; skipped/);
    expect(await env.db.selectFrom('ack_fetch').select('file_name').orderBy('file_name').execute()).toEqual([{ file_name: 'ACK_000001.csv' }, { file_name: 'ACK_000002.csv' }]);
    expect(await env.db.selectFrom('ack_file').select('file_name').execute()).toHaveLength(1);
  });
});
