import { deliverFiles, type FileOutcome } from '../../delivery/deliverFiles.ts';
import { ensureDeliveryRows, findDelivery, listDeliveries, markDelivered } from '../../delivery/deliveryQueries.ts';
import { fetchAcks } from '../../delivery/fetchAcks.ts';
import { describeInstant } from '../../domain/businessTime.ts';
import type { CommandContext } from '../context.ts';
import { ExitCode, RefusedError } from '../errors.ts';
import { nowOption, parseNow } from '../nowOption.ts';
import { uploadDeps } from '../wiring.ts';
import type { RegisterCommand } from './types.ts';

function parseSeq(text: string, flag: string): number {
  const seq = Number(text);
  if (!Number.isInteger(seq) || seq < 1) throw new RefusedError(`${flag} "${text}" is not a file number (a whole number from 1).`);
  return seq;
}

export const registerDeliver: RegisterCommand = (program, context, setExit) => {
  program
    .command('deliver')
    .description("send every pending or failed upload file to the regulator (DELIVERY=sftp), in order; or record one a person uploaded")
    .option('--seq <n>', 'just file n (it waits while a lower-numbered file is undelivered)')
    .option('--dry-run', 'show what would be sent; send nothing')
    .option('--mark-delivered <n>', 'record that a person uploaded file n (with DELIVERY=none)')
    .addOption(nowOption())
    .action(async (options: { seq?: string; dryRun?: boolean; markDelivered?: string; now?: string }) => {
      const now = parseNow(options.now);
      const db = context.db;
      if (options.markDelivered !== undefined) {
        const seq = parseSeq(options.markDelivered, '--mark-delivered');
        await ensureDeliveryRows(db);
        const delivery = await findDelivery(db, seq);
        if (!delivery) throw new RefusedError(`No upload file number ${seq}. See \`cet-uploader status\`.`);
        if (delivery.state === 'DELIVERED') {
          context.print(`File ${seq} (${delivery.fileName}) was already recorded delivered on ${delivery.deliveredAt!.toISOString()}; nothing was changed.`);
          return;
        }
        await markDelivered(db, delivery.batchId, { by: 'manual', remotePath: null, bytes: null, at: now, note: 'marked delivered by hand (deliver --mark-delivered)' });
        context.print(`Recorded file ${seq} (${delivery.fileName}) as delivered by hand at ${describeInstant(now, context.config.BUSINESS_TIME_ZONE)}.`);
        return;
      }
      const deps = uploadDeps(context);
      if (!deps.delivery) {
        throw new RefusedError(
          'DELIVERY=none: the service does not send files; upload them from the outbox and record each with `cet-uploader deliver --mark-delivered <n>`, or set DELIVERY=sftp.',
        );
      }
      const seq = options.seq === undefined ? undefined : parseSeq(options.seq, '--seq');
      if (options.dryRun) {
        await printPlan(context, seq);
        return;
      }
      const outcomes = await deliverFiles(
        { upload: { ...deps, clock: () => now }, transport: deps.delivery.transport, maxAttempts: deps.delivery.maxAttempts },
        seq === undefined ? { manual: true } : { upToSeq: seq, onlySeq: seq, manual: true },
      );
      if (!outcomes.length) context.print('Nothing to deliver: every file is delivered.');
      for (const outcome of outcomes) context.print(describeOutcome(outcome));
      const failed = outcomes.find((outcome) => outcome.outcome === 'failed');
      if (failed?.outcome === 'failed') {
        context.warn(`Delivery failed: file ${failed.seq} (${failed.fileName}): ${failed.error}`);
        setExit(ExitCode.failed);
      } else if (outcomes.some((outcome) => outcome.outcome === 'waiting')) {
        setExit(ExitCode.failed);
      }
    });
};

export const registerFetchAcks: RegisterCommand = (program, context, setExit) => {
  program
    .command('fetch-acks')
    .description("fetch the regulator's new acknowledgement files from SFTP_ACK_DIR and read them as `ack <file>` does")
    .option('--dry-run', 'list the files that would be fetched; read nothing')
    .addOption(nowOption())
    .action(async (options: { dryRun?: boolean; now?: string }) => {
      const now = parseNow(options.now);
      const deps = uploadDeps(context);
      if (!deps.delivery) throw new RefusedError('DELIVERY=none: acknowledgements are read by hand with `cet-uploader ack <file>`; set DELIVERY=sftp and SFTP_ACK_DIR to fetch them.');
      if (!context.config.SFTP_ACK_DIR) throw new RefusedError('SFTP_ACK_DIR is not set: acknowledgements are read by hand with `cet-uploader ack <file>`.');
      const outcomes = await fetchAcks({ upload: { ...deps, clock: () => now }, transport: deps.delivery.transport }, { receivedAt: now, dryRun: options.dryRun ?? false });
      if (!outcomes.length) context.print('No acknowledgement files on the server.');
      for (const outcome of outcomes) {
        switch (outcome.outcome) {
          case 'skipped':
            context.print(`${outcome.name}: read before; skipped.`);
            break;
          case 'new':
            context.print(`${outcome.name}: new (${outcome.size} bytes); would be fetched and read.`);
            break;
          case 'read':
            context.print(`${outcome.name}: read; batch ${outcome.seq} (${outcome.uploadFile}): ${outcome.accepted} accepted, ${outcome.rejected} rejected.`);
            break;
          case 'already-read':
            context.print(`${outcome.name}: batch ${outcome.seq} (${outcome.uploadFile}) was already acknowledged by this file; nothing was changed.`);
            break;
          case 'refused':
            context.print(`${outcome.name}: REFUSED whole, kept at ${outcome.localPath}:`);
            for (const problem of outcome.problems) context.print(`  ${problem}`);
            break;
        }
      }
      if (options.dryRun) context.print('Dry run: nothing was fetched or read.');
      // As `ack <file>`: an acknowledgement refused whole is exit 4 (it is listed by status).
      if (outcomes.some((outcome) => outcome.outcome === 'refused')) setExit(ExitCode.inputRefused);
    });
};

async function printPlan(context: CommandContext, seq: number | undefined): Promise<void> {
  const rows = (await listDeliveries(context.db)).filter((row) => row.state !== 'DELIVERED' && (seq === undefined || row.seq <= seq));
  if (!rows.length) context.print('Nothing to deliver: every file is delivered.');
  for (const row of rows) context.print(`Would send file ${row.seq} (${row.fileName}), ${row.state}, ${row.attempts} attempts so far.`);
  context.print('Dry run: nothing was sent.');
}

export function describeOutcome(outcome: FileOutcome): string {
  const file = `File ${outcome.seq} (${outcome.fileName})`;
  switch (outcome.outcome) {
    case 'delivered':
      return `${file}: delivered to ${outcome.remotePath}, ${outcome.bytes} bytes.${outcome.repaired ? ` Before sending: ${outcome.repaired}.` : ''}`;
    case 'found':
      return `${file}: already on the server with the same size (${outcome.bytes} bytes); recorded delivered, not sent again.`;
    case 'already-delivered':
      return `${file}: already delivered; nothing to do.`;
    case 'failed':
      return `${file}: FAILED (attempt ${outcome.attempts}${outcome.final ? ', not retried' : ''}): ${outcome.error}`;
    case 'waiting':
      return `${file}: waits for file ${outcome.waitsFor}, which is not delivered.`;
  }
}
