/**
 * Site features of a diff (docs/decisions/0016-site-features.md) against independent
 * computations: the reference context against a brute-force scan of the sequence and against
 * `samtools faidx` of DeepVariant's test reference; VAF/DP/GQ against `bcftools query`; the
 * Fisher test against exact enumeration with BigInt factorials; the enrichment on a pair of
 * VCFs built so that the disputes sit in homopolymers and at low depth (a known answer).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../../src/cli/main';
import type { DiffSite, SideCall } from '../../../src/core/diff/diffClasses';
import { diffVcfs } from '../../../src/core/diff/vcfDiff';
import { fisherGreater, logOddsRatio } from '../../../src/core/diff/features/enrichment';
import { FEATURES, binIndex, featureValue, siteBinsInto } from '../../../src/core/diff/features/featureBins';
import { binFilterText, matchesTerms, parseFeatureTerms } from '../../../src/core/diff/features/featureFilter';
import { FeatureStage, enrichmentOf, isDisputeMask, type FeatureSummary } from '../../../src/core/diff/features/featureStage';
import { ReferenceBlock } from '../../../src/core/diff/features/referenceContext';
import { featureRow, siteRow, siteTsvLine } from '../../../src/core/report/diffReport';
import { maskOfClasses } from '../../../src/core/diff/diffClasses';
import { openReference } from '../../../src/core/io/fasta/fastaReader';
import { openVcf } from '../../../src/core/io/vcf/vcfReader';
import { seededRandom } from '../../helpers/seededRandom';
import { TEST_CACHE, dv, sharedTest } from '../../helpers/paths';

const DIR = join(TEST_CACHE, 'site-features');

// ---- brute force, written from the definitions (no shared code with referenceContext.ts) ----

function bruteHomopolymer(seq: string, i: number, refLen: number): number {
  let best = 1;
  for (let k = Math.max(0, i - 1); k <= Math.min(seq.length - 1, i + Math.max(1, refLen)); k++) {
    if (!'ACGT'.includes(seq[k]!)) continue;
    let lo = k;
    let hi = k;
    while (lo > 0 && seq[lo - 1] === seq[k]) lo--;
    while (hi + 1 < seq.length && seq[hi + 1] === seq[k]) hi++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

function isPrimitive(unit: string): boolean {
  for (let p = 1; p < unit.length; p++) if (unit.length % p === 0 && unit.slice(0, p).repeat(unit.length / p) === unit) return false;
  return true;
}

/** Every stretch of period 2–6 made of whole or partial copies of a primitive unit, overlapping the window. */
function bruteRepeat(seq: string, i: number, refLen: number): { unit: number; copies: number } {
  const wLo = Math.max(0, i - 1);
  const wHi = Math.min(seq.length - 1, i + Math.max(1, refLen));
  let bestSpan = 0;
  let bestUnit = 0;
  for (let L = 2; L <= 6; L++) {
    // Planted repeats are < 100 bases: stretches reaching the window start within 200 bases of it.
    for (let start = Math.max(0, wLo - 200); start <= wHi && start + L <= seq.length; start++) {
      const unit = seq.slice(start, start + L);
      if (!/^[ACGT]+$/.test(unit) || !isPrimitive(unit)) continue;
      if (start > 0 && seq[start - 1] === seq[start - 1 + L]) continue; // not the stretch's start
      let end = start + L;
      while (end < seq.length && seq[end] === seq[end - L]) end++;
      const span = end - start;
      if (span < 2 * L) continue; // fewer than two whole copies
      if (end - 1 < wLo || start > wHi) continue;
      if (span > bestSpan || (span === bestSpan && L < bestUnit)) { bestSpan = span; bestUnit = L; }
    }
  }
  const copies = bestUnit ? Math.floor(bestSpan / bestUnit) : 0;
  return copies >= 2 ? { unit: bestUnit, copies } : { unit: 0, copies: 0 };
}

function bruteGc(seq: string, i: number, refLen: number): number | undefined {
  const w = seq.slice(Math.max(0, i - 50), Math.min(seq.length, i + refLen + 50));
  const gc = [...w].filter((c) => c === 'G' || c === 'C').length;
  const acgt = [...w].filter((c) => 'ACGT'.includes(c)).length;
  return acgt === 0 ? undefined : gc / acgt;
}

function randomGenome(rand: () => number, n: number): string {
  const out: string[] = [];
  while (out.length < n) {
    const r = rand();
    const base = 'ACGT'[Math.floor(rand() * 4)]!;
    if (r < 0.02) out.push(...base.repeat(3 + Math.floor(rand() * 10)));
    else if (r < 0.04) { const unit = Array.from({ length: 2 + Math.floor(rand() * 5) }, () => 'ACGT'[Math.floor(rand() * 4)]).join(''); out.push(...unit.repeat(2 + Math.floor(rand() * 6))); }
    else if (r < 0.045) out.push(...'N'.repeat(1 + Math.floor(rand() * 5)));
    else out.push(base);
  }
  return out.slice(0, n).join('');
}

test('reference context = a brute-force scan (homopolymer, tandem repeat, GC) on a genome with planted runs', () => {
  const rand = seededRandom(16);
  const seq = randomGenome(rand, 6000);
  const block = new ReferenceBlock('c', 0, seq, seq.length);
  let repeats = 0;
  let runs6 = 0;
  for (let k = 0; k < 3000; k++) {
    const i = Math.floor(rand() * seq.length);
    const refLen = 1 + Math.floor(rand() * 4);
    const got = block.contextAt(i, refLen);
    const where = `at ${i} (${seq.slice(Math.max(0, i - 8), i)}[${seq.slice(i, i + refLen)}]${seq.slice(i + refLen, i + refLen + 8)})`;
    assert.equal(got.homopolymer, bruteHomopolymer(seq, i, refLen), `homopolymer ${where}`);
    const r = bruteRepeat(seq, i, refLen);
    assert.deepEqual([got.repeatUnit, got.repeatCopies], [r.unit, r.copies], `tandem repeat ${where}`);
    const gc = bruteGc(seq, i, refLen);
    if (gc === undefined) assert.equal(got.gc, undefined);
    else assert.ok(Math.abs(got.gc! - gc) < 1e-12, `gc ${where}`);
    if (r.unit > 0) repeats++;
    if (got.homopolymer >= 6) runs6++;
  }
  assert.ok(repeats > 100 && runs6 > 100, `the sample hits planted repeats (${repeats}) and runs (${runs6})`);
});

test('reference context of sites in genome order (the GC window slides), soft-masked stretches too, = a brute-force scan', () => {
  const rand = seededRandom(31);
  const upper = randomGenome(rand, 20000);
  // Lower-case stretches (soft-masked repeats) that cut through runs and repeats.
  let seq = '';
  for (let k = 0; k < upper.length; k += 700) seq += k % 1400 === 0 ? upper.slice(k, k + 700).toLowerCase() : upper.slice(k, k + 700);
  const block = new ReferenceBlock('c', 0, seq, seq.length);
  let i = 0;
  let n = 0;
  while (i < seq.length) {
    const refLen = rand() < 0.8 ? 1 : 2 + Math.floor(rand() * 60);
    const got = block.contextAt(i, refLen);
    const where = `at ${i}, REF length ${refLen}`;
    assert.equal(got.homopolymer, bruteHomopolymer(upper, i, refLen), `homopolymer ${where}`);
    const r = bruteRepeat(upper, i, refLen);
    assert.deepEqual([got.repeatUnit, got.repeatCopies], [r.unit, r.copies], `tandem repeat ${where}`);
    const gc = bruteGc(upper, i, refLen);
    if (gc === undefined) assert.equal(got.gc, undefined);
    else assert.ok(Math.abs(got.gc! - gc) < 1e-12, `gc ${where}`);
    // Mostly close (overlapping GC windows), sometimes a jump or several alleles at one POS.
    i += rand() < 0.1 ? 0 : rand() < 0.9 ? 1 + Math.floor(rand() * 40) : 200 + Math.floor(rand() * 400);
    n++;
  }
  assert.ok(n > 300, `${n} sites`);
});

test('a block that starts inside the contig gives the same context as the whole contig', () => {
  const seq = randomGenome(seededRandom(7), 9000);
  const whole = new ReferenceBlock('c', 0, seq, seq.length);
  const part = new ReferenceBlock('c', 2000, seq.slice(2000, 8000), seq.length);
  for (let i = 3100; i < 4900; i += 7) {
    assert.ok(part.covers(i, 2));
    assert.deepEqual(part.contextAt(i, 2), whole.contextAt(i, 2), `at ${i}`);
  }
  assert.equal(part.covers(2100, 1), false, 'a site near the block start is not covered');
});

test('a block loaded again with another stretch (reused arrays) gives the context of a fresh block', () => {
  const seq = randomGenome(seededRandom(11), 12000);
  const reused = new ReferenceBlock('c', 0, seq.slice(0, 9000), seq.length);
  reused.load('c', 5000, seq.slice(5000, 9000), seq.length); // shorter: the arrays are reused
  const fresh = new ReferenceBlock('c', 5000, seq.slice(5000, 9000), seq.length);
  for (let i = 6100; i < 7900; i += 5) assert.deepEqual(reused.contextAt(i, 3), fresh.contextAt(i, 3), `at ${i}`);
  reused.load('d', 1000, seq.slice(1000, 12000), seq.length); // longer: new arrays
  const whole = new ReferenceBlock('d', 0, seq, seq.length);
  assert.equal(reused.contig, 'd');
  for (let i = 2100; i < 10900; i += 13) assert.deepEqual(reused.contextAt(i, 1), whole.contextAt(i, 1), `at ${i}`);
});

test('GC of blocks with and without N (reloaded into the same arrays in turn) = a direct count', () => {
  const rand = seededRandom(23);
  const withN = randomGenome(rand, 8000);
  assert.ok(withN.includes('N'));
  const pure = withN.replace(/N/g, 'C');
  const lower = pure.slice(0, 3000).toLowerCase() + pure.slice(3000);
  const block = new ReferenceBlock('c', 0, withN, withN.length);
  for (const seq of [pure, withN, lower, pure]) {
    block.load('c', 0, seq, seq.length);
    for (let k = 0; k < 400; k++) {
      const i = Math.floor(rand() * seq.length);
      // REF lengths from 1 to 3,000 bases (GC windows of 101 to 3,100 bases).
      const refLen = k % 4 === 0 ? 1 : [1, 2, 50, 154, 155, 156, 157, 200, 400, 3000][k % 10]!;
      const gc = bruteGc(seq.toUpperCase(), i, refLen);
      const got = block.contextAt(i, refLen).gc;
      if (gc === undefined) assert.equal(got, undefined);
      else assert.ok(Math.abs(got! - gc) < 1e-12, `gc at ${i} (REF ${refLen}): ${got} vs ${gc}`);
    }
  }
});

test("siteBinsInto (the stage's tables) = binIndex(featureValue) for every feature, edge values included", () => {
  const rand = seededRandom(23);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  // Values next to the bounds as well (0.1 · 3 = 0.30000000000000004, 0.7999999999999999, …):
  // the bins of doubles go through a grid whose cells a rounding can miss by one.
  const nums = [undefined, 0, -0, 0.1, 0.0999999, 0.3, 0.6, 0.8, 1, 2, 5, 6, 9, 10, 10.5, 14, 15, 19.99, 20, 30, 49.9, 50, 51, 200, 201, 1023, 1024, 1e6, -1, -3.5, NaN, Infinity,
    0.1 * 3, 0.3 - 1e-16, 0.29999999999999993, 0.7999999999999999, 0.8000000000000002, 0.5999999999999999, 0.6000000000000001, 0.39999999999999997, 0.4000000000000001,
    9.999999999999998, 10.000000000000002, 49.99999999999999, 50.00000000000001, 29.999999999999996, 1 / 3, 2 / 3, 0.95, 1.0000000000000002, 6.4, 640.5, -1e-300, 5e-324, 1e300, -Infinity];
  const call = (): SideCall | undefined => (rand() < 0.15 ? undefined : {
    gt: '0/1', recordGt: '0/1', called: true, qual: pick(nums), filter: pick(['PASS', '.', '', 'RefCall', 'LowQual', 'RefCall;LowQual', 'RefCall;RefCall']), gq: pick(nums),
    recordPos: 1, lineNumber: 1, dp: pick(nums), vaf: pick(nums), mid: pick([undefined, '', 'small_model', 'CNN']),
  });
  const bins = new Int32Array(FEATURES.length);
  for (let k = 0; k < 20000; k++) {
    const refLen = 1 + Math.floor(rand() * 30);
    const altLen = pick([1, refLen, 1 + Math.floor(rand() * 700), 600]);
    const site: DiffSite = {
      contig: 'chr1', pos: 100, ref: 'A'.repeat(refLen), alt: 'C'.repeat(altLen), kind: pick(['SNP', 'INDEL', 'MNP'] as const),
      a: call(), b: call(), classes: ['same'],
      features: rand() < 0.1 ? undefined : { homopolymer: pick(nums), repeatUnit: pick(nums), repeatCopies: pick(nums), gc: pick(nums), neighborDistance: pick(nums), heldOut: rand() < 0.5 },
    };
    siteBinsInto(site, bins);
    FEATURES.forEach((def, f) => assert.equal(bins[f], binIndex(def, featureValue(site, def.name)), `${def.name} of ${JSON.stringify(site)}`));
  }
});

test('DP and AD of every written form: the diff reads what a split of the sample column says', async () => {
  // DP and AD in their common form (digits) are read as the sample column is walked; every
  // other form ('.', empty, a fraction, a sign, ten digits, empty AD values) the general way.
  // Both orders of the fields, and each as the column's last field.
  const dps = ['30', '.', '', '7', '1234567890', '12.5', '-3', '0', '999999999'];
  const ads = ['15,15', '.', '', '0,0', '3,,4', '7', '1,2,3', '-1,3', '2.5,3', '.,5', '20,0', '123456,654321'];
  const formats = ['GT:GQ:DP:AD', 'GT:GQ:AD:DP', 'GT:DP:GQ:AD', 'GT:AD:GQ'];
  const rows: string[] = [];
  const want = new Map<number, { dp: number | undefined; vaf: number | undefined }>();
  let pos = 100;
  for (const fmt of formats) {
    for (const dp of dps) {
      for (const ad of ads) {
        const keys = fmt.split(':');
        const vals = keys.map((k) => (k === 'GT' ? '0/1' : k === 'GQ' ? '40' : k === 'DP' ? dp : ad));
        rows.push(['chr1', pos, '.', 'A', 'G', '50', 'PASS', '.', fmt, vals.join(':')].join('\t'));
        // Independently: DP a finite number, else unknown; AD values digits, '.' or empty (0), else no AD.
        const dpv = !keys.includes('DP') || dp === '' || dp === '.' || !Number.isFinite(Number(dp)) ? undefined : Number(dp);
        const parts = ad === '' || ad === '.' ? undefined : ad.split(',');
        const adv = parts && parts.every((x) => /^(\d*|\.)$/.test(x)) ? parts.map((x) => (/^\d+$/.test(x) ? Number(x) : 0)) : undefined;
        const sum = adv?.reduce((x, y) => x + y, 0);
        want.set(pos, { dp: dpv ?? (adv && adv.length > 0 ? sum : undefined), vaf: adv && adv.length > 1 && sum! > 0 ? adv[1]! / sum! : undefined });
        pos += 10;
      }
    }
  }
  mkdirSync(DIR, { recursive: true });
  const path = join(DIR, 'dp-ad-forms.vcf');
  writeFileSync(path, [...HEADER(pos + 100), ...rows].join('\n') + '\n');
  const a = await openVcf(path);
  const b = await openVcf(path);
  const sites: DiffSite[] = [];
  try {
    await diffVcfs(a, b, { sampleFields: true, includeSame: true, onSite: (x) => sites.push(x) });
  } finally {
    await a.close(); await b.close();
  }
  assert.equal(sites.length, want.size);
  for (const x of sites) {
    const w = want.get(x.pos)!;
    const line = rows[(x.pos - 100) / 10];
    assert.equal(x.a!.dp, w.dp, `dp of ${line}`);
    assert.equal(x.a!.vaf, w.vaf, `vaf of ${line}`);
    // Side B reads them only when asked (here: every site, includeSame): the same values.
    assert.equal(x.b!.dp, w.dp, `B's dp of ${line}`);
    assert.equal(x.b!.vaf, w.vaf, `B's vaf of ${line}`);
  }
});

test("B's DP and AD, read only where an output needs them, give the features and sites of reading them all", async () => {
  // A without DP/AD on some records (the per-call features then take B's), B with other
  // values; agreed sites, GT changes, only-A, only-B and multi-allelic records.
  const rand = seededRandom(37);
  const rowsA: string[] = [];
  const rowsB: string[] = [];
  const sample = (gt: string, fmt: string): string => fmt.split(':').map((k) => (k === 'GT' ? gt : k === 'GQ' ? String(Math.floor(rand() * 60)) : k === 'DP' ? String(Math.floor(rand() * 60)) : `${Math.floor(rand() * 30)},${Math.floor(rand() * 30)}`)).join(':');
  const formats = ['GT:GQ:DP:AD', 'GT:GQ', 'GT:GQ:AD', 'GT:AD:GQ:DP', 'GT:DP'];
  let pos = 100;
  for (let k = 0; k < 3000; k++, pos += 10) {
    const u = rand();
    const fa = formats[Math.floor(rand() * formats.length)]!;
    const fb = formats[Math.floor(rand() * formats.length)]!;
    const multi = rand() < 0.05;
    const alt = multi ? 'G,T' : 'G';
    const gt = multi ? '1/2' : rand() < 0.5 ? '0/1' : '1/1';
    const row = (fmt: string, g: string): string => ['chr1', pos, '.', 'A', alt, '50', 'PASS', '.', fmt, sample(g, fmt)].join('\t').replace(/:(\d+),(\d+)$|:(\d+),(\d+):/, (m) => (multi ? m.replace(',', ',3,') : m));
    if (u < 0.05) { rowsA.push(row(fa, gt)); continue; }
    if (u < 0.1) { rowsB.push(row(fb, gt)); continue; }
    rowsA.push(row(fa, gt));
    rowsB.push(row(fb, u < 0.2 ? (gt === '1/1' ? '0/1' : '1/1') : gt));
  }
  mkdirSync(DIR, { recursive: true });
  const pa = join(DIR, 'deferred-a.vcf');
  const pb = join(DIR, 'deferred-b.vcf');
  writeFileSync(pa, [...HEADER(pos + 100), ...rowsA].join('\n') + '\n');
  writeFileSync(pb, [...HEADER(pos + 100), ...rowsB].join('\n') + '\n');
  const run = async (includeSame: boolean): Promise<{ features: FeatureSummary; sites: DiffSite[] }> => {
    const a = await openVcf(pa);
    const b = await openVcf(pb);
    const sites: DiffSite[] = [];
    let stage: FeatureStage | undefined;
    try {
      await diffVcfs(a, b, { sampleFields: true, includeSame, onSite: (x) => sites.push(x), haplotypes: (emit) => (stage = new FeatureStage(emit)) });
    } finally {
      await a.close(); await b.close();
    }
    return { features: stage!.summary(), sites: sites.filter((x) => x.classes.join() !== 'same') };
  };
  const lazy = await run(false);
  const all = await run(true);
  assert.deepEqual(lazy.features, all.features);
  assert.deepEqual(lazy.sites, all.sites);
  assert.ok(lazy.sites.length > 300 && lazy.sites.some((x) => x.b?.dp !== undefined && x.b.vaf !== undefined), 'differing sites carry B\'s values');
});

test('siteTsvLine (the TSV writer) = the siteRow and featureRow cells joined, with or without features', () => {
  const rand = seededRandom(29);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const nums = [undefined, 0, -0, 0.1, 0.05, 0.00005, 0.99995, 0.123456, 1 / 3, 2 / 3, 1, 7, 37.3, 37.25, 1e-7, 9999.9, 10000, 12345.6, 1e21, -1, -0.4, -3.5, NaN, Infinity, -Infinity];
  const quals = [...nums, 0.3, 10.1, 60.9, 99.9, 0.1 + 0.2];
  const call = (): SideCall | undefined => (rand() < 0.2 ? undefined : {
    gt: '0/1', recordGt: pick(['0/1', '', '1|1', './.']), called: true, qual: pick(quals), filter: pick(['PASS', '.', '', 'RefCall', 'LowQual;RefCall']), gq: pick(nums),
    recordPos: 1, lineNumber: 1, dp: pick(nums), vaf: pick(nums), mid: pick([undefined, '', 'small_model', 'CNN']),
  });
  for (let k = 0; k < 20000; k++) {
    const site: DiffSite = {
      contig: pick(['chr1', '20', '']), pos: 1 + Math.floor(rand() * 1e6), ref: pick(['A', 'ACGT', '']), alt: pick(['C', 'A', 'ACCCC', '']), kind: pick(['SNP', 'INDEL', 'MNP'] as const),
      a: call(), b: call(), classes: pick([['same'], ['gt-change', 'filter-change'], []]),
      features: rand() < 0.2 ? undefined : { homopolymer: pick(nums), repeatUnit: pick(nums), repeatCopies: pick(nums), gc: pick(nums), neighborDistance: pick(nums), heldOut: rand() < 0.5 },
    };
    const joined = (cells: readonly (string | number | null)[]): string => cells.map((v) => (v === null || v === '' ? '.' : String(v))).join('\t');
    assert.equal(siteTsvLine(site, false), joined(siteRow(site)), JSON.stringify(site));
    assert.equal(siteTsvLine(site, true), joined([...siteRow(site), ...featureRow(site)]), JSON.stringify(site));
  }
});

test("Fisher's exact test (one-sided) = enumeration with exact factorials; log odds with +0.5", () => {
  const fact = (n: number): bigint => { let f = 1n; for (let k = 2n; k <= BigInt(n); k++) f *= k; return f; };
  const exact = (a: number, b: number, c: number, d: number): number => {
    const r1 = a + b; const c1 = a + c; const n = a + b + c + d;
    const den = fact(n);
    let num = 0n;
    for (let x = a; x <= Math.min(r1, c1); x++) {
      num += (fact(r1) * fact(n - r1) * fact(c1) * fact(n - c1) * 10n ** 30n) / (fact(x) * fact(r1 - x) * fact(c1 - x) * fact(n - r1 - c1 + x));
    }
    return Number((num * 10n ** 6n) / den) / 1e36;
  };
  const rand = seededRandom(3);
  for (let k = 0; k < 200; k++) {
    const t = [0, 0, 0, 0].map(() => Math.floor(rand() * (k < 100 ? 12 : 120)));
    const [a, b, c, d] = t as [number, number, number, number];
    if (a + b + c + d === 0) continue;
    const want = exact(a, b, c, d);
    const got = fisherGreater(a, b, c, d);
    assert.ok(Math.abs(got - want) <= 1e-9 + 1e-7 * want, `[[${a},${b}],[${c},${d}]]: ${got} vs ${want}`);
  }
  // R: fisher.test(matrix(c(3,1,1,3),2), alternative="greater")$p.value = 0.2428571
  assert.ok(Math.abs(fisherGreater(3, 1, 1, 3) - 0.2428571) < 1e-6);
  assert.ok(Math.abs(logOddsRatio(3, 1, 1, 3) - Math.log((3.5 * 3.5) / (1.5 * 1.5))) < 1e-12);
  // Whole-genome sizes stay finite and fast.
  const t0 = Date.now();
  const p = fisherGreater(4000, 96000, 30000, 4870000);
  assert.ok(p >= 0 && p < 1e-300 + 1e-200 && Date.now() - t0 < 200, `p=${p}`);
  assert.ok(fisherGreater(10, 5_000_000, 900, 100) > 0.999);
});

// ---- a diff with a known answer ----

const HEADER = (contigLen: number): string[] => [
  '##fileformat=VCFv4.2',
  '##FILTER=<ID=PASS,Description="All filters passed">',
  '##FILTER=<ID=RefCall,Description="ref">',
  '##FORMAT=<ID=MID,Number=1,Type=String,Description="Identifies which model called this variant.">',
  '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
  '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="GQ">',
  '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="DP">',
  '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="AD">',
  `##contig=<ID=chr1,length=${contigLen}>`,
  '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1',
];

interface Planted { a: string; b: string; dir: string; ref: string; homopolymerSites: number; lowDepthSites: number }

/**
 * chr1 of 200 kb with runs of 8 bases every ~1 kb. 400 SNPs agreed; B calls 1/1 instead of
 * 0/1 at 15 SNPs placed right next to a run (homopolymer ≥ 6), and misses 12 SNPs whose depth
 * is 6 (dp 0–9). Every other site has depth 30–40.
 */
function planted(): Planted {
  const dir = join(DIR, 'planted');
  mkdirSync(dir, { recursive: true });
  const rand = seededRandom(99);
  const n = 200_000;
  const seqArr: string[] = [];
  const runStarts: number[] = [];
  while (seqArr.length < n) {
    if (seqArr.length % 1000 === 500) { runStarts.push(seqArr.length); seqArr.push(...'A'.repeat(8)); seqArr.push('C'); continue; }
    // no accidental runs ≥ 4 elsewhere: never repeat the previous base
    let b = 'ACGT'[Math.floor(rand() * 4)]!;
    while (b === seqArr[seqArr.length - 1]) b = 'ACGT'[Math.floor(rand() * 4)]!;
    seqArr.push(b);
  }
  const seq = seqArr.slice(0, n).join('');
  const ref = join(dir, 'ref.fa');
  writeFileSync(ref, `>chr1\n${seq.replace(/(.{60})/g, '$1\n')}\n`);
  execFileSync('samtools', ['faidx', ref]);
  const alt = (b: string): string => (b === 'G' ? 'T' : 'G');
  const rowsA: string[] = [];
  const rowsB: string[] = [];
  const line = (pos: number, gt: string, dp: number, mid = '.'): string => {
    const r = seq[pos - 1]!;
    const altReads = gt === '1/1' ? dp : Math.floor(dp / 2);
    return ['chr1', pos, '.', r, alt(r), '40', 'PASS', '.', 'GT:GQ:DP:AD:MID', `${gt}:40:${dp}:${dp - altReads},${altReads}:${mid}`].join('\t');
  };
  let hp = 0;
  let low = 0;
  let pos = 200;
  let k = 0;
  const used = new Set<number>();
  while (pos < n - 300) {
    const dp = 30 + (k % 11);
    if (hp < 15 && k % 7 === 3) {
      // the base right after a run of 8 A's (a C): the homopolymer touches it
      const rs = runStarts.find((s) => s > pos && !used.has(s))!;
      used.add(rs);
      const p = rs + 8 + 1; // 1-based POS of the C after the run
      rowsA.push(line(p, '0/1', dp));
      rowsB.push(line(p, '1/1', dp));
      hp++;
      pos = p + 150;
    } else if (low < 12 && k % 9 === 5) {
      const p = pos;
      rowsA.push(line(p, '0/1', 6));
      low++;
      pos += 150;
    } else {
      const p = pos;
      if (!/A{4}/.test(seq.slice(p - 12, p + 12))) {
        rowsA.push(line(p, '0/1', dp, k % 5 === 0 ? 'small_model' : '.'));
        rowsB.push(line(p, '0/1', dp, k % 5 === 0 ? 'small_model' : '.'));
      }
      pos += 150 + (k % 3) * 40;
    }
    k++;
  }
  const a = join(dir, 'a.vcf');
  const b = join(dir, 'b.vcf');
  writeFileSync(a, [...HEADER(n), ...rowsA].join('\n') + '\n');
  writeFileSync(b, [...HEADER(n), ...rowsB].join('\n') + '\n');
  return { a, b, dir, ref, homopolymerSites: hp, lowDepthSites: low };
}

async function runFeatures(p: Planted, truth?: 'A' | 'B'): Promise<{ summary: FeatureSummary; sites: DiffSite[]; all: { site: DiffSite; mask: number }[]; truthAll?: { tp: number; fp: number; fn: number } }> {
  const a = await openVcf(p.a);
  const b = await openVcf(p.b);
  const reference = await openReference(p.ref);
  let stage: FeatureStage | undefined;
  const all: { site: DiffSite; mask: number }[] = [];
  const sites: DiffSite[] = [];
  try {
    const s = await diffVcfs(a, b, {
      reference, sampleFields: true, includeSame: true, truth,
      haplotypes: (emit) => (stage = new FeatureStage(emit, { reference, truth })),
      onSite: (site) => { all.push({ site, mask: maskOfClasses(site.classes) }); if (!(site.classes.length === 1 && site.classes[0] === 'same')) sites.push(site); },
    });
    const row = s.truth?.rows.find((r) => r.type === 'ALL');
    return { summary: stage!.summary(), sites, all, truthAll: row ? { tp: row.tp, fp: row.fp, fn: row.fn } : undefined };
  } finally {
    await a.close(); await b.close(); await reference.close();
  }
}

test('enrichment finds the planted difficulty: gt-change in homopolymers ≥6, only-A at depth 0–9', async () => {
  const p = planted();
  assert.equal(p.homopolymerSites, 15);
  assert.equal(p.lowDepthSites, 12);
  const { summary } = await runFeatures(p);
  assert.equal(summary.totals['gt-change'], 15);
  assert.equal(summary.totals['only-A'], 12);
  const ranked = enrichmentOf(summary);
  const gt = ranked.find((e) => e.class === 'gt-change')!;
  assert.deepEqual([gt.feature, gt.bin, gt.disputed], ['homopolymer', '≥6', 15], gt.text);
  assert.equal(gt.agreed, 0, 'no agreed site touches a run of 8');
  assert.ok(gt.p < 1e-10 && gt.logOdds > 3, gt.text);
  assert.match(gt.text, /^gt-change: 100 % of sites in homopolymer ≥6 vs 0 % of agreed sites/);
  const onlyA = ranked.find((e) => e.class === 'only-A')!;
  assert.deepEqual([onlyA.feature, onlyA.bin, onlyA.disputed], ['dp', '0–9', 12], onlyA.text);
  // Every entry is enriched, has ≥ 3 disputed sites, and the list is sorted by p.
  for (let k = 0; k < ranked.length; k++) {
    assert.ok(ranked[k]!.disputed >= 3 && ranked[k]!.logOdds > 0);
    if (k > 0) assert.ok(ranked[k - 1]!.p <= ranked[k]!.p);
  }
});

test('every feature: bins sum to the totals; TP/FP/FN per bin sum to the truth totals; a bin\'s filter selects exactly its sites', async () => {
  const p = planted();
  const { summary, all, truthAll } = await runFeatures(p, 'A');
  assert.ok(truthAll);
  for (const def of FEATURES) {
    const bins = summary.bins.filter((x) => x.feature === def.name);
    assert.equal(bins.length, def.bins.length);
    for (const g of summary.groups) assert.equal(bins.reduce((n, x) => n + x.counts[g], 0), summary.totals[g], `${def.name}/${g}`);
    for (const k of ['tp', 'fp', 'fn'] as const) assert.equal(bins.reduce((n, x) => n + x.truth![k], 0), truthAll[k], `${def.name} ${k}`);
    for (const bin of def.bins) {
      const { terms, rest } = parseFeatureTerms(binFilterText(def, bin));
      assert.equal(rest, '');
      const got = all.filter((x) => matchesTerms(x.site, terms));
      const counted = bins.find((x) => x.bin === bin.label)!.counts;
      assert.equal(got.filter((x) => !isDisputeMask(x.mask)).length, counted.agreed, `${def.name} ${bin.label} agreed`);
      assert.equal(got.filter((x) => isDisputeMask(x.mask)).length, counted.dispute, `${def.name} ${bin.label} disputes`);
      for (const x of got) assert.equal(def.bins[binIndex(def, featureValue(x.site, def.name))]!.label, bin.label);
    }
  }
  const mid = summary.bins.find((x) => x.feature === 'mid' && x.bin === 'small_model')!;
  assert.ok(mid.counts.agreed > 20, 'MID=small_model records are counted');
  // The 2-D QUAL histogram holds every site with a record on both sides.
  const both = all.filter((x) => x.site.a && x.site.b).length;
  assert.equal(summary.joint[0]!.counts.flat().reduce((n, c) => n + c, 0), both);
});

test('filter terms: names any case, numbers, categories, unknown values; unknown names and bad values are errors', () => {
  const { terms, rest } = parseFeatureTerms('chr1 VAF<0.3 DP<15 homopolymer>=6 filter=RefCall mid=. 1/1');
  assert.equal(rest, 'chr1 1/1');
  assert.deepEqual(terms.map((t) => [t.feature, t.op, t.value]), [['vaf', '<', 0.3], ['dp', '<', 15], ['homopolymer', '>=', 6], ['filter', '=', 'RefCall'], ['mid', '=', undefined]]);
  assert.throws(() => parseFeatureTerms('depth<3'), /"depth" is not a site feature; features: vaf, dp/);
  assert.throws(() => parseFeatureTerms('dp<abc'), /dp takes a number/);
  assert.throws(() => parseFeatureTerms('filter<3'), /is a category/);
  assert.throws(() => parseFeatureTerms('dp<.'), /only takes = or !=/);
});

test('diff --ref: feature columns in the TSV, features and enrichment (fixed keys) in the summary JSON, plots in the HTML', async () => {
  const p = planted();
  const prefix = join(p.dir, 'cli');
  assert.equal(await main(['diff', p.a, p.b, '--ref', p.ref, '--out', prefix]), 0);
  const tsv = readFileSync(`${prefix}.sites.tsv`, 'utf8').trim().split('\n').map((l) => l.split('\t'));
  const head = tsv[0]!;
  for (const c of ['dp_a', 'dp_b', 'vaf_a', 'vaf_b', 'mid_a', 'mid_b', 'indel_length', 'homopolymer', 'repeat_unit', 'repeat_copies', 'gc', 'neighbor_distance', 'held_out']) assert.ok(head.includes(c), c);
  const col = (r: string[], c: string): string => r[head.indexOf(c)]!;
  const gtChange = tsv.slice(1).filter((r) => col(r, 'classes').includes('gt-change'));
  assert.equal(gtChange.length, 15);
  for (const r of gtChange) assert.ok(Number(col(r, 'homopolymer')) >= 8, col(r, 'homopolymer'));
  const json = JSON.parse(readFileSync(`${prefix}.summary.json`, 'utf8')) as { features: { bins: unknown[] }; enrichment: Record<string, unknown>[] };
  assert.ok(json.features.bins.length > 50);
  const first = json.enrichment[0]!;
  for (const k of ['class', 'feature', 'bin', 'disputed', 'agreed', 'logOdds', 'p']) assert.ok(k in first, `enrichment key ${k}`);
  const html = readFileSync(`${prefix}.html`, 'utf8');
  assert.match(html, /<h2 id="where">Where they disagree<\/h2>/);
  assert.match(html, /data-filter="homopolymer&gt;=6"/);
  // --no-features: the plain TSV and JSON as before
  assert.equal(await main(['diff', p.a, p.b, '--ref', p.ref, '--no-features', '--out', `${prefix}-plain`]), 0);
  assert.ok(!readFileSync(`${prefix}-plain.sites.tsv`, 'utf8').split('\n')[0]!.includes('homopolymer'));
  assert.ok(!('features' in JSON.parse(readFileSync(`${prefix}-plain.summary.json`, 'utf8'))));
});

sharedTest('VAF, DP and GQ = bcftools query; homopolymer and GC = a count on samtools faidx output (DeepVariant chr20 outputs)', async () => {
  const vcf = dv('golden.postprocess_single_site_output.vcf');
  const refPath = dv('ucsc.hg19.chr20.unittest.fasta.gz');
  const q = execFileSync('bcftools', ['query', '-f', '%POS\\t%REF\\t%ALT\\t[%GQ\\t%DP\\t%AD]\\n', vcf], { encoding: 'utf8' }).trim().split('\n').map((l) => l.split('\t'));
  const want = new Map(q.filter((r) => !r[2]!.includes(',')).map((r) => [`${r[0]}:${r[1]}>${r[2]}`, r]));
  const a = await openVcf(vcf);
  const b = await openVcf(dv('test_nist.b37_chr20_100kbp_at_10mb.vcf.gz'));
  const reference = await openReference(refPath);
  const sites: DiffSite[] = [];
  try {
    await diffVcfs(a, b, { reference, sampleFields: true, includeSame: true, haplotypes: (emit) => new FeatureStage(emit, { reference }), onSite: (s) => sites.push(s) });
  } finally {
    await a.close(); await b.close(); await reference.close();
  }
  let checked = 0;
  for (const s of sites) {
    const r = s.a && s.ref.length === 1 && s.alt.length === 1 ? want.get(`${s.a.recordPos}:${s.ref}>${s.alt}`) : undefined;
    if (!r) continue;
    const ad = r[5]!.split(',').map(Number);
    assert.equal(s.a!.gq, Number(r[3]));
    assert.equal(s.a!.dp, Number(r[4]));
    assert.ok(Math.abs(s.a!.vaf! - ad[1]! / ad.reduce((x, y) => x + y, 0)) < 1e-12);
    checked++;
  }
  assert.ok(checked > 40, `${checked} SNPs checked against bcftools query`);
  // Reference context at 30 sites from samtools faidx's own output.
  for (const s of sites.filter((x) => x.kind === 'SNP').slice(0, 30)) {
    const i = s.pos - 1;
    const lo = i - 1100;
    const fa = execFileSync('samtools', ['faidx', refPath, `chr20:${lo + 1}-${i + 1 + 1100}`], { encoding: 'utf8' }).split('\n').slice(1).join('').toUpperCase();
    const j = i - lo;
    assert.equal(s.features!.homopolymer, bruteHomopolymer(fa, j, 1), `homopolymer at ${s.pos}`);
    assert.ok(Math.abs(s.features!.gc! - bruteGc(fa, j, 1)!) < 1e-12, `gc at ${s.pos}`);
    assert.deepEqual([s.features!.repeatUnit, s.features!.repeatCopies], Object.values(bruteRepeat(fa, j, 1)), `repeat at ${s.pos}`);
  }
});
