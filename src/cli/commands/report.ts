/**
 * `variant-lens report A.vcf.gz B.vcf.gz --out report.html` — the two-model comparison as one
 * self-contained HTML page (the demo's demo/report.html): the A-vs-B diff, precision/recall of
 * each side against a truth set, and the most disputed sites (disputeScore.ts) with the
 * pileup images each model saw and what each model says there (siteEvidence.ts).
 */
import { writeFileSync } from 'node:fs';
import type { DiffSite } from '../../core/diff/diffClasses';
import type { DiffSummary, TruthRow } from '../../core/diff/diffSummary';
import { diffVcfs, type AlleleSink, type AlleleStage, type DiffRegion } from '../../core/diff/vcfDiff';
import { happyCounting } from '../../core/diff/haplotype/happyRun';
import { FeatureStage, enrichmentOf } from '../../core/diff/features/featureStage';
import { VariantLensError } from '../../core/errors';
import { openAlignments } from '../../core/io/sam/alignmentReader';
import { openReference } from '../../core/io/fasta/fastaReader';
import type { ReferenceSource } from '../../core/io/fasta/referenceSource';
import { openVcf } from '../../core/io/vcf/vcfReader';
import { compareParams } from '../../core/model/modelCard';
import { loadModel, type LoadedModel } from '../../core/model/onnxModel';
import { shutdownInference } from '../../core/model/inferenceHost';
import { renderDemoReport, type DisputedSiteReport, type ReportSide } from '../../core/report/demoReport';
import { mostDisputedSites } from '../../core/report/disputeScore';
import { collectSiteEvidence, type EvidenceCall } from '../../core/report/siteEvidence';
import { collectLayersEvidence } from '../../core/report/layersEvidence';
import { ModelCaller } from '../../core/model/modelCaller';
import { explainSite } from '../../core/explain/explainSite';
import { explainImages } from '../../core/explain/explainImages';
import { parseArgs } from '../framework/args';
import type { CliContext } from '../framework/command';
import { registerCommand } from '../framework/registry';
import { loadBedArgs, parseRegion } from './diff';

const usage = `usage: variant-lens report A.vcf[.gz] B.vcf[.gz] --out REPORT.html [options]

One self-contained HTML page comparing two models' call sets: how A and B differ (as
variant-lens diff), precision and recall of each against --truth, and the N most disputed
sites — ranked by score = 1000·[GT differs] + 100·[FILTER differs] + min(|ΔQUAL|, 99.9) —
with the pileup images each model saw (channel strip and RGB, as show_examples) and each
model's probabilities and GT/GQ/QUAL/PL re-run on them, and why the two models disagree there
(as variant-lens explain: the 2×2 cross-run, the verdict, the attribution overlays and the
sensitivity curves). No script, no network: opens from file://.

options:
  --model DIR        model folder (model.onnx, example_info.json, model_card.json) of A, then
                     of B: give it twice, in that order. Images use each card's make_examples
                     parameters. Without --model, --reads and --ref the report has no images.
  --reads BAM        the reads both call sets were made from (BAM or CRAM, indexed)
  --ref FASTA        reference (.fa/.fa.gz with .fai[/.gzi]); also left-aligns indels in the diffs
  --truth VCF        truth set (e.g. GIAB): precision, recall, F1 of A and of B
  --bed NAME=FILE    stratify the truth comparison by a BED file (repeatable); the first one
                     gives the headline numbers, e.g. --bed confident=HG003.confident.bed
  --name NAME        label of A, then of B (default: the model card's name, else A and B)
  --sample NAME      sample in both VCFs (default: the first); also the reads' sample
  --sites N          disputed sites to show (default 10)
  --region R         only records overlapping R (chr20, chr20:1-50000; 1-based)
  --title TEXT       page title
  --no-explain       leave out the explanation of each disputed site (faster)
  --no-layers        leave out "inside the networks" (by default each site section shows both
                     models' layer activations on the same images and where their layers part
                     ways: linear CKA per layer; models whose layers do not correspond are
                     compared on their outputs only)
  --json             print a JSON summary (metrics, ranked sites, re-run calls, verdicts) instead of text`;

interface SideInput {
  readonly vcf: string;
  readonly name: string;
  readonly model: LoadedModel | undefined;
}

function truthAll(s: DiffSummary | undefined): TruthRow | undefined {
  if (!s?.truth) return undefined;
  const bed = s.strata.find((st) => st.group === 'bed' && st.truth);
  return (bed?.truth ?? s.truth.rows).find((r) => r.type === 'ALL');
}

export async function runReport(argv: string[], ctx: CliContext): Promise<number> {
  const args = parseArgs(argv, {
    out: { type: 'string' }, model: { type: 'string', multiple: true }, reads: { type: 'string' }, ref: { type: 'string' },
    truth: { type: 'string' }, bed: { type: 'string', multiple: true }, name: { type: 'string', multiple: true },
    sample: { type: 'string' }, sites: { type: 'string' }, region: { type: 'string' }, title: { type: 'string' }, json: { type: 'boolean' },
    'no-explain': { type: 'boolean' },
    'no-layers': { type: 'boolean' },
  }, usage);
  const [fileA, fileB, extra] = args.positionals;
  if (!fileA || !fileB || extra !== undefined) throw new VariantLensError('invalid-argument', `give exactly two VCF files (A, then B)\n${usage}`);
  const out = args.required('out');
  const modelDirs = args.all('model');
  if (modelDirs.length !== 0 && modelDirs.length !== 2) throw new VariantLensError('invalid-argument', `give --model twice (A's model, then B's), or not at all; got ${modelDirs.length}`);
  const names = args.all('name');
  if (names.length !== 0 && names.length !== 2) throw new VariantLensError('invalid-argument', `give --name twice (A, then B), or not at all; got ${names.length}`);
  const nSites = args.number('sites', 10);
  if (!Number.isInteger(nSites) || nSites < 0) throw new VariantLensError('invalid-argument', `--sites must be a non-negative integer, got ${nSites}`);
  const readsPath = args.string('reads');
  const refPath = args.string('ref');
  const truthPath = args.string('truth');
  const sample = args.string('sample');
  const signal = ctx.signal;

  const beds = await loadBedArgs(args.all('bed'), signal);

  const models: (LoadedModel | undefined)[] = [];
  for (const dir of modelDirs) {
    ctx.progress(`report: loading model ${dir}`);
    models.push(await loadModel(dir, signal));
  }
  const sides: SideInput[] = [fileA, fileB].map((vcf, i) => ({
    vcf, model: models[i], name: names[i] ?? models[i]?.name ?? (i === 0 ? 'A' : 'B'),
  }));
  if (sides[0]!.name === sides[1]!.name) throw new VariantLensError('invalid-argument', `both sides are called "${sides[0]!.name}"; give --name A_NAME --name B_NAME`);

  const reference: ReferenceSource | undefined = refPath ? await openReference(refPath, signal) : undefined;
  try {
    let region: DiffRegion | undefined;
    const regionText = args.string('region');
    if (regionText) {
      const lengths = new Map<string, number>();
      if (reference) for (const c of await reference.contigs(signal)) lengths.set(c.name, c.length);
      region = parseRegion(regionText, (c) => lengths.get(c));
    }
    const diffOf = async (x: string, y: string, truth: boolean, onSite?: (s: DiffSite) => void, features?: (emit: AlleleSink) => AlleleStage): Promise<DiffSummary> => {
      const a = await openVcf(x, signal);
      const b = await openVcf(y, signal);
      try {
        return await diffVcfs(a, b, {
          reference, beds, region, ...(truth ? { truth: 'B' as const, sampleA: sample } : { sampleA: sample, sampleB: sample }),
          ...(onSite ? { onSite } : {}),
          ...(features ? { sampleFields: true, haplotypes: features } : {}),
        }, signal);
      } finally {
        await a.close();
        await b.close();
      }
    };

    ctx.progress(`report: diff ${fileA} vs ${fileB}`);
    const differing: DiffSite[] = [];
    // With a reference: the site features and where the two call sets disagree (decision 0015).
    let featureStage: FeatureStage | undefined;
    const diff = await diffOf(fileA, fileB, false, (s) => differing.push(s), reference ? (emit) => (featureStage = new FeatureStage(emit, { reference, signal })) : undefined);
    const featureSummary = (featureStage as FeatureStage | undefined)?.summary();
    const truthSummaries: (DiffSummary | undefined)[] = [undefined, undefined];
    if (truthPath) {
      for (const [i, s] of sides.entries()) {
        ctx.progress(`report: diff ${s.vcf} vs truth ${truthPath}`);
        // With a reference, also hap.py's summary with haplotype matching (as `diff CALLS TRUTH --truth B --ref` writes to summary.csv).
        const happy = reference ? happyCounting(reference, 'B', signal) : undefined;
        const t = await diffOf(s.vcf, truthPath, true, undefined, happy?.stages);
        if (happy) t.happy = { matching: 'haplotype', rows: happy.rows().map((r) => ({ ...r })), files: [], stats: happy.stats() };
        truthSummaries[i] = t;
      }
    }
    const ranked = mostDisputedSites(differing, nSites);

    // Images and re-run calls need reads, reference and both models.
    const disputed: DisputedSiteReport[] = [];
    const missing = [!readsPath && '--reads', !reference && '--ref', models.length !== 2 && '--model (twice)'].filter(Boolean);
    if (missing.length > 0) {
      for (const r of ranked) disputed.push({ ranked: r, evidenceError: `no ${missing.join(', ')} given` });
    } else {
      const reads = await openAlignments(readsPath!, { referencePath: refPath }, signal);
      try {
        const sampleName = sample ?? (await reads.sampleName(signal)) ?? diff.a.sample;
        const caller = new ModelCaller(reads, reference!, models as LoadedModel[]);
        const modelNames = sides.map((s) => s.name);
        const explain = !args.flag('no-explain');
        // Why the two models disagree (core/explain, as `variant-lens explain`): the same seed, so the numbers equal the CLI's.
        const explainOne = async (site: DiffSite): Promise<Pick<DisputedSiteReport, 'explanation' | 'explanationError'>> => {
          ctx.progress(`report: explain ${site.contig}:${site.pos}`);
          try {
            const output = await explainSite({
              reads, reference: reference!, models: models as LoadedModel[], contig: site.contig, position: site.pos,
              alleles: { refBases: site.ref, altBases: [site.alt] }, sampleName, signal,
            });
            return { explanation: { result: output.result, images: explainImages(output, 2) } };
          } catch (e) {
            if (!(e instanceof VariantLensError)) throw e;
            return { explanationError: e.message };
          }
        };
        for (const r of ranked) {
          const s = r.site;
          // The normalized allele (1-based POS): the models' candidate there is imaged when it covers it.
          ctx.progress(`report: site ${r.rank}/${ranked.length} ${s.contig}:${s.pos} ${s.ref}>${s.alt}`);
          try {
            const evidence = await collectSiteEvidence({
              caller, names: modelNames, contig: s.contig, position: s.pos,
              refBases: s.ref, altBases: [s.alt], sample: sampleName, signal,
            });
            // Inside the networks: a problem there leaves the site's images and calls in place.
            const layers = args.flag('no-layers') ? undefined : await collectLayersEvidence({
              caller, models: models as LoadedModel[], names: modelNames, contig: s.contig, position: s.pos, refBases: s.ref, altBases: [s.alt], sample: sampleName, signal,
            }).catch((e: unknown) => {
              if (!(e instanceof VariantLensError)) throw e;
              ctx.progress(`report: no layer activations at ${s.contig}:${s.pos}: ${e.message}`);
              return undefined;
            });
            disputed.push({ ranked: r, evidence, ...(explain ? await explainOne(r.site) : {}), ...(layers ? { layers } : {}) });
          } catch (e) {
            if (!(e instanceof VariantLensError)) throw e;
            disputed.push({ ranked: r, evidenceError: e.message, ...(explain ? await explainOne(r.site) : {}) });
          }
        }
      } finally {
        await reads.close();
      }
    }

    const reportSides: ReportSide[] = sides.map((s, i) => ({
      name: s.name, vcf: s.vcf,
      ...(s.model ? { modelDir: s.model.dir } : {}),
      ...(s.model?.card?.description ? { description: s.model.card.description } : {}),
      ...(truthSummaries[i] ? { truth: truthSummaries[i] } : {}),
    }));
    const html = renderDemoReport({
      title: args.string('title') ?? `Variant Lens: ${sides[0]!.name} vs ${sides[1]!.name}`,
      a: reportSides[0]!, b: reportSides[1]!, diff,
      ...(truthPath ? { truthFile: truthPath } : {}),
      ...(readsPath ? { reads: readsPath } : {}),
      ...(refPath ? { reference: refPath } : {}),
      ...(models.length === 2 ? { paramDifferences: compareParams(models[0]!.card, models[1]!.card) } : {}),
      disputed,
      ...(featureSummary ? { features: { summary: featureSummary, enrichment: enrichmentOf(featureSummary) } } : {}),
      command: ['variant-lens', 'report', ...argv].join(' '),
    });
    writeFileSync(out, html);

    const callJson = (c: EvidenceCall | undefined): unknown => c && { gt: c.gt, gq: c.gq, qual: c.qual, filter: c.filter, pl: c.pl, alleles: [c.refBases, ...c.altBases], fromCandidate: c.fromCandidate };
    if (args.flag('json')) {
      ctx.out(JSON.stringify({
        out,
        names: sides.map((s) => s.name),
        diff: { sites: diff.sites, differing: diff.differingSites, sharedCalled: diff.sharedCalled },
        truth: truthPath ? sides.map((s, i) => ({ name: s.name, all: truthAll(truthSummaries[i]) })) : null,
        disputed: disputed.map((d) => ({
          rank: d.ranked.rank, contig: d.ranked.site.contig, pos: d.ranked.site.pos, ref: d.ranked.site.ref, alt: d.ranked.site.alt,
          classes: d.ranked.site.classes, score: d.ranked.dispute.score,
          recorded: [d.ranked.site.a, d.ranked.site.b].map((c) => c && { gt: c.recordGt, qual: c.qual ?? null, filter: c.filter, gq: c.gq ?? null }),
          rerun: d.evidence ? d.evidence.calls.map(callJson) : null,
          images: d.evidence ? d.evidence.groups.flatMap((g) => g.images.map((im) => ({
            models: g.models, candidate: g.candidate, alleles: [g.refBases, ...g.altBases], alts: im.altAlleles, probabilities: im.probabilities,
          }))) : [],
          error: d.evidenceError ?? null,
          explanation: d.explanation ? {
            verdict: d.explanation.result.verdict.kind, text: d.explanation.result.verdict.text,
            crossRun: d.explanation.result.crossRun.map((row) => row.map((c) => ({ probs: c.probs, gt: c.gt, candidate: c.candidate }))),
          } : null,
          explanationError: d.explanationError ?? null,
          layers: d.layers ? { images: d.layers.images, comparison: d.layers.comparison, similarity: d.layers.similarity ?? null } : null,
        })),
      }, null, 2) + '\n');
    } else {
      const lines = [`${diff.sites} alleles compared, ${diff.differingSites} differ`];
      for (const [i, s] of sides.entries()) {
        const t = truthAll(truthSummaries[i]);
        if (t) lines.push(`  ${s.name}: precision ${t.precision?.toFixed(4) ?? '-'} recall ${t.recall?.toFixed(4) ?? '-'} F1 ${t.f1?.toFixed(4) ?? '-'} (TP ${t.tp} FP ${t.fp} FN ${t.fn})`);
      }
      for (const d of disputed) {
        const s = d.ranked.site;
        lines.push(`  #${d.ranked.rank} ${s.contig}:${s.pos} ${s.ref}>${s.alt} score ${d.ranked.dispute.score.toFixed(1)} ${s.classes.join(',')}${d.evidenceError ? ` (no images: ${d.evidenceError})` : ''}${d.explanation ? ` — ${d.explanation.result.verdict.kind}` : ''}`);
      }
      lines.push(`wrote ${out}`);
      ctx.out(lines.join('\n') + '\n');
    }
    return 0;
  } finally {
    await reference?.close();
    if (models.length > 0) await shutdownInference();
  }
}

registerCommand({ name: 'report', summary: 'one self-contained HTML report comparing two models: diff, precision/recall, disputed sites with pileups', usage, run: runReport });
