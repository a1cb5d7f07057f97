import { describe, expect, it } from 'vitest';
import { importCli, rejectsFile, REGISTRANTS_HEADER, writeFile } from '../fixtures/imports/helpers.ts';
import { useTestEnvironment } from '../support/testEnvironment.ts';

// registrants.csv's optional email column: checked for form (INVALID_EMAIL rejects the row);
// a file without the column still imports, and keeps the addresses already stored.

describe('registrants.csv email column', () => {
  const env = useTestEnvironment();
  const emails = async () =>
    Object.fromEntries((await env.db.selectFrom('registrant').select(['goc_number', 'email']).orderBy('goc_number').execute()).map((r) => [r.goc_number, r.email]));

  it('imports addresses, rejects a bad one, and a file without the column keeps them', async () => {
    const withEmail = writeFile(env, 'with-email.csv', [
      `email,${REGISTRANTS_HEADER}`,
      'asha.patel@Example.COM,01-10001,Patel,Asha,optometrist,,2008-08-01,',
      ',D-2002,Jones,Rhys,dispensing_optician,,2012-09-01,',
      '"Sean <sean@example.com>",01-10003,O\'Neill,Sean,optometrist,,2015-01-01,',
      'not an address,01-10004,Mal,Mal,optometrist,,2015-01-01,',
    ]);
    const first = await importCli(env, 'registrants', withEmail);
    expect(first.code, first.stderr).toBe(3);
    expect(await emails()).toEqual({ '01-10001': 'asha.patel@example.com', 'D-2002': null });
    const rejects = rejectsFile(withEmail);
    expect(rejects.map((r) => [r.line, r.codes, r.email])).toEqual([
      ['4', 'INVALID_EMAIL', 'Sean <sean@example.com>'],
      ['5', 'INVALID_EMAIL', 'not an address'],
    ]);

    const without = writeFile(env, 'without-email.csv', [REGISTRANTS_HEADER, '01-10001,Patel,Asha,optometrist,IP,2008-08-01,', '01-10004,Mal,Mal,optometrist,,2015-01-01,']);
    const second = await importCli(env, 'registrants', without);
    expect(second.code, second.stderr).toBe(0);
    expect(await emails()).toEqual({ '01-10001': 'asha.patel@example.com', '01-10004': null, 'D-2002': null });

    const again = await importCli(env, 'registrants', without);
    expect(again.stdout).toMatch(/unchanged\D+2/);
  });
});
