import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../../src/cli/main';
import { openVcf } from '../../../src/core/io/vcf/vcfReader';
import { type Annotation, serializeReview, siteKey } from '../../../src/core/review/reviewFormat';
import { exportBed, exportBedByVerdict, exportTsv, exportVcf } from '../../../src/core/review/reviewExport';
import { parseReviewTsv } from '../../../src/core/review/reviewImport';
import { ReviewStore } from '../../../src/core/review/reviewStore';
import { PROJECT_ROOT, dv, sharedTest } from '../../helpers/paths';
import { seededRandom } from '../../helpers/seededRandom';
import { randomText, tempDir } from './fixtures/reviewTestUtil';

function run(cmd: string, args: string[]): { stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: PROJECT_ROOT });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

interface Rec { contig: string; pos: number; ref: string; alt: string }

/** A small VCF with two contigs, multi-allelic records, existing INFO and FILTERs. */
function writeTestVcf(path: string): Rec[] {
  const r = seededRandom(99);
  const recs: Rec[] = [];
  const lines = [
    '##fileformat=VCFv4.2',
    '##contig=<ID=chr2,length=100000>',
    '##contig=<ID=chr10,length=100000>',
    '##INFO=<ID=DP,Number=1,Type=Integer,Description="Depth">',
    '##FILTER=<ID=RefCall,Description="Genotyping model thinks this site is reference.">',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tNA12878',
  ];
  for (const contig of ['chr2', 'chr10']) {
    let pos = 100;
    for (let i = 0; i < 30; i++) {
      pos += 5 + Math.floor(r() * 50);
      const ref = ['A', 'CA', 'G', 'TTG'][Math.floor(r() * 4)]!;
      const alt = i % 7 === 3 ? 'T,C' : ref.length > 1 ? ref[0]! : ref === 'A' ? 'G' : 'A';
      recs.push({ contig, pos, ref, alt });
      lines.push([contig, pos, '.', ref, alt, (r() * 50).toFixed(1), i % 5 === 0 ? 'RefCall' : 'PASS', i % 2 ? `DP=${10 + i}` : '.', 'GT', i % 7 === 3 ? '1/2' : '0/1'].join('\t'));
    }
  }
  writeFileSync(path, lines.join('\n') + '\n');
  return recs;
}

async function reviewSome(path: string, recs: Rec[]): Promise<{ store: ReviewStore; annotated: Annotation[] }> {
  const r = seededRandom(5);
  const verdicts = ['default-correct', 'retrained-correct', 'both-correct', 'both-wrong', 'Fail'];
  const annotated: Annotation[] = [];
  recs.forEach((rec, i) => {
    if (i % 3 !== 0) return;
    annotated.push({
      ...rec, verdict: verdicts[i % verdicts.length]!, tags: i % 2 ? ['LVF', 'D'] : [], note: randomText(r, 8) + (i === 0 ? ' a;b=c,d %20 é' : ''),
      reviewer: 'alice smith', time: new Date(Date.UTC(2024, 4, 1) + i * 60_000).toISOString(),
      models: [{ model: 'default', gt: '1/1', gq: 33, qual: 33.3 }, { model: 'retrained', gt: '0/0', gq: 24, qual: 24.9 }],
    });
  });
  const store = await ReviewStore.open(path, { contigOrder: ['chr2', 'chr10'] });
  // A second writer that loaded the file before the first one wrote: its edit of a site the
  // first one also set becomes a conflict.
  const other = await ReviewStore.open(path);
  await store.setMany(annotated);
  // A conflict, a per-sample verdict, and a site that is not in the VCF.
  await other.set({ ...annotated[1]!, verdict: 'uncertain', reviewer: 'bob', time: '2024-06-01T00:00:00.000Z' });
  await store.set({ ...annotated[2]!, sample: 'NA12878', verdict: 'Fail', note: 'sample-level' });
  await store.set({ ...annotated[0]!, contig: 'chr10', pos: 99_999, ref: 'A', alt: 'C' });
  await store.reload();
  return { store, annotated };
}

test('exported VCF passes bcftools view and carries VL_VERDICT (and FILTER) for every annotated site', async () => {
  const dir = tempDir('vcf');
  const vcf = join(dir, 'calls.vcf');
  const recs = writeTestVcf(vcf);
  const { store } = await reviewSome(join(dir, 'calls.vcf.review.tsv'), recs);
  for (const out of [join(dir, 'out.vcf'), join(dir, 'out.vcf.gz')]) {
    const src = await openVcf(vcf);
    const res = await exportVcf(src, store, out, { filters: new Map([['Fail', 'VL_FAIL']]) });
    await src.close();
    assert.equal(res.records, recs.length);
    assert.deepEqual(res.notFound.map((e) => e.site.pos), [99_999]);

    const view = spawnSync('bcftools', ['view', out], { encoding: 'utf8' });
    assert.equal(view.status, 0, view.stderr);
    assert.equal(view.stderr, '', 'bcftools view printed warnings');
    const q = run('bcftools', ['query', '-f', '%CHROM\t%POS\t%REF\t%ALT\t%FILTER\t%INFO/VL_VERDICT\t%INFO/VL_NOTE\t%INFO/VL_CONFLICT\n', out]).stdout;
    const rows = q.trim().split('\n').map((l) => l.split('\t'));
    assert.equal(rows.length, recs.length);
    let annotatedRows = 0;
    for (const [chrom, pos, ref, alt, filter, verdict, note, conflict] of rows as string[][]) {
      const entries = store.entriesAt({ contig: chrom!, pos: Number(pos), ref: ref!, alt: alt! });
      const versions = entries.flatMap((e) => e.versions);
      if (versions.length === 0) {
        assert.equal(verdict, '.', `${chrom}:${pos} has no review but VL_VERDICT=${verdict}`);
        continue;
      }
      annotatedRows++;
      assert.deepEqual(verdict!.split(',').map(decodeURIComponent), versions.map((v) => v.verdict), `${chrom}:${pos}`);
      assert.deepEqual(note!.split(',').map((n) => (n === '.' ? '' : decodeURIComponent(n))), versions.map((v) => v.note));
      // bcftools query prints a Flag as 1 when set, '.' when absent.
      assert.equal(conflict, entries.some((e) => e.conflict) ? '1' : '.');
      assert.equal(filter!.split(';').includes('VL_FAIL'), versions.some((v) => v.verdict === 'Fail'), `${chrom}:${pos} FILTER ${filter}`);
    }
    assert.equal(annotatedRows, res.annotatedRecords);
    assert.equal(annotatedRows, new Set(store.entries().filter((e) => e.site.pos !== 99_999).map((e) => `${e.site.contig}:${e.site.pos}`)).size);
    const header = run('bcftools', ['view', '-h', out]).stdout;
    for (const id of ['VL_VERDICT', 'VL_TAGS', 'VL_NOTE', 'VL_REVIEWER', 'VL_TIME', 'VL_SAMPLE', 'VL_CONFLICT']) assert.match(header, new RegExp(`##INFO=<ID=${id},`));
    assert.match(header, /##FILTER=<ID=VL_FAIL,/);
  }
  // The .gz is bgzipped and tabix-indexed: a region query through the index works.
  const chr10 = run('bcftools', ['view', '-H', '-r', 'chr10', join(dir, 'out.vcf.gz')]).stdout.trim().split('\n');
  assert.equal(chr10.length, recs.filter((r) => r.contig === 'chr10').length);
});

test('re-exporting an exported VCF replaces the VL_ fields instead of duplicating them', async () => {
  const dir = tempDir('reexport');
  const vcf = join(dir, 'calls.vcf');
  const recs = writeTestVcf(vcf);
  const { store } = await reviewSome(join(dir, 'calls.vcf.review.tsv'), recs);
  const once = join(dir, 'once.vcf');
  const twice = join(dir, 'twice.vcf');
  let src = await openVcf(vcf);
  await exportVcf(src, store, once, { filters: new Map([['Fail', 'VL_FAIL']]) });
  await src.close();
  src = await openVcf(once);
  await exportVcf(src, store, twice, { filters: new Map([['Fail', 'VL_FAIL']]) });
  await src.close();
  assert.equal(readFileSync(twice, 'utf8'), readFileSync(once, 'utf8'));
});

test('re-importing an exported TSV gives the same store', async () => {
  const dir = tempDir('tsv');
  const vcf = join(dir, 'calls.vcf');
  const recs = writeTestVcf(vcf);
  const original = join(dir, 'calls.vcf.review.tsv');
  const { store } = await reviewSome(original, recs);
  assert.equal(store.conflicts().length, 1);
  const tsv = exportTsv(store.entries());
  const copy = join(dir, 'copy.review.tsv');
  const imported = await ReviewStore.open(copy, { contigOrder: ['chr2', 'chr10'] });
  await imported.setMany(parseReviewTsv(tsv, 'export.tsv', { reviewer: 'nobody', time: '2000-01-01T00:00:00.000Z' }));
  assert.equal(readFileSync(copy, 'utf8'), readFileSync(original, 'utf8'));
  assert.deepEqual(imported.entries(), store.entries());
});

test('an IGVNav output file (0-based start, no reviewer/time) imports with defaults', () => {
  const text = 'chr\tstart\tstop\tref\tvar\tcall\ttags\tnotes\nchr1\t99\t100\tA\tG\tS\tLVF, D\tlooks real\nchr1\t199\t200\tc\tT\tF\t\t\n';
  const a = parseReviewTsv(text, 'igvnav.tsv', { reviewer: 'carol', time: '2024-01-01T00:00:00.000Z' });
  assert.deepEqual(a.map((x) => [x.pos, x.ref, x.verdict, x.tags, x.note, x.reviewer]), [
    [100, 'A', 'S', ['LVF', 'D'], 'looks real', 'carol'],
    [200, 'C', 'F', [], '', 'carol'],
  ]);
  assert.throws(() => parseReviewTsv('chr\tstart\tref\n', 'x.tsv'), /x\.tsv: line 1: the header has no var, call column/);
  assert.throws(() => parseReviewTsv(text.replace('\t99\t', '\tx\t'), 'x.tsv'), /x\.tsv: line 2: start "x"/);
});

test('BED export: 0-based half-open intervals match bcftools %POS0/%END, named by verdict', async () => {
  const dir = tempDir('bed');
  const vcf = join(dir, 'calls.vcf');
  const recs = writeTestVcf(vcf);
  const { store } = await reviewSome(join(dir, 'calls.vcf.review.tsv'), recs);
  const truth = new Map(run('bcftools', ['query', '-f', '%CHROM\t%POS0\t%END\n', vcf]).stdout.trim().split('\n').map((l) => {
    const [c, s, e] = l.split('\t');
    return [`${c}\t${s}`, e!];
  }));
  const bed = exportBed(store.entries()).trim().split('\n').map((l) => l.split('\t'));
  assert.equal(bed.length, store.size);
  for (const [c, s, e, name] of bed as string[][]) {
    if (s === String(99_999 - 1)) continue; // the site that is not in the VCF
    assert.equal(e, truth.get(`${c}\t${s}`), `${c}:${s}`);
    const entries = store.entries().filter((x) => x.site.contig === c && x.site.pos - 1 === Number(s));
    assert.ok(entries.some((x) => (x.conflict && new Set(x.versions.map((v) => v.verdict)).size > 1 ? 'conflict' : x.versions[0]!.verdict) === name));
  }
  const byVerdict = exportBedByVerdict(store.entries());
  assert.ok(byVerdict.has('conflict'));
  const total = [...byVerdict.values()].reduce((n, t) => n + t.trim().split('\n').length, 0);
  assert.equal(total, store.size);
});

/**
 * Runs `variant-lens review …` in this process (main() from src/cli/main.ts), capturing what
 * it writes; one test below also runs the real executable path for the exit code.
 */
async function cli(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((c: string | Uint8Array) => { stdout += String(c); return true; }) as typeof process.stdout.write;
  process.stderr.write = ((c: string | Uint8Array) => { stderr += String(c); return true; }) as typeof process.stderr.write;
  let code: number;
  try {
    code = await main(['review', ...args]);
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
  assert.equal(code, 0, `variant-lens review ${args.join(' ')}: ${stderr}`);
  return { stdout, stderr };
}

test('CLI: review export / stats / import', async () => {
  const dir = tempDir('cli');
  const vcf = join(dir, 'calls.vcf');
  const recs = writeTestVcf(vcf);
  const review = join(dir, 'calls.vcf.review.tsv');
  const { store } = await reviewSome(review, recs);
  const stats = JSON.parse((await cli('stats', '--review', review, '--vcf', vcf, '--json')).stdout) as Record<string, unknown>;
  const s = store.stats();
  assert.equal(stats.sites, s.sites);
  assert.equal(stats.conflicts, s.conflicts);
  assert.equal(stats.totalRecords, recs.length);
  assert.equal(stats.reviewedRecords, new Set(store.entries().filter((e) => e.site.pos !== 99_999).map((e) => `${e.site.contig}:${e.site.pos}`)).size);
  assert.match((await cli('stats', '--review', review)).stdout, /by verdict \(sites without conflict\):\n  /);

  const out = join(dir, 'reviewed.vcf');
  const ex = await cli('export', '--review', review, '--vcf', vcf, '--format', 'vcf', '--out', out, '--filter', 'Fail=VL_FAIL');
  assert.match(ex.stderr, /1 reviewed site\(s\) have no matching record/);
  const failing = run('bcftools', ['view', '-H', '-f', 'VL_FAIL', out]).stdout.trim().split('\n').filter(Boolean).length;
  assert.equal(failing, new Set(store.entries().filter((e) => e.versions.some((v) => v.verdict === 'Fail') && e.site.pos !== 99_999).map((e) => `${e.site.contig}:${e.site.pos}`)).size);

  const tsv = join(dir, 'review.tsv');
  await cli('export', '--review', review, '--format', 'tsv', '--out', tsv);
  await cli('export', '--review', review, '--format', 'bed', '--out', join(dir, 'sites.bed'), '--per-verdict');
  assert.equal(readFileSync(join(dir, 'sites.Fail.bed'), 'utf8').split('\n').filter(Boolean).length, s.byVerdict.get('Fail'));
  const copy = join(dir, 'copy.review.tsv');
  await cli('import', '--tsv', tsv, '--review', copy);
  const a = await ReviewStore.open(copy, { contigOrder: ['chr2', 'chr10'] });
  assert.equal(serializeReview({ contigOrder: ['chr2', 'chr10'], sites: new Map(a.entries().map((e) => [e.key, [...e.versions]])) }), readFileSync(review, 'utf8'));
  const bad = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'review', 'export', '--review', review, '--format', 'xls', '--out', tsv], { encoding: 'utf8', cwd: PROJECT_ROOT });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /--format must be tsv, bed, vcf or training/);
});

sharedTest('DeepVariant golden VCF: every reviewed record carries VL_VERDICT after export (bcftools query)', async () => {
  const vcf = dv('golden.postprocess_single_site_output.vcf');
  const dir = tempDir('golden');
  const src = await openVcf(vcf);
  const recs: Rec[] = [];
  for await (const r of src.records()) recs.push({ contig: r.contig, pos: r.pos, ref: r.ref, alt: r.alts.join(',') });
  await src.close();
  const store = await ReviewStore.open(join(dir, 'golden.review.tsv'));
  const picked = recs.filter((_, i) => i % 4 === 1);
  await store.setMany(picked.map((r, i) => ({ ...r, verdict: i % 2 ? 'default-correct' : 'both-wrong', tags: [], note: `n${i}`, reviewer: 'ci', time: '2024-05-01T00:00:00.000Z', models: [] })));
  const out = join(dir, 'golden.reviewed.vcf.gz');
  const src2 = await openVcf(vcf);
  await exportVcf(src2, store, out);
  await src2.close();
  const rows = run('bcftools', ['query', '-f', '%CHROM\t%POS\t%REF\t%ALT\t%INFO/VL_VERDICT\n', out]).stdout.trim().split('\n');
  assert.equal(rows.length, 78); // golden VCF: `bcftools view -H golden.postprocess_single_site_output.vcf | wc -l` -> 78
  const withVerdict = rows.filter((l) => !l.endsWith('\t.'));
  assert.equal(withVerdict.length, picked.length);
  for (const l of withVerdict) {
    const [c, p, ref, alt, v] = l.split('\t');
    assert.equal(store.get({ contig: c!, pos: Number(p), ref: ref!, alt: alt! })?.versions[0]?.verdict, v);
  }
  assert.ok(store.get(siteKey(picked[0]!)));
});
