/**
 * Precision / recall / F1 of a call set against a truth VCF, counted by bcftools (not by our
 * code), the way the demo models' cards and the call tests report them:
 *
 *   1. both sides: `bcftools norm -m -any -f REF` (split multi-allelics, left-align), restricted
 *      to the regions (`-t`) and, when given, the confident BED (`-T`);
 *   2. calls: FILTER PASS with a non-reference genotype (`-f PASS -i 'GT="alt"'`); truth: non-ref GT;
 *   3. per type (`-v snps` / `-v indels`): `bcftools isec` → private-to-calls (FP),
 *      private-to-truth (FN), shared (TP); records are matched on CHROM, POS, REF and ALT.
 *
 * Genotype (het vs hom-alt) is not compared, as in hap.py's allele-level counts.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TypeMetrics {
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

export interface Evaluation {
  readonly snv: TypeMetrics;
  readonly indel: TypeMetrics;
  /** The bcftools commands run, for the record. */
  readonly commands: string[];
}

export interface EvaluateRequest {
  readonly calls: string;
  readonly truth: string;
  readonly reference: string;
  /** bcftools region list, e.g. "chr20,chr21,chr22" or "chr20:10000001-10100000". */
  readonly regions: string;
  readonly confidentBed?: string;
  /** Scratch folder (created). */
  readonly work: string;
}

function metrics(tp: number, fp: number, fn: number): TypeMetrics {
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { tp, fp, fn, precision, recall, f1 };
}

function countRecords(vcfText: string): number {
  let n = 0;
  for (const line of vcfText.split('\n')) if (line && !line.startsWith('#')) n++;
  return n;
}

export function evaluateWithBcftools(req: EvaluateRequest): Evaluation {
  mkdirSync(req.work, { recursive: true });
  const commands: string[] = [];
  const run = (args: string[]): string => {
    commands.push(`bcftools ${args.join(' ')}`);
    return execFileSync('bcftools', args, { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
  };
  const restrict = ['-t', req.regions, ...(req.confidentBed ? ['-R', req.confidentBed] : [])];
  const prepare = (input: string, name: string, filters: string[]): string => {
    const normed = join(req.work, `${name}.norm.vcf.gz`);
    // -t filters while streaming; -R (the BED, through the index) keeps records overlapping it.
    run(['view', ...restrict, ...filters, '-Oz', '-o', join(req.work, `${name}.sel.vcf.gz`), input]);
    run(['norm', '-m', '-any', '-f', req.reference, '-Oz', '-o', normed, join(req.work, `${name}.sel.vcf.gz`)]);
    // After splitting, a 1/2 call becomes two records; each keeps a non-ref GT.
    const alt = join(req.work, `${name}.alt.vcf.gz`);
    run(['view', '-i', 'GT="alt"', '-Oz', '-o', alt, normed]);
    run(['index', '-f', '-t', alt]);
    return alt;
  };
  const calls = prepare(req.calls, 'calls', ['-f', 'PASS']);
  const truth = prepare(req.truth, 'truth', []);
  const byType = (type: 'snps' | 'indels'): TypeMetrics => {
    const c = join(req.work, `calls.${type}.vcf.gz`);
    const t = join(req.work, `truth.${type}.vcf.gz`);
    run(['view', '-v', type, '-Oz', '-o', c, calls]);
    run(['index', '-f', '-t', c]);
    run(['view', '-v', type, '-Oz', '-o', t, truth]);
    run(['index', '-f', '-t', t]);
    const dir = join(req.work, `isec.${type}`);
    run(['isec', '-c', 'none', '-p', dir, c, t]);
    const fp = countRecords(readFileSync(join(dir, '0000.vcf'), 'utf8'));
    const fn = countRecords(readFileSync(join(dir, '0001.vcf'), 'utf8'));
    const tp = countRecords(readFileSync(join(dir, '0002.vcf'), 'utf8'));
    return metrics(tp, fp, fn);
  };
  return { snv: byType('snps'), indel: byType('indels'), commands };
}

/** "SNV P 0.991 R 0.987 F1 0.989 (TP 300, FP 3, FN 4)". */
export function formatMetrics(label: string, m: TypeMetrics): string {
  return `${label} precision ${m.precision.toFixed(4)} recall ${m.recall.toFixed(4)} F1 ${m.f1.toFixed(4)} (TP ${m.tp}, FP ${m.fp}, FN ${m.fn})`;
}
