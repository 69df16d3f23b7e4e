/**
 * What each model saw and said at one site, for the demo report (the compare-models and
 * explain-a-disagreement workflows, headless): the site's pileup images built from the reads with each model's own
 * make_examples parameters (its model card, via makeExamplesParams.ts), both images drawn the
 * way show_examples draws them (channel strip + RGB composite, as PNG bytes), each model's
 * softmax per image, and the genotype postprocess_variants makes of them (GT/GQ/QUAL/PL,
 * docs/deepvariant.md §3.2–3.5).
 *
 * The models run through ModelCaller.callSite (the same code `variant-lens call` and the site
 * inspector use). Models that saw byte-identical images share one set of images
 * (model/siteImages.ts groupBySight, as in the inspector); a retrained
 * model whose thresholds change the candidate or the reads gets its own, which is exactly
 * where "what did each model see" differs.
 *
 * An alt-aligned 'rows' image (docs/deepvariant.md §12.3: the models' make_examples settings) is drawn
 * as `show` draws it, three blocks split by grey bands (showExamples.ts blockLayout), and each
 * block's title and drawn rows are given (`blocks`) so the report labels them beside the pixels.
 *
 * Limits, stated in the report: the genotype is computed for this site alone, so the
 * haplotype-conflict resolution postprocess applies across overlapping sites
 * (docs/deepvariant.md §3.3 step 5) is not applied here; images are made without realignment.
 *
 * Coordinates: `position` is the 1-based VCF POS of the record; SiteExamples carry 0-based
 * starts.
 */
import { throwIfAborted } from '../errors';
import type { DvFilter } from '../model/genotypePostprocess';
import { phredLikelihoods } from '../model/deepVariantVcf';
import { modelPipeline } from '../model/makeExamplesParams';
import type { ModelCaller } from '../model/modelCaller';
import { groupBySight } from '../model/siteImages';
import { encodePng } from '../render/png';
import { type BlockLabel, blockLayout, channelLabels, HEADER_HEIGHT, renderChannelStrip, renderRgb, rowsBlockLabels } from '../render/showExamples';

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
  /**
   * An alt-aligned 'rows' image: its three blocks (reference-aligned, alt-1-, alt-2-aligned)
   * with the rows of both PNGs they are drawn at (below the 20-row header).
   */
  readonly blocks?: readonly BlockLabel[];
  /** Model name → softmax [P(0 copies), P(1), P(2)] of these alts, as the model output it. */
  readonly probabilities: Readonly<Record<string, readonly number[]>>;
}

/** One set of images, shared by the models that see exactly the same pixels. */
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
  /** One per model (in the caller's model order); undefined for a model that has no image here. */
  readonly calls: readonly (EvidenceCall | undefined)[];
}

export interface SiteEvidenceRequest {
  /** Runs every model at a site (src/core/model/modelCaller.ts); reuse one across sites (read cache). */
  readonly caller: ModelCaller;
  /** Display name of each of the caller's models, in its order. */
  readonly names: readonly string[];
  readonly contig: string;
  /** 1-based VCF POS of the record. */
  readonly position: number;
  /** The record's alleles; images are for the models' candidate when it covers them. */
  readonly refBases: string;
  readonly altBases: readonly string[];
  /** call_set_name for the call (the VCF sample). */
  readonly sample: string;
  readonly signal?: AbortSignal;
}

function formatGt(gt: readonly number[]): string {
  return gt.map((a) => (a < 0 ? '.' : String(a))).join('/');
}

/**
 * The channel strip and the RGB composite of one image, as `show` draws them; a 'rows' image
 * (`rowsAlts`: the alts of its two alt blocks, in DeepVariant's block order) as three blocks,
 * with the drawn rows of each block's label.
 */
export function evidencePictures(tensor: Parameters<typeof renderChannelStrip>[0], rowsAlts: readonly [string, string] | undefined): {
  strip: ReturnType<typeof renderChannelStrip>; rgb: ReturnType<typeof renderRgb> | undefined; blocks: BlockLabel[] | undefined;
} {
  const layout = rowsAlts ? blockLayout(tensor.height, 3) : undefined;
  const blocked = layout !== undefined && layout.blocks === 3;
  const blockOption = blocked ? { blocks: 3 } : {};
  const strip = renderChannelStrip(tensor, channelLabels(tensor.channels.length, tensor.channels), blockOption);
  let rgb: ReturnType<typeof renderRgb> | undefined;
  try {
    rgb = renderRgb(tensor, blockOption);
  } catch {
    rgb = undefined; // channels 1–6 missing: no composite, as show_examples
  }
  return { strip, rgb, blocks: blocked && rowsAlts ? rowsBlockLabels(layout, rowsAlts, HEADER_HEIGHT) : undefined };
}

/** Runs every model on one site, groups the models by what they saw, and renders the images. */
export async function collectSiteEvidence(req: SiteEvidenceRequest): Promise<SiteEvidence> {
  throwIfAborted(req.signal);
  const results = await req.caller.callSite(req.contig, req.position, { refBases: req.refBases, altBases: req.altBases }, req.signal, req.sample);
  if (results.length !== req.names.length) throw new Error(`internal: ${results.length} model results for ${req.names.length} names`);
  // Group the models by the images they saw (core/model/siteImages.ts, shared with the inspector).
  const clusters = groupBySight(results.map((r, i) => ({ site: r.site, name: req.names[i]!, r })));
  const groups: EvidenceImageGroup[] = clusters.map(({ site, members }) => {
    // The members saw the same images; the first one's make_examples settings (as ModelCaller builds them) say the layout.
    const m0 = members[0]!.r.model;
    const rows = modelPipeline(m0.exampleInfo, m0.card?.makeExamplesParams, m0.dir).options.encoder.altAlignedPileup === 'rows';
    const images: EvidenceImage[] = site.examples.map((ex, i) => {
      const { strip, rgb, blocks } = evidencePictures(ex.tensor, rows && ex.altBlocks ? [ex.altBlocks[0].alt, ex.altBlocks[1].alt] : undefined);
      const probabilities: Record<string, number[]> = {};
      for (const m of members) {
        const p = m.r.probabilities[i];
        if (p) probabilities[m.name] = Array.from(p);
      }
      return {
        altAlleles: ex.altAlleles, altAlleleIndices: ex.altAlleleIndices,
        channelsPng: encodePng(strip), channelsSize: { width: strip.width, height: strip.height },
        rgbPng: rgb ? encodePng(rgb) : undefined, rgbSize: rgb ? { width: rgb.width, height: rgb.height } : undefined,
        ...(blocks ? { blocks } : {}),
        probabilities,
      };
    });
    return {
      models: members.map((m) => m.name), alleleSource: site.alleleSource, refBases: site.refBases, altBases: site.altBases,
      candidate: site.dvWouldMakeCandidate, dp: site.variant.dp, ad: site.variant.ad, notes: site.notes, noExampleReason: site.noExampleReason, images,
    };
  });
  const calls = results.map((r, i): EvidenceCall | undefined => {
    const c = r.call;
    if (!c) return undefined;
    return {
      model: req.names[i]!, refBases: c.referenceBases, altBases: c.alternateBases, gt: formatGt(c.genotype), gq: c.gq,
      qual: c.quality, filter: c.filter, pl: phredLikelihoods(c.genotypeLikelihoods), fromCandidate: r.site.alleleSource === 'candidate',
    };
  });
  return { contig: req.contig, position: req.position, groups, calls };
}
