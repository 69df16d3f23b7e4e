import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { VariantLensError } from '../../../src/core/errors';
import {
  type Annotation, COLUMN_LINE, VERSION_LINE, compareContigsNatural, normalizeAnnotation, parseReview, serializeReview, siteKey,
} from '../../../src/core/review/reviewFormat';
import { ReviewStore } from '../../../src/core/review/reviewStore';
import { seededRandom } from '../../helpers/seededRandom';
import { numbered, randomAnnotation, tempDir } from './fixtures/reviewTestUtil';

// The coordinate order the format promises (docs/review-format.md), written out independently
// of the implementation: numbered contigs by number, then X, Y, M, then the rest by
// natural string order (code points: 'H' < 'c').
const EXPECTED_CONTIG_ORDER = ['chr1', 'chr2', 'chr3', 'chr9', 'chr10', 'chr11', 'chr20', 'chr21', 'chr22', 'chrX', 'chrY', 'chrM', 'HLA-A*01:01:01:01', 'chrUn_gl000220'];

test('10,000 annotations with tabs, newlines and unicode are written and re-read identically', async () => {
  const dir = tempDir('10k');
  const path = join(dir, 'calls.vcf.review.tsv');
  const r = seededRandom(20240501);
  const written = new Map<string, Annotation>();
  for (let i = 0; written.size < 10_000; i++) {
    const a = randomAnnotation(r, i);
    written.set(siteKey(a), a);
  }
  const all = [...written.values()];
  assert.ok(all.some((a) => a.note.includes('\t')) && all.some((a) => a.note.includes('\n')) && all.some((a) => a.note.includes('🧬')) && all.some((a) => a.note === '.'));

  const store = await ReviewStore.open(path);
  await store.setMany(all);
  const text = readFileSync(path, 'utf8');

  const reread = await ReviewStore.open(path);
  assert.equal(reread.size, 10_000);
  assert.equal(reread.conflicts().length, 0);
  for (const a of all) {
    const e = reread.get(a);
    assert.ok(e, `missing ${siteKey(a)}`);
    assert.equal(e.versions.length, 1);
    assert.deepEqual(e.versions[0], normalizeAnnotation(a));
  }
  // One line per site, in coordinate order (the order above, then pos, ref, alt, sample).
  const data = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  assert.equal(data.length, 10_000);
  const rank = (c: string): number => EXPECTED_CONTIG_ORDER.indexOf(c);
  for (let i = 1; i < data.length; i++) {
    const [c0, p0] = data[i - 1]!.split('\t');
    const [c1, p1] = data[i]!.split('\t');
    assert.ok(rank(c0!) < rank(c1!) || (c0 === c1 && Number(p0) <= Number(p1)), `line ${i + 4} out of order: ${c0}:${p0} then ${c1}:${p1}`);
  }
  // Serializing what was read gives the same bytes (stable for git).
  assert.equal(serializeReview(parseReview(text, path)), text);
});

test('natural contig order: chr1 < chr2 < chr10 < chrX < chrY < chrM < others', () => {
  const shuffled = ['chrM', 'chr10', 'chrUn_gl000220', 'chrY', 'chr2', 'chrX', 'chr1', 'chr22'];
  assert.deepEqual([...shuffled].sort(compareContigsNatural), ['chr1', 'chr2', 'chr10', 'chr22', 'chrX', 'chrY', 'chrM', 'chrUn_gl000220']);
});

test('a VCF contig order overrides the natural order and is recorded in the file', async () => {
  const dir = tempDir('order');
  const path = join(dir, 'r.review.tsv');
  const store = await ReviewStore.open(path, { contigOrder: ['chrX', 'chr2', 'chr1'] });
  await store.setMany([numbered('chr1', 1), numbered('chr2', 1), numbered('chrX', 1), numbered('chr3', 1)]);
  assert.deepEqual(store.entries().map((e) => e.site.contig), ['chrX', 'chr2', 'chr1', 'chr3']);
  const text = readFileSync(path, 'utf8');
  assert.match(text, /^##contig-order=chrX,chr2,chr1$/m);
  const reopened = await ReviewStore.open(path); // no order given: the file's is used
  assert.deepEqual(reopened.entries().map((e) => e.site.contig), ['chrX', 'chr2', 'chr1', 'chr3']);
});

function header(): string {
  return `${VERSION_LINE}\n${COLUMN_LINE}\n`;
}

test('a corrupt line is an error naming the file and the line, never skipped', () => {
  const good = 'chr1\t100\tA\tG\t.\tuncertain\t.\t.\talice\t2024-05-01T12:00:00.000Z\t.\t.';
  const cases: [string, RegExp][] = [
    ['chr1\t100\tA\tG\t.\tuncertain', /line 4: has 6 tab-separated columns, expected 12/],
    [good.replace('\t100\t', '\tten\t'), /line 4: pos "ten"/],
    [good.replace('2024-05-01T12:00:00.000Z', 'yesterday'), /line 4: .*time "yesterday" is not ISO 8601/],
    [good.replace('uncertain\t.\t.\t', 'uncertain\t.\tbad\\qescape\t'), /line 4: bad escape "\\q"/],
    [good.replace(/\t\.$/, '\tmaybe'), /line 4: state "maybe"/],
    [good.replace('Z\t.\t.', 'Z\tdefault=1/1:x:3\t.'), /line 4: model default has GQ "x"/],
  ];
  for (const [bad, re] of cases) {
    assert.notEqual(bad, good);
    const text = header() + good.replace('100', '99') + '\n' + bad + '\n';
    assert.throws(() => parseReview(text, '/data/x.review.tsv'), (e: unknown) => {
      assert.ok(e instanceof VariantLensError);
      assert.equal(e.code, 'review-file-invalid');
      assert.match(e.message, /\/data\/x\.review\.tsv/);
      assert.match(e.message, re);
      return true;
    });
  }
  assert.throws(() => parseReview(`${COLUMN_LINE}\n${good}\n`, 'f.tsv'), /missing "##variant-lens-review=1"|data before/);
  assert.throws(() => parseReview('##variant-lens-review=2\n', 'f.tsv'), /version 2 is not supported/);
});

test('the store refuses to open, and never overwrites, a corrupt file', async () => {
  const dir = tempDir('corrupt');
  const path = join(dir, 'r.review.tsv');
  const store = await ReviewStore.open(path);
  await store.set(numbered('chr1', 1));
  const corrupt = readFileSync(path, 'utf8') + 'garbage line\n';
  writeFileSync(path, corrupt);
  await assert.rejects(ReviewStore.open(path), /r\.review\.tsv: line 4/);
  await assert.rejects(store.set(numbered('chr1', 2)), /line 4/);
  assert.equal(readFileSync(path, 'utf8'), corrupt);
});

test('CRLF line ends (git autocrlf) and git merge-conflict blocks are read; both sides kept', () => {
  const line = (verdict: string, reviewer: string, time: string): string => `chr1\t100\tA\tG\t.\t${verdict}\t.\t.\t${reviewer}\t${time}\t.\t.`;
  const text = [
    VERSION_LINE, COLUMN_LINE,
    'chr1\t50\tC\tT\t.\tboth-wrong\t.\t.\tcarol\t2024-05-01T10:00:00.000Z\t.\t.',
    '<<<<<<< HEAD',
    line('default-correct', 'alice', '2024-05-01T12:00:00.000Z'),
    '||||||| merged common ancestors',
    line('uncertain', 'alice', '2024-04-01T12:00:00.000Z'),
    '=======',
    line('retrained-correct', 'bob', '2024-05-02T12:00:00.000Z'),
    'chr1\t200\tG\tA\t.\tuncertain\t.\t.\tbob\t2024-05-02T12:00:00.000Z\t.\t.',
    '>>>>>>> origin/main',
  ].join('\r\n') + '\r\n';
  const c = parseReview(text, 'merged.review.tsv');
  assert.equal(c.sites.size, 3);
  const site = c.sites.get(siteKey({ contig: 'chr1', pos: 100, ref: 'A', alt: 'G' }))!;
  assert.deepEqual(site.map((a) => a.verdict), ['default-correct', 'retrained-correct']); // base side dropped
  const out = serializeReview(c);
  assert.equal((out.match(/\tconflict\n/g) ?? []).length, 2);
  assert.ok(!out.includes('<<<<<<<') && !out.includes('\r'));
  assert.throws(() => parseReview(`${VERSION_LINE}\n${COLUMN_LINE}\n<<<<<<< HEAD\n`, 'x.tsv'), /x\.tsv: unterminated git conflict block/);
  assert.throws(() => parseReview(`${VERSION_LINE}\n${COLUMN_LINE}\n>>>>>>> x\n`, 'x.tsv'), /x\.tsv: line 3/);
});

test('invalid annotations are rejected before anything is written', async () => {
  const dir = tempDir('invalid');
  const store = await ReviewStore.open(join(dir, 'r.review.tsv'));
  await assert.rejects(store.set({ ...numbered('chr1', 1), time: '2024-05-01 12:00' }), /not ISO 8601 UTC/);
  await assert.rejects(store.set({ ...numbered('chr1', 1), verdict: ' ' }), /verdict is empty/);
  await assert.rejects(store.set({ ...numbered('chr1', 1), models: [{ model: 'a=b', gt: '0/1' }] }), /model name "a=b"/);
  assert.equal(store.size, 0);
});

test('the example in docs/review-format.md is a valid review file, already in canonical form', () => {
  const doc = readFileSync(join(__dirname, '../../../docs/review-format.md'), 'utf8');
  const example = /## Example\n\n```\n([\s\S]*?)```/.exec(doc)?.[1];
  assert.ok(example, 'example block not found');
  const c = parseReview(example, 'docs/review-format.md');
  assert.equal(c.sites.size, 4);
  assert.equal([...c.sites.values()].filter((v) => v.length > 1).length, 1);
  assert.equal(serializeReview(c), example);
  const first = [...c.sites.values()][0]![0]!;
  assert.equal(first.note, 'reads on one strand only\nsee IGV');
  assert.deepEqual(first.models, [{ model: 'default', gt: '1/1', gq: 33, qual: 33.3 }, { model: 'retrained', gt: '0/0', gq: 24, qual: 24.9 }]);
});
