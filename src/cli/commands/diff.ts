/**
 * `variant-lens diff A.vcf[.gz] B.vcf[.gz] --out PREFIX` — compare two call sets: writes
 * PREFIX.summary.json, PREFIX.sites.tsv (every differing site, streamed) and PREFIX.html
 * (standalone report). Matching rules: docs/decisions/0006-diff-matching.md.
 */
import { ensureParentDir } from '../framework/systemErrors';
import { DEFAULT_MAX_WHOLE_FILE_BYTES } from '../../core/io/safeOpen';
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { loadBedRegions, type BedRegions } from '../../core/diff/bedRegions';
import type { DiffSummary } from '../../core/diff/diffSummary';
import { HappyRun } from '../../core/diff/haplotype/happyRun'; // [haplotype hook]
import type { HappyRow } from '../../core/diff/haplotype/happyTables'; // [haplotype hook]
import { DEFAULT_REPLAY_LIMITS } from '../../core/diff/haplotype/replay'; // [haplotype hook]
import { haplotypeStages } from '../../core/diff/haplotype/haplotypeStage'; // [haplotype hook]
import { DIFF_CLASSES, type DiffSite } from '../../core/diff/diffClasses';
import { FEATURE_COLUMNS, SITE_COLUMNS, renderDiffHtml, siteTsvLine } from '../../core/report/diffReport';
import { DEFAULT_QUAL_DELTA, diffVcfs, type AlleleSink, type AlleleStage, type DiffRegion } from '../../core/diff/vcfDiff';
import { FeatureStage, chainStages, enrichmentOf } from '../../core/diff/features/featureStage';
import type { EnrichmentEntry } from '../../core/diff/features/enrichment';
import { VariantLensError } from '../../core/errors';
import { openReference } from '../../core/io/fasta/fastaReader';
import { openVcf } from '../../core/io/vcf/vcfReader';
import { parseArgs } from '../framework/args';
import type { CliContext } from '../framework/command';
import { registerCommand } from '../framework/registry';

const MAX_HTML_SITES = 50_000;

const usage = `usage: variant-lens diff A.vcf[.gz] B.vcf[.gz] --out PREFIX [options]

Compares two call sets allele by allele (after splitting multi-allelic records, trimming and,
with --ref, left-aligning indels) and classifies every site: same, gt-change, only-A, only-B,
filter-change (PASS vs RefCall/LowQual), qual-change.

With --ref, alleles called by one side only whose superlocus spells the same haplotypes on
both sides (an MNP vs two SNPs, a complex indel vs indel + SNP) are classed same-haplotypes.

Writes PREFIX.summary.json, PREFIX.sites.tsv (one row per differing site) and PREFIX.html.

options:
  --ref FASTA           reference (.fa/.fa.gz with .fai[/.gzi]): left-align indels, contig order
  --bed NAME=FILE       stratify by a BED file (repeatable), e.g. --bed confident=giab.bed
  --truth A|B           treat that side as the truth: TP/FP/FN, precision, recall, F1. With --ref
                        also haplotype-aware (hap.py-style) matching, written to PREFIX.vcf.gz
                        (GA4GH intermediate VCF), PREFIX.summary.csv and PREFIX.extended.csv
  --confident FILE      truth confident regions (hap.py -f): truth outside is not assessed,
                        query outside counts as UNK (summary.csv; needs --truth and --ref)
  --hap-max-hets N      heterozygous alleles per side a superlocus may have to be replayed
                        (default 12); beyond, and beyond --hap-max-span bases (default 1000),
                        it is compared allele by allele and marked too-big
  --sample NAME|INDEX   sample to compare in both files (default: the first sample)
  --sample-a, --sample-b  sample of one file, when the names differ
  --qual-delta X        qual-change when |QUAL_A - QUAL_B| > X (default ${DEFAULT_QUAL_DELTA})
  --region R            only records overlapping R (chr20, chr20:10000000-10010000; 1-based)
  --max-html-sites N    sites listed in the HTML (default ${MAX_HTML_SITES}; the TSV has all)
  --features            per-site features (DP, VAF, MID; with --ref also homopolymer, tandem
                        repeat, GC ±50 bp; distance to the next variant, hold-out contig) as
                        extra TSV columns, their bins and the enrichment of disputes in the
                        summary JSON and the HTML. On by default with --ref; --no-features
                        turns them off (docs/decisions/0016-site-features.md)
  --held-out LIST       hold-out contigs for the held_out feature (default chr20,chr21,chr22)
  --out PREFIX          output prefix (required)`;

/** Parses "chr20", "chr20:1000", "chr20:1,000-2,000" (1-based, inclusive) into 0-based half-open. */
export function parseRegion(text: string, lengthOf: (contig: string) => number | undefined): DiffRegion {
  const m = /^([^:\s]+)(?::([\d,]+)(?:-([\d,]+))?)?$/.exec(text.trim());
  if (!m) throw new VariantLensError('invalid-argument', `--region "${text}" is not CHROM, CHROM:POS or CHROM:START-END`);
  const contig = m[1]!;
  const num = (s: string): number => Number(s.replace(/,/g, ''));
  const start = m[2] ? num(m[2]) : 1;
  const end = m[3] ? num(m[3]) : m[2] ? start : lengthOf(contig) ?? 2 ** 29;
  if (start < 1 || end < start) throw new VariantLensError('invalid-argument', `--region "${text}": the end is before the start (positions are 1-based)`);
  return { contig, start: start - 1, end };
}

/** Loads every `--bed NAME=FILE` (diff and report take the same option). */
export async function loadBedArgs(specs: readonly string[], signal: AbortSignal): Promise<BedRegions[]> {
  const beds: BedRegions[] = [];
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    if (eq <= 0 || eq === spec.length - 1) throw new VariantLensError('invalid-argument', `--bed "${spec}" must be NAME=FILE`);
    beds.push(await loadBedRegions(spec.slice(0, eq), spec.slice(eq + 1), signal, { maxBytes: DEFAULT_MAX_WHOLE_FILE_BYTES, allowSpecial: true }));
  }
  return beds;
}

export async function runDiff(argv: string[], ctx: CliContext): Promise<number> {
  const args = parseArgs(argv, {
    ref: { type: 'string' },
    bed: { type: 'string', multiple: true },
    truth: { type: 'string' },
    sample: { type: 'string' },
    'sample-a': { type: 'string' },
    'sample-b': { type: 'string' },
    'qual-delta': { type: 'string' },
    region: { type: 'string' },
    'max-html-sites': { type: 'string' },
    out: { type: 'string' },
    confident: { type: 'string' },
    'hap-max-hets': { type: 'string' },
    'hap-max-span': { type: 'string' },
    features: { type: 'boolean' },
    'no-features': { type: 'boolean' },
    'held-out': { type: 'string' },
  }, usage);
  const [fileA, fileB, extra] = args.positionals;
  if (!fileA || !fileB || extra !== undefined) throw new VariantLensError('invalid-argument', `give exactly two VCF files\n${usage}`);
  const out = args.required('out');
  const truthArg = args.string('truth');
  if (truthArg !== undefined && truthArg !== 'A' && truthArg !== 'B') throw new VariantLensError('invalid-argument', `--truth must be A or B, got "${truthArg}"`);
  const qualDelta = args.number('qual-delta', DEFAULT_QUAL_DELTA);
  if (qualDelta < 0) throw new VariantLensError('invalid-argument', '--qual-delta must not be negative');
  const maxHtml = args.number('max-html-sites', MAX_HTML_SITES);
  const signal = ctx.signal;

  const beds = await loadBedArgs(args.all('bed'), signal);
  const a = await openVcf(fileA, signal);
  const b = await openVcf(fileB, signal);
  const refPath = args.string('ref');
  // Both sides' left-alignment, the haplotype stage and the features stage read the same aligned
  // 1 MiB chunks; the FASTA reader keeps its recent chunks (fastaReader.ts), so each is read once.
  const reference = refPath ? await openReference(refPath, signal) : undefined;
  try {
    const regionText = args.string('region');
    let region: DiffRegion | undefined;
    if (regionText) {
      const lengths = new Map<string, number>();
      for (const c of [...a.vcfHeader.contigs, ...b.vcfHeader.contigs]) if (c.length !== undefined) lengths.set(c.name, c.length);
      if (reference) for (const c of await reference.contigs(signal)) lengths.set(c.name, c.length);
      region = parseRegion(regionText, (c) => lengths.get(c));
    }

    // Sites stream to the TSV in large writes; the first maxHtml are kept for the HTML page.
    const tsvPath = `${out}.sites.tsv`;
    ensureParentDir(tsvPath);
    const fd = openSync(tsvPath, 'w');
    const htmlSites: DiffSite[] = [];
    let differing = 0;
    const withFeatures = args.flag('no-features') ? false : args.flag('features') || reference !== undefined;
    const heldOut = args.string('held-out')?.split(',').map((x) => x.trim()).filter((x) => x !== '');
    let features: FeatureStage | undefined;
    let buf: string[] = [(withFeatures ? [...SITE_COLUMNS, ...FEATURE_COLUMNS] : SITE_COLUMNS).join('\t')];
    let bufLen = 0;
    const flush = (): void => {
      if (buf.length === 0) return;
      writeSync(fd, buf.join('\n') + '\n');
      buf = [];
      bufLen = 0;
    };
    // [haplotype hook] hap.py-compatible outputs with --truth and --ref (docs/decisions/0013-haplotype-matching.md).
    const limits = { maxHets: args.number('hap-max-hets', DEFAULT_REPLAY_LIMITS.maxHets), maxSpan: args.number('hap-max-span', DEFAULT_REPLAY_LIMITS.maxSpan) };
    const confidentPath = args.string('confident');
    let happy: HappyRun | undefined;
    if (truthArg !== undefined && reference) {
      const confident = confidentPath ? await loadBedRegions('CONF', confidentPath, signal) : undefined;
      happy = new HappyRun({
        prefix: out, truth: truthArg as 'A' | 'B', confident, strata: beds,
        contigs: await reference.contigs(signal),
        meta: [`source=variant-lens diff (haplotype matching; truth ${truthArg === 'A' ? fileA : fileB}, query ${truthArg === 'A' ? fileB : fileA})`],
      });
    } else if (confidentPath) throw new VariantLensError('invalid-argument', '--confident needs --truth and --ref');
    let summary;
    try {
      summary = await diffVcfs(a, b, {
        haplotypes: stagesOf(
          reference ? haplotypeStages(reference, { reclassify: true, consumer: happy?.counter, limits, signal }) : undefined, // [haplotype hook]
          withFeatures ? (emit) => (features = new FeatureStage(emit, { reference, heldOutContigs: heldOut, truth: truthArg as 'A' | 'B' | undefined, signal })) : undefined,
        ),
        sampleFields: withFeatures,
        reference,
        sampleA: args.string('sample-a') ?? args.string('sample'),
        sampleB: args.string('sample-b') ?? args.string('sample'),
        qualDelta,
        truth: truthArg as 'A' | 'B' | undefined,
        beds,
        region,
        onSite: (s) => {
          differing++;
          if (htmlSites.length < maxHtml) htmlSites.push(s);
          const line = siteTsvLine(s, withFeatures);
          buf.push(line);
          bufLen += line.length;
          if (bufLen > 1 << 20) flush();
        },
        onProgress: (p) => {
          const where = p.contig ? `${p.contig}:${p.pos}` : 'start';
          const pct = p.fraction !== undefined ? ` (${(p.fraction * 100).toFixed(1)}%)` : '';
          ctx.progress(`diff: ${where}${pct}, ${p.recordsA} + ${p.recordsB} records`);
        },
      }, signal);
      flush();
    } catch (e) {
      happy?.abandon();
      throw e;
    } finally {
      closeSync(fd);
    }
    const happyOut = happy?.finish(); // [haplotype hook]
    if (happyOut) summary.happy = { matching: 'haplotype', rows: happyOut.rows.map((r) => ({ ...r })), files: happyOut.files, stats: happyOut.stats };
    const featureSummary = (features as FeatureStage | undefined)?.summary();
    const enrichment = featureSummary ? enrichmentOf(featureSummary) : undefined;
    const json = featureSummary ? { ...summary, features: featureSummary, enrichment } : summary;
    writeFileSync(`${out}.summary.json`, JSON.stringify(json, null, 2) + '\n');
    writeFileSync(`${out}.html`, renderDiffHtml(summary, htmlSites, { title: `Variant Lens diff: ${fileA} vs ${fileB}`, totalDiffering: differing, features: featureSummary, enrichment }));

    const lines = [
      `${summary.sites} alleles compared, ${summary.differingSites} differ, ${summary.sharedCalled} called in both`,
      ...DIFF_CLASSES.map((c) => `  ${c.padEnd(14)} ${String(summary.classes[c].total).padStart(9)}  (SNP ${summary.classes[c].SNP}, INDEL ${summary.classes[c].INDEL}, MNP ${summary.classes[c].MNP})`),
      ...(summary.truth ? [`  truth (allele matching${reference ? '' : '; haplotype matching needs --ref, so no summary.csv'}):`, ...summary.truth.rows.map((r) => `  truth ${r.type.padEnd(5)} TP ${r.tp} FP ${r.fp} FN ${r.fn} precision ${r.precision?.toFixed(4) ?? '-'} recall ${r.recall?.toFixed(4) ?? '-'} F1 ${r.f1?.toFixed(4) ?? '-'}`)] : []),
      ...haplotypeLines(summary, happyOut?.rows),
      ...(enrichment ? enrichmentLines(enrichment) : []),
      ...(happyOut ? [`  truth superloci: ${happyOut.stats.assessed} with calls, ${happyOut.stats.replayed} replayed (${happyOut.stats.assessed > 0 ? ((100 * happyOut.stats.replayed) / happyOut.stats.assessed).toFixed(2) : '0.00'}%), ${happyOut.stats.haplotypeMatches} matched as haplotypes, ${happyOut.stats.tooBig} too big (allele by allele)`] : []),
      `wrote ${out}.summary.json, ${tsvPath}, ${out}.html${happyOut ? `, ${happyOut.files.join(', ')}` : ''}`,
    ];
    ctx.out(lines.join('\n') + '\n');
    return 0;
  } finally {
    await a.close();
    await b.close();
    await reference?.close();
  }
}

/** The stage hook: the haplotype stage, the features stage, both in a row, or none. */
function stagesOf(hap: ((emit: AlleleSink) => AlleleStage) | undefined, feat: ((emit: AlleleSink) => AlleleStage) | undefined): ((emit: AlleleSink) => AlleleStage) | undefined {
  return feat ? chainStages(hap, feat) : hap;
}

/** The five most enriched feature bins of disputes, for the console. */
function enrichmentLines(entries: readonly EnrichmentEntry[]): string[] {
  const top = entries.filter((e) => e.p < 0.05).slice(0, 5);
  if (top.length === 0) return ['  where they disagree: no feature bin is enriched among disputes (p < 0.05, ≥ 3 sites)'];
  return ['  where they disagree (most enriched feature bins; log odds, one-sided Fisher p):', ...top.map((e) => `    ${e.text}`)];
}

/** [haplotype hook] The haplotype stage's statistics and the hap.py rows, for the console. */
function haplotypeLines(summary: DiffSummary, rows: readonly HappyRow[] | undefined): string[] {
  const h = summary.haplotypes;
  if (!h) return [];
  const pct = h.superloci > 0 ? ((100 * h.replayed) / h.superloci).toFixed(2) : '0.00';
  const lines = [`  haplotypes: ${h.superloci} superloci, ${h.replayed} replayed (${pct}%), ${h.tooBig} too big for replay (compared allele by allele: more than ${h.limits.maxHets} hets or ${h.limits.maxSpan} bp)`];
  for (const r of rows ?? []) {
    lines.push(`  hap.py ${r.type.padEnd(5)} ${r.filter.padEnd(4)} TRUTH ${r.truthTotal} TP ${r.truthTp} FN ${r.truthFn} QUERY ${r.queryTotal} FP ${r.queryFp} UNK ${r.queryUnk} FP.gt ${r.fpGt} recall ${r.recall?.toFixed(4) ?? '-'} precision ${r.precision?.toFixed(4) ?? '-'} F1 ${r.f1?.toFixed(4) ?? '-'} (haplotype matching)`);
  }
  return lines;
}

registerCommand({ name: 'diff', summary: 'compare two VCFs (normalized, genotype-aware) into summary JSON, sites TSV and HTML', usage, run: runDiff });
