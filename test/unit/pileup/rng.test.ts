// RNG test vectors from docs/deepvariant.md §1.6 (checked there against numpy and g++ 12.2 output).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NumpyRandomState, reservoirSample } from '../../../src/core/pileup/numpyRandomState';
import { Mt19937_64, libstdcxxShuffle } from '../../../src/core/pileup/libstdcxxShuffle';

const iota = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

test('numpy RandomState(2101079370).shuffle of 96 and 100 (docs/deepvariant.md §1.6)', () => {
  assert.deepEqual(new NumpyRandomState(2101079370).shuffle(iota(96)).slice(0, 8), [83, 91, 69, 72, 87, 0, 43, 81]);
  assert.deepEqual(new NumpyRandomState(2101079370).shuffle(iota(100)).slice(0, 12), [96, 7, 15, 64, 78, 71, 48, 0, 68, 32, 87, 63]);
});

test('numpy RandomState(609314161).randint(0, i+1) for i = 1500…1509 (docs/deepvariant.md §1.6)', () => {
  const rng = new NumpyRandomState(609314161);
  const got = iota(10).map((k) => rng.randint(0, 1500 + k + 1));
  assert.deepEqual(got, [661, 933, 1258, 618, 376, 883, 1420, 96, 1106, 562]);
});

test('reservoir sample draws the randint stream from item k on (Algorithm R)', () => {
  // With k = 1500 and 1510 items, items 1500..1509 replace sample[j] at the docs/deepvariant.md §1.6 j's when j < 1500.
  const items = iota(1510);
  const sample = reservoirSample(items, 1500, 609314161);
  assert.equal(sample.length, 1500);
  const js = [661, 933, 1258, 618, 376, 883, 1420, 96, 1106, 562];
  const expected = iota(1500);
  js.forEach((j, k) => { expected[j] = 1500 + k; });
  assert.deepEqual(sample, expected);
  assert.deepEqual(reservoirSample(iota(5), 1500, 609314161), iota(5));
});

test('std::mt19937_64(2101079370) first two outputs (docs/deepvariant.md §1.6)', () => {
  // docs/deepvariant.md §1.6 lists these two values in the opposite order; g++ 12.2
  // (`std::mt19937_64 g(2101079370); g(); g();`) prints 9338829047176430381 first.
  const g = new Mt19937_64(2101079370);
  assert.equal(g.next(), 9338829047176430381n);
  assert.equal(g.next(), 1774115577400498796n);
});

test('libstdc++ 12 std::shuffle of 96 and 97 with mt19937_64(2101079370) (docs/deepvariant.md §1.6)', () => {
  assert.deepEqual(libstdcxxShuffle(iota(96), 2101079370).slice(0, 10), [32, 69, 31, 60, 53, 68, 49, 39, 76, 54]);
  assert.deepEqual(libstdcxxShuffle(iota(97), 2101079370).slice(0, 10), [33, 7, 12, 61, 80, 96, 18, 70, 77, 86]);
});

test('shuffles are permutations', () => {
  for (const n of [2, 3, 96, 97, 250]) {
    assert.deepEqual([...libstdcxxShuffle(iota(n), 7)].sort((a, b) => a - b), iota(n));
    assert.deepEqual([...new NumpyRandomState(7).shuffle(iota(n))].sort((a, b) => a - b), iota(n));
  }
});
