import pino, { type Logger } from 'pino';

/** Logs of the long-running processes: JSON lines, or readable lines on a terminal. */
export function createLogger(name: string, level: string, destination: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout): Logger {
  if (destination.isTTY) {
    return pino({ name, level }, pino.transport({ target: 'pino-pretty', options: { translateTime: 'SYS:standard', ignore: 'pid,hostname' } }));
  }
  return pino({ name, level, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}

export type { Logger };
