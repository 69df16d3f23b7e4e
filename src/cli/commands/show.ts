/**
 * `variant-lens show` — pileup images like DeepVariant 1.5's show_examples (docs/deepvariant.md §6.1):
 * a labelled channel strip and/or an RGB composite per example, PNG, named as
 * show_examples names them (`{out}_channels_{short_id}{_labelN}.png`, `{out}_rgb_…`).
 *
 * Sources of examples: `--examples` (make_examples output, any shard syntax). The part
 * that turns a stream of DvExample into files is `writeExampleImages`, exported so another
 * source (e.g. examples built on the fly from reads) only has to produce DvExamples.
 */
import { createReadStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip, gunzipSync } from 'node:zlib';
import { VariantLensError, throwIfAborted } from '../../core/errors';
import { readExamples } from '../../core/io/examples/examplesFile';
import { DEFAULT_EXAMPLE_INFO, findExampleInfo, readExampleInfo } from '../../core/io/examples/exampleInfo';
import { altLayoutOf, parseAltAlignedPileup } from '../../core/pileup/altAlignedPileup';
import type { DvExample } from '../../core/io/examples/tfExample';
import { encodePng } from '../../core/render/png';
import { channelLabels, renderChannelStrip, renderRgb, scaleNearest, showExamplesFileNames, type ImageType } from '../../core/render/showExamples';
import { parseArgs } from '../framework/args';
import type { CliContext } from '../framework/command';
import { registerCommand } from '../framework/registry';
import { examplesAtLocus } from './examples';

const usage = `usage: variant-lens show --examples X.tfrecord.gz --out PREFIX [options]
       variant-lens show --reads BAM --ref FASTA --locus chr:pos --out PREFIX [--vcf V] [--example-info J] [options]

Writes PNG images of pileup examples the way DeepVariant 1.5 show_examples does:
  PREFIX_channels_<chrom>:<start>_<REF>-><ALT>[_labelN].png   channels side by side
  PREFIX_rgb_<chrom>:<start>_<REF>-><ALT>[_labelN].png        RGB composite
(<start> is 0-based, as in show_examples; long alleles become DEL/INS/MNP{n}bp.)

  --examples X          make_examples output: x.tfrecord.gz, x.tfrecord@64.gz,
                        x.tfrecord-?????-of-00064.gz, golden-style x.tfrecord.gz@3
  --example-info J      example_info.json: channel ids, and labels as enum names
                        (CH_READ_BASE, …, CH_ALLELE_FREQUENCY, CH_INSERT_SIZE) by id;
                        default: the one found next to the examples
  --vcf V               only sites in this VCF (.vcf/.vcf.gz; header optional),
                        matched on CHROM, POS and REF
  --regions R           only examples whose start is in these regions: chr, chr:pos,
                        chr:start-end (1-based, inclusive) or BED files; repeatable,
                        space-separated
  --num-records N       at most N examples (after filtering; default all)
  --image-type T        channels | rgb | both (default channels)
  --scale S             enlarge by S (nearest neighbour; default 1)
  --no-annotation       no label header
  --reads/--ref/--locus build the examples at chr:pos (1-based) from the reads instead of
                        reading them (DeepVariant's candidate there; with --vcf, the VCF
                        record's alleles); --example-info sets shape/channels/version
                        (default DV 1.6 WGS, 7 channels); --sample sets the call_set_name
  --alt-aligned-pileup M  none | rows | diff_channels | base_channels: the layout (default:
                        from example_info.json; a 300-row example is 'rows'); 'rows' examples
                        are drawn as three blocks (reference, alt 1, alt 2) split by a grey band
  --population-vcfs F   with --reads: cohort VCFs with INFO AF for channel 8 (FILE[,FILE];
                        make_examples --population_vcfs)`;

// ---------------------------------------------------------------------------------------
// Image writing (shared by every example source)

export interface ExampleImageOptions {
  /** Output prefix (show_examples `--output`); folders are created. */
  out: string;
  imageType: ImageType;
  /** Integer enlargement factor (nearest neighbour). */
  scale: number;
  /** Label header on (show_examples `--annotation`). */
  annotate: boolean;
  /** Column labels for the channel strip; default: by the tensor's channel ids when `channelIdsKnown`, else `channelLabels(C)`. */
  labels?: readonly string[];
  /** The tensors' channel ids come from an example_info.json or the encoder (not numbered 1..C for want of one). */
  channelIdsKnown?: boolean;
  /** Stop after this many examples (after filtering); undefined = all. */
  maxExamples?: number;
  /** Alt-aligned 'rows' examples: draw the three stacked pileups as separate blocks. */
  rowsLayout?: boolean;
  /** Add `_labelN` for labelled examples (show_examples `--truth_labels`, default true). */
  truthLabels?: boolean;
}

export interface WrittenImages {
  examples: number;
  files: string[];
}

/** Renders and writes the images of each example in turn; returns the files written. */
export async function writeExampleImages(
  examples: AsyncIterable<DvExample> | Iterable<DvExample>,
  options: ExampleImageOptions,
  signal?: AbortSignal,
  progress?: (line: string) => void,
): Promise<WrittenImages> {
  if (!Number.isInteger(options.scale) || options.scale < 1) throw new VariantLensError('invalid-argument', `--scale must be a positive integer, got ${options.scale}`);
  const dir = dirname(options.out);
  await mkdir(dir, { recursive: true }).catch((e: unknown) => {
    throw new VariantLensError('invalid-argument', `cannot create output folder: ${e instanceof Error ? e.message : String(e)}`, dir, { cause: e });
  });
  const files: string[] = [];
  let n = 0;
  for await (const ex of examples) {
    throwIfAborted(signal);
    if (options.maxExamples !== undefined && n >= options.maxExamples) break;
    const names = showExamplesFileNames(ex, { output: options.out, imageType: options.imageType, truthLabels: options.truthLabels ?? true });
    if (options.labels && options.labels.length !== ex.tensor.channels.length) {
      throw new VariantLensError('invalid-argument', `${options.labels.length} column labels for an example with ${ex.tensor.channels.length} channels (${ex.locus})`);
    }
    if (names.channels) {
      const img = renderChannelStrip(ex.tensor, options.labels ?? channelLabels(ex.tensor.channels.length, options.channelIdsKnown ? ex.tensor.channels : undefined), { annotate: options.annotate, ...(options.rowsLayout ? { blocks: 3 } : {}) });
      await writeImage(names.channels, encodePng(scaleNearest(img, options.scale)));
      files.push(names.channels);
    }
    if (names.rgb) {
      let img;
      try {
        img = renderRgb(ex.tensor, { annotate: options.annotate, ...(options.rowsLayout ? { blocks: 3 } : {}) });
      } catch (e) {
        throw new VariantLensError('unknown-channel', `cannot draw the RGB image of ${ex.locus}: ${e instanceof Error ? e.message : String(e)}`);
      }
      await writeImage(names.rgb, encodePng(scaleNearest(img, options.scale)));
      files.push(names.rgb);
    }
    n++;
    if (progress && n % 100 === 0) progress(`${n} examples drawn`);
  }
  return { examples: n, files };
}

async function writeImage(path: string, bytes: Uint8Array): Promise<void> {
  try {
    await writeFile(path, bytes);
  } catch (e) {
    throw new VariantLensError('invalid-argument', `cannot write image: ${e instanceof Error ? e.message : String(e)}`, path, { cause: e });
  }
}

// ---------------------------------------------------------------------------------------
// Filters (show_examples --vcf / --regions)

/**
 * show_examples `parse_vcf`: the set of `chrom:POS−1_REF` ids of a VCF, which may be
 * gzip/bgzip and may have no header (e.g. grep output). Lines with < 4 columns are skipped.
 */
export async function vcfSiteIds(path: string, signal?: AbortSignal): Promise<Set<string>> {
  const ids = new Set<string>();
  const file = createReadStream(path);
  const input = path.endsWith('.gz') ? file.pipe(createGunzip()) : file;
  file.on('error', (e) => input.destroy(e));
  try {
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      throwIfAborted(signal);
      if (line.startsWith('#') || line.length === 0) continue;
      // Any whitespace, not only tabs (so not io/vcf/vcfLineTokenizer.ts): show_examples reads
      // header-less VCF pieces this way (deepvariant/show_examples.py, parse_vcf).
      const cols = line.trim().split(/\s+/);
      if (cols.length < 4) continue;
      const pos = Number(cols[1]);
      if (!Number.isInteger(pos)) throw new VariantLensError('malformed-vcf', `POS "${cols[1]}" is not an integer in line: ${line.slice(0, 80)}`, path);
      // VCF POS is 1-based; nucleus Variant.start is 0-based.
      ids.add(`${cols[0]}:${pos - 1}_${cols[3]}`);
    }
  } catch (e) {
    if (e instanceof VariantLensError) throw e;
    const code = (e as { code?: string } | null)?.code;
    throw new VariantLensError(code === 'ENOENT' ? 'file-not-found' : 'malformed-vcf', `cannot read VCF: ${e instanceof Error ? e.message : String(e)}`, path, { cause: e });
  } finally {
    file.destroy();
  }
  return ids;
}

/** A 0-based half-open interval on a contig; `end` undefined = to the contig's end. */
export interface Interval { contig: string; start: number; end?: number }

/**
 * `--regions` elements: `chr`, `chr:pos`, `chr:start-end` (1-based inclusive, commas
 * allowed) or a BED file (0-based half-open, as BED is). Returned 0-based half-open.
 */
export async function parseRegions(specs: readonly string[]): Promise<Interval[]> {
  const out: Interval[] = [];
  for (const spec of specs.flatMap((s) => s.split(/\s+/)).filter(Boolean)) {
    if (/\.bed(\.gz)?$/i.test(spec)) {
      let text: string;
      try {
        const raw = await readFile(spec);
        text = spec.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
      } catch (e) {
        throw new VariantLensError('file-not-found', `cannot read BED file: ${e instanceof Error ? e.message : String(e)}`, spec, { cause: e });
      }
      for (const line of text.split('\n')) {
        if (!line || line.startsWith('#') || line.startsWith('track') || line.startsWith('browser')) continue;
        const [contig, s, e] = line.split('\t');
        const start = Number(s), end = Number(e);
        if (!contig || !Number.isInteger(start) || !Number.isInteger(end)) throw new VariantLensError('region-invalid', `bad BED line: ${line.slice(0, 80)}`, spec);
        out.push({ contig, start, end });
      }
      continue;
    }
    const m = /^(.+?)(?::([\d,]+)(?:-([\d,]+))?)?$/.exec(spec);
    if (!m) throw new VariantLensError('region-invalid', `bad region "${spec}" (expected chr, chr:pos or chr:start-end)`);
    const contig = m[1]!;
    if (m[2] === undefined) { out.push({ contig, start: 0 }); continue; }
    const a = Number(m[2].replace(/,/g, ''));
    const b = m[3] !== undefined ? Number(m[3].replace(/,/g, '')) : a;
    if (a < 1 || b < a) throw new VariantLensError('region-invalid', `bad region "${spec}" (1-based, start ≤ end)`);
    out.push({ contig, start: a - 1, end: b });
  }
  return out;
}

/** show_examples `passes_region_filter`: the variant's 0-based start lies in some interval. */
export function inRegions(regions: readonly Interval[], contig: string, start: number): boolean {
  return regions.some((r) => r.contig === contig && start >= r.start && (r.end === undefined || start < r.end));
}

// ---------------------------------------------------------------------------------------
// The command

async function* filtered(
  source: AsyncIterable<DvExample>,
  vcfIds: Set<string> | undefined,
  regions: Interval[] | undefined,
): AsyncIterable<DvExample> {
  for await (const ex of source) {
    const v = ex.variant;
    if (vcfIds && !vcfIds.has(`${v.referenceName}:${v.start}_${v.referenceBases}`)) continue;
    if (regions && !inRegions(regions, v.referenceName, v.start)) continue;
    yield ex;
  }
}

async function* examplesOf(path: string, exampleInfoPath: string | undefined, signal: AbortSignal): AsyncIterable<DvExample> {
  for await (const rec of readExamples(path, signal, exampleInfoPath ? { exampleInfoPath } : {})) yield rec.example;
}

export async function runShow(argv: string[], ctx: CliContext): Promise<number> {
  const args = parseArgs(argv, {
    examples: { type: 'string' },
    'example-info': { type: 'string' },
    vcf: { type: 'string' },
    regions: { type: 'string', multiple: true },
    'num-records': { type: 'string' },
    out: { type: 'string' },
    'image-type': { type: 'string' },
    scale: { type: 'string' },
    'no-annotation': { type: 'boolean' },
    reads: { type: 'string' },
    ref: { type: 'string' },
    locus: { type: 'string' },
    sample: { type: 'string' },
    'alt-aligned-pileup': { type: 'string' },
    'population-vcfs': { type: 'string' },
  }, usage);
  if (args.positionals.length > 0) throw new VariantLensError('invalid-argument', `unexpected argument "${args.positionals[0]}"\n${usage}`);
  const readsPath = args.string('reads');
  const examplesPath = readsPath ? '' : args.required('examples');
  const out = args.required('out');
  const imageType = (args.string('image-type') ?? 'channels').toLowerCase();
  if (imageType !== 'channels' && imageType !== 'rgb' && imageType !== 'both') {
    throw new VariantLensError('invalid-argument', `--image-type must be channels, rgb or both, got "${imageType}"`);
  }
  const scale = args.number('scale', 1);
  const numRecords = args.number('num-records', -1);
  if (!Number.isInteger(numRecords) || numRecords < -1) throw new VariantLensError('invalid-argument', '--num-records must be a whole number (-1 = all)');

  const infoPath = args.string('example-info');
  // Labels by channel id (docs/deepvariant.md §2.1): from --example-info, else the example_info.json
  // found next to the examples (readExamples decodes with its ids), else the encoder's ids.
  const labels = infoPath ? channelLabels(0, (await readExampleInfo(infoPath, ctx.signal)).channels) : undefined;
  const foundInfo = infoPath ?? (readsPath ? undefined : await findExampleInfo(examplesPath));
  const idsKnown = readsPath !== undefined || foundInfo !== undefined;
  const altFlag = args.string('alt-aligned-pileup');
  // The layout of the examples (docs/deepvariant.md §12.3): 'rows' tensors are drawn as three blocks.
  const layout = readsPath
    ? altLayoutOf(infoPath ? await readExampleInfo(infoPath, ctx.signal) : DEFAULT_EXAMPLE_INFO, altFlag).layout
    : foundInfo ? altLayoutOf(await readExampleInfo(foundInfo, ctx.signal), altFlag).layout : altFlag !== undefined ? parseAltAlignedPileup(altFlag) : 'none';
  if (!idsKnown) ctx.progress(`show: no example_info.json next to ${examplesPath}: channels after the sixth are labelled "channel N (id?)"; pass --example-info to name them`);
  const vcf = args.string('vcf');
  const vcfIds = vcf && !readsPath ? await vcfSiteIds(vcf, ctx.signal) : undefined;
  const regionSpecs = args.all('regions');
  const regions = regionSpecs.length > 0 ? await parseRegions(regionSpecs) : undefined;

  const source = readsPath
    ? await examplesAtLocus({ readsPath, refPath: args.required('ref'), locus: args.required('locus'), exampleInfoPath: infoPath, vcfPath: vcf, sample: args.string('sample'), ...(altFlag !== undefined ? { altAlignedPileup: altFlag } : {}), ...(args.string('population-vcfs') !== undefined ? { populationVcfs: args.string('population-vcfs')! } : {}), signal: ctx.signal, progress: ctx.progress })
    : filtered(examplesOf(examplesPath, infoPath, ctx.signal), vcfIds, regions);
  const result = await writeExampleImages(source, {
    out,
    imageType,
    scale,
    annotate: !args.flag('no-annotation'),
    ...(labels ? { labels } : {}),
    channelIdsKnown: idsKnown,
    rowsLayout: layout === 'rows',
    ...(numRecords >= 0 ? { maxExamples: numRecords } : {}),
  }, ctx.signal, ctx.progress);
  ctx.out(`${result.files.length} image(s) of ${result.examples} example(s) written with prefix ${out}_\n`);
  return 0;
}

registerCommand({ name: 'show', summary: 'write show_examples-style PNG images of pileup examples', usage, run: runShow });
