/**
 * Where two models disagree: the feature bins over-represented among disputed sites relative
 * to agreed ones (docs/decisions/0016-site-features.md). For a dispute class c and a bin b,
 * the 2×2 table is
 *
 *                 in b     not in b
 *   disputed (c)   d        D − d
 *   agreed         a        A − a
 *
 * logOdds = ln(((d + ½)(A − a + ½)) / ((D − d + ½)(a + ½))) (Haldane–Anscombe pseudo-counts),
 * p = Fisher's exact test, one-sided (enrichment: P(X ≥ d) under the hypergeometric law with
 * these margins). Only bins holding at least `minDisputed` disputed sites are ranked.
 */

export interface EnrichmentEntry {
  readonly class: string;
  readonly feature: string;
  readonly bin: string;
  readonly disputed: number;
  readonly agreed: number;
  readonly disputedTotal: number;
  readonly agreedTotal: number;
  readonly logOdds: number;
  readonly p: number;
  /** (d / D) / (a / A): how many times more frequent the bin is among the disputed sites. */
  readonly fold: number | null;
  /** One sentence: "gt-change: 41 % of sites in homopolymer ≥6 vs 3 % of agreed sites (13×, p = 1e-6)". */
  readonly text: string;
}

/** ln(n!) — exact sums below 256, Stirling's series above (relative error < 1e-14). */
export function logFactorial(n: number): number {
  if (n < LOG_FACT.length) return LOG_FACT[n]!;
  const x = n + 1;
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x ** 3) + 1 / (1260 * x ** 5);
}

const LOG_FACT: number[] = (() => {
  const t = [0];
  for (let k = 1; k < 256; k++) t.push(t[k - 1]! + Math.log(k));
  return t;
})();

/**
 * One-sided Fisher exact p for the table [[a, b], [c, d]]: P(X ≥ a) where X, the top-left
 * cell, is hypergeometric with the table's margins.
 */
export function fisherGreater(a: number, b: number, c: number, d: number): number {
  const r1 = a + b;
  const c1 = a + c;
  const n = a + b + c + d;
  const lo = Math.max(0, r1 + c1 - n);
  const hi = Math.min(r1, c1);
  if (a <= lo) return 1;
  const logNorm = logFactorial(r1) + logFactorial(n - r1) + logFactorial(c1) + logFactorial(n - c1) - logFactorial(n);
  const logP = (x: number): number => logNorm - logFactorial(x) - logFactorial(r1 - x) - logFactorial(c1 - x) - logFactorial(n - r1 - c1 + x);
  const mean = (r1 * c1) / n;
  // Sum from the far tail towards the mode, by the ratio of successive terms (few terms:
  // they fall geometrically away from the mode).
  const tail = (from: number, to: number, step: 1 | -1): number => {
    let term = Math.exp(logP(from));
    let sum = term;
    for (let x = from; x !== to; x += step) {
      term *= step === 1
        ? ((r1 - x) * (c1 - x)) / ((x + 1) * (n - r1 - c1 + x + 1))
        : (x * (n - r1 - c1 + x)) / ((r1 - x + 1) * (c1 - x + 1));
      sum += term;
      if (term < sum * 1e-17) break;
    }
    return sum;
  };
  if (a >= mean) return Math.min(1, tail(a, hi, 1));
  return Math.max(0, Math.min(1, 1 - tail(a - 1, lo, -1)));
}

export function logOddsRatio(d: number, dOut: number, a: number, aOut: number): number {
  return Math.log(((d + 0.5) * (aOut + 0.5)) / ((dOut + 0.5) * (a + 0.5)));
}

/** Counts of one bin: disputed sites of a class, and agreed sites, with the totals. */
export interface BinCounts {
  readonly class: string;
  readonly feature: string;
  /** How sentences name the feature. */
  readonly featureLabel: string;
  readonly bin: string;
  readonly disputed: number;
  readonly agreed: number;
  readonly disputedTotal: number;
  readonly agreedTotal: number;
}

/** The enriched bins (logOdds > 0, at least `minDisputed` disputed sites), by p, then logOdds. */
export function rankEnrichment(bins: readonly BinCounts[], minDisputed = 3): EnrichmentEntry[] {
  const out: EnrichmentEntry[] = [];
  for (const x of bins) {
    if (x.disputed < minDisputed || x.bin === '.') continue;
    const dOut = x.disputedTotal - x.disputed;
    const aOut = x.agreedTotal - x.agreed;
    const logOdds = logOddsRatio(x.disputed, dOut, x.agreed, aOut);
    if (!(logOdds > 0)) continue;
    const p = fisherGreater(x.disputed, dOut, x.agreed, aOut);
    const fd = x.disputed / x.disputedTotal;
    const fa = x.agreedTotal > 0 ? x.agreed / x.agreedTotal : 0;
    const fold = fa > 0 ? fd / fa : null;
    const text = `${x.class}: ${pct(fd)} of sites in ${x.featureLabel} ${x.bin} vs ${pct(fa)} of agreed sites (${fold === null ? 'none agreed' : `${fold >= 10 ? fold.toFixed(0) : fold.toFixed(1)}×`}, p = ${formatP(p)})`;
    out.push({ class: x.class, feature: x.feature, bin: x.bin, disputed: x.disputed, agreed: x.agreed, disputedTotal: x.disputedTotal, agreedTotal: x.agreedTotal, logOdds: round(logOdds, 4), p, fold: fold === null ? null : round(fold, 3), text });
  }
  out.sort((u, v) => u.p - v.p || v.logOdds - u.logOdds);
  return out;
}

function pct(f: number): string {
  const v = f * 100;
  return `${v >= 10 || v === 0 ? v.toFixed(0) : v.toFixed(1)} %`;
}

export function formatP(p: number): string {
  if (p >= 0.001) return p.toPrecision(2);
  if (p === 0) return '< 1e-300';
  return p.toExponential(0);
}

function round(x: number, digits: number): number {
  const k = 10 ** digits;
  return Math.round(x * k) / k;
}
