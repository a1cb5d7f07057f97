import { describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
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

// Shared by two threads (the import parsing a file in two, stageParallel.ts): when both add the
// same key at the same moment, one of them must be told it was seen, or a key on a line of each
// part would go unchecked.
describe('SeenBefore shared between threads', () => {
  const moduleUrl = new URL('../src/imports/seenBefore.ts', import.meta.url).href;

  it('shares its bits with another SeenBefore made over its buffer', () => {
    const first = new SeenBefore(1000, { share: true });
    expect(first.buffer).toBeInstanceOf(SharedArrayBuffer);
    const second = new SeenBefore(1000, { shared: first.buffer as SharedArrayBuffer });
    expect(first.add(['only-once'], [0])).toBe(false);
    expect(second.add(['only-once'], [0])).toBe(true);
    expect(() => new SeenBefore(10_000_000, { shared: first.buffer as SharedArrayBuffer })).toThrow(/shared filter of/);
  });

  it('tells exactly one of two threads adding the same keys at once that a key is new', async () => {
    const n = 100_000;
    const filter = new SeenBefore(n, { share: true });
    // Each thread writes 1 where it was told "new"; both start together (a shared flag) and go
    // key by key in step, so that they add each key at nearly the same moment.
    const told = new SharedArrayBuffer(2 * n);
    const go = new Int32Array(new SharedArrayBuffer(4));
    const at = new SharedArrayBuffer(8);
    const source = `
      const { workerData, parentPort } = require('node:worker_threads');
      import(workerData.moduleUrl).then(({ SeenBefore }) => {
        const filter = new SeenBefore(workerData.n, { shared: workerData.bits });
        const told = new Uint8Array(workerData.told, workerData.index * workerData.n, workerData.n);
        const go = new Int32Array(workerData.go);
        parentPort.postMessage('ready');
        Atomics.wait(go, 0, 0);
        // In step: neither adds key i before the other has added key i - 1.
        const at = new Int32Array(workerData.at);
        const other = 1 - workerData.index;
        for (let i = 0; i < workerData.n; i++) {
          // Spin (the moment matters), but let a starved core run the other thread.
          for (let spins = 0, seen; (seen = Atomics.load(at, other)) < i; spins++) if (spins > 10000) Atomics.wait(at, other, seen, 10);
          if (!filter.add(['LMS-' + i, '01-' + (i % 5000)], [0, 1])) told[i] = 1;
          Atomics.store(at, workerData.index, i + 1);
          Atomics.notify(at, workerData.index);
        }
        parentPort.postMessage('done');
      });`;
    const workers = [0, 1].map(
      (index) => new Worker(source, { eval: true, workerData: { moduleUrl, n, bits: filter.buffer, told, go: go.buffer, at, index } }),
    );
    const said = (worker: Worker, what: string) =>
      new Promise<void>((resolve, reject) => {
        worker.on('message', (message) => message === what && resolve());
        worker.on('error', reject);
      });
    await Promise.all(workers.map((worker) => said(worker, 'ready')));
    const done = Promise.all(workers.map((worker) => said(worker, 'done')));
    Atomics.store(go, 0, 1);
    Atomics.notify(go, 0);
    await done;
    await Promise.all(workers.map((worker) => worker.terminate()));
    const first = new Uint8Array(told, 0, n);
    const second = new Uint8Array(told, n, n);
    let both = 0;
    let either = 0;
    for (let i = 0; i < n; i++) {
      if (first[i] && second[i]) both++;
      if (first[i] || second[i]) either++;
    }
    expect(both).toBe(0);
    // Nearly every key was new to one of them (a few were false positives for both).
    expect(either).toBeGreaterThan(n * 0.9);
  });
});
