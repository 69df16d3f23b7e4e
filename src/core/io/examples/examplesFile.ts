/**
 * make_examples output on disk: one file or many shards, each a TFRecord of tf.Examples
 * (docs/deepvariant.md §4), plus an index from a site (contig, 0-based start) to its example(s).
 *
 * Names accepted (as nucleus `sharded_file_utils` and TensorFlow read them):
 *   x.tfrecord.gz                      one gzip file
 *   x.tfrecord                         one raw file
 *   x.tfrecord@64.gz                   x.tfrecord-00000-of-00064.gz … -00063-of-00064.gz
 *   x.tfrecord.gz@3                    golden style x.tfrecord.gz-00000-of-00003 … (raw!)
 *   x.tfrecord-?????-of-00064.gz       wildcards (* and ?) in the file name
 *   a.tfrecord.gz,b.tfrecord.gz        comma-separated lists of any of the above
 * Compression is decided per file by its own name (tfrecord.ts).
 *
 * Index trade-off (`ExamplesIndex`): one streaming pass reads every record once, CRCs
 * checked, and decodes only what is needed to key it. Then:
 *  - raw files: only (file, byte offset) is kept; a lookup reads that record directly
 *    (`readTfRecordAt`), O(1) per example, no memory per example beyond the key;
 *  - gzip files: gzip cannot seek, so payloads are kept in memory up to a budget
 *    (`cacheBytes`, default 256 MiB ≈ 1,900 examples of 100x221x6). Records beyond the budget
 *    are found by re-streaming their file from the start up to the record (one pass serves
 *    every record requested in the same call). For large gzip outputs, pass shards or
 *    uncompressed files for fast random access.
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { VariantLensError, throwIfAborted } from '../../errors';
import { recordDecodeError } from './nucleusProtos';
import { findExampleInfo, readExampleInfo } from './exampleInfo';
import { decodeExample, type DvExample } from './tfExample';
import { expandShardSpec, isGzipTfRecordPath, readTfRecordAt, readTfRecords } from './tfrecord';

/**
 * The files named by an examples path or pattern, in shard order. Throws 'file-not-found'
 * naming the first missing file (or the pattern when a wildcard matches nothing).
 */
export async function resolveExamplesPaths(pathOrPattern: string, signal?: AbortSignal): Promise<string[]> {
  const out: string[] = [];
  for (const p of expandShardSpec(pathOrPattern)) {
    throwIfAborted(signal);
    const name = basename(p);
    if (name.includes('*') || name.includes('?')) {
      const dir = dirname(p);
      const re = new RegExp('^' + name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
      let names: string[];
      try {
        names = await readdir(dir);
      } catch (e) {
        throw new VariantLensError('file-not-found', `cannot list folder for pattern: ${e instanceof Error ? e.message : String(e)}`, p, { cause: e });
      }
      const hits = names.filter((n) => re.test(n) && !n.endsWith('.example_info.json')).sort();
      if (hits.length === 0) throw new VariantLensError('file-not-found', 'no examples file matches this pattern', p);
      out.push(...hits.map((n) => join(dir, n)));
    } else {
      if (!existsSync(p)) throw new VariantLensError('file-not-found', pathOrPattern === p ? 'examples file not found' : `examples shard not found (from "${pathOrPattern}")`, p);
      out.push(p);
    }
  }
  if (out.length === 0) throw new VariantLensError('invalid-argument', `no examples files in "${pathOrPattern}"`);
  return out;
}

export interface ReadExamplesOptions {
  /** Channel ids for the tensors. Default: from the example_info.json found next to the files, else 1..C. */
  channels?: readonly number[];
  /** Explicit example_info.json (takes precedence over auto-discovery). */
  exampleInfoPath?: string;
}

/** Channel ids to decode with: explicit, else from an example_info.json, else undefined (1..C). */
export async function channelsFor(pathOrPattern: string, options: ReadExamplesOptions, signal?: AbortSignal): Promise<readonly number[] | undefined> {
  if (options.channels) return options.channels;
  const infoPath = options.exampleInfoPath ?? (await findExampleInfo(pathOrPattern));
  if (!infoPath) return undefined;
  return (await readExampleInfo(infoPath, signal)).channels;
}

export interface ExampleRecord {
  example: DvExample;
  /** The file the record is in. */
  path: string;
  /** Index of that file among the resolved files. */
  shard: number;
  /** Record index within the file. */
  index: number;
  /** Byte offset in the (uncompressed) record stream. */
  offset: number;
}

/**
 * Streams every example of a file or shard set, in shard then record order, CRCs checked.
 * A record that is not a valid example gives 'protobuf-corrupt' naming file and record.
 */
export async function* readExamples(pathOrPattern: string, signal?: AbortSignal, options: ReadExamplesOptions = {}): AsyncIterable<ExampleRecord> {
  const files = await resolveExamplesPaths(pathOrPattern, signal);
  const channels = await channelsFor(pathOrPattern, options, signal);
  for (let shard = 0; shard < files.length; shard++) {
    const path = files[shard]!;
    for await (const rec of readTfRecords(path, signal)) {
      yield { example: decodeOrThrow(rec.payload, path, rec.index, channels), path, shard, index: rec.index, offset: rec.offset };
    }
  }
}

function decodeOrThrow(payload: Uint8Array, path: string, index: number, channels: readonly number[] | undefined): DvExample {
  try {
    return decodeExample(payload, channels ? { channels } : {});
  } catch (e) {
    if (e instanceof VariantLensError && e.code !== 'protobuf-corrupt') throw new VariantLensError(e.code, `record ${index}: ${e.message}`, path, { cause: e });
    throw recordDecodeError(e, path, index, 'DeepVariant tf.Example');
  }
}

/** Where one example lives, and the key it is indexed by. */
export interface ExampleLocation {
  readonly path: string;
  readonly shard: number;
  readonly index: number;
  readonly offset: number;
  readonly contig: string;
  /** 0-based start of the example's variant (VCF POS − 1). */
  readonly start: number;
  readonly end: number;
  readonly referenceBases: string;
  readonly alternateBases: readonly string[];
  readonly altAlleleIndices: readonly number[];
  readonly label?: number;
}

export interface ExamplesIndexOptions extends ReadExamplesOptions {
  /** Bytes of gzip-file payloads to keep in memory (see file comment). Default 256 MiB. */
  cacheBytes?: number;
}

const siteKey = (contig: string, start: number): string => `${contig}\t${start}`;

/** Fewer alts first, then lexicographic: [0] < [1] < [0,1] < [0,2] < [1,2]. */
function compareAltIndices(a: ExampleLocation, b: ExampleLocation): number {
  const x = a.altAlleleIndices, y = b.altAlleleIndices;
  if (x.length !== y.length) return x.length - y.length;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return 0;
}

/** Index of a make_examples output by site; see the file comment for the memory trade-off. */
export class ExamplesIndex {
  private readonly bySite = new Map<string, ExampleLocation[]>();

  private constructor(
    readonly pathOrPattern: string,
    readonly files: readonly string[],
    readonly channels: readonly number[] | undefined,
    readonly locations: readonly ExampleLocation[],
    /** `${shard}:${index}` → payload, for gzip files within the memory budget. */
    private readonly cache: Map<string, Uint8Array>,
  ) {
    for (const loc of locations) {
      const k = siteKey(loc.contig, loc.start);
      const list = this.bySite.get(k);
      if (list) list.push(loc);
      else this.bySite.set(k, [loc]);
    }
    // Within a site, DeepVariant's order ([a1], [a2], …, [a1,a2], …; docs/deepvariant.md §3.1) whatever
    // the sharding: shards may split one site's examples across files.
    for (const list of this.bySite.values()) list.sort(compareAltIndices);
  }

  /** Scans every file once (CRCs checked) and indexes its examples by (contig, 0-based start). */
  static async build(pathOrPattern: string, signal?: AbortSignal, options: ExamplesIndexOptions = {}): Promise<ExamplesIndex> {
    const files = await resolveExamplesPaths(pathOrPattern, signal);
    const channels = await channelsFor(pathOrPattern, options, signal);
    let budget = options.cacheBytes ?? 256 * 1024 * 1024;
    const cache = new Map<string, Uint8Array>();
    const locations: ExampleLocation[] = [];
    for (let shard = 0; shard < files.length; shard++) {
      const path = files[shard]!;
      const gz = isGzipTfRecordPath(path);
      for await (const rec of readTfRecords(path, signal)) {
        const ex = decodeOrThrow(rec.payload, path, rec.index, channels);
        const v = ex.variant;
        const loc: ExampleLocation = {
          path, shard, index: rec.index, offset: rec.offset,
          contig: v.referenceName, start: v.start, end: v.end,
          referenceBases: v.referenceBases, alternateBases: v.alternateBases,
          altAlleleIndices: ex.altAlleleIndices,
          ...(ex.label !== undefined ? { label: ex.label } : {}),
        };
        locations.push(loc);
        if (gz && rec.payload.length <= budget) {
          cache.set(`${shard}:${rec.index}`, rec.payload);
          budget -= rec.payload.length;
        }
      }
    }
    return new ExamplesIndex(pathOrPattern, files, channels, locations, cache);
  }

  /** Number of examples. */
  get size(): number {
    return this.locations.length;
  }

  /** Distinct sites in file order. */
  sites(): { contig: string; start: number }[] {
    const seen = new Set<string>();
    const out: { contig: string; start: number }[] = [];
    for (const l of this.locations) {
      const k = siteKey(l.contig, l.start);
      if (!seen.has(k)) { seen.add(k); out.push({ contig: l.contig, start: l.start }); }
    }
    return out;
  }

  /** Locations of the examples whose variant starts at (contig, 0-based start), in DeepVariant's alt-combination order. */
  locationsAt(contig: string, start: number): readonly ExampleLocation[] {
    return this.bySite.get(siteKey(contig, start)) ?? [];
  }

  /**
   * The example(s) of a site: for a VCF record use `start = POS − 1`. Multi-allelic sites
   * give several (one per alt-allele combination, docs/deepvariant.md §3.1). Empty when none.
   */
  async examplesAt(contig: string, start: number, signal?: AbortSignal): Promise<DvExample[]> {
    return this.load(this.locationsAt(contig, start), signal);
  }

  /** Loads examples by location (any order; returned in the order given). */
  async load(locs: readonly ExampleLocation[], signal?: AbortSignal): Promise<DvExample[]> {
    const payloads = new Map<ExampleLocation, Uint8Array>();
    const restream = new Map<number, ExampleLocation[]>(); // shard → gzip records not cached
    for (const loc of locs) {
      throwIfAborted(signal);
      const cached = this.cache.get(`${loc.shard}:${loc.index}`);
      if (cached) payloads.set(loc, cached);
      else if (!isGzipTfRecordPath(loc.path)) payloads.set(loc, await readTfRecordAt(loc.path, loc.offset, signal, loc.index));
      else (restream.get(loc.shard) ?? restream.set(loc.shard, []).get(loc.shard)!).push(loc);
    }
    for (const [shard, wanted] of restream) {
      const byIndex = new Map(wanted.map((l) => [l.index, l]));
      const last = Math.max(...wanted.map((l) => l.index));
      for await (const rec of readTfRecords(this.files[shard]!, signal)) {
        const loc = byIndex.get(rec.index);
        if (loc) payloads.set(loc, rec.payload);
        if (rec.index >= last) break;
      }
    }
    return locs.map((loc) => {
      const p = payloads.get(loc);
      if (!p) throw new VariantLensError('tfrecord-corrupt', `record ${loc.index} disappeared since the file was indexed (was it rewritten?)`, loc.path);
      return decodeOrThrow(p, loc.path, loc.index, this.channels);
    });
  }
}
