// Parity with DeepVariant 1.5's golden calling examples (docs/deepvariant.md §8.3): rebuilt from the
// NA12878 reads without realignment, all 84 examples are found, the reference rows match in
// all, and the 7 SNP examples away from realigned reads (0, 3, 4, 5, 14, 54, 74) are
// byte-identical; every other example has an explained difference.
import assert from 'node:assert/strict';
import { runParity } from '../../../src/cli/commands/parity';
import type { CliContext } from '../../../src/cli/framework/command';
import type { ParityExampleResult, ParitySummary } from '../../../src/core/pileup/goldenParity';
import { dv, sharedTest } from '../../helpers/paths';

sharedTest('variant-lens parity on golden.calling_examples: 84 found, 84 reference rows, ≥ 7 identical incl. 0,3,4,5,14,54,74, all explained', async () => {
  let out = '';
  const ctx: CliContext = { signal: new AbortController().signal, progress: () => undefined, out: (t) => { out += t; } };
  const code = await runParity([
    '--golden', dv('golden.calling_examples.tfrecord.gz'),
    '--reads', dv('NA12878_S1.chr20.10_10p1mb.bam'),
    '--ref', dv('ucsc.hg19.chr20.unittest.fasta.gz'),
    '--regions', 'chr20:10,000,000-10,010,000', // make_examples_test's region (docs/deepvariant.md §8.2)
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
  for (const e of examples) {
    if (!e.identical) assert.ok(e.reasons.length > 0 && !e.reasons.includes('unexplained'), `example ${e.index} explained`);
  }
  // Multi-allelic sites come out in DeepVariant's order: [0], [1], [0,1] (docs/deepvariant.md §3.1).
  assert.deepEqual(examples.slice(18, 21).map((e) => e.altAlleleIndices), [[0], [1], [0, 1]]);
  // 78 candidate sites (docs/deepvariant.md §8.2); how many our raw-read caller finds is reported, not asserted
  // (the goldens were counted after realignment, docs/deepvariant.md §7.4).
  assert.equal(summary.ownCandidates.goldenSites, 78);
});
