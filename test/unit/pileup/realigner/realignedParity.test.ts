// With DeepVariant's realigner on (make_examples --realign_reads, as the goldens were made),
// the encoder rebuilds DeepVariant 1.5's golden examples byte for byte: all 84 calling
// examples and all 49 training examples, every read row, and our candidate caller finds the
// 78 golden candidate sites with the same alleles, DP and AD (docs/deepvariant.md §7.4, §8.2, §11).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { runParity } from '../../../../src/cli/commands/parity';
import type { CliContext } from '../../../../src/cli/framework/command';
import { type ParityExampleResult, type ParitySummary, runGoldenParity } from '../../../../src/core/pileup/goldenParity';
import { openAlignments } from '../../../../src/core/io/sam/alignmentReader';
import { DV15_EXAMPLE_INFO, readExampleInfo } from '../../../../src/core/io/examples/exampleInfo';
import { readExamples } from '../../../../src/core/io/examples/examplesFile';
import { openReference } from '../../../../src/core/io/fasta/fastaReader';
import { PartitionReader, pipelineOptions, regionExamples } from '../../../../src/core/pileup/siteExamples';
import { dv, sharedTest } from '../../../helpers/paths';

async function parity(golden: string): Promise<{ summary: ParitySummary; examples: ParityExampleResult[] }> {
  let out = '';
  const ctx: CliContext = { signal: new AbortController().signal, progress: () => undefined, out: (t) => { out += t; } };
  const code = await runParity([
    '--golden', dv(golden),
    '--reads', dv('NA12878_S1.chr20.10_10p1mb.bam'),
    '--ref', dv('ucsc.hg19.chr20.unittest.fasta.gz'),
    '--regions', 'chr20:10,000,000-10,010,000',
    '--realign-reads',
    '--json',
  ], ctx);
  assert.equal(code, 0);
  return JSON.parse(out) as { summary: ParitySummary; examples: ParityExampleResult[] };
}

sharedTest('parity --realign-reads: 84/84 golden calling examples byte-identical, 78/78 candidate sites', async () => {
  const { summary, examples } = await parity('golden.calling_examples.tfrecord.gz');
  assert.equal(summary.examples, 84);
  assert.equal(summary.identical, 84);
  assert.equal(summary.pixelsDifferingTotal, 0);
  const rows = examples.reduce((s, e) => s + e.goldenReadRows, 0);
  assert.equal(examples.reduce((s, e) => s + e.rowsMatched, 0), rows);
  assert.equal(rows, 4319);
  assert.deepEqual(summary.ownCandidates, { region: 'chr20:10000000-10010000', goldenSites: 78, sitesFound: 78, sitesWithSameAlleles: 78, ourCandidates: 78 });
});

sharedTest('parity --realign-reads: 49/49 golden training examples byte-identical', async () => {
  const { summary } = await parity('golden.training_examples.tfrecord.gz');
  assert.equal(summary.examples, 49);
  assert.equal(summary.identical, 49);
});

sharedTest('with the realigner, DP and AD of our candidates equal golden.postprocess_single_site_output.vcf at all 78 sites', async () => {
  const reference = await openReference(dv('ucsc.hg19.chr20.unittest.fasta.gz'));
  const reads = await openAlignments(dv('NA12878_S1.chr20.10_10p1mb.bam'), {});
  try {
    const golden = new Map<number, { alts: string[]; dp: number; ad: number[] }>();
    for (const line of readFileSync(dv('golden.postprocess_single_site_output.vcf'), 'utf8').split('\n')) {
      if (!line || line.startsWith('#')) continue;
      const f = line.split('\t');
      const keys = f[8]!.split(':');
      const vals = f[9]!.split(':');
      golden.set(Number(f[1]) - 1, { alts: f[4]!.split(','), dp: Number(vals[keys.indexOf('DP')]), ad: vals[keys.indexOf('AD')]!.split(',').map(Number) });
    }
    assert.equal(golden.size, 78);
    let compared = 0;
    const reader = new PartitionReader(reads, reference, pipelineOptions(DV15_EXAMPLE_INFO, { realignReads: true }));
    for await (const s of regionExamples(reader, { contig: 'chr20', start: 9_999_999, end: 10_010_000 })) {
      const g = golden.get(s.start);
      if (!g) continue;
      compared++;
      const where = `chr20:${s.position}`;
      assert.equal(s.variant.dp, g.dp, `DP at ${where}`);
      assert.equal(s.variant.ad[0], g.ad[0], `ref AD at ${where}`);
      // Postprocess may drop alleles; the ones it kept carry the same counts.
      g.alts.forEach((alt, i) => {
        const k = s.altBases.indexOf(alt);
        if (k >= 0) assert.equal(s.variant.ad[k + 1], g.ad[i + 1], `AD of ${alt} at ${where}`);
      });
    }
    assert.equal(compared, 78);
  } finally {
    await reads.close();
    await reference.close();
  }
});

sharedTest('one partition per fetch (what a click in the inspector does) gives the same 84/84', async () => {
  const reference = await openReference(dv('ucsc.hg19.chr20.unittest.fasta.gz'));
  const reads = await openAlignments(dv('NA12878_S1.chr20.10_10p1mb.bam'), {});
  try {
    const info = await readExampleInfo(dv('golden.calling_examples.tfrecord.gz.example_info.json'));
    async function* golden() {
      for await (const r of readExamples(dv('golden.calling_examples.tfrecord.gz'), undefined, { channels: info.channels })) yield r.example;
    }
    const { summary } = await runGoldenParity({
      golden: golden(), reads, reference, region: { contig: 'chr20', start: 9_999_999, end: 10_010_000 },
      options: pipelineOptions(info, { realignReads: true, partitionsPerFetch: 1 }),
    });
    assert.equal(summary.identical, 84);
  } finally {
    await reads.close();
    await reference.close();
  }
});
