import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runFinalBatch, runWeeklySlot } from '../src/usecases/runBatches.ts';
import { expectedOutcome, type OracleBatch, type OracleCompletion } from './support/oracle.ts';
import { seedCompletion, seedConfirmation, seedCycle, seedEvent, seedRegistrant, truncateAll } from './support/seed.ts';
import { useTestEnvironment } from './support/testEnvironment.ts';
import { testUploadDeps } from './support/uploadDeps.ts';

// Random completions and confirmations around the 2019-21 cutoff, run through the real weekly
// and FINAL batches in PostgreSQL, against the oracle.

const CUTOFF = Date.parse('2021-12-30T12:00:00.000Z');
const DAY = 86_400_000;
const BATCHES: OracleBatch[] = [
  { name: '2021-W49', cutoff: Date.parse('2021-12-10T06:00:00.000Z'), isFinal: false },
  { name: '2021-W50', cutoff: Date.parse('2021-12-17T06:00:00.000Z'), isFinal: false },
  { name: '2021-W51', cutoff: Date.parse('2021-12-24T06:00:00.000Z'), isFinal: false },
  { name: 'FINAL', cutoff: CUTOFF, isFinal: true },
];

// Offsets cluster on the interesting instants: the cutoff, the slots and hold-window ends, ±1 ms.
const nearCutoff = fc.oneof(
  fc.integer({ min: -25 * DAY, max: 36 * 3_600_000 }),
  fc.constantFrom(-1, 0, 1, -14 * DAY, -14 * DAY - 1, -14 * DAY + 1, BATCHES[2]!.cutoff - CUTOFF, BATCHES[2]!.cutoff - CUTOFF - 1),
);
const confirmationDelay = fc.option(fc.oneof(fc.integer({ min: 0, max: 20 * DAY }), fc.constantFrom(14 * DAY - 1, 14 * DAY)), { nil: undefined });
const completionArb = fc.record({ interactive: fc.boolean(), offset: nearCutoff, registrant: confirmationDelay, peer: confirmationDelay });

describe('around the cutoff, for random completions and confirmations', () => {
  const env = useTestEnvironment();

  it('every completion before the cutoff lands in exactly one batch, none at or after it does, downgrades exactly where the rules say', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(completionArb, { minLength: 1, maxLength: 12 }), async (drawn) => {
        await truncateAll(env.db);
        const cycleId = await seedCycle(env.db);
        const registrant = await seedRegistrant(env.db, '01-10001');
        const peer = await seedRegistrant(env.db, '01-10002');
        const plain = await seedEvent(env.db, 'C-10001');
        const interactive = await seedEvent(env.db, 'C-20002', { interactive: true, points: 3 });
        const completions: OracleCompletion[] = [];
        for (const [i, d] of drawn.entries()) {
          const c: OracleCompletion = {
            ref: `P-${i}`,
            interactive: d.interactive,
            completedAt: CUTOFF + d.offset,
            registrantConfirmedAt: d.interactive && d.registrant !== undefined ? CUTOFF + d.offset + d.registrant : undefined,
            peerConfirmedAt: d.interactive && d.peer !== undefined ? CUTOFF + d.offset + d.peer : undefined,
          };
          completions.push(c);
          const id = await seedCompletion(env.db, c.ref, registrant, c.interactive ? interactive : plain, new Date(c.completedAt));
          if (c.registrantConfirmedAt !== undefined) await seedConfirmation(env.db, id, 'registrant', new Date(c.registrantConfirmedAt), peer);
          if (c.peerConfirmedAt !== undefined) await seedConfirmation(env.db, id, 'peer', new Date(c.peerConfirmedAt), peer);
        }
        const deps = testUploadDeps(env);
        for (const batch of BATCHES.slice(0, 3)) {
          await runWeeklySlot(deps, { slot: new Date(batch.cutoff), trigger: 'manual', requestedAt: new Date(batch.cutoff) });
        }
        await runFinalBatch(deps, { cycleId, trigger: 'manual', requestedAt: new Date(CUTOFF + 3 * DAY) });

        const carried = await env.db
          .selectFrom('batch_item as bi')
          .innerJoin('batch as b', 'b.id', 'bi.batch_id')
          .select(['bi.provider_ref', 'b.period', 'bi.interactive', 'bi.downgrade_reason'])
          .execute();
        const actual = new Map(carried.map((row) => [row.provider_ref, { batch: row.period, interactive: row.interactive, reason: row.downgrade_reason }]));
        expect(actual.size).toBe(carried.length); // no completion in two batches
        for (const c of completions) {
          const expected = expectedOutcome(c, BATCHES, CUTOFF);
          expect(actual.get(c.ref) ?? null, `${c.ref} ${JSON.stringify(c)}`).toEqual(expected);
          if (c.completedAt >= CUTOFF) expect(actual.has(c.ref)).toBe(false);
          else expect(actual.has(c.ref)).toBe(true);
        }
      }),
      { numRuns: 25 },
    );
  });
});
