/**
 * The hap.py-compatible outputs of one `diff --truth --ref` run: sets up the benchmark
 * counter and the intermediate VCF writer, and after the diff writes PREFIX.vcf.gz,
 * PREFIX.summary.csv and PREFIX.extended.csv (docs/decisions/0013-haplotype-matching.md).
 */
import { writeFileSync } from 'node:fs';
import type { ReferenceSource } from '../../io/fasta/referenceSource';
import type { BedRegions } from '../bedRegions';
import type { AlleleSink, AlleleStage } from '../vcfDiff';
import { BenchmarkCounter, type BenchStats } from './benchmark';
import { Ga4ghVcfWriter } from './ga4ghVcf';
import { haplotypeStages } from './haplotypeStage';
import { extendedCsv, happyRows, summaryCsv, type HappyRow } from './happyTables';

export interface HappyRunOptions {
  readonly prefix: string;
  readonly truth: 'A' | 'B';
  readonly confident?: BedRegions;
  readonly strata: readonly BedRegions[];
  readonly contigs: readonly { name: string; length: number }[];
  /** Extra header lines (without '##'), e.g. the command line. */
  readonly meta: readonly string[];
}

export class HappyRun {
  readonly counter: BenchmarkCounter;
  private readonly vcf: Ga4ghVcfWriter;

  constructor(readonly options: HappyRunOptions) {
    this.vcf = new Ga4ghVcfWriter(`${options.prefix}.vcf.gz`, options.contigs, options.meta);
    this.counter = new BenchmarkCounter({ truth: options.truth, confident: options.confident, strata: options.strata, vcf: this.vcf });
  }

  /** Writes the three files; returns their paths and the summary rows. */
  finish(): { files: string[]; rows: HappyRow[]; stats: BenchStats } {
    const p = this.options.prefix;
    this.vcf.close();
    writeFileSync(`${p}.summary.csv`, summaryCsv(this.counter));
    writeFileSync(`${p}.extended.csv`, extendedCsv(this.counter));
    return { files: [`${p}.vcf.gz`, `${p}.summary.csv`, `${p}.extended.csv`], rows: happyRows(this.counter), stats: { ...this.counter.stats } };
  }

  abandon(): void {
    this.vcf.abandon();
  }
}

/**
 * hap.py's summary rows of one diff without writing files (the diff editor's and the
 * report's truth comparisons): pass `stages` as the `haplotypes` option of a `diffVcfs` run
 * with `truth` set and the same reference, then read `rows()`. The rows equal what
 * `variant-lens diff … --truth T --ref R` writes to PREFIX.summary.csv for the same files
 * (no confident regions: the summary rows do not depend on stratification BEDs).
 */
export function happyCounting(reference: ReferenceSource, truth: 'A' | 'B', signal?: AbortSignal): { stages: (emit: AlleleSink) => AlleleStage; rows(): HappyRow[]; stats(): BenchStats } {
  const counter = new BenchmarkCounter({ truth, strata: [] });
  return {
    stages: haplotypeStages(reference, { reclassify: false, consumer: counter, signal }),
    rows: () => happyRows(counter),
    stats: () => ({ ...counter.stats }),
  };
}
