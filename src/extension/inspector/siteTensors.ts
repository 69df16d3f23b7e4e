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
import { openReference, type FastaFile } from '../../core/io/fasta/fastaReader';
import type { AlignedRead } from '../../core/io/sam/alignedRead';
import { describeColumn, type RowInfo } from '../../core/pileup/pileupEncoder';
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

/** Hover details computed from the encoder's rows (same CIGAR walk as the image: describeColumn). */
export function hoverFromSite(site: SiteExamples, tensorIndex: number, row: number, col: number): InspectorHover | null {
  const ex = site.examples[tensorIndex];
  if (!ex) return null;
  const t = ex.tensor;
  if (row < 0 || row >= t.height || col < 0 || col >= t.width) return null;
  const refPos0 = site.windowStart + col;
  const refBase = site.windowBases[col] ?? 'N';
  const base = { row, col, pos: refPos0 + 1, refBase };
  const band = site.rows[0]?.row ?? REFERENCE_BAND_ROWS;
  if (row < band) return { ...base, region: 'reference' };
  const k = row - band;
  const info: RowInfo | undefined = site.rows[k];
  const read: AlignedRead | undefined = site.rowReads[k];
  if (!info || !read) return { ...base, region: 'empty' };
  const d = describeColumn(read, site.windowStart, col);
  const altLabel = ex.altAlleles.join(',');
  return {
    ...base,
    region: 'read',
    read: {
      name: info.name, mate: info.flags & 0x1 ? info.readNumber + 1 : 0, flags: info.flags, mapq: info.mapq,
      strand: info.reverse ? '-' : '+', cigar: info.cigar, start: info.start + 1, end: info.end, insertSize: info.tlen,
      supports: supportsText(ex.supports[k] ?? 0, altLabel),
    },
    ...(d.kind !== 'none' ? { base: d.base, op: d.op, what: d.kind } : { what: 'not covered by the read' }),
    ...(d.quality !== undefined ? { baseQuality: d.quality } : {}),
    ...(d.inserted !== undefined ? { inserted: d.inserted } : {}),
  };
}

/** The reads source's payloads for a SiteExamples (one per alt-allele combination). */
export function payloadsFromSite(site: SiteExamples, source: string): TensorPayload[] {
  const band = site.rows[0]?.row;
  return site.examples.map((ex) => ({
    ...tensorOf(ex.tensor),
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

export class SiteSources {
  private readonly alignments = new Map<string, Promise<AlignmentFile>>();
  private referenceFile: { path: string; file: Promise<FastaFile> } | undefined;
  private readonly readers = new Map<string, PartitionReader>();
  private readonly indexes = new Map<string, Promise<ExamplesIndex>>();
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
        .then(() => openAlignments(path, referencePath ? { referencePath } : {}, signal));
      this.alignments.set(key, p);
      p.catch(() => this.alignments.delete(key));
    }
    return p;
  }

  referenceOf(path: string, signal?: AbortSignal): Promise<FastaFile> {
    if (this.referenceFile?.path !== path) {
      const file = checkRegularFile(path, 'reference').then(() => openReference(path, signal));
      this.referenceFile = { path, file };
      file.catch(() => { if (this.referenceFile?.file === file) this.referenceFile = undefined; });
    }
    return this.referenceFile.file;
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

  /** The tensors of a site, or a plain note saying why there are none. Errors name the file. */
  async tensors(site: SiteRecord, signal: AbortSignal): Promise<TensorResult> {
    const cfg = this.config();
    if (!cfg.trusted) {
      return { tensors: [], note: 'Reads, reference and models are not loaded in an untrusted workspace (Restricted Mode). Trust the workspace to see the pileup.' };
    }
    const notes: string[] = [];
    for (const path of cfg.examples) {
      const index = await this.examplesIndex(path, signal);
      const examples = await index.examplesAt(site.chrom, site.pos - 1, signal);
      if (examples.length > 0) {
        const first = examples[0]!;
        const shard = index.locationsAt(site.chrom, site.pos - 1)[0]?.shard ?? 0;
        const source = `examples: ${basename(index.files[shard] ?? path)} (DeepVariant)`;
        const v = first.variant;
        return {
          tensors: examples.map((ex) => ({
            ...tensorOf(ex.tensor), source, altLabel: ex.altAlleleIndices.map((i) => ex.variant.alternateBases[i] ?? '?').join(','),
            candidateColumn: (ex.tensor.width - 1) / 2, refRows: REFERENCE_BAND_ROWS,
          })),
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
    return {
      tensors: payloadsFromSite(se, source),
      ...(allNotes.length ? { note: allNotes.join('. ') } : {}),
      hover: (t, row, col) => hoverFromSite(se, t, row, col),
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
    const [bam, reference, encoder] = await Promise.all([
      this.alignmentsOf(readsPath, signal, referencePath), this.referenceOf(referencePath, signal),
      options ? { options, label: 'the model\'s make_examples settings' } : this.encoder(signal),
    ]);
    throwIfAborted(signal);
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
    this.alignments.clear();
    this.readers.clear();
    this.images.clear();
    this.indexes.clear();
    this.referenceFile = undefined;
    await Promise.all([...files, ...(ref ? [ref] : [])].map((p) => p.then((f) => f.close(), () => undefined)));
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
