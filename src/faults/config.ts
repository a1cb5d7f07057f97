import * as v from 'valibot';
import { wholeNumber } from '../configValues.ts';

function millis(min: number, max: number, fallback: string) {
  return v.optional(wholeNumber(min, max), fallback);
}

/** Timeouts on every PostgreSQL connection (issue 10): nothing waits forever on a server. */
export const faultConfigEntries = {
  // How long connecting (TCP and the PostgreSQL handshake) may take.
  PG_CONNECT_TIMEOUT_MS: millis(500, 120_000, '10000'),
  // The longest one statement may run (generous: a million-row claim or import fits well within it).
  PG_STATEMENT_TIMEOUT_MS: millis(1_000, 86_400_000, '900000'),
  // The same for the read-only commands (status, report, trace, requirements) and the console's
  // pages: a read that hangs on a lock or a runaway plan is cut short sooner.
  PG_READ_STATEMENT_TIMEOUT_MS: millis(100, 86_400_000, '120000'),
  // The longest a statement may wait for a lock (a batch's writers and claims take turns).
  PG_LOCK_TIMEOUT_MS: millis(1_000, 86_400_000, '300000'),
};
