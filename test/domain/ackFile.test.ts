import { describe, expect, it } from 'vitest';
import { checkAckHeader, checkAckLine, describeAckRefusal } from '../../src/domain/ackFile.ts';

describe('acknowledgement lines', () => {
  it('accepts the exact header, and names a wrong one', () => {
    expect(checkAckHeader(['file', 'provider_ref', 'status', 'code', 'message'])).toBeNull();
    // Names the column that is wrong, never repeating what the file holds (it may be any file).
    expect(checkAckHeader(['file', 'ref', 'status', 'code', 'message'])).toBe(
      'line 1: the header must be "file,provider_ref,status,code,message" (column 2 is not "provider_ref"); is this an acknowledgement file?',
    );
    expect(checkAckHeader(['root:x:0:0:root:/root:/bin/bash'])).not.toMatch(/root/);
    expect(checkAckHeader(['file', 'provider_ref', 'status', 'code'])).not.toBeNull();
  });

  it('reads accepted and rejected lines, with empty code and message as null', () => {
    expect(checkAckLine(2, ['F.csv', 'LMS-1', 'ACCEPTED', '', ''], null)).toEqual({
      line: { line: 2, file: 'F.csv', providerRef: 'LMS-1', status: 'ACCEPTED', code: null, message: null },
    });
    expect(checkAckLine(3, ['F.csv', 'LMS-2', 'REJECTED', 'GOC_NUMBER_UNKNOWN', 'No registrant, here'], 'F.csv')).toEqual({
      line: { line: 3, file: 'F.csv', providerRef: 'LMS-2', status: 'REJECTED', code: 'GOC_NUMBER_UNKNOWN', message: 'No registrant, here' },
    });
  });

  it('lists every problem of a line: other file, bad status, rejected without a code, wrong field count', () => {
    expect(checkAckLine(4, ['G.csv', 'LMS-3', 'MAYBE', '', ''], 'F.csv')).toEqual({
      problems: [
        'line 4: names the upload file "G.csv", but the first record names "F.csv"; one acknowledgement answers one upload file',
        'line 4: status "MAYBE" is neither ACCEPTED nor REJECTED',
      ],
    });
    expect(checkAckLine(5, ['F.csv', 'LMS-4', 'REJECTED', '', 'why'], 'F.csv')).toEqual({ problems: ['line 5: LMS-4 is REJECTED without a code'] });
    expect(checkAckLine(6, ['F.csv', 'LMS-4', 'ACCEPTED'], 'F.csv')).toEqual({ problems: ['line 6: 3 fields where 5 are expected (file,provider_ref,status,code,message)'] });
    expect(checkAckLine(7, ['F.csv', '', 'accepted', '', ''], 'F.csv')).toEqual({
      problems: ['line 7: no provider_ref', 'line 7: status "accepted" is neither ACCEPTED nor REJECTED'],
    });
  });

  it('describes a refusal with every problem', () => {
    expect(describeAckRefusal('a.csv', ['x', 'y'])).toBe('Acknowledgement a.csv refused whole; nothing was changed. 2 problems:\n  - x\n  - y');
  });
});
