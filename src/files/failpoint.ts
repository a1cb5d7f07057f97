/**
 * Test-only pauses at named points, so a crash test can kill a process at an exact step
 * instead of racing a fast writer. Off unless CET_FAILPOINT names the point, e.g.
 * CET_FAILPOINT=before-rename:5000 (pause 5 s before renaming a written file into place).
 */
export async function failpoint(name: string): Promise<void> {
  const setting = process.env.CET_FAILPOINT;
  if (!setting) return;
  const [point, ms] = setting.split(':');
  if (point === name) await new Promise((resolve) => setTimeout(resolve, Number(ms ?? 0)));
}
