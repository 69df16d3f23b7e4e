/**
 * The few Python/numpy/C numeric behaviours DeepVariant's postprocess depends on, made
 * exact in JavaScript. DeepVariant's QUAL, GQ and VCF text are decided by them at the last
 * digit (docs/deepvariant.md §3.3–3.5), so "close enough" is not enough here.
 */

/** Exact (mantissa, exponent) of a finite double: x = m · 2^e with integer m. */
function decompose(x: number): { m: bigint; e: number } {
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const hi = buf.getUint32(0);
  const lo = buf.getUint32(4);
  const sign = hi >>> 31 ? -1n : 1n;
  const biased = (hi >>> 20) & 0x7ff;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased === 0) return { m: sign * frac, e: -1074 };
  return { m: sign * (frac | (1n << 52n)), e: biased - 1075 };
}

/**
 * True if `x` lies exactly half-way between two multiples of 10^-ndigits, i.e. its exact
 * binary value times 10^ndigits has fractional part exactly 0.5.
 */
function isExactTie(x: number, ndigits: number): boolean {
  const { m, e } = decompose(x);
  if (e >= 0) return false; // an integer: never half-way for ndigits ≥ 0
  // x·10^(n+1) must be an integer whose last decimal digit is 5.
  const num = (m < 0n ? -m : m) * 10n ** BigInt(ndigits + 1);
  const den = 1n << BigInt(-e);
  if (num % den !== 0n) return false;
  return (num / den) % 10n === 5n;
}

/**
 * Python 3's `round(x, ndigits)` for a float: the exact binary value rounded to `ndigits`
 * decimals, ties to even, then read back as the nearest double (CPython float_round uses
 * correctly rounded dtoa/strtod). `Number.prototype.toFixed` is also exact but breaks ties
 * upward, so exact ties are handled separately.
 */
export function pythonRound(x: number, ndigits: number): number {
  if (!Number.isFinite(x) || Math.abs(x) >= 1e21) return x;
  if (!isExactTie(x, ndigits)) return Number(x.toFixed(ndigits));
  // Exact tie: pick the neighbour whose last digit is even.
  const scale = 10n ** BigInt(ndigits);
  const { m, e } = decompose(x);
  const abs = m < 0n ? -m : m;
  const floorScaled = (abs * scale) >> BigInt(-e); // floor(|x|·10^n)
  const chosen = floorScaled % 2n === 0n ? floorScaled : floorScaled + 1n;
  const s = chosen.toString().padStart(ndigits + 1, '0');
  const text = ndigits > 0 ? `${s.slice(0, s.length - ndigits)}.${s.slice(s.length - ndigits)}` : s;
  return (m < 0n ? -1 : 1) * Number(text);
}

/** numpy's `np.around(x)` (decimals=0): round half to even. Exact for doubles. */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const diff = x - f; // exact: both are doubles of the same binade or f is an integer
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * C's printf `%g` (the default precision is 6 significant digits): `%e` style when the
 * decimal exponent is < -4 or ≥ precision, trailing zeros removed. htslib prints VCF
 * floats (QUAL, Float FORMAT fields) this way.
 */
export function formatPercentG(x: number, precision = 6): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const p = Math.max(1, precision);
  // The exponent after rounding to p significant digits decides the style.
  const exp = Number(x.toExponential(p - 1).split('e')[1]);
  if (exp < -4 || exp >= p) {
    const [mant, ex] = x.toExponential(p - 1).split('e') as [string, string];
    const m = mant.includes('.') ? mant.replace(/0+$/, '').replace(/\.$/, '') : mant;
    const n = Number(ex);
    return `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  const fixed = x.toFixed(Math.max(0, p - 1 - exp));
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

/** Python's left-to-right `sum()` of floats (no compensated summation). */
export function pySum(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}
