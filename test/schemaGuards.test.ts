import { describe, expect, it } from 'vitest';
import { seedRegistrant } from './support/seed.ts';
import { useTestEnvironment } from './support/testEnvironment.ts';

// Promises the code relies on, kept by PostgreSQL itself (migrations/).
describe('registration spans, in PostgreSQL', () => {
  const env = useTestEnvironment();

  it("refuses a span that overlaps another of the same registrant, even by one day; adjoining spans and other registrants' spans are no overlap", async () => {
    const id = await seedRegistrant(env.db, '01-70001'); // open span from 2000-01-01
    // Another registrant's open span from the same day is no overlap.
    await seedRegistrant(env.db, '01-70002');
    const span = (registrant_id: number, registered_from: string, registered_to: string | null) =>
      env.db.insertInto('registration_span').values({ registrant_id, registered_from, registered_to }).execute();

    await expect(span(id, '2010-01-01', null)).rejects.toMatchObject({ code: '23P01', constraint: 'registration_span_no_overlap' });
    await env.db.updateTable('registration_span').set({ registered_to: '2009-12-31' }).where('registrant_id', '=', id).execute();
    await expect(span(id, '2009-12-31', '2010-06-30')).rejects.toMatchObject({ code: '23P01' });
    await span(id, '2010-01-01', null); // adjoins the first
    const spans = await env.db.selectFrom('registration_span').select(['registrant_id', 'registered_from']).where('registrant_id', '=', id).execute();
    expect(spans).toHaveLength(2);
  });
});
