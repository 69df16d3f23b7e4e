// Parity with DeepVariant 1.5's golden calling examples (docs/deepvariant.md §8.3): rebuilt from the
// NA12878 reads with the realigner off (--no-realign-reads), all 84 examples are found, the
// reference rows match in all, and the 7 SNP examples away from realigned reads (0, 3, 4, 5,
// 14, 54, 74) are byte-identical; every other difference is one of the realigner causes,
// checked by realigning (77 explained, 0 unexplained).
import assert from 'node:assert/strict';
import { runParity } from '../../../src/cli/commands/parity';
import type { CliContext } from '../../../src/cli/framework/command';
import type { ParityExampleResult, ParitySummary } from '../../../src/core/pileup/goldenParity';
import { dv, sharedTest } from '../../helpers/paths';

sharedTest('variant-lens parity --no-realign-reads on golden.calling_examples: 84 found, 84 reference rows, 7 identical, the rest explained by realigner causes', async () => {
  let out = '';
  const ctx: CliContext = { signal: new AbortController().signal, progress: () => undefined, out: (t) => { out += t; } };
  const code = await runParity([
    '--golden', dv('golden.calling_examples.tfrecord.gz'),
    '--reads', dv('NA12878_S1.chr20.10_10p1mb.bam'),
    '--ref', dv('ucsc.hg19.chr20.unittest.fasta.gz'),
    '--regions', 'chr20:10,000,000-10,010,000', // make_examples_test's region (docs/deepvariant.md §8.2)
    '--no-realign-reads',
    '--json',
  ], ctx);
  assert.equal(code, 0);
  const { summary, examples } = JSON.parse(out) as { summary: ParitySummary; examples: ParityExampleResult[] };
  assert.equal(summary.examples, 84);
  assert.equal(summary.found, 84);
  assert.equal(summary.referenceRowsIdentical, 84);
  assert.ok(summary.identical >= 7, `identical ${summary.identical}`);
  for (const i of [0, 3, 4, 5, 14, 54, 74]) assert.ok(summary.identicalIndices.includes(i), `example ${i} identical`);
  assert.deepEqual(summary.unexplained, []);
  assert.equal(summary.realignReads, false);
  assert.equal(summary.explained, 84 - summary.identical);
  for (const e of examples) {
    if (!e.identical) assert.ok(e.reasons.length > 0 && !e.reasons.includes('unexplained'), `example ${e.index} explained`);
    for (const n of e.notes) assert.ok(n.read, `example ${e.index}: every note names its read`);
  }
  // Examples per cause (an example may have several).
  assert.deepEqual(summary.reasonCounts, {
    'read realigned, realigner off': 76,
    'read only in the raw partition, realigner off': 18,
    'read only in the realigned partition, realigner off': 20,
  });
  // Multi-allelic sites come out in DeepVariant's order: [0], [1], [0,1] (docs/deepvariant.md §3.1).
  assert.deepEqual(examples.slice(18, 21).map((e) => e.altAlleleIndices), [[0], [1], [0, 1]]);
  // 78 candidate sites (docs/deepvariant.md §8.2); how many our raw-read caller finds is reported, not asserted
  // (the goldens were counted after realignment, docs/deepvariant.md §7.4).
  assert.equal(summary.ownCandidates.goldenSites, 78);
});
