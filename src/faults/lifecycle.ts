import type { Logger } from 'pino';

/** Rejects with `onTimeout()` when `work` has not settled within `ms`. */
export function within<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(onTimeout()), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * SIGTERM / SIGINT for a long-running process, from its start: `stop` runs once, and whatever
 * happens (a job that will not finish, a server that does not answer) the process exits 0 within
 * `hardExitMs`. Resolves with the signal once `stop` is done (or has taken `stopWithinMs`).
 */
export function onShutdown(logger: Logger, stop: (signal: string) => Promise<void>, options: { stopWithinMs?: number; hardExitMs?: number } = {}): Promise<string> {
  const stopWithinMs = options.stopWithinMs ?? 10_000;
  const hardExitMs = options.hardExitMs ?? 14_000;
  return new Promise((resolve) => {
    const handle = (signal: string) => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      setTimeout(() => {
        logger.warn({ signal }, `still stopping after ${hardExitMs / 1000} s; exiting now (a running job is handed back when its lock lapses)`);
        logger.flush?.();
        process.exit(0);
      }, hardExitMs).unref();
      const done = stop(signal).catch((error: unknown) => logger.warn({ err: error }, 'error while stopping'));
      let timer: NodeJS.Timeout | undefined;
      void Promise.race([done, new Promise((r) => (timer = setTimeout(r, stopWithinMs)))]).then(() => {
        clearTimeout(timer);
        resolve(signal);
      });
    };
    const onTerm = () => handle('SIGTERM');
    const onInt = () => handle('SIGINT');
    process.once('SIGTERM', onTerm);
    process.once('SIGINT', onInt);
  });
}
