import { sql } from 'kysely';
import { businessDate, describeDuration, describeInstant } from '../../domain/businessTime.ts';
import { nextSlotAfter } from '../../domain/weeklySlots.ts';
import { assessSla, latestReportableReadyDay } from '../../domain/workingDays.ts';
import { latestBatches } from '../../db/batches.ts';
import { listCycles } from '../../db/cycles.ts';
import { countStates, slaCandidates } from '../../db/reportsStates.ts';
import { nowOption, parseNow } from '../nowOption.ts';
import type { RegisterCommand } from './types.ts';

const LAST_BATCHES = 5;

export const registerStatus: RegisterCommand = (program, context) => {
  program
    .command('status')
    .description('cycles, the last batches, counts of held, rejected, late and quarantined completions, the next scheduled runs')
    .addOption(nowOption())
    .action(async (options: { now?: string }) => {
      const now = parseNow(options.now);
      const { BUSINESS_TIME_ZONE: zone, INTERACTIVE_HOLD_DAYS: holdDays, WEEKLY_CRON: cron } = context.config;
      const at = { now, holdDays, zone };
      context.print(`Status as of ${describeInstant(now, zone)} (${now.toISOString()}).`);

      const cycles = await listCycles(context.db);
      context.print('');
      context.print('Cycles:');
      if (!cycles.length) context.print('  none yet: add one with `cet-uploader cycle add`.');
      for (const cycle of cycles) {
        const standing = cycle.sealed ? 'sealed by its FINAL batch' : now >= cycle.final_cutoff ? 'open, cutoff passed' : 'open';
        context.print(`  ${cycle.code}  ${cycle.first_day} to ${cycle.last_day}  cutoff ${describeInstant(cycle.final_cutoff, zone)}  ${standing}`);
      }
      for (const cycle of cycles) {
        if (!cycle.sealed && now >= cycle.final_cutoff) {
          context.print(
            `WARNING: the cutoff of cycle ${cycle.code} (${describeInstant(cycle.final_cutoff, zone)}) passed ${describeDuration(now.getTime() - cycle.final_cutoff.getTime())} ago ` +
              `without a FINAL batch: run \`cet-uploader upload final --cycle ${cycle.code}\`.`,
          );
        }
      }

      context.print('');
      context.print(`Last batches (latest ${LAST_BATCHES}):`);
      const batches = await latestBatches(context.db, LAST_BATCHES);
      if (!batches.length) context.print('  none yet.');
      for (const b of batches) {
        const file = b.fileName ? `${b.fileName} ${b.writtenAt ? 'written' : 'NOT WRITTEN YET'}` : 'empty, no file';
        context.print(`  ${b.seq === null ? '-' : `#${b.seq}`}  ${b.kind}  ${b.cycle} ${b.period}  ${b.records} records  ${file}`);
      }

      const counts = await countStates(context.db, at);
      const count = (state: Parameters<typeof counts.get>[0]) => counts.get(state) ?? 0;
      const rejectedNow = count('REJECTED');
      const { rows: importRejects } = await sql<{ n: string }>`SELECT count(*) AS n FROM import_reject`.execute(context.db);
      const sla = await slaCandidates(context.db, at, latestReportableReadyDay(businessDate(now, zone)));
      context.print('');
      context.print('Completions:');
      context.print(`  waiting for the next batch: ${count('WAITING')}`);
      context.print(`  held for peer confirmation: ${count('HELD')}            (report held)`);
      context.print(`  carried, no acknowledgement yet: ${count('CARRIED')}`);
      context.print(`  accepted by the regulator: ${count('ACCEPTED')}`);
      context.print(`  rejected by the regulator, not corrected: ${rejectedNow}   (report rejected)`);
      context.print(`  late: ${count('LATE')}, after cutoff: ${count('AFTER_CUTOFF')}, no open cycle: ${count('NO_OPEN_CYCLE')}   (report late)`);
      context.print(`  quarantined: ${count('QUARANTINED')}`);
      context.print(`  rows rejected at import: ${Number(importRejects[0]?.n ?? 0)}   (report rejects)`);
      const today = businessDate(now, zone);
      const overdue = sla.filter((s) => assessSla(s.ready_on!, today).standing === 'OVERDUE').length;
      context.print(`  SLA: ${overdue} past the 10-working-day limit, ${sla.length - overdue} due within 2 working days   (report sla)`);

      context.print('');
      context.print('Next scheduled runs:');
      const slot = nextSlotAfter(cron, zone, now);
      context.print(`  weekly batch: ${describeInstant(slot, zone)} (${slot.toISOString()}, WEEKLY_CRON "${cron}" in ${zone})`);
      for (const cycle of cycles) {
        if (cycle.sealed) continue;
        const when = now >= cycle.final_cutoff ? 'overdue: as soon as the scheduler runs, or by hand' : describeInstant(cycle.final_cutoff, zone);
        context.print(`  FINAL batch of ${cycle.code}: ${when}`);
      }
    });
};
