/**
 * The reference context's bit-plane path (`ReferenceBlock.repeatsByWindow`) against its
 * base-by-base scan (`repeatsByScan`), site for site, on sequences made to hit every rule of
 * docs/decisions/0016-site-features.md: low-entropy alphabets, repeats of every period 1–6
 * planted around the site with lengths around two copies and reaching the 32-base window's
 * ends, N and IUPAC codes, lower case, block and contig ends, REF lengths 1–20. GC (read from
 * the high bit plane's per-word counts) against a direct count of the same window.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReferenceBlock, type MutableReferenceContext } from '../../../src/core/diff/features/referenceContext';
import { seededRandom } from '../../helpers/seededRandom';

const ALPHABETS = ['ACGT', 'AC', 'AT', 'GC', 'ACG', 'A', 'ACGTN', 'acgtACGT', 'ACGTRYN'];

/** A sequence over a random alphabet with repeats of periods 1–6 planted every few bases. */
function plantedSequence(rand: () => number, n: number): string {
  const alphabet = ALPHABETS[Math.floor(rand() * ALPHABETS.length)]!;
  const out: string[] = [];
  for (let k = 0; k < n; k++) out.push(alphabet[Math.floor(rand() * alphabet.length)]!);
  for (let at = Math.floor(rand() * 20); at < n; at += 8 + Math.floor(rand() * 40)) {
    const L = 1 + Math.floor(rand() * 6);
    // Around two whole copies mostly (the L ≥ 2 threshold), sometimes past the window's 32 bases.
    const len = rand() < 0.8 ? 2 * L - 2 + Math.floor(rand() * 6) : 20 + Math.floor(rand() * 40);
    const unit = Array.from({ length: L }, () => 'ACGT'[Math.floor(rand() * (rand() < 0.3 ? 2 : 4))]!);
    for (let t = 0; t < len && at + t < n; t++) out[at + t] = unit[t % L]!;
  }
  if (rand() < 0.3) for (let t = 0; t < 3; t++) out[Math.floor(rand() * n)] = rand() < 0.5 ? 'N' : 'a';
  return out.join('');
}

function gcByCount(seq: string, start: number, contigLength: number, i: number, refLen: number): number | undefined {
  let gc = 0;
  let acgt = 0;
  const lo = Math.max(start, i - 50);
  const hi = Math.min(start + seq.length, contigLength, i + refLen + 50);
  for (let p = lo; p < hi; p++) {
    const b = seq[p - start]!.toUpperCase();
    if ('ACGT'.includes(b)) acgt++;
    if (b === 'G' || b === 'C') gc++;
  }
  return acgt === 0 ? undefined : gc / acgt;
}

const fresh = (): MutableReferenceContext => ({ homopolymer: -1, repeatUnit: -1, repeatCopies: -1, gc: -1 });

test('the bit-plane path = the base-by-base scan on every site it takes, and GC = a direct count', () => {
  const rand = seededRandom(16);
  const block = new ReferenceBlock('c', 0, 'A', 1);
  const byWindow = fresh();
  const byScan = fresh();
  let sites = 0;
  let viaWindow = 0;
  let withRepeat = 0;
  for (let round = 0; round < 1500; round++) {
    // Short blocks (40–400 bases) so that block ends are near many sites; reloaded into the same arrays.
    const n = 40 + Math.floor(rand() * 360);
    const seq = plantedSequence(rand, n);
    const start = rand() < 0.5 ? 0 : Math.floor(rand() * 1000);
    const contigLength = start + n + (rand() < 0.5 ? 0 : Math.floor(rand() * 100));
    block.load('c', start, seq, contigLength);
    for (let i = start; i < start + n; i++) {
      for (const refLen of [1, 1 + Math.floor(rand() * 20)]) {
        sites++;
        block.repeatsByScan(i, refLen, byScan);
        Object.assign(byWindow, fresh());
        if (block.repeatsByWindow(i, refLen, byWindow)) {
          viaWindow++;
          if (byScan.repeatUnit > 0) withRepeat++;
          const where = `${seq} from ${start}, site ${i}, REF ${refLen}`;
          assert.equal(byWindow.homopolymer, byScan.homopolymer, `homopolymer: ${where}`);
          assert.equal(byWindow.repeatUnit, byScan.repeatUnit, `repeat unit: ${where}`);
          assert.equal(byWindow.repeatCopies, byScan.repeatCopies, `repeat copies: ${where}`);
        }
        const got = block.contextAt(i, refLen);
        assert.equal(got.homopolymer, byScan.homopolymer);
        assert.equal(got.repeatUnit, byScan.repeatUnit);
        assert.equal(got.repeatCopies, byScan.repeatCopies);
        assert.equal(got.gc, gcByCount(seq, start, contigLength, i, refLen), `gc: ${seq} from ${start}, site ${i}, REF ${refLen}`);
      }
    }
  }
  // The path must be taken on most sites and on repeats, or the comparison proves little.
  assert.ok(sites > 300_000, `${sites} sites`);
  assert.ok(viaWindow > sites / 4, `${viaWindow} of ${sites} sites through the bit planes`);
  assert.ok(withRepeat > 10_000, `${withRepeat} tandem repeats through the bit planes`);
});

test('the bit-plane path in 1 MiB blocks of random bases (the bench case) = the scan', () => {
  const rand = seededRandom(61);
  const n = 1 << 20;
  const bytes = Buffer.alloc(n);
  for (let k = 0; k < n; k++) bytes[k] = 'ACGT'.charCodeAt(Math.floor(rand() * 4));
  const seq = bytes.toString('latin1');
  const block = new ReferenceBlock('c', 5_000_000, seq, 5_000_000 + n);
  const byWindow = fresh();
  const byScan = fresh();
  let viaWindow = 0;
  let sites = 0;
  for (let i = 5_000_000; i < 5_000_000 + n; i += 1 + Math.floor(rand() * 12)) {
    const refLen = rand() < 0.8 ? 1 : 2 + Math.floor(rand() * 7); // REF ≤ 8: the window's widest
    sites++;
    block.repeatsByScan(i, refLen, byScan);
    if (!block.repeatsByWindow(i, refLen, byWindow)) continue;
    viaWindow++;
    assert.deepEqual([byWindow.homopolymer, byWindow.repeatUnit, byWindow.repeatCopies], [byScan.homopolymer, byScan.repeatUnit, byScan.repeatCopies], `site ${i}, REF ${refLen}`);
  }
  assert.ok(viaWindow > sites * 0.99, `${viaWindow} of ${sites}`);
});

test('a block reloaded with up to three bases more than its arrays were made for (codes rounded to 4 bytes) = a fresh block', () => {
  const rand = seededRandom(5);
  for (let n = 37; n < 45; n++) {
    const block = new ReferenceBlock('c', 0, 'ACGT'.repeat(20).slice(0, n), n);
    for (let more = 0; more <= 4; more++) {
      const seq = Array.from({ length: n + more }, (_, k) => (k >= n - 2 ? 'N' : 'ACGT'[Math.floor(rand() * 4)]!)).join('');
      block.load('c', 0, seq, seq.length);
      const fresh = new ReferenceBlock('c', 0, seq, seq.length);
      for (let i = 0; i < seq.length; i++) assert.deepEqual(block.contextAt(i, 1), fresh.contextAt(i, 1), `n ${n} + ${more}, site ${i}`);
    }
  }
});
