/**
 * Where the inspector's pileup tensors come from, and what a hovered pixel shows. vscode-free
 * (settings arrive as a plain `SiteSourceConfig`), so the logic is unit-tested in Node
 * (test/unit/extension/inspector/siteTensors.test.ts).
 *
 * Two sources, in this order:
 *  1. DeepVariant's own examples (`variantLens.examples`, TFRecord) when one holds the site:
 *     exactly what DeepVariant's model saw. No reads are involved, so no per-read hover.
 *  2. The reads (`variantLens.reads` for the record's sample) and the reference, through our
 *     make_examples (`buildSiteExamples`) with the make_examples settings of the first
 *     configured model (its example_info.json + model card), else DeepVariant's defaults.
 *
 * Layouts (docs/deepvariant.md §12.3): an alt-aligned image says so (`altLayout`, `altBlocks`),
 * whichever source made it: for an examples file from its example_info.json, else its shape
 * (`altLayoutOf`: 300 rows are 'rows'); for the reads from the encoder settings, which are the
 * CLI's (`pipelineOptions`/`modelPipeline` over the model's example_info.json). Channel 8 needs
 * the population VCFs of `variantLens.populationVcfs`, passed to the encoder as the CLI's
 * `--population-vcfs` is; without them the encoding fails with a message naming the setting.
 *
 * Coordinates: SiteRecord.pos is the 1-based VCF POS; ExamplesIndex and SiteExamples use
 * 0-based starts (POS − 1). Hover answers give 1-based positions.
 *
 * Readers, partition caches and example indexes are kept between sites (walking j/k over
 * nearby sites reads each BAM block once) and dropped by `reset()` when the settings change.
 */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { VariantLensError, throwIfAborted } from '../../core/errors';
import { openAlignments, type AlignmentFile } from '../../core/io/sam/alignmentReader';
import { ExamplesIndex } from '../../core/io/examples/examplesFile';
import { findExampleInfo, readExampleInfo, type ExampleInfo } from '../../core/io/examples/exampleInfo';
import type { PileupTensor } from '../../core/io/examples/pileupTensor';
import { type AltAlignedPileup, altBlockOrder, altLayoutOf } from '../../core/pileup/altAlignedPileup';
import { PopulationVcfs } from '../../core/pileup/alleleFrequency';
import { openReference, type FastaFile } from '../../core/io/fasta/fastaReader';
import type { AlignedRead } from '../../core/io/sam/alignedRead';
import { describeColumn, downsamplingModeForVersion, rowInfos, type RowInfo } from '../../core/pileup/pileupEncoder';
import { PartitionReader, pipelineOptions, type PipelineOptions, type SiteExamples } from '../../core/pileup/siteExamples';
import { pipelineKey } from '../../core/model/makeExamplesParams';
import { SiteImageCache, type SiteEncodeFn } from '../../core/model/siteImages';
import type { InspectorHover, SiteRecord, TensorPayload } from '../../protocol/protocol';
import type { EncoderChoice } from './modelLoader';
import { checkRegularFile } from '../../core/io/safeOpen';
import { siteInputs, type ReadsChoice, type SiteInputs } from './readsChoice';


/** DeepVariant's reference_band_height (docs/deepvariant.md §2.1): rows 0–4 of every image are the reference. */
const REFERENCE_BAND_ROWS = 5;

export interface SiteSourceConfig {
  readonly trusted: boolean;
  /** Sample name → BAM/CRAM, and paths without a sample (used when the sample is not listed). */
  readonly reads: { readonly bySample: ReadonlyMap<string, string>; readonly unnamed: readonly string[] };
  readonly reference: string | undefined;
  /** TFRecord files or patterns of DeepVariant examples (make_examples output). */
  readonly examples: readonly string[];
  /** `variantLens.populationVcfs`: cohort VCFs with INFO AF for channel 8 (make_examples `--population_vcfs`). */
  readonly populationVcfs?: readonly string[];
  /** The reads/reference chosen for a VCF and remembered in the workspace (readsChoice.ts); before the settings. */
  readonly choiceFor?: (vcfPath: string) => ReadsChoice | undefined;
}

/** A site's reads and reference: the VCF's remembered choice, else the settings (readsChoice.ts siteInputs). */
export function inputsFor(site: SiteRecord, cfg: SiteSourceConfig): SiteInputs {
  return siteInputs(site, cfg.choiceFor?.(site.file), () => readsFor(site, cfg.reads), cfg.reference);
}

export type HoverFn = (tensor: number, row: number, col: number) => InspectorHover | null;

export interface TensorResult {
  readonly tensors: readonly TensorPayload[];
  /** Why there are no tensors, or a caveat about them. */
  readonly note?: string;
  /** Answers `inspector.hover` for these tensors (reads source only). */
  readonly hover?: HoverFn;
  /** The encoder output the tensors came from (reads source). */
  readonly siteExamples?: SiteExamples;
}

/** Picks the reads for a record: by its sample name, else the only/first configured file. */
export function readsFor(site: SiteRecord, reads: SiteSourceConfig['reads']): { path: string; sample: string | undefined } | undefined {
  const names = site.samples.map((s) => s.name);
  for (const name of names) {
    const exact = reads.bySample.get(name);
    if (exact) return { path: exact, sample: name };
    // Diff records name their samples "HG003-sim (A: default.vcf.gz)".
    for (const [k, p] of reads.bySample) if (name.startsWith(`${k} (`)) return { path: p, sample: k };
  }
  if (reads.unnamed.length > 0) return { path: reads.unnamed[0]!, sample: names[0] };
  if (reads.bySample.size === 1) {
    const [k, p] = [...reads.bySample][0]!;
    return { path: p, sample: k };
  }
  return undefined;
}

/** The record's ALT alleles we can image (symbolic and '*' alleles are skipped). */
export function imageableAlleles(site: SiteRecord): { refBases: string; altBases: string[] } | undefined {
  const ref = site.ref.toUpperCase();
  const alts = site.alt.split(',').map((a) => a.toUpperCase()).filter((a) => /^[ACGTN]+$/.test(a) && a !== ref);
  if (!/^[ACGTN]+$/.test(ref) || alts.length === 0) return undefined;
  return { refBases: ref, altBases: alts };
}

function tensorOf(t: { height: number; width: number; channels: readonly number[]; data: Uint8Array }): Pick<TensorPayload, 'height' | 'width' | 'channels' | 'data'> {
  return { height: t.height, width: t.width, channels: [...t.channels], data: t.data };
}

/** What the supports channel of a read row means for an image (docs/deepvariant.md §2.5). */
function supportsText(value: number, altLabel: string): string {
  if (value === 254) return `supports ${altLabel}`;
  if (value === 152) return 'supports the reference (or no alt)';
  return 'supports another alt';
}

const BASE_OF_VALUE: Readonly<Record<number, string>> = { 250: 'A', 180: 'G', 100: 'T', 30: 'C' };

/** Channel id `id` of pixel (row, col), or undefined when the image has no such channel. */
function pixel(t: PileupTensor, id: number, row: number, col: number): number | undefined {
  const k = t.channels.indexOf(id);
  return k < 0 ? undefined : t.data[(row * t.width + col) * t.channels.length + k];
}

/** The read-supports value of a read row (constant along the row, docs/deepvariant.md §2.5): its first non-zero pixel. */
function rowSupports(t: PileupTensor, row: number): number {
  for (let c = 0; c < t.width; c++) {
    const v = pixel(t, 5, row, c) ?? 0;
    if (v !== 0) return v;
  }
  return 0;
}

/**
 * Hover details computed from the encoder's rows (same CIGAR walk as the image: describeColumn).
 * A 'rows' image (`layout`) has three blocks: the reference-aligned pileup, then the reads
 * aligned to each alt haplotype (`altBlocks`), whose columns are haplotype columns.
 */
export function hoverFromSite(site: SiteExamples, tensorIndex: number, row: number, col: number, layout: AltAlignedPileup = 'none'): InspectorHover | null {
  const ex = site.examples[tensorIndex];
  if (!ex) return null;
  const t = ex.tensor;
  if (row < 0 || row >= t.height || col < 0 || col >= t.width) return null;
  const blockHeight = layout === 'rows' && ex.altBlocks ? t.height / 3 : t.height;
  const block = Math.floor(row / blockHeight);
  const inBlock = row - block * blockHeight;
  const band = site.rows[0]?.row ?? REFERENCE_BAND_ROWS;
  let info: RowInfo | undefined;
  let read: AlignedRead | undefined;
  let supports: number;
  let refBase: string;
  if (block === 0) {
    refBase = site.windowBases[col] ?? 'N';
    info = site.rows[inBlock - band];
    read = site.rowReads[inBlock - band];
    supports = ex.supports[inBlock - band] ?? 0;
  } else {
    // The alt block's reference rows hold the alt haplotype's bases (channel 1).
    refBase = BASE_OF_VALUE[pixel(t, 1, block * blockHeight, col) ?? 0] ?? 'N';
    const reads = ex.altBlocks?.[block - 1]?.reads ?? [];
    read = reads[inBlock - band];
    info = read ? rowInfos([read], band)[0] : undefined;
    supports = rowSupports(t, row);
  }
  const base = { row, col, pos: site.windowStart + col + 1, refBase, ...(layout === 'rows' && ex.altBlocks ? { block } : {}) };
  if (inBlock < band) return { ...base, region: 'reference' };
  if (!info || !read) return { ...base, region: 'empty' };
  const d = describeColumn(read, site.windowStart, col);
  const altLabel = ex.altAlleles.join(',');
  return {
    ...base,
    region: 'read',
    read: {
      name: info.name, mate: info.flags & 0x1 ? info.readNumber + 1 : 0, flags: info.flags, mapq: info.mapq,
      strand: info.reverse ? '-' : '+', cigar: info.cigar, start: info.start + 1, end: info.end, insertSize: info.tlen,
      supports: supportsText(supports, altLabel),
    },
    ...(d.kind !== 'none' ? { base: d.base, op: d.op, what: d.kind } : { what: 'not covered by the read' }),
    ...(d.quality !== undefined ? { baseQuality: d.quality } : {}),
    ...(d.inserted !== undefined ? { inserted: d.inserted } : {}),
  };
}

/** The payload fields of an alt-aligned layout (nothing for the plain pileup). */
function layoutFields(layout: AltAlignedPileup, altBlocks: readonly [string, string] | undefined): Pick<TensorPayload, 'altLayout' | 'altBlocks'> {
  if (layout === 'none') return {};
  return { altLayout: layout, ...(altBlocks ? { altBlocks: [altBlocks[0], altBlocks[1]] as const } : {}) };
}

/** The reads source's payloads for a SiteExamples (one per alt-allele combination), drawn in `layout`. */
export function payloadsFromSite(site: SiteExamples, source: string, layout: AltAlignedPileup = 'none'): TensorPayload[] {
  const band = site.rows[0]?.row;
  return site.examples.map((ex) => ({
    ...tensorOf(ex.tensor),
    ...layoutFields(layout, ex.altBlocks ? [ex.altBlocks[0].alt, ex.altBlocks[1].alt] : undefined),
    source,
    altLabel: ex.altAlleles.join(','),
    windowStart: site.windowStart,
    windowBases: site.windowBases,
    candidateColumn: site.start - site.windowStart,
    refRows: band ?? REFERENCE_BAND_ROWS,
    readRows: site.rows.length,
    hover: true,
  }));
}

/**
 * The layout of an image read from an examples file (docs/deepvariant.md §12.3): what its
 * example_info.json says, else its channel ids, else 'rows' for three 100-row blocks
 * (`altLayoutOf`, as `show` and `parity` decide), with the block alts in DeepVariant's order
 * (1.5 sorts them, 1.6+ keeps the variant's order: `altBlockOrder`).
 */
export function examplesLayout(
  t: Pick<TensorPayload, 'height' | 'width' | 'channels'>, alts: readonly string[], info: ExampleInfo | undefined,
): Pick<TensorPayload, 'altLayout' | 'altBlocks'> {
  const { layout } = altLayoutOf({ shape: [t.height, t.width, t.channels.length], channels: t.channels, ...(info?.altAlignedPileup ? { altAlignedPileup: info.altAlignedPileup } : {}) });
  if (layout === 'rows' && t.height % 3 !== 0) return {};
  return layoutFields(layout, alts.length > 0 ? altBlockOrder(alts, downsamplingModeForVersion(info?.version ?? 'unknown') === 'dv1.5') : undefined);
}

export class SiteSources {
  private readonly alignments = new Map<string, Promise<AlignmentFile>>();
  private referenceFile: { path: string; file: Promise<FastaFile> } | undefined;
  private readonly readers = new Map<string, PartitionReader>();
  private readonly indexes = new Map<string, Promise<ExamplesIndex>>();
  /** The example_info.json next to each examples file (undefined when there is none). */
  private readonly infos = new Map<string, Promise<ExampleInfo | undefined>>();
  /** The opened `variantLens.populationVcfs`, by their paths. */
  private population: { key: string; file: Promise<PopulationVcfs> } | undefined;
  /** The recent sites' encodings, one per settings: the pictures and the models share them. */
  private readonly images: SiteImageCache;

  constructor(
    private readonly config: () => SiteSourceConfig,
    /** The encoder settings for reads; called per site (cheap after the first call): ModelLoader.encoderChoice. */
    private readonly encoder: (signal: AbortSignal) => Promise<EncoderChoice> = async () => ({ options: pipelineOptions(), label: 'DeepVariant defaults' }),
    /** make_examples for one site (default buildSiteExamples; tests count the calls). */
    encode?: SiteEncodeFn,
  ) {
    this.images = new SiteImageCache(encode);
  }

  /** An opened BAM/CRAM (kept open). */
  alignmentsOf(path: string, signal?: AbortSignal, referencePath: string | undefined = this.config().reference): Promise<AlignmentFile> {
    // A CRAM decodes against its reference: the same file with another reference is another reader.
    const key = `${path}\n${referencePath ?? ''}`;
    let p = this.alignments.get(key);
    if (!p) {
      // Paths come from settings: regular files only (a FIFO would block, a device never end).
      p = Promise.all([checkRegularFile(path, 'reads file'), referencePath ? checkRegularFile(referencePath, 'reference') : undefined])
        .then(() => openAlignments(path, referencePath ? { referencePath } : {}));
      this.alignments.set(key, p);
      p.catch(() => this.alignments.delete(key));
    }
    // The open is shared by every caller, so it runs to the end whoever cancels (a cancelled
    // open would fail the next site's request that joined it); each caller waits on its own signal.
    return signal ? abortable(p, signal) : p;
  }

  referenceOf(path: string, signal?: AbortSignal): Promise<FastaFile> {
    if (this.referenceFile?.path !== path) {
      const file = checkRegularFile(path, 'reference').then(() => openReference(path));
      this.referenceFile = { path, file };
      file.catch(() => { if (this.referenceFile?.file === file) this.referenceFile = undefined; });
    }
    return signal ? abortable(this.referenceFile.file, signal) : this.referenceFile.file;
  }

  private examplesIndex(path: string, signal: AbortSignal): Promise<ExamplesIndex> {
    let p = this.indexes.get(path);
    if (!p) {
      // Built once per file with its own controller: a cancelled site must not poison the cache.
      // A single file named in settings must be a regular file (shard patterns are expanded by the reader).
      p = (existsSync(path) ? checkRegularFile(path, 'examples file') : Promise.resolve()).then(() => ExamplesIndex.build(path));
      this.indexes.set(path, p);
      p.catch(() => this.indexes.delete(path));
    }
    return abortable(p, signal);
  }

  private exampleInfoOf(path: string): Promise<ExampleInfo | undefined> {
    let p = this.infos.get(path);
    if (!p) {
      p = findExampleInfo(path).then((found) => (found ? readExampleInfo(found) : undefined));
      this.infos.set(path, p);
      p.catch(() => this.infos.delete(path));
    }
    return p;
  }

  /**
   * `options` with the population VCFs attached when its channels include 8 (the CLI's
   * `--population-vcfs`): opened once per list of paths, each a regular file. Channel 8 without
   * `variantLens.populationVcfs` is refused naming the setting, never drawn as zeros.
   */
  async withPopulationVcfs(options: PipelineOptions, label: string, signal?: AbortSignal): Promise<PipelineOptions> {
    if (!options.encoder.channels.includes(8) || options.populationVcfs) return options;
    return { ...options, populationVcfs: await this.populationVcfsFor(options.encoder.channels, label, signal) };
  }

  /** The opened `variantLens.populationVcfs` for images with `channels` (which include 8); refused naming the setting when it is empty. */
  async populationVcfsFor(channels: readonly number[], label: string, signal?: AbortSignal): Promise<PopulationVcfs> {
    const paths = this.config().populationVcfs ?? [];
    if (paths.length === 0) {
      throw new VariantLensError('invalid-argument', `${label} draw channel 8 (CH_ALLELE_FREQUENCY, channels [${channels.join(', ')}]), which needs population allele frequencies: set variantLens.populationVcfs to the cohort VCFs with INFO AF that make_examples was given (--population_vcfs)`);
    }
    const key = JSON.stringify(paths);
    if (this.population?.key !== key) {
      const old = this.population?.file;
      const file = Promise.all(paths.map((p) => checkRegularFile(p, 'population VCF'))).then(() => PopulationVcfs.open(paths));
      this.population = { key, file };
      file.catch(() => { if (this.population?.file === file) this.population = undefined; });
      void old?.then((f) => f.close(), () => undefined);
    }
    return abortable(this.population.file, signal ?? new AbortController().signal);
  }

  /** The tensors of a site, or a plain note saying why there are none. Errors name the file. */
  async tensors(site: SiteRecord, signal: AbortSignal): Promise<TensorResult> {
    const cfg = this.config();
    if (!cfg.trusted) {
      return { tensors: [], note: 'Reads, reference and models are not loaded in an untrusted workspace (Restricted Mode). Trust the workspace to see the pileup.' };
    }
    const notes: string[] = [];
    for (const path of cfg.examples) {
      const index = await this.examplesIndex(path, signal);
      const info = await abortable(this.exampleInfoOf(path), signal);
      const examples = await index.examplesAt(site.chrom, site.pos - 1, signal);
      if (examples.length > 0) {
        const first = examples[0]!;
        const shard = index.locationsAt(site.chrom, site.pos - 1)[0]?.shard ?? 0;
        const source = `examples: ${basename(index.files[shard] ?? path)} (DeepVariant)`;
        const v = first.variant;
        return {
          tensors: examples.map((ex) => {
            const alts = ex.altAlleleIndices.map((i) => ex.variant.alternateBases[i] ?? '?');
            return {
              ...tensorOf(ex.tensor), source, altLabel: alts.join(','),
              candidateColumn: (ex.tensor.width - 1) / 2, refRows: REFERENCE_BAND_ROWS,
              ...examplesLayout(ex.tensor, alts, info),
            };
          }),
          note: `DeepVariant's own examples for ${v.referenceName}:${v.start + 1} ${v.referenceBases}→${v.alternateBases.join(',')}: exactly what its model saw (hover shows pixel values only: examples carry no reads)`,
        };
      }
      notes.push(`no DeepVariant example at ${site.chrom}:${site.pos} in ${basename(path)}`);
    }
    const inputs = inputsFor(site, cfg);
    const reads = inputs.reads;
    if (!reads) {
      const listed = [...cfg.reads.bySample.keys()];
      return {
        tensors: [],
        note: [...notes, listed.length
          ? `No reads for sample ${site.samples.map((s) => s.name).join(', ') || '(none)'}: variantLens.reads lists ${listed.join(', ')}. Add this sample's BAM/CRAM with "Variant Lens: Configure Reads, Reference and Models…".`
          : 'No reads configured: set variantLens.reads (BAM/CRAM per sample) and variantLens.reference, or variantLens.examples, with "Variant Lens: Configure Reads, Reference and Models…".'].join('. '),
      };
    }
    if (!inputs.reference) return { tensors: [], note: [...notes, 'No reference configured: set variantLens.reference (FASTA with .fai) to build the pileup from the reads.'].join('. ') };
    const alleles = imageableAlleles(site);
    const siteExamples = await this.siteExamples(site.chrom, site.pos, alleles, reads.path, inputs.reference, signal);
    const encoder = siteExamples.encoder;
    const se = siteExamples.site;
    const chosen = inputs.chosenFor ? `, chosen for ${basename(inputs.chosenFor)}` : '';
    const source = `reads: ${basename(reads.path)}${chosen} (Variant Lens encoder, ${encoder.label})`;
    const allNotes = [...notes, ...se.notes];
    if (se.noExampleReason) allNotes.push(`no image: ${se.noExampleReason}`);
    if (!alleles) allNotes.push(`the record's ALT (${site.alt || '.'}) has no base alleles; images are for DeepVariant's candidate here, if any`);
    const layout = encoder.options.encoder.altAlignedPileup;
    return {
      tensors: payloadsFromSite(se, source, layout),
      ...(allNotes.length ? { note: allNotes.join('. ') } : {}),
      hover: (t, row, col) => hoverFromSite(se, t, row, col, layout),
      siteExamples: se,
    };
  }

  /**
   * The site's images under `options` (default: the encoder choice, the first model's
   * settings): built once per (site, reads, reference, settings) and cached (SiteImageCache),
   * with a cached PartitionReader per (reads, reference, settings).
   */
  async siteExamples(
    contig: string, position: number, alleles: { refBases: string; altBases: string[] } | undefined, readsPath: string, referencePath: string, signal: AbortSignal,
    options?: PipelineOptions,
  ): Promise<{ site: SiteExamples; encoder: EncoderChoice }> {
    const [bam, reference, chosen] = await Promise.all([
      this.alignmentsOf(readsPath, signal, referencePath), this.referenceOf(referencePath, signal),
      options ? { options, label: 'the model\'s make_examples settings' } : this.encoder(signal),
    ]);
    throwIfAborted(signal);
    const encoder: EncoderChoice = { ...chosen, options: await this.withPopulationVcfs(chosen.options, `The images (${chosen.label})`, signal) };
    const key = `${readsPath}\n${referencePath}\n${pipelineKey(encoder.options)}`;
    let reader = this.readers.get(key);
    if (!reader) {
      reader = new PartitionReader(bam, reference, encoder.options);
      this.readers.set(key, reader);
      while (this.readers.size > 4) this.readers.delete(this.readers.keys().next().value!);
    }
    const site = await this.images.images({ inputs: `${readsPath}\n${referencePath}`, contig, position, alleles }, {
      reads: bam, reference, contig, position, options: encoder.options, partitionReader: reader, signal,
      ...(alleles ? { alleles } : {}),
    });
    return { site, encoder };
  }

  /** Drops readers and indexes (settings changed). */
  async reset(): Promise<void> {
    const files = [...this.alignments.values()];
    const ref = this.referenceFile?.file;
    const population = this.population?.file;
    this.population = undefined;
    this.infos.clear();
    this.alignments.clear();
    this.readers.clear();
    this.images.clear();
    this.indexes.clear();
    this.referenceFile = undefined;
    await Promise.all([...files, ...(ref ? [ref] : []), ...(population ? [population] : [])].map((p: Promise<{ close(): Promise<void> }>) => p.then((f) => f.close(), () => undefined)));
  }
}

/** Waits for `p` unless `signal` aborts first (the work itself keeps running for the cache). */
function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  throwIfAborted(signal);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new VariantLensError('cancelled', 'operation cancelled'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then((v) => { signal.removeEventListener('abort', onAbort); resolve(v); }, (e: unknown) => { signal.removeEventListener('abort', onAbort); reject(e); });
  });
}
