import fc from 'fast-check';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { streamDetailLines } from '../src/db/batchDetailLines.ts';
import { gocCetUpload, safeTextField } from '../src/format/gocCetUpload.ts';
import type { DetailRecord } from '../src/format/uploadFormat.ts';
import { useTestEnvironment } from './support/testEnvironment.ts';

// The file's detail lines are written by PostgreSQL's COPY in CSV format (so a million stream
// straight from the database); this proves them byte-identical to the TypeScript rule, on tricky
// and random surnames, through the very COPY the file writer runs.

describe('GOC-CET-UPLOAD detail records', () => {
  const env = useTestEnvironment();
  let nextBatch = 1;

  /** The record stored as a batch_item of a batch of its own, and its line as COPY writes it. */
  async function renderedBySql(record: DetailRecord): Promise<string> {
    const batchId = String(nextBatch++);
    await sql`INSERT INTO batch_item (batch_id, completion_id, revision, provider_ref, goc_number, surname, event_ref,
                                      completed_on, points, category, interactive)
              VALUES (${batchId}::bigint, ${batchId}::bigint, 1, ${record.providerRef}, ${record.gocNumber}, ${record.surname},
                      ${record.eventRef}, ${record.completedOn}::date, ${record.points}, ${record.category}, ${record.interactive})`.execute(env.db);
    const client = await env.handle.pool.connect();
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of streamDetailLines(client, gocCetUpload, batchId)) chunks.push(Buffer.from(chunk));
      const text = Buffer.concat(chunks).toString('utf8');
      expect(text.endsWith('\n')).toBe(true);
      return text.slice(0, -1);
    } finally {
      client.release();
    }
  }

  const record = (surname: string): DetailRecord => ({
    providerRef: 'LMS-1', gocNumber: '01-10001', surname, eventRef: 'C-70001', completedOn: '2021-07-01', points: 3, category: 'G', interactive: true,
  });

  it.each([
    ['Patel', 'Patel'],
    ["O'Neill, Jr", `"O'Neill, Jr"`],
    ['=2+5', "'=2+5"],
    ['+44', "'+44"],
    ['-x', "'-x"],
    ['@home', "'@home"],
    ['Say "hi"', '"Say ""hi"""'],
    ['=a,"b"', `"'=a,""b"""`],
    ['Łukasiewicz-Ó Briain', 'Łukasiewicz-Ó Briain'],
    // Found by the property below: characters between + and @ are not formula starts.
    [',a', '",a"'],
    ['3rd', '3rd'],
    ['.x', '.x'],
  ])('writes the surname %j as %j, in SQL and in TypeScript alike', async (surname, written) => {
    expect(safeTextField(surname)).toBe(written);
    const expected = `D,LMS-1,01-10001,${written},C-70001,2021-07-01,3,G,Y`;
    expect(gocCetUpload.renderDetail(record(surname))).toBe(expected);
    expect(await renderedBySql(record(surname))).toBe(expected);
  });

  it('renders random surnames byte-identically in SQL and TypeScript', async () => {
    const surname = fc.string({ unit: fc.constantFrom('a', 'Z', ' ', ',', '"', "'", '=', '+', '-', '@', '.', '/', '3', '\t', 'é', '名'), minLength: 1, maxLength: 12 });
    await fc.assert(
      fc.asyncProperty(surname, fc.boolean(), fc.integer({ min: 1, max: 20 }), async (name, interactive, points) => {
        const r = { ...record(name), interactive, points };
        expect(await renderedBySql(r)).toBe(gocCetUpload.renderDetail(r));
      }),
      { numRuns: 200 },
    );
  });
});
