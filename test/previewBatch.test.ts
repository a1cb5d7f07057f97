import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { previewBatch } from '../src/db/previewBatch.ts';
import { refreshStateSnapshot } from '../src/db/stateSnapshot.ts';
import { twoPassPreview } from './support/twoPassPreview.ts';
import { seedCompletion, seedConfirmation, seedCycle, seedEvent, seedRegistrant } from './support/seed.ts';
import { useTestEnvironment } from './support/testEnvironment.ts';

// The dry run's preview in one pass over the decision query (issue 14) against the two passes
// it replaced (test/support/twoPassPreview.ts): the same counts, points and held sample, for
// weekly windows and the FINAL window, on data holding every decision, quarantined rows and
// more held completions than the sample shows.

const HOUR = 3_600_000;

describe('the dry run preview in one pass', () => {
  const env = useTestEnvironment();
  let cycle: { starts_at: Date; final_cutoff: Date };

  beforeAll(async () => {
    const db = env.db;
    await seedCycle(db, '2019-2021', '2021-12-30T12:00:00.000Z', '2019-01-01', '2021-12-31');
    cycle = await db.selectFrom('cycle').select(['starts_at', 'final_cutoff']).executeTakeFirstOrThrow();
    const registrants = [];
    for (let i = 0; i < 7; i++) registrants.push(await seedRegistrant(db, `01-7000${i}`, `Surname${(i * 3) % 7}`));
    const unregistered = await seedRegistrant(db, '01-70009');
    await sql`DELETE FROM registration_span WHERE registrant_id = ${unregistered}`.execute(db);
    registrants.push(unregistered);
    const events = [
      await seedEvent(db, 'C-80001', { points: 1 }),
      await seedEvent(db, 'C-80002', { points: 3, interactive: true }),
      await seedEvent(db, 'C-80003', { points: 2, interactive: true, category: 'specialist' }),
      await seedEvent(db, 'C-80004', { points: 4 }),
    ];
    // 1,000 completions from 1 Oct to 23 Dec 2021, every 2 hours; interactive ones confirmed
    // by both, one party, late or not at all.
    const start = Date.parse('2021-10-01T09:00:00.000Z');
    for (let i = 0; i < 1000; i++) {
      const at = new Date(start + i * 2 * HOUR);
      const registrant = registrants[(i * 5) % registrants.length]!;
      const event = events[i % events.length]!;
      const id = await seedCompletion(db, `PV-${String((i * 37) % 1000).padStart(4, '0')}`, registrant, event, at);
      if (i % 2 === 1) {
        const kind = Math.floor(i / 2) % 4;
        if (kind <= 1) await seedConfirmation(db, id, 'registrant', new Date(at.getTime() + 20 * HOUR), registrants[0]!);
        if (kind === 0) await seedConfirmation(db, id, 'peer', new Date(at.getTime() + 50 * HOUR), registrants[1]!);
        if (kind === 2) await seedConfirmation(db, id, 'peer', new Date(at.getTime() + 400 * HOUR), registrants[1]!);
      }
    }
    await sql`ANALYZE`.execute(db);
  });

  it('gives the counts, points and held sample of the two-pass preview, from the tables and from the state snapshot', async () => {
    const windows = [
      { cutoff: '2021-11-05T06:00:00.000Z', isFinal: false },
      { cutoff: '2021-12-03T06:00:00.000Z', isFinal: false },
      { cutoff: '2021-12-24T06:00:00.000Z', isFinal: false },
      { cutoff: cycle.final_cutoff.toISOString(), isFinal: true },
    ];
    const seen = { held: 0, sampleFull: 0, downgradedAtCutoff: 0, downgraded14: 0, interactive: 0, quarantined: 0 };
    for (const w of windows) {
      const window = { cycleStartsAt: cycle.starts_at, cutoff: new Date(w.cutoff), isFinal: w.isFinal, holdDays: 14 };
      const expected = await twoPassPreview(env.db, window);
      await sql`DELETE FROM state_snapshot_meta`.execute(env.db); // no current snapshot: the tables
      expect(await previewBatch(env.db, window), w.cutoff).toEqual({ ...expected, source: 'live' });
      // A current snapshot (its facts hold for any cutoff, and for another hold or zone): the same.
      expect((await refreshStateSnapshot(env.db, { zone: 'UTC', holdDays: 3 })).status).toBe('rebuilt');
      expect(await previewBatch(env.db, window), `${w.cutoff} from the snapshot`).toEqual({ ...expected, source: 'snapshot' });
      seen.held += expected.held;
      if (expected.heldSample.length === 50) seen.sampleFull++;
      seen.downgradedAtCutoff += expected.carry.downgradedAtCutoff;
      seen.downgraded14 += expected.carry.downgraded14;
      seen.interactive += expected.carry.interactive;
      seen.quarantined += expected.quarantined;
    }
    // The data reaches every decision, and more held (or downgraded at the cutoff) than the sample holds.
    expect(Object.values(seen).every((n) => n > 0), JSON.stringify(seen)).toBe(true);
  });
});
