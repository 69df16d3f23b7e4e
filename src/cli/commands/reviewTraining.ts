/**
 * `variant-lens review export --format training`: the reviewed sites as a truth patch for
 * the next retraining — PREFIX.vcf.gz (+ .tbi), PREFIX.bed and, with --examples, labelled
 * tf.Examples in DeepVariant's training layout (docs/deepvariant.md §4.2) made with the model
 * card's make_examples parameters. Site selection and genotypes: core/review/trainingExport.ts.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VariantLensError } from '../../core/errors';
import { DEFAULT_EXAMPLE_INFO, type ExampleInfo, readExampleInfo } from '../../core/io/examples/exampleInfo';
import { encodeExample } from '../../core/io/examples/tfExample';
import { TfRecordWriter } from '../../core/io/examples/tfrecord';
import { openReference } from '../../core/io/fasta/fastaReader';
import { openAlignments } from '../../core/io/sam/alignmentReader';
import { openVcf } from '../../core/io/vcf/vcfReader';
import type { VcfSource } from '../../core/io/vcf/vcfSource';
import { writeVcf } from '../../core/io/vcf/vcfWriter';
import { modelPipeline } from '../../core/model/makeExamplesParams';
import { type ModelCard, heldOutReason, readModelCard } from '../../core/model/modelCard';
import { labelFromTruth, siteToDvExamples } from '../../core/pileup/exampleRecords';
import { checkChannels } from '../../core/pileup/pileupEncoder';
import { PartitionReader, regionExamples } from '../../core/pileup/siteExamples';
import { atomicWriteFile } from '../../core/review/atomicWrite';
import { siteComparator } from '../../core/review/reviewFormat';
import type { ReviewEntry } from '../../core/review/reviewStore';
import { ReviewStore } from '../../core/review/reviewStore';
import { type TrainingSite, selectTrainingSites, trainingBed, trainingVcfHeader, trainingVcfRecords } from '../../core/review/trainingExport';
import type { CliContext } from '../framework/command';

export interface TrainingExportArgs {
  readonly review: string;
  readonly model: string;
  readonly out: string;
  /** --vcf values: NAME=FILE (a model's calls) or a bare FILE (the reviewed VCF). */
  readonly vcf: readonly string[];
  readonly examples: boolean;
  readonly reads?: string;
  readonly ref?: string;
  readonly sample?: string;
  readonly forceHeldOut: boolean;
}

/** Splits `NAME=FILE`; a value that is an existing file, or has no `=`, is a bare FILE. */
function splitVcfArg(v: string): { name?: string; file: string } {
  const eq = v.indexOf('=');
  if (eq <= 0 || existsSync(v)) return { file: v };
  return { name: v.slice(0, eq), file: v.slice(eq + 1) };
}

async function loadCard(modelArg: string, signal: AbortSignal): Promise<{ card: ModelCard; cardPath: string; dir: string }> {
  if (!existsSync(modelArg)) throw new VariantLensError('file-not-found', 'model folder not found (--model)', modelArg);
  const isDir = statSync(modelArg).isDirectory();
  const dir = isDir ? modelArg : join(modelArg, '..');
  const cardPath = isDir ? join(modelArg, 'model_card.json') : modelArg;
  if (!existsSync(cardPath)) throw new VariantLensError('model-card-invalid', 'no model_card.json: the leakage guard needs the model\'s held-out contigs and samples (trainedOn.heldOutContigs / heldOutSamples)', cardPath);
  const { card, problems } = await readModelCard(cardPath, undefined, signal);
  if (!card) throw new VariantLensError('model-card-invalid', `not a usable model card: ${problems.join('; ')}`, cardPath);
  return { card, cardPath, dir };
}

/** `file: line N` for each site of the review file (first line of the site). */
function lineIndex(reviewPath: string): (e: ReviewEntry) => string {
  const lines = readFileSync(reviewPath, 'utf8').split('\n');
  const at = new Map<string, number>();
  lines.forEach((l, i) => {
    if (l.startsWith('#') || l === '') return;
    const c = l.replace(/\r$/, '').split('\t');
    if (c.length < 5) return;
    const k = `${c[0]}\t${c[1]}\t${c[2]!.toUpperCase()}\t${c[3]}\t${c[4] === '.' ? '' : c[4]}`;
    if (!at.has(k)) at.set(k, i + 1);
  });
  return (e) => {
    const n = at.get(`${e.site.contig}\t${e.site.pos}\t${e.site.ref}\t${e.site.alt}\t${e.site.sample ?? ''}`);
    return n === undefined ? reviewPath : `${reviewPath}: line ${n}`;
  };
}

export async function runTrainingExport(a: TrainingExportArgs, ctx: CliContext): Promise<number> {
  const { signal } = ctx;
  if (a.examples && (!a.reads || !a.ref)) throw new VariantLensError('invalid-argument', '--examples needs --reads BAM and --ref FASTA (the images are made from the reads)');
  const { card, cardPath, dir } = await loadCard(a.model, signal);
  if (!card.trainedOn || (!card.trainedOn.heldOutContigs && !card.trainedOn.heldOutSamples)) {
    if (!a.forceHeldOut) throw new VariantLensError('model-card-invalid', `the card of ${card.name} lists no held-out contigs or samples (trainedOn.heldOutContigs / heldOutSamples), so the leakage guard cannot check the sites; add them to the card, or give --force-held-out`, cardPath);
    ctx.progress(`warning: the card of ${card.name} lists no held-out contigs or samples; --force-held-out given, nothing checked`);
  }

  const named = new Map<string, VcfSource>();
  const bare: VcfSource[] = [];
  const opened: VcfSource[] = [];
  try {
    for (const v of a.vcf) {
      const { name, file } = splitVcfArg(v);
      const src = await openVcf(file, signal);
      opened.push(src);
      if (name !== undefined) {
        if (named.has(name)) throw new VariantLensError('invalid-argument', `--vcf ${name}=… given twice`);
        named.set(name, src);
      } else bare.push(src);
    }
    // The sample the guard checks when a review line has none: --sample, else the reviewed VCF's first sample.
    let defaultSample = a.sample;
    let contigs: { name: string; length?: number }[] = [];
    for (const src of [...bare, ...named.values()]) {
      const h = await src.header(signal);
      if (defaultSample === undefined && h.samples.length > 0) defaultSample = h.samples[0];
      if (contigs.length === 0 && h.contigs.length > 0) contigs = h.contigs.map((c) => ({ name: c.name, ...(c.length !== undefined ? { length: c.length } : {}) }));
    }
    if (defaultSample === undefined) ctx.progress('note: no sample known (no --sample, no sample in a --vcf header): the leakage guard checks contigs, and samples named on review lines');

    const store = await ReviewStore.open(a.review, contigs.length > 0 ? { contigOrder: contigs.map((c) => c.name), signal } : { signal });
    const gtFromVcf = async (model: string, e: ReviewEntry): Promise<string | null | undefined> => {
      const src = named.get(model);
      if (!src) return undefined;
      const h = await src.header(signal);
      const sample = e.versions[0]!.sample ?? a.sample;
      const idx = sample !== undefined && h.samples.includes(sample) ? h.samples.indexOf(sample) : 0;
      for await (const r of src.query(e.site.contig, e.site.pos - 1, e.site.pos, signal)) {
        if (r.pos !== e.site.pos || r.ref.toUpperCase() !== e.site.ref || r.alts.join(',') !== e.site.alt) continue;
        const g = r.genotype(idx);
        if (!g) return null;
        return g.alleles.map((x) => (x === null ? '.' : String(x))).join('/');
      }
      return null;
    };
    const sel = await selectTrainingSites(store.entries(), [...named.keys()], {
      lineOf: lineIndex(a.review),
      gtFromVcf,
      ...(defaultSample !== undefined ? { defaultSample } : {}),
      heldOut: (contig, sample) => heldOutReason(card, contig, sample),
      forceHeldOut: a.forceHeldOut,
    });

    // Contigs of the header: the VCFs', else the reference's, else those of the sites.
    if (contigs.length === 0 && a.ref) {
      const ref = await openReference(a.ref, signal);
      try { contigs = (await ref.contigs(signal)).map((c) => ({ name: c.name, length: c.length })); } finally { await ref.close(); }
    }
    const cmp = siteComparator(contigs.length > 0 ? contigs.map((c) => c.name) : undefined);
    const sites = [...sel.sites].sort((x, y) => cmp({ contig: x.contig, pos: x.pos, ref: x.ref, alt: x.alts.join(',') }, { contig: y.contig, pos: y.pos, ref: y.ref, alt: y.alts.join(',') }));
    const known = new Set(contigs.map((c) => c.name));
    for (const s of sites) if (!known.has(s.contig)) { contigs.push({ name: s.contig }); known.add(s.contig); }

    const vcfOut = `${a.out}.vcf.gz`;
    const header = trainingVcfHeader({ contigs, sample: defaultSample ?? 'TRUTH', model: card.name, review: a.review, forced: sel.forced });
    await writeVcf(vcfOut, header, trainingVcfRecords(sites, new Set(sel.forced.map((f) => f.site))), { bgzip: true, index: true, signal });
    const bedOut = `${a.out}.bed`;
    await atomicWriteFile(bedOut, trainingBed(sites), { signal });
    ctx.progress(`wrote ${vcfOut} (+ .tbi) and ${bedOut}: ${sites.length} site(s) with a reviewed genotype for ${card.name}`);
    if (sel.cut.size > 0) ctx.progress(`left out by verdict (no truth genotype): ${[...sel.cut].map(([v, n]) => `${v} ${n}`).join(', ')}`);
    if (sel.conflicts.length > 0) ctx.progress(`left out: ${sel.conflicts.length} site(s) with an unresolved review conflict`);
    if (sel.refused.length > 0) {
      const reasons = new Map<string, number>();
      for (const r of sel.refused) reasons.set(r.reason, (reasons.get(r.reason) ?? 0) + 1);
      ctx.progress(`leakage guard: left out ${sel.refused.length} site(s) held out from ${card.name}'s training — ${[...reasons].map(([r, n]) => `${n}: ${r}`).join('; ')} (give --force-held-out to include them)`);
    }
    if (sel.forced.length > 0) ctx.progress(`--force-held-out: included ${sel.forced.length} site(s) held out from ${card.name}'s training (recorded in ${vcfOut}'s header and INFO/VL_HELD_OUT)`);

    if (a.examples) await writeTrainingExamples(sites, card, cardPath, dir, a, defaultSample, ctx);
  } finally {
    for (const s of opened) await s.close();
  }
  return 0;
}

async function writeTrainingExamples(sites: readonly TrainingSite[], card: ModelCard, cardPath: string, dir: string, a: TrainingExportArgs, defaultSample: string | undefined, ctx: CliContext): Promise<void> {
  const { signal } = ctx;
  const infoPath = join(dir, 'example_info.json');
  const info: ExampleInfo = existsSync(infoPath) ? await readExampleInfo(infoPath, signal) : DEFAULT_EXAMPLE_INFO;
  checkChannels(info.channels, existsSync(infoPath) ? infoPath : undefined);
  const pipeline = modelPipeline(info, card.makeExamplesParams ?? {}, cardPath);
  for (const note of pipeline.notes) ctx.progress(`examples: ${note}`);
  const reference = await openReference(a.ref!, signal);
  const reads = await openAlignments(a.reads!, { referencePath: a.ref! }, signal);
  const out = `${a.out}.training.tfrecord.gz`;
  const writer = await TfRecordWriter.open(out);
  let noImage = 0;
  try {
    const sample = defaultSample ?? (await reads.sampleName(signal)) ?? 'default';
    const reader = new PartitionReader(reads, reference, pipeline.options);
    const byContig = new Map<string, TrainingSite[]>();
    for (const s of sites) {
      if (s.alts.length === 0 || !s.alts.every((x) => /^[ACGTN]+$/i.test(x))) { noImage++; ctx.progress(`  no image at ${s.contig}:${s.pos}: symbolic or missing ALT`); continue; }
      const l = byContig.get(s.contig) ?? [];
      l.push(s);
      byContig.set(s.contig, l);
    }
    for (const [contig, list] of byContig) {
      const bySite = new Map(list.map((s) => [s.pos - 1, s]));
      const jobSites = list.map((s) => ({ start: s.pos - 1, refBases: s.ref.toUpperCase(), altBases: s.alts.map((x) => x.toUpperCase()) }));
      const region = { contig, start: 0, end: await reader.contigLength(contig, signal) };
      for await (const site of regionExamples(reader, region, signal, jobSites)) {
        if (site.examples.length === 0) { noImage++; ctx.progress(`  no image at ${site.contig}:${site.position}: ${site.noExampleReason}`); continue; }
        const truth = bySite.get(site.start);
        const recs = truth ? [{ ref: truth.ref.toUpperCase(), alts: truth.alts.map((x) => x.toUpperCase()), gt: [...truth.gt] }] : [];
        for (const ex of siteToDvExamples(site, sample, (alts) => labelFromTruth(site.refBases, alts, recs))) await writer.write(encodeExample(ex));
      }
    }
  } finally {
    await writer.close();
    await reads.close();
    await reference.close();
  }
  await writeFile(`${out}.example_info.json`, JSON.stringify({ version: info.version, shape: info.shape, channels: info.channels }));
  ctx.progress(`wrote ${writer.written} labelled example(s) to ${out} with ${card.name}'s make_examples parameters${noImage ? ` (${noImage} site(s) without an image)` : ''}`);
}
