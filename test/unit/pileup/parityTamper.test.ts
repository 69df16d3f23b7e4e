// `variant-lens parity` can fail: golden examples edited by hand in seven ways are each flagged
// unexplained (and only those), the command exits 1, and reads of another person / another
// region leave nearly every example unexplained. Also the closed list of causes on small
// hand-made images (docs/deepvariant.md §8.3).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runParity } from '../../../src/cli/commands/parity';
import type { CliContext } from '../../../src/cli/framework/command';
import { DV15_EXAMPLE_INFO } from '../../../src/core/io/examples/exampleInfo';
import { readExamples } from '../../../src/core/io/examples/examplesFile';
import type { PileupTensor } from '../../../src/core/io/examples/pileupTensor';
import { type DvExample, encodeExample } from '../../../src/core/io/examples/tfExample';
import { TfRecordWriter } from '../../../src/core/io/examples/tfrecord';
import type { AlignedRead, AlignmentSource } from '../../../src/core/io/sam/alignedRead';
import { openAlignments } from '../../../src/core/io/sam/alignmentReader';
import { openReference } from '../../../src/core/io/fasta/fastaReader';
import { pipelineOptions } from '../../../src/core/pileup/siteExamples';
import { compareExample, type ParityExampleResult, type ParitySummary, runGoldenParity } from '../../../src/core/pileup/goldenParity';
import { dv, SHARED_DATA, sharedTest } from '../../helpers/paths';

const BAND = 5;

async function parity(golden: string, reads: string, extra: string[] = []): Promise<{ code: number; summary: ParitySummary; examples: ParityExampleResult[] }> {
  let out = '';
  const ctx: CliContext = { signal: new AbortController().signal, progress: () => undefined, out: (t) => { out += t; } };
  const code = await runParity([
    '--golden', golden, '--reads', reads, '--ref', dv('ucsc.hg19.chr20.unittest.fasta.gz'),
    '--regions', 'chr20:10,000,000-10,010,000', '--json', ...extra,
  ], ctx);
  const j = JSON.parse(out) as { summary: ParitySummary; examples: ParityExampleResult[] };
  return { code, ...j };
}

// ---- helpers on an H·W·C tensor ----
const rowLen = (t: PileupTensor): number => t.width * t.channels.length;
function drawnCols(t: PileupTensor, row: number): number[] {
  const C = t.channels.length;
  const out: number[] = [];
  for (let c = 0; c < t.width; c++) {
    for (let k = 0; k < C; k++) if (t.data[row * rowLen(t) + c * C + k] !== 0) { out.push(c); break; }
  }
  return out;
}
function readRowCount(t: PileupTensor): number {
  let n = 0;
  while (BAND + n < t.height && drawnCols(t, BAND + n).length > 0) n++;
  return n;
}
const px = (t: PileupTensor, row: number, col: number, ch: number): number => row * rowLen(t) + col * t.channels.length + ch;

type Edit = (t: PileupTensor) => void;
// DeepVariant 1.5 channels: 0 base, 1 base quality, 2 mapping quality, 3 strand, 4 supports, 5 mismatch.
const EDITS: Record<string, Edit> = {
  'one base-quality pixel': (t) => { const r = BAND + 2; const c = drawnCols(t, r)[3]!; const i = px(t, r, c, 1); t.data[i] = t.data[i]! > 10 ? t.data[i]! - 7 : t.data[i]! + 7; },
  'a strand flip': (t) => {
    const r = BAND + 3;
    const vals = new Set<number>();
    for (let row = BAND; row < BAND + readRowCount(t); row++) for (const c of drawnCols(t, row)) vals.add(t.data[px(t, row, c, 3)]!);
    const [a, b] = [...vals];
    assert.ok(a !== undefined && b !== undefined, 'both strands present');
    for (const c of drawnCols(t, r)) { const i = px(t, r, c, 3); t.data[i] = t.data[i] === a ? b : a; }
  },
  "one read's MAPQ": (t) => { const r = BAND + 4; for (const c of drawnCols(t, r)) { const i = px(t, r, c, 2); t.data[i] = t.data[i] === 200 ? 190 : 200; } },
  'one read base': (t) => {
    const r = BAND + 5; const c = drawnCols(t, r)[5]!; const i = px(t, r, c, 0);
    t.data[i] = [250, 30, 180, 100].find((v) => v !== t.data[i])!; // A C G T (docs/deepvariant.md §2.2)
  },
  'a reference-row pixel': (t) => { const i = px(t, 0, 50, 1); t.data[i] = t.data[i] === 60 ? 61 : 60; },
  'two rows with different starts swapped': (t) => {
    const n = readRowCount(t);
    const a = BAND;
    const b = BAND + n - 1;
    assert.notEqual(drawnCols(t, a)[0], drawnCols(t, b)[0], 'first and last rows start in different columns');
    const L = rowLen(t);
    const tmp = t.data.slice(a * L, (a + 1) * L);
    t.data.copyWithin(a * L, b * L, (b + 1) * L);
    t.data.set(tmp, b * L);
  },
  'a read row removed': (t) => {
    const L = rowLen(t);
    const r = BAND + 6;
    t.data.copyWithin(r * L, (r + 1) * L, t.height * L);
    t.data.fill(0, (t.height - 1) * L);
  },
};

sharedTest('parity flags each of seven hand edits of the golden examples as unexplained, and only those; exit 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vl-parity-'));
  try {
    const golden: DvExample[] = [];
    for await (const r of readExamples(dv('golden.calling_examples.tfrecord.gz'), undefined, { channels: DV15_EXAMPLE_INFO.channels })) {
      const ex = r.example;
      golden.push({ ...ex, tensor: { ...ex.tensor, data: new Uint8Array(ex.tensor.data) } });
    }
    assert.equal(golden.length, 84);
    // Seven examples with enough rows, one edit each.
    const targets = golden.map((g, i) => ({ i, n: readRowCount(g.tensor) })).filter((x) => x.n >= 12).map((x) => x.i).filter((_, k) => k % 9 === 0).slice(0, 7);
    assert.equal(targets.length, 7);
    const names = Object.keys(EDITS);
    targets.forEach((i, k) => {
      const before = golden[i]!.tensor.data.slice();
      EDITS[names[k]!]!(golden[i]!.tensor);
      assert.notDeepEqual(golden[i]!.tensor.data, before, `edit "${names[k]}" changed example ${i}`);
    });
    const path = join(dir, 'edited.tfrecord.gz');
    const w = await TfRecordWriter.open(path);
    for (const g of golden) await w.write(encodeExample(g));
    await w.close();
    const reads = dv('NA12878_S1.chr20.10_10p1mb.bam');
    const on = await parity(path, reads);
    assert.equal(on.code, 1);
    assert.equal(on.summary.examples, 84);
    assert.deepEqual([...on.summary.unexplained].sort((a, b) => a - b), targets, `realigner on: ${JSON.stringify(names.map((n, k) => [n, targets[k]]))}`);
    for (const i of targets) {
      const e = on.examples[i]!;
      assert.ok(e.notes.some((n) => n.cause === 'unexplained'), `example ${i}`);
    }
    // The swapped and the removed rows name reads.
    assert.ok(on.examples[targets[5]!]!.notes.some((n) => /sort order/.test(n.detail ?? '') && n.read), 'swap names the read');
    assert.ok(on.examples[targets[6]!]!.notes.some((n) => /no golden row/.test(n.detail ?? '') && n.read), 'removed row names the read');
    // Realigner off: the realigner causes explain the other examples; the edits stay unexplained.
    const off = await parity(path, reads, ['--no-realign-reads']);
    assert.equal(off.code, 1);
    assert.deepEqual([...off.summary.unexplained].sort((a, b) => a - b), targets);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

sharedTest("parity given another person's reads (GRCh38 subset BAM) flags nearly every example", async () => {
  const other = join(SHARED_DATA, 'dv-layouts', 'grch38_1k_subset_chr20_and_chr21.bam');
  const r = await parity(dv('golden.calling_examples.tfrecord.gz'), other);
  assert.equal(r.code, 1);
  assert.ok(r.summary.unexplained.length >= 80, `unexplained ${r.summary.unexplained.length}/84`);
});

// ---- small hand-made images: each cause is checked ----
function tensor(rows: number[][]): PileupTensor {
  const W = 4;
  const C = 1;
  const H = BAND + 4;
  const data = new Uint8Array(H * W * C);
  for (let r = 0; r < BAND; r++) data.fill(9, r * W, (r + 1) * W);
  rows.forEach((row, i) => data.set(row, (BAND + i) * W));
  return { height: H, width: W, channels: [1], data } as unknown as PileupTensor;
}
function read(name: string, start: number, cigar = 4 << 4): AlignedRead {
  return { name, flags: 0x40, contig: 'c', start, end: start + 4, mapq: 60, cigar: Uint32Array.of(cigar), seq: 'ACGT', qual: new Uint8Array(4), mateContig: undefined, mateStart: -1, tlen: 0, tags: {} };
}

test('compareExample: tied rows swapped are explained, rows with different starts swapped are not', () => {
  const ours = { tensor: tensor([[1, 1, 0, 0], [2, 2, 0, 0], [0, 3, 3, 0]]), reads: [read('a', 10), read('b', 10), read('c', 11)] };
  const tie = compareExample(tensor([[2, 2, 0, 0], [1, 1, 0, 0], [0, 3, 3, 0]]), ours, BAND);
  assert.deepEqual(tie.notes.map((n) => n.cause), ['rows with equal sort keys in another order']);
  const swap = compareExample(tensor([[0, 3, 3, 0], [2, 2, 0, 0], [1, 1, 0, 0]]), ours, BAND);
  assert.ok(swap.notes.some((n) => n.cause === 'unexplained'));
});

test('compareExample: a realigner cause needs the realigned row to equal the golden row and the read to have moved', () => {
  const raw = { tensor: tensor([[1, 1, 1, 0]]), reads: [read('a', 10)] };
  const moved = { tensor: tensor([[0, 1, 1, 1]]), reads: [read('a', 11)] };
  const ok = compareExample(tensor([[0, 1, 1, 1]]), raw, BAND, moved);
  assert.deepEqual(ok.notes.map((n) => n.cause), ['read realigned, realigner off']);
  // Same start and CIGAR in both builds but a different row: not the realigner.
  const notMoved = { tensor: tensor([[0, 1, 1, 1]]), reads: [read('a', 10)] };
  assert.ok(compareExample(tensor([[0, 1, 1, 1]]), raw, BAND, notMoved).notes.some((n) => n.cause === 'unexplained'));
  // A golden row the realigned build does not draw either.
  assert.ok(compareExample(tensor([[0, 2, 1, 1]]), raw, BAND, moved).notes.some((n) => n.cause === 'unexplained'));
  // Read only in the realigned partition / only in the raw one.
  const extra = compareExample(tensor([[0, 1, 1, 1]]), { tensor: tensor([[5, 5, 0, 0]]), reads: [read('z', 3)] }, BAND, moved);
  assert.deepEqual(extra.notes.map((n) => n.cause).sort(), ['read only in the raw partition, realigner off', 'read only in the realigned partition, realigner off']);
  // Reference rows and pixels below the reads are never explained.
  const g = tensor([[1, 1, 1, 0]]);
  g.data[0] = 8;
  assert.ok(compareExample(g, raw, BAND).notes.some((n) => /reference-row/.test(n.detail ?? '')));
  const h = tensor([[1, 1, 1, 0], [0, 0, 0, 0], [0, 0, 7, 0]]);
  assert.ok(compareExample(h, raw, BAND).notes.some((n) => /below the last/.test(n.detail ?? '')));
});

sharedTest('parity given reads of the wrong region (the same BAM shifted by 5 kb) flags nearly every example', async () => {
  const reference = await openReference(dv('ucsc.hg19.chr20.unittest.fasta.gz'));
  const inner = await openAlignments(dv('NA12878_S1.chr20.10_10p1mb.bam'), {});
  const SHIFT = 5000;
  // Reads of [start + 5 kb, end + 5 kb) presented as if they were at [start, end).
  const shifted: AlignmentSource = {
    path: inner.path,
    contigNames: (s) => inner.contigNames(s),
    sampleName: (s) => inner.sampleName(s),
    fetch: async (contig, start, end, s) => (await inner.fetch(contig, start + SHIFT, end + SHIFT, s))
      .map((r) => ({ ...r, start: r.start - SHIFT, end: r.end - SHIFT, mateStart: r.mateStart >= 0 ? r.mateStart - SHIFT : r.mateStart })),
    close: () => inner.close(),
  };
  try {
    async function* golden(): AsyncIterable<DvExample> {
      for await (const r of readExamples(dv('golden.calling_examples.tfrecord.gz'), undefined, { channels: DV15_EXAMPLE_INFO.channels })) yield r.example;
    }
    const { summary } = await runGoldenParity({
      golden: golden(), reads: shifted, reference, options: pipelineOptions(DV15_EXAMPLE_INFO, { realignReads: true }),
      region: { contig: 'chr20', start: 9_999_999, end: 10_010_000 },
    });
    assert.ok(summary.unexplained.length >= 80, `unexplained ${summary.unexplained.length}/84`);
  } finally {
    await inner.close();
    await reference.close();
  }
});
