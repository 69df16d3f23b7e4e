/**
 * `variant-lens review export --format training`: reviewed sites of the simulated dataset as a
 * truth patch (checked with bcftools), a BED of their intervals, and labelled tf.Examples read
 * back with the project's reader; the leakage guard against a DeepVariant-style model card
 * (chr20–22 and HG003 held out).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { main } from '../../../src/cli/main';
import { readExamples } from '../../../src/core/io/examples/examplesFile';
import { openVcf } from '../../../src/core/io/vcf/vcfReader';
import { COLUMN_LINE, VERSION_LINE } from '../../../src/core/review/reviewFormat';
import { ensureSimulatedDataset, readManifest } from '../../helpers/simData';

interface TruthSite { contig: string; pos: number; ref: string; alt: string; gt: string }

let tmp = '';
let bam = '';
let ref = '';
let truthVcf = '';
let modelDir = '';
const sites = new Map<string, TruthSite>();

/**
 * Runs `variant-lens review …` in this process, capturing stderr (progress and errors; the
 * export writes nothing to stdout, which the test runner itself uses).
 */
async function cli(...args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const err = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((c: string | Uint8Array) => { stderr += String(c); return true; }) as typeof process.stderr.write;
  let code: number;
  try {
    code = await main(['review', ...args]);
  } finally {
    process.stderr.write = err;
  }
  return { code, stderr };
}

/** One review line (columns of docs/review-format.md). */
function line(s: TruthSite, verdict: string, models: string, sample = '.'): string {
  return [s.contig, s.pos, s.ref, s.alt, sample, verdict, '.', '.', 'alice', '2024-05-01T12:00:00.000Z', models, '.'].join('\t');
}

function writeReview(name: string, lines: string[]): string {
  const p = join(tmp, name);
  writeFileSync(p, [VERSION_LINE, COLUMN_LINE, ...lines].join('\n') + '\n');
  return p;
}

/** Copies of the image's alts in a VCF GT string (the label DeepVariant's labeler gives a biallelic site). */
function expectedLabel(gt: string): number {
  return gt.split(/[/|]/).filter((a) => a === '1').length;
}

before(async () => {
  const dir = await ensureSimulatedDataset();
  const m = readManifest(dir);
  const sample = m.samples[0]!;
  bam = join(dir, sample.bam);
  ref = join(dir, m.reference.fasta);
  truthVcf = join(dir, sample.truthVcf);
  tmp = mkdtempSync(join(tmpdir(), 'vl-training-'));
  // A DeepVariant-style card: chr20–22 and HG003 held out.
  modelDir = join(tmp, 'model');
  mkdirSync(modelDir);
  writeFileSync(join(modelDir, 'model_card.json'), JSON.stringify({
    name: 'default', version: '1.0.0',
    trainedOn: { samples: ['HG001', 'HG002', 'HG004'], contigs: Array.from({ length: 19 }, (_, i) => `chr${i + 1}`), heldOutSamples: ['HG003'], heldOutContigs: ['chr20', 'chr21', 'chr22'] },
    makeExamplesParams: { min_base_quality: 10, min_mapping_quality: 5, vsc_min_fraction_snps: 0.12 },
  }));
  // The first biallelic SNP of chr1–5 and chr20 in the simulated truth (homozygous or not).
  const src = await openVcf(truthVcf);
  try {
    for await (const r of src.records()) {
      if (!['chr1', 'chr2', 'chr3', 'chr4', 'chr5', 'chr6', 'chr20'].includes(r.contig) || sites.has(r.contig)) continue;
      if (r.alts.length !== 1 || r.ref.length !== 1 || r.alts[0]!.length !== 1) continue;
      const g = r.genotype(0)!;
      sites.set(r.contig, { contig: r.contig, pos: r.pos, ref: r.ref, alt: r.alts[0]!, gt: g.alleles.join('/') });
    }
  } finally {
    await src.close();
  }
  assert.equal(sites.size, 7, 'the simulated truth has a SNP on each contig used');
});

after(() => { if (tmp) rmSync(tmp, { recursive: true, force: true }); });

const S = (c: string): TruthSite => sites.get(c)!;

test('sites on chr1–19 export: truth patch passes bcftools, BED intervals, cut verdicts, labelled examples in the training layout', async () => {
  const review = writeReview('calls.review.tsv', [
    line(S('chr1'), 'default-correct', `default=${S('chr1').gt}:30:40.5;retrained=./.:11:0.4`),
    line(S('chr2'), 'retrained-correct', `default=0/0:20:1;retrained=${S('chr2').gt}:25:30`),
    line(S('chr3'), 'both-correct', `default=${S('chr3').gt}:30:40;retrained=${S('chr3').gt}:31:41`),
    line(S('chr4'), 'both-wrong', 'default=0/1:30:40;retrained=1/1:31:41'),
    line(S('chr5'), 'uncertain', 'default=0/1:30:40;retrained=./.:31:41'),
    // No GT on the line: the default model's calls come from --vcf default=FILE.
    line(S('chr6'), 'default-correct', '.'),
  ]);
  const prefix = join(tmp, 'out', 'patch');
  mkdirSync(join(tmp, 'out'));
  const r = await cli('export', '--review', review, '--format', 'training', '--model', modelDir, '--vcf', `default=${truthVcf}`,
    '--sample', 'HG001', '--examples', '--reads', bam, '--ref', ref, '--out', prefix);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /left out by verdict \(no truth genotype\): both-wrong 1, uncertain 1/);

  // bcftools reads the patch (bgzipped + tabix-indexed); exactly the four exported sites with their GTs.
  const q = execFileSync('bcftools', ['query', '-f', '%CHROM\t%POS\t%REF\t%ALT\t%INFO/VL_VERDICT\t[%GT]\n', `${prefix}.vcf.gz`], { encoding: 'utf8' });
  const expected = ['chr1', 'chr2', 'chr3', 'chr6'].map((c) => {
    const verdict = { chr1: 'default-correct', chr2: 'retrained-correct', chr3: 'both-correct', chr6: 'default-correct' }[c]!;
    const gt = S(c).gt.split('/').map(Number).sort((a, b) => a - b).join('/');
    return `${c}\t${S(c).pos}\t${S(c).ref}\t${S(c).alt}\t${verdict}\t${gt}`;
  });
  assert.deepEqual(q.trim().split('\n'), expected);
  const sources = execFileSync('bcftools', ['query', '-f', '%CHROM=%INFO/VL_GT_SOURCE\n', `${prefix}.vcf.gz`], { encoding: 'utf8' });
  assert.equal(sources, 'chr1=review\nchr2=review\nchr3=review\nchr6=vcf:default\n');
  assert.equal(execFileSync('bcftools', ['view', '-H', '-r', 'chr2', `${prefix}.vcf.gz`], { encoding: 'utf8' }).split('\t')[1], String(S('chr2').pos));
  const header = execFileSync('bcftools', ['view', '-h', `${prefix}.vcf.gz`], { encoding: 'utf8' });
  assert.match(header, /\tHG001\n$/);
  assert.doesNotMatch(header, /variantLensForceHeldOut/);

  // BED: 0-based half-open intervals of the exported sites only.
  const bed = readFileSync(`${prefix}.bed`, 'utf8').trim().split('\n').map((l) => l.split('\t').slice(0, 3).join('\t'));
  assert.deepEqual(bed, ['chr1', 'chr2', 'chr3', 'chr6'].map((c) => `${c}\t${S(c).pos - 1}\t${S(c).pos}`));

  // Labelled examples: one per exported site (biallelic SNPs), label = copies of the alt in the reviewed GT.
  const info = JSON.parse(readFileSync(`${prefix}.training.tfrecord.gz.example_info.json`, 'utf8')) as { shape: number[] };
  const got = new Map<string, number | undefined>();
  for await (const rec of readExamples(`${prefix}.training.tfrecord.gz`)) {
    const ex = rec.example;
    // DeepVariant's training layout (docs/deepvariant.md §4.2): the calling features plus label.
    for (const k of ['locus', 'variant/encoded', 'variant_type', 'alt_allele_indices/encoded', 'image/encoded', 'image/shape', 'label']) assert.ok(ex.featureOrder?.includes(k), `feature ${k} in ${ex.locus}`);
    assert.deepEqual([ex.tensor.height, ex.tensor.width, ex.tensor.channels.length], info.shape);
    assert.equal(ex.locus, `${ex.variant.referenceName}:${ex.variant.start + 1}-${ex.variant.end}`);
    assert.equal(ex.variant.calls[0]!.callSetName, 'HG001');
    got.set(`${ex.variant.referenceName}:${ex.variant.start + 1}`, ex.label);
  }
  assert.deepEqual([...got.keys()].sort(), ['chr1', 'chr2', 'chr3', 'chr6'].map((c) => `${c}:${S(c).pos}`).sort());
  for (const c of ['chr1', 'chr2', 'chr3', 'chr6']) assert.equal(got.get(`${c}:${S(c).pos}`), expectedLabel(S(c).gt), `label at ${c}`);
});

test('a site on chr20 with a DeepVariant-style card is refused with the reason and counted; --force-held-out includes and records it', async () => {
  const review = writeReview('held.review.tsv', [
    line(S('chr1'), 'retrained-correct', 'default=0/1:30:40;retrained=0/0:31:41'),
    line(S('chr20'), 'default-correct', `default=${S('chr20').gt}:30:40;retrained=./.:11:0.4`),
  ]);
  const prefix = join(tmp, 'held');
  const r = await cli('export', '--review', review, '--format', 'training', '--model', modelDir, '--sample', 'HG001', '--examples', '--reads', bam, '--ref', ref, '--out', prefix);
  assert.equal(r.code, 0, r.stderr);
  // The endorsed 0/0 (the retrained model's) labels the chr1 image 0; nothing from chr20.
  const labels: string[] = [];
  for await (const rec of readExamples(`${prefix}.training.tfrecord.gz`)) labels.push(`${rec.example.locus}=${rec.example.label}`);
  assert.deepEqual(labels, [`chr1:${S('chr1').pos}-${S('chr1').pos}=0`]);
  assert.match(r.stderr, /leakage guard: left out 1 site\(s\) held out from default's training — 1: chr20 is held out from default's training \(heldOutContigs: chr20, chr21, chr22\)/);
  const q = execFileSync('bcftools', ['query', '-f', '%CHROM\t%POS\t[%GT]\n', `${prefix}.vcf.gz`], { encoding: 'utf8' });
  assert.equal(q, `chr1\t${S('chr1').pos}\t0/0\n`);

  const forced = join(tmp, 'forced');
  const f = await cli('export', '--review', review, '--format', 'training', '--model', modelDir, '--sample', 'HG001', '--force-held-out', '--out', forced);
  assert.equal(f.code, 0, f.stderr);
  assert.match(f.stderr, /--force-held-out: included 1 site\(s\)/);
  const h = execFileSync('bcftools', ['view', '-h', `${forced}.vcf.gz`], { encoding: 'utf8' });
  assert.match(h, /##variantLensForceHeldOut=1 site\(s\) on held-out contigs or samples of default included \(--force-held-out\): chr20 is held out/);
  const fq = execFileSync('bcftools', ['query', '-f', '%CHROM\t%POS\t%INFO/VL_HELD_OUT\n', `${forced}.vcf.gz`], { encoding: 'utf8' });
  assert.equal(fq, `chr1\t${S('chr1').pos}\t.\nchr20\t${S('chr20').pos}\t1\n`);
  assert.match(readFileSync(`${forced}.bed`, 'utf8'), new RegExp(`^chr20\\t${S('chr20').pos - 1}\\t`, 'm'));
});

test('a held-out sample (HG003, from --sample or the line) is refused', async () => {
  const review = writeReview('sample.review.tsv', [
    line(S('chr1'), 'default-correct', `default=${S('chr1').gt}:30:40`),
    line(S('chr2'), 'default-correct', `default=${S('chr2').gt}:30:40`, 'NA24149'),
  ]);
  const r = await cli('export', '--review', review, '--format', 'training', '--model', modelDir, '--sample', 'HG001', '--out', join(tmp, 'sample'));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /left out 1 site\(s\).*sample NA24149 is held out from default's training \(heldOutSamples: HG003\)/);
  const r2 = await cli('export', '--review', review, '--format', 'training', '--model', modelDir, '--sample', 'HG003', '--out', join(tmp, 'sample2'));
  assert.match(r2.stderr, /left out 2 site\(s\)/);
  assert.equal(execFileSync('bcftools', ['view', '-H', join(tmp, 'sample2.vcf.gz')], { encoding: 'utf8' }), '');
});

test('a line without GTs and without --vcf is an error naming the file and line', async () => {
  const review = writeReview('nogt.review.tsv', [
    line(S('chr1'), 'both-correct', `default=${S('chr1').gt}:30:40;retrained=${S('chr1').gt}:30:40`),
    line(S('chr2'), 'default-correct', '.'),
  ]);
  const r = await cli('export', '--review', review, '--format', 'training', '--model', modelDir, '--out', join(tmp, 'nogt'));
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, new RegExp(`nogt\\.review\\.tsv: line 4 \\(chr2:${S('chr2').pos} .*default-correct\\): no genotype for model "default".*--vcf default=FILE`));
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
});

test('both-correct with models that disagree names no genotype: an error naming the line', async () => {
  const review = writeReview('disagree.review.tsv', [line(S('chr2'), 'both-correct', 'default=0/1:30:40;retrained=1/1:30:40')]);
  const r = await cli('export', '--review', review, '--format', 'training', '--model', modelDir, '--out', join(tmp, 'disagree'));
  assert.equal(r.code, 1);
  assert.match(r.stderr, /disagree\.review\.tsv: line 3 .*the models' genotypes differ \(default=0\/1, retrained=1\/1\)/);
});

test('--format vcf still takes one plain --vcf', async () => {
  const review = writeReview('plain.review.tsv', [line(S('chr1'), 'uncertain', '.')]);
  const out = join(tmp, 'plain.vcf');
  const r = await cli('export', '--review', review, '--format', 'vcf', '--vcf', truthVcf, '--out', out);
  assert.equal(r.code, 0, r.stderr);
  assert.match(readFileSync(out, 'utf8'), /VL_VERDICT=uncertain/);
});
