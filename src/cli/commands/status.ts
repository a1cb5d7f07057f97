import { describeInstant } from '../../domain/businessTime.ts';
import type { BatchView } from '../../db/batches.ts';
import { collectDeliveryStatus, type DeliveryStatus } from '../../delivery/deliveryStatus.ts';
import { refreshStateSnapshot } from '../../db/stateSnapshot.ts';
import { collectStatus, LATEST_BATCHES, type StatusReport } from '../../status/collectStatus.ts';
import { presenceWarnings, readPresence } from '../../status/presence.ts';
import { flattenJson, statusJson } from '../../status/statusJson.ts';
import type { CommandContext } from '../context.ts';
import { ExitCode } from '../errors.ts';
import { nowOption, parseNow } from '../nowOption.ts';
import { formatOption, printRows, type OutputFormat } from '../output.ts';
import type { RegisterCommand } from './types.ts';

export const registerStatus: RegisterCommand = (program, context, setExit) => {
  const command = program
    .command('status')
    .description('cycles, the latest batches, counts of held, rejected, late and quarantined completions, the next scheduled runs')
    .addOption(nowOption())
    .option('--check', 'for cron and monitors: print only the warnings, one line each, and exit 1 while any stands (0 and silent when none)')
    .option('--refresh', 'first rebuild the state snapshot the counts are read from, if the data changed since it was built (the worker does it within a minute of a change; without a current snapshot the counts come from the tables, slower at a million pending)')
    .addHelpText(
      'after',
      '\nMonitoring: `cet-uploader status --check` from cron (mail on output) or a monitoring agent (exit 1 = warning);\n' +
        '`cet-uploader status --format json` gives typed values ("ok", "warnings" with a stable "code", counts as numbers).',
    );
  formatOption(command).action(async (options: { now?: string; check?: boolean; refresh?: boolean; format: OutputFormat }) => {
    // --refresh writes the snapshot (with the generous statement timeout of a write).
    if (!options.refresh) context.readOnly();
    const now = parseNow(options.now);
    const { BUSINESS_TIME_ZONE: zone, INTERACTIVE_HOLD_DAYS: holdDays, WEEKLY_CRON: weeklyCron, OUTBOX_DIR: outboxDir } = context.config;
    // Whether a worker and the scheduler run, from their heartbeats in Redis (by the wall clock,
    // whatever --now says), read while PostgreSQL is: within 2 s, never failing the command.
    const presence = readPresence(context.redis(), context.config.QUEUE_PREFIX);
    if (options.refresh) {
      const outcome = await refreshStateSnapshot(context.db, { zone, holdDays });
      if (outcome.status === 'busy') context.warn('state snapshot not rebuilt: a change is being written (an import or a batch); counting from the tables.');
    }
    const collected = await collectStatus(context.db, { now, zone, holdDays, weeklyCron, outboxDir });
    // First, as on the console's Overview: nothing is uploaded on time without them.
    const report: StatusReport = { ...collected, warnings: [...presenceWarnings(await presence, zone), ...collected.warnings] };
    const delivery = options.format === 'json' || options.format === 'csv' ? { mode: context.config.DELIVERY, status: await collectDeliveryStatus(context.db) } : undefined;
    if (options.format === 'json') context.print(JSON.stringify(statusJson(report, outboxDir, delivery), null, 2));
    else if (options.format === 'csv') printRows(context, flattenJson(statusJson(report, outboxDir, delivery)), 'csv', '');
    else if (options.check) for (const warning of report.warnings) context.print(`WARNING ${warning.code}: ${warning.message}`);
    else printStatus(context, report, weeklyCron, outboxDir, await collectDeliveryStatus(context.db));
    if (options.check && report.warnings.length) setExit(ExitCode.failed);
  });
};

function batchLine(b: BatchView): string {
  const file = b.fileName ? `${b.fileName} ${b.writtenAt ? 'written' : 'NOT WRITTEN YET'}` : 'empty, no file';
  return `${b.seq === null ? '-' : `#${b.seq}`}  ${b.kind}  ${b.cycle} ${b.period}  ${b.records} records  ${file}`;
}

function printStatus(context: CommandContext, report: StatusReport, weeklyCron: string, outboxDir: string, delivery: DeliveryStatus): void {
  const { now, zone } = report;
  context.print(`Status as of ${describeInstant(now, zone)} (${now.toISOString()}).`);
  context.print(`Outbox: ${outboxDir}`);

  context.print('');
  context.print('Cycles:');
  if (!report.cycles.length) context.print('  none yet: add one with `cet-uploader cycle add`.');
  for (const cycle of report.cycles) {
    const standing = cycle.sealed ? 'sealed by its FINAL batch' : cycle.cutoffPassed ? 'open, cutoff passed' : 'open';
    context.print(`  ${cycle.code}  ${cycle.firstDay} to ${cycle.lastDay}  cutoff ${describeInstant(cycle.cutoff, zone)}  ${standing}`);
  }
  for (const warning of report.warnings) context.print(`WARNING: ${warning.message}`);

  context.print('');
  const latest = report.latestBatches[0];
  context.print(`Latest slot: ${latest ? batchLine(latest) + describeBatchDelivery(delivery, latest.id) : 'none yet.'}`);
  context.print(`Latest batches with files (up to ${LATEST_BATCHES}):`);
  if (!report.latestBatchesWithFiles.length) context.print('  none yet.');
  for (const b of report.latestBatchesWithFiles) context.print(`  ${batchLine(b)}${describeBatchDelivery(delivery, b.id)}`);
  printDelivery(context, delivery);

  const c = report.completions;
  context.print('');
  context.print('Completions:');
  context.print(`  waiting for the next batch: ${c.waiting}`);
  context.print(`  held for peer confirmation: ${c.held}            (report held)`);
  context.print(`  carried, no acknowledgement yet: ${c.carried}`);
  context.print(`  accepted by the regulator: ${c.accepted}`);
  context.print(`  rejected by the regulator, not corrected: ${c.rejected}   (report rejected)`);
  context.print(`  late: ${c.late}, after cutoff: ${c.afterCutoff}, no open cycle: ${c.noOpenCycle}   (report late)`);
  context.print(`  quarantined: ${c.quarantined}`);
  context.print(`  rows rejected at import, key not imported since: ${c.importRejects}   (report rejects)`);
  context.print(`  SLA: ${report.sla.overdue} past the 10-working-day limit, ${report.sla.dueSoon} due within 2 working days   (report sla)`);

  context.print('');
  context.print('Next scheduled runs:');
  const slot = report.nextRuns.weekly;
  context.print(`  weekly batch: ${describeInstant(slot, zone)} (${slot.toISOString()}, WEEKLY_CRON "${weeklyCron}" in ${zone})`);
  for (const final of report.nextRuns.finals) {
    const when = final.overdue ? 'overdue: as soon as the scheduler runs, or by hand' : describeInstant(final.at, zone);
    context.print(`  FINAL batch of ${final.cycle}: ${when}`);
  }
}

function describeBatchDelivery(delivery: DeliveryStatus, batchId: string): string {
  const file = delivery.byBatch.get(batchId);
  if (!file) return '';
  const state = file.state === 'DELIVERED' ? `delivered ${file.deliveredAt!.toISOString()}${file.deliveredBy === 'manual' ? ' (by hand)' : ''}` : file.state;
  return `, ${state}, ${file.ackFile ? `acknowledged (${file.ackFile})` : 'no acknowledgement yet'}`;
}

function printDelivery(context: CommandContext, delivery: DeliveryStatus): void {
  const c = delivery.counts;
  context.print('');
  context.print(`Delivery (${context.config.DELIVERY}): ${c.DELIVERED} delivered, ${c.PENDING} pending, ${c.SENDING} sending, ${c.FAILED} failed.`);
  for (const file of delivery.undelivered) {
    context.print(`  #${file.seq} ${file.fileName}: ${file.state}, ${file.attempts} attempts${file.lastError ? `; ${file.lastError}` : ''}`);
  }
  if (delivery.refusedAcks.length) {
    context.print('Acknowledgement files refused whole:');
    for (const ack of delivery.refusedAcks) context.print(`  ${ack.fileName} (fetched ${ack.fetchedAt.toISOString()}, kept at ${ack.localPath})`);
  }
}
