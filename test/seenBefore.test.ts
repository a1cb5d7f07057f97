import { describe, expect, it } from 'vitest';
import { SeenBefore } from '../src/imports/seenBefore.ts';

// The import's filter of repeated keys: a key it was given must never be called new (a repeat
// would then go unchecked); a new key is called seen only rarely (the checks then compare it
// for nothing).
describe('SeenBefore', () => {
  const key = (i: number) => [`LMS-${String(i).padStart(8, '0')}`, `01-${10000 + (i % 50000)}`];

  it('never calls a key it was given new, even when filled far beyond its size', () => {
    const seen = new SeenBefore(100);
    for (let i = 0; i < 50_000; i++) seen.add(key(i), [0, 1]);
    let missed = 0;
    for (let i = 0; i < 50_000; i++) if (!seen.add(key(i), [0, 1])) missed++;
    expect(missed).toBe(0);
  });

  it('calls few new keys seen when sized for them (under 5 %)', () => {
    const n = 100_000;
    const seen = new SeenBefore(n);
    let wrong = 0;
    for (let i = 0; i < n; i++) if (seen.add(key(i), [0, 1])) wrong++;
    expect(wrong / n).toBeLessThan(0.05);
  });

  it('reads the key from the given columns only, and a part boundary is part of the key', () => {
    const seen = new SeenBefore(1000);
    expect(seen.add(['a', 'x', 'b'], [0, 2])).toBe(false);
    expect(seen.add(['a', 'y', 'b'], [0, 2])).toBe(true);
    let joined = 0;
    for (let i = 0; i < 100; i++) {
      seen.add([`k${i}`, 'z'], [0, 1]);
      if (seen.add([`k${i}z`], [0])) joined++;
    }
    expect(joined).toBeLessThan(10);
  });
});
