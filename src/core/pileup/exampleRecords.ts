/**
 * Turns SiteExamples into DeepVariant tf.Examples (docs/deepvariant.md §4.2): the candidate variant with
 * calls[0] = {sample, GT [-1,-1], DP, AD, VAF} as the caller writes it (docs/deepvariant.md §7.3), the
 * alt-allele indices, the image and its shape; `label` for training examples.
 */
import type { DvVariant } from '../io/examples/nucleusProtos';
import { type DvExample, encodedVariantType, locusLiteral } from '../io/examples/tfExample';
import type { SiteExamples } from './siteExamples';

export function candidateVariant(site: SiteExamples, sampleName: string): DvVariant {
  const v = site.variant;
  return {
    referenceName: site.contig,
    start: site.start,
    end: site.start + site.refBases.length,
    referenceBases: site.refBases,
    alternateBases: [...site.altBases],
    names: [],
    filter: [],
    info: {},
    calls: [{
      callSetName: sampleName,
      genotype: [-1, -1],
      genotypeLikelihood: [],
      info: { VAF: [...v.vaf], AD: [...v.ad], DP: [v.dp] },
      doubleInfoKeys: ['VAF'],
      isPhased: false,
    }],
    doubleInfoKeys: [],
  };
}

/**
 * One tf.Example per image of the site, in DeepVariant's alt-combination order.
 * `labelOf` (training) gives the number of copies of an image's alts in the truth genotype.
 */
export function siteToDvExamples(site: SiteExamples, sampleName: string, labelOf?: (altAlleles: readonly string[]) => number): DvExample[] {
  const variant = candidateVariant(site, sampleName);
  return site.examples.map((e) => {
    const ex: DvExample = {
      locus: locusLiteral(variant),
      variant,
      altAlleleIndices: [...e.altAlleleIndices],
      tensor: e.tensor,
      variantType: encodedVariantType(variant),
      sequencingType: 0,
    };
    if (labelOf) ex.label = labelOf(e.altAlleles);
    return ex;
  });
}

/**
 * Spells `alt` (against `ref`) in the frame of another REF starting at the same position, or
 * undefined when the two REFs are not prefix-compatible.
 */
export function respellAlt(ref: string, alt: string, targetRef: string): string | undefined {
  if (targetRef.startsWith(ref)) return alt + targetRef.slice(ref.length);
  if (ref.startsWith(targetRef)) {
    const extra = ref.slice(targetRef.length);
    return alt.endsWith(extra) ? alt.slice(0, alt.length - extra.length) : undefined;
  }
  return undefined;
}

/**
 * Training label: how many of the truth genotype's alleles are among this image's alts
 * (0, 1 or 2). A truth record at the same start is matched allele by allele after
 * re-spelling it against the candidate's REF. (DeepVariant's haplotype labeler also
 * matches differently represented variants nearby; this positional labeler does not.)
 */
export function labelFromTruth(candidateRef: string, imageAlts: readonly string[], truth: readonly { ref: string; alts: readonly string[]; gt: readonly (number | null)[] }[]): number {
  let n = 0;
  for (const t of truth) {
    for (const a of t.gt) {
      if (a === null || a <= 0) continue;
      const alt = t.alts[a - 1];
      if (alt === undefined) continue;
      const spelled = respellAlt(t.ref, alt, candidateRef);
      if (spelled !== undefined && imageAlts.includes(spelled)) n++;
    }
  }
  return Math.min(n, 2);
}
