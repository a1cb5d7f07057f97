import { parseInstantArgument } from '../domain/businessTime.ts';
import { RefusedError } from './errors.ts';

/** The instant a command acts at: `--now` (ISO 8601 with an offset), or the real clock. */
export function parseNow(text: string | undefined): Date {
  if (text === undefined) return new Date();
  const parsed = parseInstantArgument(text);
  if (!(parsed instanceof Date)) throw new RefusedError(`--now: ${parsed.error}`);
  return parsed;
}
