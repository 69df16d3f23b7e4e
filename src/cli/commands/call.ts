/**
 * `variant-lens call`: DeepVariant-style calling with one or more ONNX models — candidates and
 * images with each model's make_examples parameters, every model on every image, DeepVariant
 * 1.5 postprocess — one bgzipped, indexed VCF per model.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { VariantLensError, wrapError } from '../../core/errors';
import { openAlignments } from '../../core/io/sam/alignmentReader';
import { openReference } from '../../core/io/fasta/fastaReader';
import { openVcf } from '../../core/io/vcf/vcfReader';
import { type GivenSite, ModelCaller, writeCallSetVcf } from '../../core/model/modelCaller';
import { writeCvoRecords } from '../../core/model/postprocessVariants';
import { type LoadedModel, loadModel } from '../../core/model/onnxModel';
import { parseRegion } from '../../core/pileup/goldenParity';
import type { CallingRegion } from '../../core/pileup/siteExamples';
import { parseArgs } from '../framework/args';
import type { CliContext } from '../framework/command';
import { registerCommand } from '../framework/registry';

const usage = `usage: variant-lens call --reads BAM --ref FASTA --model DIR [--model DIR2 ...]
                            (--regions R | --vcf SITES) --out PREFIX [--sample NAME] [--batch N]
                            [--cvo-out FILE]

Calls variants with every model and writes PREFIX.<model name>.vcf.gz (+ .tbi) per model,
DeepVariant-style (GT:GQ:DP:AD:VAF:PL, FILTER PASS/RefCall/LowQual/NoCall).
  --model DIR      a model folder: model.onnx, example_info.json and (optionally) model_card.json.
                   Candidates and images follow the card's make_examples parameters
                   (min_base_quality, min_mapping_quality, vsc_min_fraction_snps, …; DeepVariant
                   defaults without a card) and example_info.json's shape and channels.
  --regions R      chr:start-end (1-based, inclusive; commas allowed) or a contig name; repeatable.
  --vcf SITES      image SITES' alleles instead of the models' own candidates (--regions then
                   restricts the sites).
  --sample NAME    sample name in the VCFs (default: the BAM's @RG SM, else "default").
  --batch N        images per model run (default 64).
  --cvo-out FILE   also write each model's call_variants output (CallVariantsOutput protos in
                   a TFRecord, gzip when FILE ends in .gz), as DeepVariant's call_variants
                   writes it; with several models, FILE gets ".<model name>" before its
                   extension. "variant-lens model check" compares such files.
Progress goes to stderr; Ctrl-C cancels. No realignment is done (see variant-lens parity).`;

/** A file-system-safe model name for the output file names. */
function fileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_');
}

export async function runCall(argv: string[], ctx: CliContext): Promise<number> {
  const args = parseArgs(argv, {
    reads: { type: 'string' }, ref: { type: 'string' }, model: { type: 'string', multiple: true }, regions: { type: 'string', multiple: true },
    vcf: { type: 'string' }, sample: { type: 'string' }, out: { type: 'string' }, batch: { type: 'string' }, 'cvo-out': { type: 'string' },
  }, usage);
  if (args.positionals.length) throw new VariantLensError('invalid-argument', `unexpected argument "${args.positionals[0]}"\n${usage}`);
  const readsPath = args.required('reads');
  const refPath = args.required('ref');
  const out = args.required('out');
  const modelDirs = args.all('model');
  if (modelDirs.length === 0) throw new VariantLensError('invalid-argument', `give at least one --model\n${usage}`);
  const vcfPath = args.string('vcf');
  const regionArgs = args.all('regions').flatMap((r) => r.split(/\s+/)).filter(Boolean);
  if (!vcfPath && regionArgs.length === 0) throw new VariantLensError('invalid-argument', `give --regions or --vcf\n${usage}`);
  const batch = args.number('batch', 64);
  if (!Number.isInteger(batch) || batch < 1) throw new VariantLensError('invalid-argument', `--batch must be a positive integer, got ${batch}`);
  const signal = ctx.signal;

  const models: LoadedModel[] = [];
  for (const dir of modelDirs) models.push(await loadModel(dir, signal, { maxBatch: batch }));
  const names = models.map((m) => fileName(m.name));
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new VariantLensError('invalid-argument', `two models are named "${dup}"; their VCFs would overwrite each other (rename one in its model_card.json)`);
  for (const m of models) for (const p of m.cardProblems) ctx.progress(`call: model ${m.name}: ${p}`);

  const reference = await openReference(refPath, signal);
  const reads = await openAlignments(readsPath, { referencePath: refPath }, signal);
  try {
    const sample = args.string('sample') ?? (await reads.sampleName(signal)) ?? 'default';
    const contigs = await reference.contigs(signal);
    const regions: CallingRegion[] = [];
    for (const text of regionArgs) {
      const r = parseRegion(text);
      if (r) { regions.push(r); continue; }
      const c = contigs.find((x) => x.name === text);
      if (!c) throw new VariantLensError('invalid-argument', `--regions "${text}" is neither chr:start-end nor a contig of ${refPath}`);
      regions.push({ contig: c.name, start: 0, end: c.length });
    }
    let sites: GivenSite[] | undefined;
    if (vcfPath) {
      sites = [];
      const vcf = await openVcf(vcfPath, signal);
      try {
        for await (const rec of vcf.records(signal)) {
          const alts = rec.alts.filter((a) => /^[ACGTN]+$/i.test(a));
          if (alts.length === 0) continue; // symbolic / reference-only rows have nothing to image
          sites.push({ contig: rec.contig, start: rec.pos - 1, refBases: rec.ref.toUpperCase(), altBases: alts.map((a) => a.toUpperCase()) });
        }
      } finally {
        await vcf.close();
      }
    }

    const caller = new ModelCaller(reads, reference, models);
    for (const m of models) {
      ctx.progress(`call: model ${m.name} (${m.exampleInfo.shape.join('x')}, channels ${m.exampleInfo.channels.join(',')})`);
    }
    ctx.progress(`call: sample ${sample}, ${models.length} model(s), ${caller.encodingPasses} encoding pass(es)`);
    const t0 = Date.now();
    const sets = await caller.callRegions({
      ...(regions.length ? { regions } : {}),
      ...(sites ? { sites } : {}),
      sampleName: sample,
      batchSize: batch,
      signal,
      onProgress: (p) => {
        const where = p.sitesTotal !== undefined
          ? `${p.sitesDone}/${p.sitesTotal} sites`
          : `${p.sitesDone} sites, ${(p.basesDone / 1000).toFixed(1)}/${(p.basesTotal / 1000).toFixed(1)} kb`;
        const pass = p.passes > 1 ? `pass ${p.pass}/${p.passes} (${p.passModels.join(', ')}): ` : '';
        ctx.progress(`call: ${pass}${where}, ${p.examples} examples, ${p.examplesPerSecond.toFixed(1)} examples/s`);
      },
    });
    await mkdir(dirname(out), { recursive: true }).catch((e: unknown) => { throw wrapError(e, 'invalid-argument', dirname(out), 'cannot create the output folder'); });
    for (const set of sets) {
      const path = `${out}.${fileName(set.model.name)}.vcf.gz`;
      const r = await writeCallSetVcf(path, set, contigs, sample, signal);
      const pass = set.calls.filter((c) => c.filter === 'PASS').length;
      const refCall = set.calls.filter((c) => c.filter === 'RefCall').length;
      ctx.progress(`call: ${set.model.name}: ${set.candidates} candidates, ${set.examples} examples → ${r.records} records (${pass} PASS, ${refCall} RefCall) → ${path}`);
      for (const n of set.pipeline.notes) ctx.progress(`call: ${set.model.name}: ${n}`);
      const cvoOut = args.string('cvo-out');
      if (cvoOut !== undefined) {
        const cvoPath = sets.length === 1 ? cvoOut : cvoOut.replace(/(\.tfrecord)?(\.gz)?$/, (m) => `.${fileName(set.model.name)}${m}`);
        const n = await writeCvoRecords(cvoPath, set.cvos);
        ctx.progress(`call: ${set.model.name}: ${n} call_variants outputs → ${cvoPath}`);
      }
      if (set.skipped.length) ctx.progress(`call: ${set.model.name}: ${set.skipped.length} site(s) without an image, e.g. ${set.skipped[0]!.contig}:${set.skipped[0]!.position}: ${set.skipped[0]!.reason}`);
    }
    ctx.progress(`call: done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } finally {
    await Promise.all(models.map((m) => m.dispose()));
    await reads.close();
    await reference.close();
  }
  return 0;
}

registerCommand({ name: 'call', summary: 'call variants with one or more ONNX models (one DeepVariant-style VCF per model)', usage, run: runCall });
