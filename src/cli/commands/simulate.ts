/**
 * `variant-lens simulate --out DIR [--seed N]`: writes the deterministic simulated dataset
 * (reference, per-sample BAM + BAI, truth VCF.gz + TBI, confident BED, manifest.json).
 */
import { VariantLensError } from '../../core/errors';
import { simulateDataset } from '../../core/sim/simulateDataset';
import { parseArgs } from '../framework/args';
import { registerCommand } from '../framework/registry';

const usage = `usage: variant-lens simulate --out DIR [--seed N] [--contigs N] [--coverage X]

Writes a small simulated genome (chr1…chr22, 40–60 kb each) with three samples
(HG001-sim, HG002-sim, HG003-sim): reference.fa (+.fai, and bgzipped .fa.gz +.fai +.gzi),
<sample>.bam + .bai (2x150 paired reads, ~30x), <sample>.truth.vcf.gz + .tbi,
<sample>.confident.bed and manifest.json. The same seed gives byte-identical files.

  --out DIR       output folder (created if missing; existing dataset files are overwritten)
  --seed N        integer seed (default 1)
  --contigs N     number of contigs, 1–22 (default 22)
  --coverage X    mean depth (default 30)`;

registerCommand({
  name: 'simulate',
  summary: 'write the deterministic simulated dataset (reference, BAMs, truth VCFs)',
  usage,
  async run(argv, ctx) {
    const args = parseArgs(argv, { out: { type: 'string' }, seed: { type: 'string' }, contigs: { type: 'string' }, coverage: { type: 'string' } }, usage);
    if (args.positionals.length > 0) throw new VariantLensError('invalid-argument', `unexpected argument "${args.positionals[0]}"\n${usage}`);
    const outDir = args.required('out');
    const seed = args.number('seed', 1);
    const contigCount = args.number('contigs', 22);
    const coverage = args.number('coverage', 30);
    if (!Number.isInteger(seed)) throw new VariantLensError('invalid-argument', `--seed must be an integer, got ${seed}`);
    if (!Number.isInteger(contigCount) || contigCount < 1 || contigCount > 22) throw new VariantLensError('invalid-argument', `--contigs must be an integer from 1 to 22, got ${contigCount}`);
    if (!(coverage > 0 && coverage <= 200)) throw new VariantLensError('invalid-argument', `--coverage must be in (0, 200], got ${coverage}`);
    const manifest = await simulateDataset({ outDir, seed, contigCount, coverage, signal: ctx.signal, onProgress: (m) => ctx.progress(`simulate: ${m}`) });
    ctx.out(JSON.stringify({
      outDir,
      seed: manifest.seed,
      contigs: manifest.contigs.length,
      samples: manifest.samples.map((s) => ({ name: s.name, bam: s.bam, truthVcf: s.truthVcf, reads: s.reads, variants: s.variants.total })),
    }, null, 2) + '\n');
    return 0;
  },
});
