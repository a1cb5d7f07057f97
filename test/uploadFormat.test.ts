import fc from 'fast-check';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { gocCetUpload, safeTextField } from '../src/format/gocCetUpload.ts';
import type { DetailRecord } from '../src/format/uploadFormat.ts';
import { useTestEnvironment } from './support/testEnvironment.ts';

// The file's detail lines are rendered by PostgreSQL (so a million stream from COPY); this
// proves that rendering byte-identical to the TypeScript rule, on tricky and random surnames.

describe('GOC-CET-UPLOAD detail records', () => {
  const env = useTestEnvironment();

  async function renderedBySql(record: DetailRecord): Promise<string> {
    const { rows } = await sql<{ line: string }>`
      SELECT ${gocCetUpload.detailLineSql()} AS line
        FROM (SELECT ${record.providerRef}::text AS provider_ref, ${record.gocNumber}::text AS goc_number,
                     ${record.surname}::text AS surname, ${record.eventRef}::text AS event_ref,
                     ${record.completedOn}::date AS completed_on, ${record.points}::smallint AS points,
                     ${record.category}::char(1) AS category, ${record.interactive}::boolean AS interactive) AS bi`.execute(env.db);
    return rows[0]!.line;
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
