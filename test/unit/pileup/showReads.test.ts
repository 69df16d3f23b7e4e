// `variant-lens show --reads … --locus` draws the examples it builds from the reads. At
// chr20:10000117 (golden example 0, byte-identical per docs/deepvariant.md §8.3) its PNGs must equal
// those `show --examples` draws from DeepVariant's golden file, names included.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runShow } from '../../../src/cli/commands/show';
import type { CliContext } from '../../../src/cli/framework/command';
import { dv, sharedTest } from '../../helpers/paths';

const ctx = (): CliContext => ({ signal: new AbortController().signal, progress: () => undefined, out: () => undefined });

sharedTest('show --reads --locus draws the same PNGs as show --examples on the golden example', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'vl-show-'));
  try {
    const info = dv('golden.calling_examples.tfrecord.gz.example_info.json');
    assert.equal(await runShow(['--reads', dv('NA12878_S1.chr20.10_10p1mb.bam'), '--ref', dv('ucsc.hg19.chr20.unittest.fasta.gz'), '--locus', 'chr20:10000117', '--example-info', info, '--image-type', 'both', '--out', join(tmp, 'ours', 'x')], ctx()), 0);
    assert.equal(await runShow(['--examples', dv('golden.calling_examples.tfrecord.gz'), '--example-info', info, '--regions', 'chr20:10000117', '--image-type', 'both', '--out', join(tmp, 'golden', 'x')], ctx()), 0);
    const ours = readdirSync(join(tmp, 'ours')).sort();
    assert.deepEqual(ours, ['x_channels_chr20:10000116_C->T.png', 'x_rgb_chr20:10000116_C->T.png']);
    assert.deepEqual(readdirSync(join(tmp, 'golden')).sort(), ours);
    for (const f of ours) assert.ok(readFileSync(join(tmp, 'ours', f)).equals(readFileSync(join(tmp, 'golden', f))), f);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
