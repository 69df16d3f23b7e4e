/**
 * `std::shuffle(first, last, std::mt19937_64(seed))` exactly as libstdc++ 12 does it, which
 * DeepVariant 1.6+ uses to downsample pileup rows (docs/deepvariant.md §1.5, test vectors in §1.6).
 *
 * libstdc++'s shuffle (when the generator range ≥ n², always true here) first swaps
 * element 1 with a draw from [0,1] if n is even, then produces two swap positions per
 * draw: x uniform in [0, r·(r+1)) split into x / (r+1) and x % (r+1). Uniform integers come
 * from Lemire's nearly-divisionless method on the 128-bit product of a 64-bit output and
 * the range. 64-bit maths is done with BigInt: shuffles happen only when a site has more
 * than 95 reads, so this is not on the hot path.
 */

const MASK64 = (1n << 64n) - 1n;
const NN = 312;
const MM = 156;
const MATRIX_A = 0xb5026f5aa96619e9n;
const UM = 0xffffffff80000000n;
const LM = 0x7fffffffn;

/** The standard `std::mt19937_64`. */
export class Mt19937_64 {
  private readonly mt = new BigUint64Array(NN);
  private mti = NN;

  constructor(seed: bigint | number) {
    const mt = this.mt;
    mt[0] = BigInt(seed) & MASK64;
    for (let i = 1; i < NN; i++) {
      const prev = mt[i - 1]!;
      mt[i] = (6364136223846793005n * (prev ^ (prev >> 62n)) + BigInt(i)) & MASK64;
    }
  }

  next(): bigint {
    const mt = this.mt;
    if (this.mti >= NN) {
      for (let i = 0; i < NN; i++) {
        const x = (mt[i]! & UM) | (mt[(i + 1) % NN]! & LM);
        let xa = x >> 1n;
        if (x & 1n) xa ^= MATRIX_A;
        mt[i] = mt[(i + MM) % NN]! ^ xa;
      }
      this.mti = 0;
    }
    let x = mt[this.mti++]!;
    x ^= (x >> 29n) & 0x5555555555555555n;
    x ^= (x << 17n) & 0x71d67fffeda60000n;
    x ^= (x << 37n) & 0xfff7eee000000000n;
    x ^= x >> 43n;
    return x & MASK64;
  }
}

/** libstdc++ 12 `uniform_int_distribution<uint64>{0, range-1}` on a 64-bit generator (Lemire). */
function uniformBelow(g: Mt19937_64, range: bigint): bigint {
  let product = g.next() * range;
  let low = product & MASK64;
  if (low < range) {
    const threshold = ((1n << 64n) - range) % range;
    while (low < threshold) {
      product = g.next() * range;
      low = product & MASK64;
    }
  }
  return product >> 64n;
}

/** Shuffles `items` in place as libstdc++ 12 `std::shuffle` with `std::mt19937_64(seed)`. */
export function libstdcxxShuffle<T>(items: T[], seed: bigint | number): T[] {
  const n = items.length;
  if (n < 2) return items;
  const g = new Mt19937_64(seed);
  const swap = (a: number, b: number): void => {
    const t = items[a]!;
    items[a] = items[b]!;
    items[b] = t;
  };
  let i = 1;
  if (n % 2 === 0) {
    swap(i, Number(uniformBelow(g, 2n)));
    i++;
  }
  while (i < n) {
    const r = BigInt(i + 1);
    const x = uniformBelow(g, r * (r + 1n));
    swap(i, Number(x / (r + 1n)));
    i++;
    swap(i, Number(x % (r + 1n)));
    i++;
  }
  return items;
}
