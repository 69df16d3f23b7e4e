/**
 * What each model saw and said at one site, for the demo report (DESIGN.md workflows 2 + 3
 * headless): the site's pileup images built from the reads with each model's own
 * make_examples parameters (its model card, via makeExamplesParams.ts), both images drawn the
 * way show_examples draws them (channel strip + RGB composite, as PNG bytes), each model's
 * softmax per image, and the genotype postprocess_variants makes of them (GT/GQ/QUAL/PL,
 * dv-spec §3.2–3.5).
 *
 * Models whose pipelines are identical (same image shape, channels, read filters and caller
 * thresholds: `pipelineKey`) share one set of images; a retrained model with other
 * thresholds gets its own, which is exactly where "what did each model see" differs.
 *
 * Limits, stated in the report: the genotype is computed for this site alone, so the
 * haplotype-conflict resolution postprocess applies across overlapping sites
 * (dv-spec §3.3 step 5) is not applied here; images are made without realignment.
 *
 * Coordinates: `position` is the 1-based VCF POS of the record; SiteExamples carry 0-based
 * starts.
 */
import { throwIfAborted } from '../errors';
import type { AlignmentSource } from '../io/alignedRead';
import type { ReferenceSource } from '../io/referenceSource';
import { DV_POSTPROCESS_DEFAULTS, postprocessSite, roundGls, type CvoRecord, type DvFilter } from '../model/genotypePostprocess';
import { phredLikelihoods } from '../model/deepVariantVcf';
import type { LoadedModel } from '../model/onnxModel';
import { modelPipeline, pipelineKey } from '../model/makeExamplesParams';
import { PartitionReader, buildSiteExamples, type PipelineOptions } from '../pileup/siteExamples';
import { encodePng } from '../render/png';
import { channelLabels, renderChannelStrip, renderRgb } from '../render/showExamples';

/** A model with the pipeline its images are made with. */
export interface EvidenceModel {
  readonly name: string;
  readonly model: LoadedModel;
  readonly pipeline: PipelineOptions;
  /** Notes from the model card mapping (e.g. "trained on realigned reads"). */
  readonly notes: readonly string[];
}

/** Wraps a loaded model with its card's make_examples parameters. */
export function evidenceModel(model: LoadedModel, name: string = model.name): EvidenceModel {
  const { options, notes } = modelPipeline(model.exampleInfo, model.card?.makeExamplesParams, model.card ? `${model.dir}/model_card.json` : undefined);
  return { name, model, pipeline: options, notes };
}

export interface EvidenceImage {
  /** The alts this image was made for (DeepVariant's alt-allele combination). */
  readonly altAlleles: readonly string[];
  readonly altAlleleIndices: readonly number[];
  /** show_examples channel strip (greyscale, labelled header), PNG. */
  readonly channelsPng: Uint8Array;
  readonly channelsSize: { readonly width: number; readonly height: number };
  /** RGB composite, PNG; undefined when the tensor lacks channels 1–6. */
  readonly rgbPng: Uint8Array | undefined;
  readonly rgbSize: { readonly width: number; readonly height: number } | undefined;
  /** Model name → softmax [P(0 copies), P(1), P(2)] of these alts, as the model output it. */
  readonly probabilities: Readonly<Record<string, readonly number[]>>;
}

/** One set of images, shared by the models whose pipelines are identical. */
export interface EvidenceImageGroup {
  readonly models: readonly string[];
  /** 'candidate': the models' own candidate; 'given': the record's alleles (no candidate covered them). */
  readonly alleleSource: 'candidate' | 'given';
  readonly refBases: string;
  readonly altBases: readonly string[];
  /** Whether DeepVariant's candidate caller, with these models' thresholds, makes a candidate here. */
  readonly candidate: boolean;
  readonly dp: number;
  readonly ad: readonly number[];
  readonly notes: readonly string[];
  /** Set when no image can be made (window off the contig, …). */
  readonly noExampleReason: string | undefined;
  readonly images: readonly EvidenceImage[];
}

export interface EvidenceCall {
  readonly model: string;
  /** Alleles the call is over (after postprocess's allele simplification). */
  readonly refBases: string;
  readonly altBases: readonly string[];
  /** e.g. "0/1"; "./." for a no-call. */
  readonly gt: string;
  readonly gq: number;
  /** QUAL (rounded to 7 decimals as DeepVariant stores it). */
  readonly qual: number;
  readonly filter: DvFilter;
  readonly pl: readonly number[];
  /** True when the images were for the model's own candidate (else: what it says if asked). */
  readonly fromCandidate: boolean;
}

export interface SiteEvidence {
  readonly contig: string;
  readonly position: number;
  readonly groups: readonly EvidenceImageGroup[];
  /** One per model (in the order given); undefined for a model that has no image here. */
  readonly calls: readonly (EvidenceCall | undefined)[];
}

export interface SiteEvidenceRequest {
  readonly reads: AlignmentSource;
  readonly reference: ReferenceSource;
  readonly models: readonly EvidenceModel[];
  readonly contig: string;
  /** 1-based VCF POS of the record. */
  readonly position: number;
  /** The record's alleles; images are for the models' candidate when it covers them. */
  readonly refBases: string;
  readonly altBases: readonly string[];
  /** call_set_name for the call (the VCF sample). */
  readonly sample: string;
  /** Reuse partition readers across sites (keyed by pipelineKey); filled on first use. */
  readonly readers?: Map<string, PartitionReader>;
  readonly signal?: AbortSignal;
}

function formatGt(gt: readonly number[]): string {
  return gt.map((a) => (a < 0 ? '.' : String(a))).join('/');
}

/** Builds, renders and runs every model on one site. */
export async function collectSiteEvidence(req: SiteEvidenceRequest): Promise<SiteEvidence> {
  const { signal } = req;
  throwIfAborted(signal);
  const readers = req.readers ?? new Map<string, PartitionReader>();
  const byKey = new Map<string, EvidenceModel[]>();
  for (const m of req.models) {
    const k = pipelineKey(m.pipeline);
    const list = byKey.get(k);
    if (list) list.push(m);
    else byKey.set(k, [m]);
  }
  const groups: EvidenceImageGroup[] = [];
  const calls = new Map<string, EvidenceCall>();
  for (const [key, members] of byKey) {
    const first = members[0]!;
    let reader = readers.get(key);
    if (!reader) readers.set(key, reader = new PartitionReader(req.reads, req.reference, first.pipeline));
    const site = await buildSiteExamples({
      reads: req.reads, reference: req.reference, contig: req.contig, position: req.position,
      alleles: { refBases: req.refBases, altBases: req.altBases }, alleleMode: 'prefer-candidate',
      partitionReader: reader, ...(signal ? { signal } : {}),
    });
    const tensors = site.examples.map((e) => e.tensor);
    const probs = new Map<string, Float64Array[]>();
    for (const m of members) probs.set(m.name, tensors.length > 0 ? await m.model.predict(tensors, signal) : []);
    const images: EvidenceImage[] = site.examples.map((ex, i) => {
      const strip = renderChannelStrip(ex.tensor, channelLabels(ex.tensor.channels.length, ex.tensor.channels));
      let rgb: ReturnType<typeof renderRgb> | undefined;
      try {
        rgb = renderRgb(ex.tensor);
      } catch {
        rgb = undefined; // channels 1–6 missing: no composite, as show_examples
      }
      const probabilities: Record<string, number[]> = {};
      for (const m of members) probabilities[m.name] = Array.from(probs.get(m.name)![i]!);
      return {
        altAlleles: ex.altAlleles, altAlleleIndices: ex.altAlleleIndices,
        channelsPng: encodePng(strip), channelsSize: { width: strip.width, height: strip.height },
        rgbPng: rgb ? encodePng(rgb) : undefined, rgbSize: rgb ? { width: rgb.width, height: rgb.height } : undefined,
        probabilities,
      };
    });
    const notes = [...site.notes, ...new Set(members.flatMap((m) => m.notes))];
    groups.push({
      models: members.map((m) => m.name), alleleSource: site.alleleSource, refBases: site.refBases, altBases: site.altBases,
      candidate: site.dvWouldMakeCandidate, dp: site.variant.dp, ad: site.variant.ad, notes, noExampleReason: site.noExampleReason, images,
    });
    if (site.examples.length === 0) continue;
    const v = site.variant;
    for (const m of members) {
      // call_variants rounds each softmax (round_gls) before postprocess (dv-spec §3.2).
      const cvos: CvoRecord[] = site.examples.map((ex, i) => ({
        variant: {
          referenceName: site.contig, start: site.start, end: site.start + v.refBases.length,
          referenceBases: v.refBases, alternateBases: v.altBases, callSetName: req.sample, dp: v.dp, ad: v.ad, vaf: v.vaf,
        },
        altAlleleIndices: ex.altAlleleIndices,
        genotypeProbabilities: roundGls(probs.get(m.name)![i]!),
      }));
      const call = postprocessSite(cvos, { ...DV_POSTPROCESS_DEFAULTS, sampleName: req.sample });
      calls.set(m.name, {
        model: m.name, refBases: call.referenceBases, altBases: call.alternateBases, gt: formatGt(call.genotype), gq: call.gq,
        qual: call.quality, filter: call.filter, pl: phredLikelihoods(call.genotypeLikelihoods), fromCandidate: site.alleleSource === 'candidate',
      });
    }
  }
  return { contig: req.contig, position: req.position, groups, calls: req.models.map((m) => calls.get(m.name)) };
}
