/**
 * numpy's legacy `np.random.RandomState(seed)` — only the parts DeepVariant 1.5 uses:
 * `shuffle(list)` for pileup downsampling (seed 2101079370, docs/deepvariant.md §1.5) and
 * `randint(0, i + 1)` for the per-partition reservoir sample (seed 609314161, docs/deepvariant.md §1.3).
 *
 * The generator is MT19937 seeded with `init_genrand(seed)`. Both draws use numpy's
 * "masked rejection": take a 32-bit output, mask it to the next power of two minus one,
 * reject values above the bound. Test vectors: docs/deepvariant.md §1.6.
 */

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

export class NumpyRandomState {
  private readonly mt = new Uint32Array(N);
  private mti = N + 1;

  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`seed must be a 32-bit unsigned integer, got ${seed}`);
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      // 1812433253 * prev + i (mod 2^32), split to stay exact in 32-bit maths.
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.mti = N;
  }

  /** Next raw 32-bit output (genrand_int32). */
  nextUint32(): number {
    const mt = this.mt;
    if (this.mti >= N) {
      let kk = 0;
      for (; kk < N - M; kk++) {
        const y = (mt[kk]! & UPPER_MASK) | (mt[kk + 1]! & LOWER_MASK);
        mt[kk] = mt[kk + M]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      }
      for (; kk < N - 1; kk++) {
        const y = (mt[kk]! & UPPER_MASK) | (mt[kk + 1]! & LOWER_MASK);
        mt[kk] = mt[kk + (M - N)]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      }
      const y = (mt[N - 1]! & UPPER_MASK) | (mt[0]! & LOWER_MASK);
      mt[N - 1] = mt[M - 1]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      this.mti = 0;
    }
    let y = mt[this.mti++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** Uniform integer in [0, max] by masked rejection (numpy `random_interval`); max < 2^32. */
  interval(max: number): number {
    if (max === 0) return 0;
    let mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    mask >>>= 0;
    let v: number;
    do v = (this.nextUint32() & mask) >>> 0;
    while (v > max);
    return v;
  }

  /** `randint(low, high)`: uniform in [low, high), same masked rejection as numpy's legacy path. */
  randint(low: number, high: number): number {
    if (high <= low) throw new RangeError(`randint: high (${high}) must be > low (${low})`);
    return low + this.interval(high - 1 - low);
  }

  /** In-place `shuffle` of an array, as numpy's legacy RandomState.shuffle (i = n-1 … 1). */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.interval(i);
      const t = items[i]!;
      items[i] = items[j]!;
      items[j] = t;
    }
    return items;
  }
}

/**
 * nucleus `utils.reservoir_sample` (Algorithm R) with a fresh RandomState per call:
 * keep the first k; for item i ≥ k draw j = randint(0, i+1) and replace sample[j] if j < k.
 * DeepVariant applies it per 1000-bp partition with max_reads_per_partition = 1500 and
 * seed 609314161 (docs/deepvariant.md §1.3 item 2). Returns the input itself when it already fits.
 */
export function reservoirSample<T>(items: readonly T[], k: number, seed: number): T[] {
  if (items.length <= k) return items.slice();
  const rng = new NumpyRandomState(seed);
  const sample = items.slice(0, k);
  for (let i = k; i < items.length; i++) {
    const j = rng.randint(0, i + 1);
    if (j < k) sample[j] = items[i]!;
  }
  return sample;
}
