/**
 * Evaluates the demo models on held-out data and records the numbers in their model cards:
 * `variant-lens call` (the built CLI, dist/cli.js) with every model on one sample's contigs,
 * then bcftools isec against the planted truth inside the confident BED (bcftoolsEval.ts).
 *
 *   node --import tsx scripts/train/evaluate.ts --sim DIR --sample HG003-sim \
 *        --contigs chr20,chr21,chr22 --models models/default,models/retrained --work DIR
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from '../../src/cli/framework/args';
import { evaluateWithBcftools, formatMetrics, type TypeMetrics } from './bcftoolsEval';

const usage = 'usage: evaluate.ts --sim DIR --sample NAME --contigs chr20,chr21,chr22 --models DIR1,DIR2 --work DIR';

function rounded(m: TypeMetrics): Record<string, number> {
  const r = (x: number): number => Math.round(x * 1e4) / 1e4;
  return { precision: r(m.precision), recall: r(m.recall), f1: r(m.f1), tp: m.tp, fp: m.fp, fn: m.fn };
}

function main(): void {
  const args = parseArgs(process.argv.slice(2), {
    sim: { type: 'string' }, sample: { type: 'string' }, contigs: { type: 'string' }, models: { type: 'string' }, work: { type: 'string' },
  }, usage);
  const sim = args.required('sim');
  const sample = args.required('sample');
  const contigs = args.required('contigs');
  const models = args.required('models').split(',');
  const work = args.required('work');
  const prefix = join(work, sample);
  const callArgs = ['dist/cli.js', 'call', '--reads', join(sim, `${sample}.bam`), '--ref', join(sim, 'reference.fa'),
    ...models.flatMap((m) => ['--model', m]), ...contigs.split(',').flatMap((c) => ['--regions', c]), '--out', prefix];
  process.stderr.write(`node ${callArgs.join(' ')}\n`);
  execFileSync(process.execPath, callArgs, { stdio: ['ignore', 'inherit', 'inherit'] });
  const bcftoolsVersion = execFileSync('bcftools', ['--version'], { encoding: 'utf8' }).split('\n')[0]!;
  for (const dir of models) {
    const cardPath = join(dir, 'model_card.json');
    const card = JSON.parse(readFileSync(cardPath, 'utf8')) as Record<string, unknown>;
    const name = String(card['name']);
    const calls = `${prefix}.${name}.vcf.gz`;
    const e = evaluateWithBcftools({
      calls, truth: join(sim, `${sample}.truth.vcf.gz`), reference: join(sim, 'reference.fa'),
      regions: contigs, confidentBed: join(sim, `${sample}.confident.bed`), work: join(work, `bcftools.${name}`),
    });
    process.stderr.write(`${name}: ${formatMetrics('SNV', e.snv)}; ${formatMetrics('INDEL', e.indel)}\n`);
    card['evaluation'] = {
      dataset: `${sample} ${contigs} (held out from training), variant-lens simulate --seed 1`,
      command: `variant-lens ${callArgs.slice(1).join(' ').replaceAll(sim, '<sim>').replaceAll(work, '<work>')}`,
      method: 'bcftools norm -m -any; PASS calls with a non-ref GT vs non-ref truth records inside the confident BED; ' +
        'bcftools isec -c none per type (view -v snps / -v indels); allele match, genotype not compared (scripts/train/bcftoolsEval.ts)',
      bcftools: bcftoolsVersion,
      snv: rounded(e.snv),
      indel: rounded(e.indel),
    };
    writeFileSync(cardPath, JSON.stringify(card, null, 2) + '\n');
  }
}

main();
