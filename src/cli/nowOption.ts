import { Option } from 'commander';
import { parseInstantArgument } from '../domain/businessTime.ts';
import { RefusedError } from './errors.ts';

/** The instant a command acts at: `--now` (ISO 8601 with an offset), or the real clock. */
export function parseNow(text: string | undefined): Date {
  if (text === undefined) return new Date();
  const parsed = parseInstantArgument(text);
  if (!(parsed instanceof Date)) throw new RefusedError(`--now: ${parsed.error}`);
  return parsed;
}

/** The `--now` option of every command that depends on the current time (read by parseNow). */
export function nowOption(): Option {
  return new Option('--now <instant>', 'act as if this were the current time (ISO 8601 with offset)');
}
