import { createInterface } from 'node:readline/promises';
import path from 'node:path';
import { describeDuration, describeInstant, isoWeekOf } from '../../domain/businessTime.ts';
import { latestSlotAtOrBefore, slotOfIsoWeek } from '../../domain/weeklySlots.ts';
import { cyclesOpenAt, cyclesSealedAt, findCycleByCode, type CycleRow } from '../../db/cycles.ts';
import { findFinalBatch } from '../../db/batches.ts';
import { previewBatch, type BatchPreview } from '../../db/previewBatch.ts';
import { JobName } from '../../queue/jobNames.ts';
import type { BatchOutcome } from '../../usecases/runBatches.ts';
import type { CommandContext } from '../context.ts';
import { RefusedError } from '../errors.ts';
import { nowOption, parseNow } from '../nowOption.ts';
import type { RegisterCommand } from './types.ts';

/** Why a weekly slot carries nothing: the cycle it belongs to is sealed by its FINAL batch, or none is open. */
async function printNoOpenCycle(context: CommandContext, slot: Date, nothing: string): Promise<void> {
  const sealed = await cyclesSealedAt(context.db, slot);
  for (const cycle of sealed) {
    const file = cycle.finalFile ? `file ${cycle.finalFile}` : 'its file not yet written';
    context.print(`Cycle ${cycle.code} is sealed by its FINAL batch (${file}): weekly batches no longer carry its completions; ${nothing}`);
  }
  if (!sealed.length) context.print(`No open cycle at this slot: ${nothing} (A cycle whose final-upload cutoff has passed is carried by its FINAL batch.)`);
}

export const registerUpload: RegisterCommand = (program, context) => {
  const upload = program.command('upload').description('run a weekly or the final batch through the queue');

  upload
    .command('weekly')
    .description('run the weekly batch of an ISO week, or of the latest weekly slot at or before --now')
    .option('--week <YYYY-Www>', 'the ISO week, e.g. 2021-W48')
    .addOption(nowOption())
    .option('--dry-run', 'show what the batch would carry; change nothing')
    .action(async (options: { week?: string; now?: string; dryRun?: boolean }) => {
      const { BUSINESS_TIME_ZONE: zone, WEEKLY_CRON: cron } = context.config;
      const now = parseNow(options.now);
      let slot: Date | null;
      if (options.week) {
        slot = slotOfIsoWeek(cron, zone, options.week);
        if (!slot) throw new RefusedError(`--week "${options.week}" is not an ISO week like 2021-W48 with a weekly slot (WEEKLY_CRON "${cron}").`);
        if (slot > now) {
          throw new RefusedError(
            `The weekly slot of ${options.week} is ${describeInstant(slot, zone)}, still ${describeDuration(slot.getTime() - now.getTime())} away; ` +
              'a weekly batch runs only once its slot has passed (pass --now to act as of another time).',
          );
        }
      } else {
        slot = latestSlotAtOrBefore(cron, zone, now);
        if (!slot) throw new RefusedError(`No weekly slot of WEEKLY_CRON "${cron}" falls in the year before ${now.toISOString()}; pass --week.`);
      }
      const period = isoWeekOf(slot, zone);
      context.print(`Weekly slot ${period}: ${describeInstant(slot, zone)} (${slot.toISOString()}).`);
      if (options.dryRun) {
        const cycles = await cyclesOpenAt(context.db, slot);
        if (!cycles.length) await printNoOpenCycle(context, slot, 'nothing would be carried.');
        for (const cycle of cycles) printPreview(context, cycle, await previewBatch(context.db, windowFor(context, cycle, slot, false)), false);
        context.print('Dry run: nothing was changed.');
        return;
      }
      const { runJob } = await import('./uploadJob.ts'); // the queue, the worker and the file writer: not for a dry run
      const outcomes = await runJob(context, JobName.WeeklyBatch, { slot: slot.toISOString(), period, trigger: 'manual', requestedAt: now.toISOString() });
      if (!outcomes.length) await printNoOpenCycle(context, slot, 'nothing to carry.');
      for (const outcome of outcomes) printOutcome(context, outcome);
    });

  upload
    .command('final')
    .description("the manual end-of-cycle trigger: run the cycle's FINAL batch (refused before the cutoff)")
    .requiredOption('--cycle <code>', 'the cycle, e.g. 2019-2021')
    .addOption(nowOption())
    .option('--dry-run', 'show what the batch would carry; change nothing')
    .option('--yes', 'do not ask for confirmation (required without a terminal)')
    .action(async (options: { cycle: string; now?: string; dryRun?: boolean; yes?: boolean }) => {
      const zone = context.config.BUSINESS_TIME_ZONE;
      const now = parseNow(options.now);
      const cycle = await findCycleByCode(context.db, options.cycle);
      if (!cycle) throw new RefusedError(`No cycle "${options.cycle}". See \`cet-uploader cycle list\`.`);
      const existing = await findFinalBatch(context.db, cycle.id);
      if (existing && existing.writtenAt) {
        context.print(`Cycle ${cycle.code} is already sealed by its FINAL batch; nothing to do.`);
        // Asking again checks the written file against its record and repairs it.
        printOutcome(context, await (await import('./uploadJob.ts')).checkSealedFile(context, existing));
        return;
      }
      if (now < cycle.final_cutoff) {
        throw new RefusedError(
          `Refused: the FINAL batch of ${cycle.code} cannot run before its cutoff, ${describeInstant(cycle.final_cutoff, zone)} ` +
            `(${cycle.final_cutoff.toISOString()}); ${describeDuration(cycle.final_cutoff.getTime() - now.getTime())} remain. ` +
            'Weekly batches carry completions until then.',
        );
      }
      if (options.dryRun || !options.yes) {
        printPreview(context, cycle, await previewBatch(context.db, windowFor(context, cycle, cycle.final_cutoff, true)), true);
      }
      if (options.dryRun) {
        context.print('Dry run: nothing was changed.');
        return;
      }
      if (!options.yes) {
        if (!context.stdin.isTTY || !context.stdout.isTTY) {
          throw new RefusedError('Refused: the FINAL batch seals the cycle, and there is no terminal to confirm on. Pass --yes to run it.');
        }
        const prompt = createInterface({ input: context.stdin, output: context.stdout });
        const answer = await prompt.question(`Run the FINAL batch of ${cycle.code} and seal the cycle? Type "yes" to go on: `);
        prompt.close();
        if (answer.trim().toLowerCase() !== 'yes') throw new RefusedError('Not confirmed: nothing was changed.');
      }
      const { runJob } = await import('./uploadJob.ts');
      const outcomes = await runJob(context, JobName.FinalBatch, { cycleId: cycle.id, cycleCode: cycle.code, trigger: 'manual', requestedAt: now.toISOString() });
      for (const outcome of outcomes) printOutcome(context, outcome);
    });
};

function windowFor(context: CommandContext, cycle: CycleRow, cutoff: Date, isFinal: boolean) {
  return {
    cycleStartsAt: cycle.starts_at,
    cutoff: cutoff < cycle.final_cutoff ? cutoff : cycle.final_cutoff,
    isFinal,
    holdDays: context.config.INTERACTIVE_HOLD_DAYS,
  };
}

export function printOutcome(context: CommandContext, outcome: BatchOutcome): void {
  const zone = context.config.BUSINESS_TIME_ZONE;
  const what = `${outcome.kind === 'FINAL' ? 'FINAL batch' : `WEEKLY ${outcome.period}`} of cycle ${outcome.cycle} (cutoff ${describeInstant(new Date(outcome.cutoff), zone)})`;
  if (outcome.sealedBefore) {
    context.print(`${what}: the cycle is sealed by its FINAL batch; no batch carries it again.`);
    return;
  }
  const already = outcome.created ? '' : ' (it already existed; nothing was changed)';
  if (outcome.seq === null) {
    context.print(`${what}: nothing to carry; recorded as an empty batch, no file${already}.`);
    return;
  }
  context.print(
    `Batch ${outcome.seq}, ${what}${already}: ${outcome.records} records, ${outcome.points} points ` +
      `(${outcome.interactivePoints} interactive), ${outcome.downgraded} downgraded.`,
  );
  context.print(`File: ${path.join(context.config.OUTBOX_DIR, outcome.fileName ?? '')} (and its .manifest.json)`);
  printRepair(context, outcome.fileName ?? '', outcome.fileRepair);
}

/** One line when a written file was found missing or altered and written again. */
export function printRepair(context: CommandContext, fileName: string, repair: BatchOutcome['fileRepair']): void {
  if (repair?.state === 'rewritten') {
    context.print(`REPAIRED: ${fileName} was missing from the outbox; written again from the batch's snapshot (the recorded SHA-256 and size).`);
  } else if (repair?.state === 'moved-aside-and-rewritten') {
    context.print(
      `REPAIRED: ${fileName} differed from the recorded SHA-256 or size; moved aside to ${path.basename(repair.movedTo ?? '')} and written again from the batch's snapshot.`,
    );
  }
}

function printPreview(context: CommandContext, cycle: CycleRow, preview: BatchPreview, isFinal: boolean): void {
  const c = preview.carry;
  context.print(`Cycle ${cycle.code}${isFinal ? ' FINAL batch' : ''} would carry ${c.records} records, ${c.points} points:`);
  context.print(`  ${c.nonInteractive} non-interactive, ${c.interactive} interactive (both parties confirmed),`);
  context.print(`  ${c.downgraded14} downgraded (no peer confirmation within the hold window), ${c.downgradedAtCutoff} downgraded (unconfirmed at the cutoff).`);
  context.print(`Held for confirmation: ${preview.held}. Quarantined (no longer pass the import checks): ${preview.quarantined}.`);
  if (isFinal && preview.heldSample.length) {
    context.print('Interactive completions it would downgrade (first 50):');
    for (const held of preview.heldSample) context.print(`  ${held.provider_ref} ${held.goc_number} ${held.event_ref}, hold window would end ${held.hold_end.toISOString()}`);
  } else if (preview.heldSample.length) {
    context.print(`Held (first ${preview.heldSample.length}): ${preview.heldSample.map((h) => h.provider_ref).join(', ')}`);
  }
}
