/**
 * A site's images across models: the one place that decides which models share an encoding
 * and which models saw the same pixels. Used by the calling pipeline (ModelCaller), the
 * two-model report (report/siteEvidence.ts) and the site inspector (extension/inspector).
 *
 *  * `groupBySettings`: models whose make_examples settings give the same candidates and
 *    images (makeExamplesParams.ts pipelineKey) share one encoding pass.
 *  * `SiteImageCache`: a site's encodings, each made once per distinct settings and kept for
 *    the next asker. The inspector shows the first model's images as soon as they are built,
 *    then runs every model on the same encodings, so a site is encoded once per distinct
 *    settings, not once for the picture and again for the models.
 *  * `groupBySight`: models whose images are identical (the same encoding, or another
 *    settings set that happened to draw the same pixels) share one set of images.
 *
 * The encoding function is a parameter (default: pileup/siteExamples.buildSiteExamples), so
 * tests can count encoder calls.
 *
 * It lives in core/model, beside the caller that groups models by settings, rather than in
 * core/report: the extension's inspector uses it too and has no business importing the HTML
 * report.
 */
import type { PileupTensor } from '../io/examples/pileupTensor';
import { buildSiteExamples, type PipelineOptions, type SiteExamples, type SiteRequest } from '../pileup/siteExamples';
import { pipelineKey } from './makeExamplesParams';

/** make_examples for one site (buildSiteExamples' signature). */
export type SiteEncodeFn = (req: SiteRequest) => Promise<SiteExamples>;

/** Items (models) that encode with the same make_examples settings. */
export interface SettingsGroup<T> {
  /** pipelineKey of the settings. */
  readonly key: string;
  readonly options: PipelineOptions;
  readonly members: T[];
}

/** Groups items by their settings' pipelineKey, in order of first appearance; members keep their order. */
export function groupBySettings<T>(items: readonly T[], optionsOf: (item: T) => PipelineOptions): SettingsGroup<T>[] {
  const byKey = new Map<string, SettingsGroup<T>>();
  for (const item of items) {
    const options = optionsOf(item);
    const key = pipelineKey(options);
    let g = byKey.get(key);
    if (!g) byKey.set(key, g = { key, options, members: [] });
    g.members.push(item);
  }
  return [...byKey.values()];
}

/** The part of a site request that names the site and its inputs (everything but the settings). */
export interface SiteImageKey {
  /** Identifies reads + reference (e.g. their paths). */
  readonly inputs: string;
  readonly contig: string;
  /** 1-based VCF POS. */
  readonly position: number;
  readonly alleles: { readonly refBases: string; readonly altBases: readonly string[] } | undefined;
}

/**
 * Encodings of recent sites, one per (site, inputs, settings). A failed or cancelled encoding
 * is forgotten, so the next asker builds it again; so is one still running under a signal
 * that has been aborted (a newer request for the same site must not inherit the
 * cancellation of the one it replaced).
 */
export class SiteImageCache {
  private readonly entries = new Map<string, { readonly promise: Promise<SiteExamples>; readonly signal: AbortSignal | undefined; settled: boolean }>();

  constructor(private readonly encode: SiteEncodeFn = buildSiteExamples, private readonly capacity = 8) {}

  /** The site's images under `request.options` (built now, or the cached ones). */
  images(site: SiteImageKey, request: SiteRequest & { readonly options: PipelineOptions }): Promise<SiteExamples> {
    const alleles = site.alleles ? `${site.alleles.refBases}>${site.alleles.altBases.join(',')}` : '';
    const key = [site.inputs, site.contig, site.position, alleles, pipelineKey(request.options)].join('\n');
    const cached = this.entries.get(key);
    if (cached && (cached.settled || !cached.signal?.aborted)) {
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached.promise;
    }
    const entry = { promise: this.encode(request), signal: request.signal, settled: false };
    this.entries.delete(key);
    this.entries.set(key, entry);
    entry.promise.then(() => { entry.settled = true; }, () => { if (this.entries.get(key) === entry) this.entries.delete(key); });
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return entry.promise;
  }

  clear(): void {
    this.entries.clear();
  }
}

type TensorLike = Pick<PileupTensor, 'height' | 'width' | 'channels' | 'data'>;

/** Same shape, channels and bytes. */
export function sameTensor(a: TensorLike, b: TensorLike): boolean {
  if (a === b) return true;
  if (a.height !== b.height || a.width !== b.width || a.channels.join(',') !== b.channels.join(',') || a.data.length !== b.data.length) return false;
  return Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).equals(Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength));
}

/** Same alleles and byte-identical images: whoever saw one saw exactly the other. */
export function sameImages(x: SiteExamples, y: SiteExamples): boolean {
  if (x === y) return true;
  if (x.refBases !== y.refBases || x.altBases.join(',') !== y.altBases.join(',') || x.examples.length !== y.examples.length) return false;
  return x.examples.every((e, i) => {
    const f = y.examples[i]!;
    return e.altAlleleIndices.join(',') === f.altAlleleIndices.join(',') && sameTensor(e.tensor, f.tensor);
  });
}

/** One set of images and the members (models) that saw exactly it. */
export interface SightGroup<T> {
  readonly site: SiteExamples;
  readonly members: T[];
}

/**
 * Groups per-model results by the images they saw: models of the same settings share one
 * SiteExamples object; models of other settings that still drew the same pixels join them.
 * Groups are in order of first appearance; members keep their order.
 */
export function groupBySight<T extends { readonly site: SiteExamples }>(results: readonly T[]): SightGroup<T>[] {
  const groups: SightGroup<T>[] = [];
  for (const r of results) {
    const g = groups.find((x) => sameImages(x.site, r.site));
    if (g) g.members.push(r);
    else groups.push({ site: r.site, members: [r] });
  }
  return groups;
}
