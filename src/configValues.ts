import * as v from 'valibot';

// Value schemas shared by every folder's configuration entries (src/config.ts spreads them in).
// Their own module, so src/config.ts and the entries it imports never import each other.

/** A whole number within [min, max], from an environment string. */
export function wholeNumber(min: number, max: number) {
  return v.pipe(
    v.string(),
    v.trim(),
    v.transform(Number),
    v.number('not a number'),
    v.integer('not a whole number'),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );
}
