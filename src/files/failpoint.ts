/**
 * Test-only pauses at named points, so a crash test can kill a process (or its PostgreSQL
 * backend) at an exact step instead of racing a fast writer. Off unless CET_FAILPOINT names the
 * point, e.g. CET_FAILPOINT=before-rename:5000 (pause 5 s before renaming a written file into
 * place); a third field pauses only the first n times in this process, e.g. claim-locked:8000:1
 * (so that the job's retry runs through).
 *
 * Points: before-rename (atomicFile), before-detail-lines (writeBatchFile: header written, the
 * detail lines not yet read), claim-locked (claimBatch: inside the claim transaction, holding its
 * lock), import-staged (importFile: the rows copied into staging, inside the import transaction),
 * import-copying-in-two (stageParallel: before each chunk of the first part is written into the
 * COPY, while the worker's part goes on),
 * after-smtp-accept (sendReminder).
 */
const hits = new Map<string, number>();

export async function failpoint(name: string): Promise<void> {
  const setting = process.env.CET_FAILPOINT;
  if (!setting) return;
  const [point, ms, times] = setting.split(':');
  if (point !== name) return;
  const hit = (hits.get(name) ?? 0) + 1;
  hits.set(name, hit);
  if (times !== undefined && hit > Number(times)) return;
  await new Promise((resolve) => setTimeout(resolve, Number(ms ?? 0)));
}
