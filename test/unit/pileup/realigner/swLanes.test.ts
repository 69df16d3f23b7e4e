// The realigner's faster paths against the plain ones they replace, on random windows:
// Smith-Waterman of eight reads at once in vector lanes (swLanes.ts) against the scalar
// whole-matrix pass, and the fast pass found read by read (fastPassPlacements) against the
// walk over the haplotype's k-mers that DeepVariant's fast_pass_aligner.cc does.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DV_ALIGNER_OPTIONS, HapKmerTable, KmerIds, ReadKmerKeys, fastPassPlacements } from '../../../../src/core/pileup/realigner/fastPassAligner';
import { DV_SW_SCORING, PrefixCache, type SwForward, encodeBases, finishAlignment, smithWaterman, smithWatermanForward } from '../../../../src/core/pileup/realigner/smithWaterman';
import { LANE_COUNT, laneAligner } from '../../../../src/core/pileup/realigner/swLanes';

function rng(seed: number): () => number {
  let s = seed;
  return () => { s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff; return s / 0x7fffffff; };
}

function randomBases(rnd: () => number, n: number, pN = 0): string {
  let s = '';
  for (let i = 0; i < n; i++) s += rnd() < pN ? 'N' : 'ACGT'[Math.floor(rnd() * 4)];
  return s;
}

function mutate(rnd: () => number, s: string, edits: number): string {
  const a = s.split('');
  for (let x = 0; x < edits; x++) {
    const p = Math.floor(rnd() * a.length);
    const t = rnd();
    const len = 1 + Math.floor(rnd() * 4);
    if (t < 0.5) a[p] = 'ACGT'[Math.floor(rnd() * 4)]!;
    else if (t < 0.75) a.splice(p, len);
    else a.splice(p, 0, ...randomBases(rnd, len));
  }
  return a.join('');
}

test('vector lanes: score, end cell and finished alignment equal the scalar pass for every read and haplotype', () => {
  const lanes = laneAligner();
  assert.ok(lanes, 'WebAssembly with 128-bit vectors is available in Node 20');
  const rnd = rng(7);
  let compared = 0;
  for (let trial = 0; trial < 120; trial++) {
    const base = randomBases(rnd, 150 + Math.floor(rnd() * 400), 0.01);
    const haps = Array.from({ length: 1 + Math.floor(rnd() * 10) }, () => mutate(rnd, base, Math.floor(rnd() * 6))).sort();
    const reads = Array.from({ length: 1 + Math.floor(rnd() * LANE_COUNT) }, () => {
      const len = rnd() < 0.2 ? 20 + Math.floor(rnd() * 130) : 101;
      const at = Math.floor(rnd() * Math.max(1, base.length - len));
      return rnd() < 0.3 ? randomBases(rnd, len, 0.05) : mutate(rnd, base.slice(at, at + len), Math.floor(rnd() * 8));
    });
    const q = reads.map(encodeBases);
    const t = haps.map(encodeBases);
    const got: SwForward[][] = lanes.forward(q, t, DV_SW_SCORING);
    for (let r = 0; r < q.length; r++) {
      const cache = new PrefixCache();
      for (let h = 0; h < t.length; h++) {
        const want = smithWatermanForward(q[r]!, t[h]!, DV_SW_SCORING, undefined, cache);
        const f: SwForward = got[r]![h]!;
        assert.equal(f.max, want.max, `trial ${trial} read ${r} haplotype ${h}: score`);
        if (want.max > 0) {
          assert.deepEqual([f.refCol, f.queryIdx], [want.refCol, want.queryIdx], `trial ${trial} read ${r} haplotype ${h}: end cell`);
          assert.deepEqual(finishAlignment(q[r]!, t[h]!, f, DV_SW_SCORING), smithWaterman(q[r]!, t[h]!, DV_SW_SCORING));
        }
        compared++;
      }
    }
  }
  assert.ok(compared > 500);
});

/** The fast pass as fast_pass_aligner.cc walks it: haplotype k-mers in order, read k-mer occurrences in read then offset order. */
function walk(hap: string, reads: readonly string[], k: number, middleStart: number, middleEnd: number): { score: number[]; position: number[]; total: number } | undefined {
  const index = new Map<string, number[][]>();
  reads.forEach((s, r) => {
    if (s.length <= k) return;
    for (let off = 0; off + k <= s.length; off++) {
      const km = s.slice(off, off + k);
      const l = index.get(km);
      if (l) l.push([r, off]); else index.set(km, [[r, off]]);
    }
  });
  const score = reads.map(() => 0);
  const position = reads.map(() => -1);
  const coverage = new Int32Array(hap.length);
  let total = 0;
  for (let i = 0; i + k <= hap.length; i++) {
    const occ = index.get(hap.slice(i, i + k));
    if (!occ) continue;
    for (const [r, off] of occ) {
      const t = Math.max(0, i - off!);
      const s = reads[r!]!;
      if (t + s.length > hap.length) continue;
      let mm = 0;
      for (let x = 0; x < s.length; x++) if (hap[t + x] !== s[x] && hap[t + x] !== 'N' && s[x] !== 'N') mm++;
      if (mm > DV_ALIGNER_OPTIONS.maxNumMismatches) continue;
      const sc = (s.length - mm) * DV_ALIGNER_OPTIONS.match - mm * DV_ALIGNER_OPTIONS.mismatch;
      for (let x = t; x < t + s.length; x++) coverage[x]!++;
      if (score[r!]! < sc) { total += sc - score[r!]!; score[r!] = sc; position[r!] = t; }
    }
    if (middleStart >= 0 && coverage[i] === 0 && i >= middleStart && i < middleEnd) return undefined;
  }
  return total === 0 ? undefined : { score, position, total };
}

test('fast pass read by read: the placements, scores, total and discarding of the k-mer walk', () => {
  const rnd = rng(11);
  let placed = 0;
  let discarded = 0;
  for (let trial = 0; trial < 400; trial++) {
    const k = rnd() < 0.7 ? 32 : 8 + Math.floor(rnd() * 20);
    // Short tandem repeats make repeated k-mers (several placements per read, clamped at 0, ties).
    const unit = randomBases(rnd, 1 + Math.floor(rnd() * 6));
    const repeat = rnd() < 0.4 ? unit.repeat(Math.floor(30 + rnd() * 60)) : '';
    const left = randomBases(rnd, 40 + Math.floor(rnd() * 80), 0.01);
    const hap = left + repeat + randomBases(rnd, 40 + Math.floor(rnd() * 120), 0.01);
    const reads = Array.from({ length: 1 + Math.floor(rnd() * 30) }, () => {
      const len = rnd() < 0.15 ? 10 + Math.floor(rnd() * 40) : 60 + Math.floor(rnd() * 50);
      const at = Math.floor(rnd() * (hap.length + 20)) - 20;
      const slice = hap.slice(Math.max(0, at), Math.max(0, at) + len);
      return mutate(rnd, rnd() < 0.2 ? slice.replace(/./g, (c) => (rnd() < 0.03 ? 'N' : c)) : slice, rnd() < 0.5 ? 0 : Math.floor(rnd() * 4));
    });
    const middleStart = rnd() < 0.2 ? -1 : Math.floor(rnd() * 40);
    const middleEnd = hap.length - Math.floor(rnd() * 40);
    const want = walk(hap, reads, k, middleStart, middleEnd);
    const readBytes = reads.map((s) => Buffer.from(s, 'latin1'));
    const hapBytes = Buffer.from(hap, 'latin1');
    // Every other trial, the k-mer ids are shared with another haplotype whose table is made after this one's (as in a window).
    const ids = new KmerIds(k);
    const table = new HapKmerTable(hapBytes, k, ids);
    if (trial % 2 === 1) new HapKmerTable(Buffer.from(mutate(rnd, hap, 3), 'latin1'), k, ids);
    const got = fastPassPlacements(hapBytes, table, readBytes, new ReadKmerKeys(readBytes, k), DV_ALIGNER_OPTIONS, middleStart, middleEnd);
    if (!want) { assert.equal(got, undefined, `trial ${trial}: discarded`); discarded++; continue; }
    assert.ok(got, `trial ${trial}: kept`);
    assert.equal(got.total, want.total, `trial ${trial}: total`);
    for (let r = 0; r < reads.length; r++) {
      assert.equal(got.score[r], want.score[r], `trial ${trial} read ${r}: score`);
      if (want.score[r]! > 0) { assert.equal(got.position[r], want.position[r], `trial ${trial} read ${r}: position`); placed++; }
    }
  }
  assert.ok(placed > 1000 && discarded > 10, `${placed} placements, ${discarded} discarded haplotypes`);
});
