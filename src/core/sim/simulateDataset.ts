/**
 * The repository's own deterministic dataset (issue #2): a small genome chr1…chr22, three
 * samples HG001-sim, HG002-sim, HG003-sim with planted truth variants, paired reads as BAM
 * + BAI, truth VCF.gz + TBI and a confident BED per sample, and manifest.json describing
 * it all. Every byte follows from the seed (seeded sfc32, no clock, no Math.random), so
 * two runs with one seed give identical files.
 *
 * Layout of `outDir`:
 *   reference.fa, reference.fa.fai               plain FASTA, 60 bases per line
 *   reference.fa.gz, .fa.gz.fai, .fa.gz.gzi      the same, bgzipped
 *   <sample>.bam, <sample>.bam.bai               coordinate-sorted reads, RG SM=<sample>
 *   <sample>.truth.vcf.gz, .truth.vcf.gz.tbi     planted variants, normalized
 *   <sample>.confident.bed                       where the truth is complete (0-based)
 *   manifest.json                                written last: its presence = complete
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VariantLensError, throwIfAborted, wrapError } from '../errors';
import { sortReadsByCoordinate, writeBam } from '../io/sam/bamWriter';
import { writeFasta } from '../io/fasta/fastaWriter';
import { writeVcf } from '../io/vcf/vcfWriter';
import { Rng } from './prng';
import { simulateSampleReads } from './simReads';
import { type Interval, type SimGenome, simulateGenome } from './simGenome';
import { type SimSite, buildHaplotype, plantVariants, sampleRecord } from './simVariants';
import { type PlantedSite, plantLowMapqAltReads, plantedSiteOf } from './plantedDispute';

export const SIM_SAMPLES = ['HG001-sim', 'HG002-sim', 'HG003-sim'] as const;
export const MANIFEST_NAME = 'manifest.json';
/** Bump when the dataset's meaning changes (readers of manifest.json can check it). */
export const SIM_FORMAT_VERSION = 1;

export interface SimulateOptions {
  readonly outDir: string;
  readonly seed: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (message: string) => void;
  /** Number of contigs (default 22: chr1…chr22). Fewer make a quicker dataset for tests. */
  readonly contigCount?: number;
  /** Mean read depth (default 30). */
  readonly coverage?: number;
}

export interface SimVariantCounts {
  total: number;
  snv: number;
  insertion: number;
  deletion: number;
  multiAllelic: number;
  het: number;
  homAlt: number;
  inHomopolymer: number;
  nearby: number;
  lowCoverage: number;
}

export interface SimSampleManifest {
  readonly name: string;
  readonly bam: string;
  readonly bai: string;
  readonly truthVcf: string;
  readonly truthTbi: string;
  readonly confidentBed: string;
  readonly reads: number;
  readonly duplicateReads: number;
  readonly variants: SimVariantCounts;
}

/** 0-based half-open interval on a named contig. */
export interface NamedInterval {
  readonly contig: string;
  readonly start: number;
  readonly end: number;
}

export interface SimManifest {
  readonly format: 'variant-lens-simulated-dataset';
  readonly version: number;
  readonly seed: number;
  readonly coordinates: '0-based half-open';
  readonly readLength: 150;
  readonly coverage: number;
  readonly lowCoverage: number;
  readonly reference: { readonly fasta: string; readonly fai: string; readonly bgzip: string; readonly bgzipFai: string; readonly gzi: string };
  readonly contigs: { readonly name: string; readonly length: number }[];
  readonly samples: SimSampleManifest[];
  /** Exact copies: reads fully inside get MAPQ 0–3; excluded from the confident BED. */
  readonly duplicatedSegments: { readonly source: NamedInterval; readonly copy: NamedInterval }[];
  /** Windows simulated at ~`lowCoverage`x instead of `coverage`x. */
  readonly lowCoverageWindows: NamedInterval[];
  /**
   * Sites changed on purpose after simulation (plantedDispute.ts): at each, the alt reads have a
   * MAPQ that models with different min_mapping_quality treat differently (a dispute explained
   * by the inputs). The truth is unchanged.
   */
  readonly plantedSites: PlantedSite[];
  /** Every other file of the dataset with its size and SHA-256. */
  readonly files: Record<string, { readonly bytes: number; readonly sha256: string }>;
}

const LOW_COVERAGE = 8;
/** The sample, contig and start of the search for the planted inputs dispute (the demo calls chr20–22 of HG003-sim). */
const PLANTED = { sample: 'HG003-sim', contig: 'chr21', from: 30_000 } as const;

/** Generates the dataset into `outDir` (created if needed) and returns its manifest. */
export async function simulateDataset(options: SimulateOptions): Promise<SimManifest> {
  const { outDir, seed, signal } = options;
  const progress = options.onProgress ?? (() => undefined);
  const coverage = options.coverage ?? 30;
  if (!Number.isInteger(seed)) throw new VariantLensError('invalid-argument', `seed must be an integer, got ${seed}`);
  try {
    mkdirSync(outDir, { recursive: true });
  } catch (e) {
    throw wrapError(e, 'invalid-argument', outDir, 'cannot create output folder');
  }
  throwIfAborted(signal);

  progress('genome');
  const genome = simulateGenome(new Rng(seed, 1), { contigCount: options.contigCount ?? 22, minLength: 40_000, maxLength: 60_000, duplicatedSegments: 8 });
  const lowWindows = pickLowCoverageWindows(new Rng(seed, 2), genome);
  const sites = plantVariants(new Rng(seed, 3), genome, { sampleCount: SIM_SAMPLES.length, siteSpacing: 496, lowCoverage: lowWindows });
  const contigs = genome.names.map((name, i) => ({ name, length: genome.seqs[i]!.length }));

  const fasta = await writeFasta(join(outDir, 'reference.fa'), genome.names.map((name, i) => ({ name, seq: genome.seqs[i]! })), { bgzip: false, signal });
  const fastaGz = await writeFasta(join(outDir, 'reference.fa.gz'), genome.names.map((name, i) => ({ name, seq: genome.seqs[i]! })), { bgzip: true, signal });

  const sitesByContig = genome.names.map((_, c) => sites.filter((s) => s.contig === c));
  const samples: SimSampleManifest[] = [];
  const plantedSites: PlantedSite[] = [];
  for (let s = 0; s < SIM_SAMPLES.length; s++) {
    throwIfAborted(signal);
    const sample = SIM_SAMPLES[s]!;
    progress(`${sample}: reads`);
    const haplotypes = sitesByContig.map((cs, c) => [buildHaplotype(genome.seqs[c]!, cs, s, 0), buildHaplotype(genome.seqs[c]!, cs, s, 1)] as const);
    const reads = simulateSampleReads(new Rng(seed, 100 + s), genome, haplotypes, {
      sample,
      readGroup: sample,
      coverage,
      lowCoverageWindows: lowWindows,
      lowCoverage: LOW_COVERAGE,
    });
    if (sample === PLANTED.sample) {
      const site = plantedSiteOf(genome, sites, s, PLANTED.contig, PLANTED.from);
      if (site) plantedSites.push(plantLowMapqAltReads(reads, genome, site, sample));
    }
    sortReadsByCoordinate(reads, contigs);
    const duplicateReads = reads.filter((r) => r.flags & 0x400).length;
    progress(`${sample}: BAM (${reads.length} reads)`);
    const bam = `${sample}.bam`;
    // zlib level 2: these BAMs are mostly qualities and random bases, where level 6
    // costs ~5x the time for ~15% smaller files.
    await writeBam(join(outDir, bam), { contigs, readGroups: [{ id: sample, sample }] }, reads, { signal, level: 2 });
    progress(`${sample}: truth VCF`);
    const truthVcf = `${sample}.truth.vcf.gz`;
    const { lines, counts } = truthRecords(genome, sites, s);
    await writeVcf(join(outDir, truthVcf), truthHeader(contigs, sample, seed), lines, { bgzip: true, index: true, signal });
    const confidentBed = `${sample}.confident.bed`;
    writeFileSync(join(outDir, confidentBed), confidentRegions(genome).map((r) => `${genome.names[r.contig]}\t${r.start}\t${r.end}\n`).join(''));
    samples.push({ name: sample, bam, bai: `${bam}.bai`, truthVcf, truthTbi: `${truthVcf}.tbi`, confidentBed, reads: reads.length, duplicateReads, variants: counts });
  }

  const named = (x: Interval): NamedInterval => ({ contig: genome.names[x.contig]!, start: x.start, end: x.end });
  const fileNames = [
    'reference.fa', 'reference.fa.fai', 'reference.fa.gz', 'reference.fa.gz.fai', 'reference.fa.gz.gzi',
    ...samples.flatMap((s) => [s.bam, s.bai, s.truthVcf, s.truthTbi, s.confidentBed]),
  ];
  const files: Record<string, { bytes: number; sha256: string }> = {};
  for (const f of fileNames) {
    const p = join(outDir, f);
    files[f] = { bytes: statSync(p).size, sha256: createHash('sha256').update(readFileSync(p)).digest('hex') };
  }
  const manifest: SimManifest = {
    format: 'variant-lens-simulated-dataset',
    version: SIM_FORMAT_VERSION,
    seed,
    coordinates: '0-based half-open',
    readLength: 150,
    coverage,
    lowCoverage: LOW_COVERAGE,
    reference: { fasta: 'reference.fa', fai: fasta.faiPath.slice(outDir.length + 1), bgzip: 'reference.fa.gz', bgzipFai: fastaGz.faiPath.slice(outDir.length + 1), gzi: 'reference.fa.gz.gzi' },
    contigs,
    samples,
    duplicatedSegments: genome.duplicated.map((d) => ({ source: named(d.source), copy: named(d.copy) })),
    lowCoverageWindows: lowWindows.map(named),
    plantedSites,
    files,
  };
  writeFileSync(join(outDir, MANIFEST_NAME), JSON.stringify(manifest, null, 2) + '\n');
  progress('done');
  return manifest;
}

/** About half the contigs get one 1.5–3 kb window at ~8x, away from duplicated segments. */
function pickLowCoverageWindows(rng: Rng, genome: SimGenome): Interval[] {
  const out: Interval[] = [];
  genome.seqs.forEach((seq, contig) => {
    if (!rng.chance(0.5)) return;
    for (let attempt = 0; attempt < 20; attempt++) {
      const len = rng.int(1500, 3000);
      const start = rng.int(2000, seq.length - 2000 - len);
      const clash = genome.duplicated.some((d) => [d.source, d.copy].some((x) => x.contig === contig && x.start < start + len + 500 && start < x.end + 500));
      if (!clash) {
        out.push({ contig, start, end: start + len });
        return;
      }
    }
  });
  return out;
}

/** Whole contigs minus the duplicated segments (where a truth set cannot be trusted). */
function confidentRegions(genome: SimGenome): Interval[] {
  const out: Interval[] = [];
  genome.seqs.forEach((seq, contig) => {
    const holes = genome.duplicated.flatMap((d) => [d.source, d.copy]).filter((x) => x.contig === contig).sort((a, b) => a.start - b.start);
    let at = 0;
    for (const h of holes) {
      if (h.start > at) out.push({ contig, start: at, end: h.start });
      at = Math.max(at, h.end);
    }
    if (at < seq.length) out.push({ contig, start: at, end: seq.length });
  });
  return out;
}

function truthHeader(contigs: readonly { name: string; length: number }[], sample: string, seed: number): string[] {
  return [
    '##fileformat=VCFv4.2',
    '##FILTER=<ID=PASS,Description="All filters passed">',
    '##INFO=<ID=VT,Number=1,Type=String,Description="Planted variant class: SNV, INS, DEL or MULTI (multi-allelic)">',
    '##INFO=<ID=HOMOPOLYMER,Number=0,Type=Flag,Description="In or next to a homopolymer of at least 5 bases">',
    '##INFO=<ID=NEARBY,Number=0,Type=Flag,Description="Another planted variant (any sample) within 25 bp">',
    '##INFO=<ID=LOWCOV,Number=0,Type=Flag,Description="In a window simulated at about 8x instead of 30x">',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    ...contigs.map((c) => `##contig=<ID=${c.name},length=${c.length}>`),
    '##reference=reference.fa',
    `##source=variant-lens simulate --seed ${seed}`,
    `#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t${sample}`,
  ];
}

function truthRecords(genome: SimGenome, sites: readonly SimSite[], sample: number): { lines: string[]; counts: SimVariantCounts } {
  const counts: SimVariantCounts = { total: 0, snv: 0, insertion: 0, deletion: 0, multiAllelic: 0, het: 0, homAlt: 0, inHomopolymer: 0, nearby: 0, lowCoverage: 0 };
  const lines: string[] = [];
  for (const site of sites) {
    const rec = sampleRecord(site, sample);
    if (!rec) continue;
    const vt = rec.alts.length > 1 ? 'MULTI' : rec.alts[0]!.length === rec.ref.length ? 'SNV' : rec.alts[0]!.length > rec.ref.length ? 'INS' : 'DEL';
    counts.total++;
    if (vt === 'SNV') counts.snv++;
    else if (vt === 'INS') counts.insertion++;
    else if (vt === 'DEL') counts.deletion++;
    else counts.multiAllelic++;
    const [a, b] = rec.gt.split('/');
    if (a === b) counts.homAlt++;
    else counts.het++;
    let info = `VT=${vt}`;
    if (site.homopolymer) { info += ';HOMOPOLYMER'; counts.inHomopolymer++; }
    if (site.nearby) { info += ';NEARBY'; counts.nearby++; }
    if (site.lowCoverage) { info += ';LOWCOV'; counts.lowCoverage++; }
    // VCF POS is 1-based.
    lines.push(`${genome.names[site.contig]}\t${rec.pos + 1}\t.\t${rec.ref}\t${rec.alts.join(',')}\t50\tPASS\t${info}\tGT\t${rec.gt}`);
  }
  return { lines, counts };
}
