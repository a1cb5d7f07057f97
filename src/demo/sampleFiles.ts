// The demo's input: the spec's worked example, plus a few hundred generated completions so
// that the weekly files have some bulk. Deterministic: the same files every run.

const header = {
  registrants: 'goc_number,surname,forenames,profession,specialties,registered_from,registered_to',
  events: 'event_ref,title,points,category,interactive,professions,approved_from,approved_to',
  completions: 'provider_ref,goc_number,event_ref,completed_at',
  confirmations: 'provider_ref,party,confirmed_at,peer_goc_number',
};

const SURNAMES = ['Ahmed', 'Brown', 'Chen', 'Davies', 'Evans', 'Fraser', 'Gill', 'Hughes', 'Iqbal', 'Jones'];

export function sampleFiles(): Record<keyof typeof header, string> {
  const registrants = [
    '01-10001,Patel,Asha,optometrist,IP,2008-08-01,',
    'D-2002,Jones,Rhys,dispensing_optician,CLO,2012-09-01,',
    '01-10003,"O\'Neill, Jr",Sean,optometrist,,2015-01-01,',
    '01-10004,=2+5,Mal,optometrist,,2015-01-01,',
  ];
  for (let i = 0; i < 40; i++) registrants.push(`01-${30000 + i},${SURNAMES[i % 10]},Demo,optometrist,,2010-01-01,`);
  const events = [
    'C-70001,Glaucoma referral refinement,1,general,N,optometrist;dispensing_optician,2019-01-01,2021-12-31',
    'C-70002,Peer discussion: the red eye,3,general,Y,optometrist,2019-01-01,2021-12-31',
    'C-70003,Contact lens aftercare,2,specialist,N,dispensing_optician,2020-01-01,2021-12-31',
    'C-70004,Myopia management,2,general,N,optometrist,2019-01-01,2021-12-31',
    'C-70005,Case review: diabetic retinopathy,3,general,Y,optometrist,2019-01-01,2021-12-31',
  ];
  const completions = [
    'EX-1,01-10001,C-70001,2021-11-30T09:15:00Z',
    'EX-2,d2002,c70003,2021-12-02T18:00:00Z',
    'EX-3,01-10001,C-70002,2021-11-28T20:00:00Z',
    'EX-4,01-10003,C-70002,2021-11-29T10:00:00Z',
    'EX-5,01-10004,C-70001,2021-12-03T06:00:00Z',
    'EX-6,01-10003,C-70001,2021-07-01T00:30:00+01:00',
    'EX-7,01-10001,C-99999,2021-12-01T10:00:00Z',
    'EX-8,01-10004,C-70002,2021-12-20T10:00:00+00:00',
  ];
  const confirmations = [
    'EX-3,registrant,2021-12-01T08:00:00Z,01-10003',
    'EX-3,peer,2021-12-01T09:00:00Z,01-10003',
    'EX-4,registrant,2021-11-29T11:00:00Z,01-10001',
    'EX-8,registrant,2021-12-21T10:00:00Z,01-10001',
    'EX-8,peer,2021-12-30T12:00:00Z,01-10001',
    'EX-1,registrant,2021-12-01T08:00:00Z,01-10003',
  ];
  // Generated: each demo registrant does both general events and one case review, spread over
  // 22 Nov to 29 Dec 2021; every other case review is confirmed by a colleague within days.
  const start = Date.parse('2021-11-22T08:00:00Z');
  for (let i = 0; i < 40; i++) {
    const goc = `01-${30000 + i}`;
    const peer = `01-${30000 + ((i + 1) % 40)}`;
    ['C-70001', 'C-70004', 'C-70005'].forEach((event, k) => {
      const at = new Date(start + ((i * 3 + k) * 37 * 60 * 60 * 1000) % (37 * 86_400_000));
      const ref = `DEMO-${i}-${k}`;
      completions.push(`${ref},${goc},${event},${at.toISOString()}`);
      if (event === 'C-70005' && i % 2 === 0) {
        confirmations.push(`${ref},registrant,${new Date(at.getTime() + 3_600_000).toISOString()},${peer}`);
        confirmations.push(`${ref},peer,${new Date(at.getTime() + 2 * 86_400_000).toISOString()},${peer}`);
      }
    });
  }
  const file = (lines: string[], head: string) => [head, ...lines].join('\n') + '\n';
  return {
    registrants: file(registrants, header.registrants),
    events: file(events, header.events),
    completions: file(completions, header.completions),
    confirmations: file(confirmations, header.confirmations),
  };
}
