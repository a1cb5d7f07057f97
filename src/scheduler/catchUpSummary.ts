import type { BatchOutcome } from '../usecases/runBatches.ts';

/** What a catch-up did for one cycle: the story in one line instead of a few per slot. */
export interface CycleCatchUp {
  cycle: string;
  weeklySlots: number;
  firstPeriod: string | null;
  lastPeriod: string | null;
  filesWritten: number;
  emptyWeeks: number;
  records: number;
  finalFile: string | null;
}

/** Groups the outcomes of a catch-up by cycle, in the order the cycles first appear. */
export function summarizeCatchUp(outcomes: readonly BatchOutcome[]): CycleCatchUp[] {
  const byCycle = new Map<string, CycleCatchUp>();
  for (const outcome of outcomes) {
    let summary = byCycle.get(outcome.cycle);
    if (!summary) {
      summary = { cycle: outcome.cycle, weeklySlots: 0, firstPeriod: null, lastPeriod: null, filesWritten: 0, emptyWeeks: 0, records: 0, finalFile: null };
      byCycle.set(outcome.cycle, summary);
    }
    summary.records += outcome.records;
    if (outcome.kind === 'FINAL') {
      summary.finalFile = outcome.fileName;
      continue;
    }
    summary.weeklySlots += 1;
    summary.firstPeriod ??= outcome.period;
    summary.lastPeriod = outcome.period;
    if (outcome.fileName) summary.filesWritten += 1;
    else summary.emptyWeeks += 1;
  }
  return [...byCycle.values()];
}

/** "2019-2021: 152 weekly slots (2019-W01 to 2021-W51) run, 12 files written, 140 empty weeks, 3400 records; FINAL …" */
export function describeCycleCatchUp(s: CycleCatchUp): string {
  const weeks = s.weeklySlots
    ? `${s.weeklySlots} weekly slot${s.weeklySlots === 1 ? '' : 's'} (${s.firstPeriod}${s.lastPeriod !== s.firstPeriod ? ` to ${s.lastPeriod}` : ''}) run, ` +
      `${s.filesWritten} file${s.filesWritten === 1 ? '' : 's'} written, ${s.emptyWeeks} empty week${s.emptyWeeks === 1 ? '' : 's'}`
    : 'no weekly slot missed';
  const final = s.finalFile === null ? '' : `; FINAL batch written to ${s.finalFile}`;
  return `caught up cycle ${s.cycle}: ${weeks}, ${s.records} records${final}`;
}
