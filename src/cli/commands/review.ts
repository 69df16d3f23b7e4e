/**
 * `variant-lens review export|stats|import`: the review sidecar file from the command line
 * (format: docs/review-format.md).
 */
import { ensureParentDir } from '../framework/systemErrors';
import { VariantLensError } from '../../core/errors';
import { openVcf } from '../../core/io/vcf/vcfReader';
import { atomicWriteFile } from '../../core/review/atomicWrite';
import { exportBed, exportBedByVerdict, exportTsv, exportVcf } from '../../core/review/reviewExport';
import { readReviewTsv } from '../../core/review/reviewImport';
import { ReviewStore, defaultReviewer } from '../../core/review/reviewStore';
import { parseArgs } from '../framework/args';
import { runTrainingExport } from './reviewTraining';
import type { CliContext } from '../framework/command';
import { registerCommand } from '../framework/registry';

const usage = `usage: variant-lens review export --review FILE --format tsv|bed|vcf --out X [--vcf V]
                                [--per-verdict] [--filter VERDICT=FILTER_ID ...]
       variant-lens review export --review FILE --format training --model DIR --out PREFIX
                                [--vcf NAME=FILE ...] [--examples --reads BAM --ref FASTA]
                                [--sample NAME] [--force-held-out]
       variant-lens review stats  --review FILE [--vcf V] [--json]
       variant-lens review import --tsv X --review FILE [--reviewer NAME] [--one-based]

export  tsv: IGVNav-style columns (chr start stop ref var call tags notes, 0-based start)
             plus sample reviewer time models conflict; re-importable with "review import".
        bed: chrom, 0-based start, end, name=verdict ("conflict" when versions disagree);
             --per-verdict writes one file per verdict: X with ".<verdict>.bed" replacing ".bed".
        vcf: a copy of --vcf (required) with INFO/VL_VERDICT, VL_TAGS, VL_NOTE (percent-encoded),
             VL_REVIEWER, VL_TIME, VL_SAMPLE, VL_CONFLICT on reviewed records; --filter Fail=VL_FAIL
             also sets FILTER on records with that verdict. X ending in .gz is bgzipped + tabix-indexed.
             --vcf gives tsv/bed the VCF header's contig order.
        training: the reviewed sites as truth for retraining the --model (folder with
             model_card.json, or the card): PREFIX.vcf.gz (+ .tbi; GT per site) and PREFIX.bed
             (their intervals). <model>-correct takes that model's GT from the line's models
             column, else from --vcf <model>=FILE; both-correct the GT the models share;
             both-wrong, uncertain (and other verdicts) are left out. --examples also writes
             PREFIX.training.tfrecord.gz: labelled tf.Examples made with the card's
             make_examples parameters. Leakage guard: sites on the card's held-out contigs or
             samples (trainedOn.heldOutContigs / heldOutSamples; the sample of the line, else
             --sample, else the first sample of a --vcf) are refused and counted, unless
             --force-held-out (recorded in the VCF header).
stats   sites, conflicts, counts by verdict / reviewer / tag; with --vcf, reviewed / total records.
import  reads a TSV (our export, or IGVNav output: chr start stop ref var call tags notes) and
        merges its sites into the review file (a site in the TSV replaces the file's versions).`;

async function contigOrderOf(vcf: string | undefined, signal: AbortSignal): Promise<string[] | undefined> {
  if (!vcf) return undefined;
  const src = await openVcf(vcf, signal);
  try {
    const h = await src.header(signal);
    return h.contigs.length > 0 ? h.contigs.map((c) => c.name) : undefined;
  } finally {
    await src.close();
  }
}

async function runExport(argv: string[], ctx: CliContext): Promise<number> {
  const a = parseArgs(argv, {
    review: { type: 'string' }, vcf: { type: 'string', multiple: true }, format: { type: 'string' }, out: { type: 'string' },
    'per-verdict': { type: 'boolean' }, filter: { type: 'string', multiple: true },
    model: { type: 'string' }, examples: { type: 'boolean' }, reads: { type: 'string' }, ref: { type: 'string' },
    sample: { type: 'string' }, 'force-held-out': { type: 'boolean' },
  }, usage);
  const reviewPath = a.required('review');
  const format = a.required('format');
  const out = a.required('out');
  if (format === 'training') {
    const reads = a.string('reads');
    const ref = a.string('ref');
    const sample = a.string('sample');
    return runTrainingExport({
      review: reviewPath, model: a.required('model'), out, vcf: a.all('vcf'), examples: a.flag('examples'),
      ...(reads !== undefined ? { reads } : {}), ...(ref !== undefined ? { ref } : {}), ...(sample !== undefined ? { sample } : {}),
      forceHeldOut: a.flag('force-held-out'),
    }, ctx);
  }
  const vcfs = a.all('vcf');
  if (vcfs.length > 1) throw new VariantLensError('invalid-argument', `--vcf given ${vcfs.length} times; --format ${format} takes one VCF (NAME=FILE pairs are for --format training)\n${usage}`);
  const vcf = vcfs[0];
  const order = await contigOrderOf(vcf, ctx.signal);
  const store = await ReviewStore.open(reviewPath, order ? { contigOrder: order, signal: ctx.signal } : { signal: ctx.signal });
  const entries = store.entries();
  if (format === 'tsv') {
    await atomicWriteFile(out, exportTsv(entries), { signal: ctx.signal });
    ctx.progress(`wrote ${out}: ${entries.length} sites`);
  } else if (format === 'bed') {
    if (a.flag('per-verdict')) {
      const stem = out.replace(/\.bed$/i, '');
      for (const [verdict, text] of exportBedByVerdict(entries)) {
        const p = `${stem}.${verdict.replace(/[^A-Za-z0-9_.+-]/g, '_')}.bed`;
        await atomicWriteFile(p, text, { signal: ctx.signal });
        ctx.progress(`wrote ${p}: ${text.split('\n').length - 1} sites`);
      }
    } else {
      await atomicWriteFile(out, exportBed(entries), { signal: ctx.signal });
      ctx.progress(`wrote ${out}: ${entries.length} sites`);
    }
  } else if (format === 'vcf') {
    if (!vcf) throw new VariantLensError('invalid-argument', `--format vcf needs --vcf (the VCF to copy)\n${usage}`);
    const filters = new Map<string, string>();
    for (const f of a.all('filter')) {
      const eq = f.lastIndexOf('=');
      if (eq <= 0) throw new VariantLensError('invalid-argument', `--filter "${f}" must be VERDICT=FILTER_ID (e.g. Fail=VL_FAIL)`);
      filters.set(f.slice(0, eq), f.slice(eq + 1));
    }
    const src = await openVcf(vcf, ctx.signal);
    try {
      const r = await exportVcf(src, store, out, { filters, signal: ctx.signal });
      ctx.progress(`wrote ${out}: ${r.records} records, ${r.annotatedRecords} with a verdict`);
      if (r.notFound.length > 0) {
        const first = r.notFound.slice(0, 5).map((e) => `${e.site.contig}:${e.site.pos} ${e.site.ref}>${e.site.alt}`).join(', ');
        ctx.progress(`warning: ${r.notFound.length} reviewed site(s) have no matching record (CHROM, POS, REF, ALT) in ${vcf}: ${first}${r.notFound.length > 5 ? ', …' : ''}`);
      }
    } finally {
      await src.close();
    }
  } else {
    throw new VariantLensError('invalid-argument', `--format must be tsv, bed, vcf or training, not "${format}"\n${usage}`);
  }
  return 0;
}

async function runStats(argv: string[], ctx: CliContext): Promise<number> {
  const a = parseArgs(argv, { review: { type: 'string' }, vcf: { type: 'string' }, json: { type: 'boolean' } }, usage);
  const reviewPath = a.required('review');
  const vcf = a.string('vcf');
  const store = await ReviewStore.open(reviewPath, { signal: ctx.signal });
  const s = store.stats();
  let progress: { reviewed: number; total: number } | undefined;
  if (vcf) {
    const src = await openVcf(vcf, ctx.signal);
    let total = 0;
    let reviewed = 0;
    try {
      for await (const r of src.records(ctx.signal)) {
        total++;
        if (store.entriesAt({ contig: r.contig, pos: r.pos, ref: r.ref, alt: r.alts.length === 0 ? '.' : r.alts.join(',') }).length > 0) reviewed++;
      }
    } finally {
      await src.close();
    }
    progress = { reviewed, total };
  }
  const obj = (m: ReadonlyMap<string, number>): Record<string, number> => Object.fromEntries([...m].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)));
  if (a.flag('json')) {
    ctx.out(JSON.stringify({
      review: reviewPath, sites: s.sites, annotations: s.annotations, conflicts: s.conflicts,
      byVerdict: obj(s.byVerdict), byReviewer: obj(s.byReviewer), byTag: obj(s.byTag),
      ...(progress ? { vcf, reviewedRecords: progress.reviewed, totalRecords: progress.total } : {}),
    }, null, 2) + '\n');
    return 0;
  }
  const lines = [`review: ${reviewPath}`, `sites: ${s.sites}  annotations: ${s.annotations}  conflicts: ${s.conflicts}`];
  if (progress) {
    const pct = progress.total === 0 ? 0 : (100 * progress.reviewed) / progress.total;
    lines.push(`reviewed: ${progress.reviewed} / ${progress.total} records of ${vcf} (${pct.toFixed(1)}%)`);
  }
  const section = (title: string, m: ReadonlyMap<string, number>): void => {
    lines.push(`${title}:`);
    if (m.size === 0) lines.push('  (none)');
    for (const [k, n] of Object.entries(obj(m))) lines.push(`  ${k}\t${n}`);
  };
  section('by verdict (sites without conflict)', s.byVerdict);
  section('by reviewer (annotations)', s.byReviewer);
  section('by tag (annotations)', s.byTag);
  ctx.out(lines.join('\n') + '\n');
  return 0;
}

async function runImport(argv: string[], ctx: CliContext): Promise<number> {
  const a = parseArgs(argv, {
    tsv: { type: 'string' }, review: { type: 'string' }, reviewer: { type: 'string' }, 'one-based': { type: 'boolean' },
  }, usage);
  const tsv = a.required('tsv');
  const reviewPath = a.required('review');
  ensureParentDir(reviewPath);
  // Rows without a reviewer (IGVNav files) are credited to --reviewer, else the OS user.
  const reviewer = a.string('reviewer') ?? defaultReviewer();
  const annotations = await readReviewTsv(tsv, { signal: ctx.signal, oneBased: a.flag('one-based'), reviewer });
  const store = await ReviewStore.open(reviewPath, { signal: ctx.signal });
  await store.setMany(annotations, ctx.signal);
  ctx.progress(`imported ${annotations.length} row(s) from ${tsv} into ${reviewPath} (${store.size} sites, ${store.stats().conflicts} conflicts)`);
  return 0;
}

registerCommand({
  name: 'review',
  summary: 'review sidecar files: export (tsv, bed, vcf, training), stats, import a TSV',
  usage,
  async run(argv, ctx) {
    const [sub, ...rest] = argv;
    switch (sub) {
      case 'export': return runExport(rest, ctx);
      case 'stats': return runStats(rest, ctx);
      case 'import': return runImport(rest, ctx);
      default:
        throw new VariantLensError('invalid-argument', `${sub === undefined ? 'missing' : `unknown`} sub-command${sub ? ` "${sub}"` : ''}; use export, stats or import\n${usage}`);
    }
  },
});
