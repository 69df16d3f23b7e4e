// With DeepVariant's realigner on (make_examples --realign_reads, as the goldens were made),
// the encoder rebuilds DeepVariant 1.5's golden examples byte for byte: all 84 calling
// examples and all 49 training examples, every read row, and our candidate caller finds the
// 78 golden candidate sites with the same alleles (docs/deepvariant.md §8.2, §11).
import assert from 'node:assert/strict';
import { runParity } from '../../../../src/cli/commands/parity';
import type { CliContext } from '../../../../src/cli/command';
import type { ParityExampleResult, ParitySummary } from '../../../../src/core/pileup/goldenParity';
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
