/**
 * The diff panel's host model (src/extension/diff/diffModel.ts) driven through the protocol
 * exactly as the webview drives it — an RpcServer with the diff schema and the model's
 * handlers — without VS Code. The inputs are two VCFs written here with planted
 * differences, so every expected count follows from how the files were built:
 *
 *   site i (i = 0..59, chr20 POS 1000 + 10·i; SNP C>T when ⌊i/6⌋ is even, else deletion CA>C)
 *   i % 6 = 0  same call in both            → not listed
 *           1  A 0/1, no record in B        → only-A
 *           2  no record in A, B 0/1        → only-B
 *           3  A 0/1, B 1/1                 → gt-change
 *           4  A 0/1 PASS, B 0/0 RefCall    → only-A + filter-change
 *           5  both 0/1, QUAL 30 vs 50      → same + qual-change
 *   BED "early" covers the first 30 sites (0-based [999, 1295)).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { DiffModel, byScore, comparisonOf, diffRequestHandlers } from '../../../../src/extension/diff/diffModel';
import { mostDisputedSites } from '../../../../src/core/report/disputeScore';
import type { DiffProtocol, DiffRow, DiffViewSpec, HostToWebview } from '../../../../src/protocol/protocol';
import { RpcServer } from '../../../../src/protocol/rpc';
import { diffSchema } from '../../../../src/protocol/validate';
import { TEST_CACHE } from '../../../helpers/paths';

const DIR = join(TEST_CACHE, 'diff-model');
const SITES = 60;
const header = [
  '##fileformat=VCFv4.2',
  '##FILTER=<ID=RefCall,Description="Genotyping model thinks this site is reference.">',
  '##INFO=<ID=DPX,Number=1,Type=Integer,Description="test depth">',
  '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
  '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">',
  '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">',
  '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
  '##FORMAT=<ID=VAF,Number=A,Type=Float,Description="Variant allele fraction">',
  '##contig=<ID=chr20,length=64444167>',
  '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tNA12878',
];

const pos = (i: number): number => 1000 + 10 * i;
const isIndel = (i: number): boolean => Math.floor(i / 6) % 2 === 1;
const line = (i: number, gt: string, qual: number, filter: string, side: string): string =>
  `chr20\t${pos(i)}\t${side}${i}\t${isIndel(i) ? 'CA' : 'C'}\t${isIndel(i) ? 'C' : 'T'}\t${qual}\t${filter}\tDPX=${i}\tGT:GQ:DP:AD:VAF\t${gt}:${40 + (i % 7)}:${depth(i, side)}:${depth(i, side) - 10},10:${(10 / depth(i, side)).toFixed(3)}`;
/** Each side's DP at site i (A 20 + i, B 30 + i): the inspector shows DP · AD · VAF per record. */
const depth = (i: number, side: string): number => (side === 'a' ? 20 : 30) + i;

const linesA = new Map<number, string>();
const linesB = new Map<number, string>();
const paths = { a: '', b: '', agz: '', bgz: '', bed: '', truth: '' };

before(() => {
  mkdirSync(DIR, { recursive: true });
  for (let i = 0; i < SITES; i++) {
    const t = i % 6;
    if (t !== 2) linesA.set(i, line(i, '0/1', 30, 'PASS', 'a'));
    if (t === 0) linesB.set(i, line(i, '0/1', 30, 'PASS', 'b'));
    if (t === 2) linesB.set(i, line(i, '0/1', 30, 'PASS', 'b'));
    if (t === 3) linesB.set(i, line(i, '1/1', 30, 'PASS', 'b'));
    if (t === 4) linesB.set(i, line(i, '0/0', 30, 'RefCall', 'b'));
    if (t === 5) linesB.set(i, line(i, '0/1', 50, 'PASS', 'b'));
  }
  paths.a = join(DIR, 'a.vcf');
  paths.b = join(DIR, 'b.vcf');
  writeFileSync(paths.a, [...header, ...linesA.values()].join('\n') + '\n');
  writeFileSync(paths.b, [...header, ...linesB.values()].join('\n') + '\n');
  for (const k of ['a', 'b'] as const) {
    const gz = `${paths[k]}.gz`;
    const r1 = spawnSync('sh', ['-c', `bgzip -c "${paths[k]}" > "${gz}" && tabix -f -p vcf "${gz}"`], { encoding: 'utf8' });
    assert.equal(r1.status, 0, r1.stderr);
    paths[k === 'a' ? 'agz' : 'bgz'] = gz;
  }
  // The truth: 0/1 at every site but the i % 6 = 2 and 4 ones (B's only call and A's RefCall'd one).
  paths.truth = join(DIR, 'truth.vcf');
  const truthLines = Array.from({ length: SITES }, (_, i) => i).filter((i) => i % 6 !== 2 && i % 6 !== 4).map((i) => line(i, '0/1', 30, 'PASS', 't'));
  writeFileSync(paths.truth, [...header, ...truthLines].join('\n') + '\n');
  paths.bed = join(DIR, 'early.bed');
  writeFileSync(paths.bed, 'chr20\t999\t1295\n');
});

/** A model behind the protocol: `call` sends a request message and returns the reply. */
async function served(files: { a: string; b: string }): Promise<{ model: DiffModel; call: <M extends keyof DiffProtocol['requests'] & string>(method: M, params: unknown) => Promise<{ result?: DiffProtocol['requests'][M]['result']; error?: { code: string; message: string } }> }> {
  const model = new DiffModel({ fileA: files.a, fileB: files.b, beds: [{ name: 'early', path: paths.bed }] });
  const posted: HostToWebview<DiffProtocol>[] = [];
  const server = new RpcServer<DiffProtocol>(diffSchema, diffRequestHandlers(model), {}, (m) => posted.push(m));
  let id = 1;
  const call = async (method: string, params: unknown) => {
    const messageId = id++;
    await server.handle({ type: 'request', messageId, method, params });
    const reply = posted.find((m) => m.type === 'response' && m.inReplyTo === messageId) as { result?: never; error?: { code: string; message: string } } | undefined;
    assert.ok(reply, `no reply to ${method}`);
    return reply;
  };
  return { model, call: call as never };
}

async function allRows(call: Awaited<ReturnType<typeof served>>['call'], spec: DiffViewSpec, pageSize = 7): Promise<DiffRow[]> {
  const v = (await call('diff.setView', spec)).result!;
  const out: DiffRow[] = [];
  for (let from = 0; from < v.count; from += pageSize) {
    const r = (await call('diff.rows', { viewId: v.viewId, from, to: from + pageSize })).result!;
    assert.equal(r.viewId, v.viewId);
    out.push(...r.rows);
  }
  assert.equal(out.length, v.count);
  return out;
}

const siteIndex = (r: DiffRow): number => (r.pos - 1000) / 10;
const planted = (pred: (i: number) => boolean): number[] => Array.from({ length: SITES }, (_, i) => i).filter(pred);

for (const kind of ['plain .vcf', 'bgzipped + tabix'] as const) {
  test(`pages and filters the planted differences through the protocol (${kind})`, async () => {
    const { model, call } = await served(kind === 'plain .vcf' ? { a: paths.a, b: paths.b } : { a: paths.agz, b: paths.bgz });
    const during = (await call('diff.init', {})).result!;
    assert.equal(during.state, 'running');
    assert.equal(during.view.count, 0);
    await model.run(new AbortController().signal);
    const init = (await call('diff.init', {})).result!;
    assert.equal(init.state, 'done');
    assert.equal(init.summary!.differingSites, 50);

    // Whole list, paged 7 at a time: every planted difference once, in genome order.
    const all = await allRows(call, {});
    assert.deepEqual(all.map(siteIndex), planted((i) => i % 6 !== 0));
    assert.deepEqual(all.map((r) => r.index), all.map((_, k) => k));
    const byType = (t: number) => all.filter((r) => siteIndex(r) % 6 === t);
    for (const r of byType(1)) assert.deepEqual(r.classes, ['only-A']);
    for (const r of byType(2)) assert.deepEqual(r.classes, ['only-B']);
    for (const r of byType(3)) assert.deepEqual([r.classes, r.a?.gt, r.b?.gt], [['gt-change'], '0/1', '1/1']);
    for (const r of byType(4)) assert.deepEqual([r.classes, r.b?.filter, r.b?.called], [['only-A', 'filter-change'], 'RefCall', false]);
    // Same alleles and GT, QUAL apart: 'same' + 'qual-change' (decision 0006).
    for (const r of byType(5)) assert.deepEqual([r.classes, r.a?.qual, r.b?.qual], [['same', 'qual-change'], '30', '50']);

    // Class / kind / stratum filters.
    assert.deepEqual((await allRows(call, { classes: ['only-A'] })).map(siteIndex), planted((i) => i % 6 === 1 || i % 6 === 4));
    assert.deepEqual((await allRows(call, { classes: ['gt-change', 'only-B'] })).map(siteIndex), planted((i) => i % 6 === 2 || i % 6 === 3));
    assert.deepEqual((await allRows(call, { kinds: ['INDEL'] })).map(siteIndex), planted((i) => i % 6 !== 0 && isIndel(i)));
    assert.deepEqual((await allRows(call, { strata: [{ group: 'bed', name: 'early' }] })).map(siteIndex), planted((i) => i % 6 !== 0 && i < 30));
    // OR inside a group, AND across groups.
    assert.deepEqual((await allRows(call, { strata: [{ group: 'filter', name: 'B RefCall' }, { group: 'filter', name: 'B absent' }] })).map(siteIndex), planted((i) => i % 6 === 1 || i % 6 === 4));
    assert.deepEqual((await allRows(call, { strata: [{ group: 'filter', name: 'B absent' }, { group: 'bed', name: 'early' }] })).map(siteIndex), planted((i) => i % 6 === 1 && i < 30));
    assert.deepEqual((await allRows(call, { classes: ['only-A'], kinds: ['SNP'], text: 'refcall' })).map(siteIndex), planted((i) => i % 6 === 4 && !isIndel(i)));
    // Sort: QUAL delta descending puts the ten qual-change sites first.
    const sorted = await allRows(call, { sortBy: 'qualDelta', descending: true });
    assert.deepEqual(sorted.slice(0, 10).map(siteIndex).sort((x, y) => x - y), planted((i) => i % 6 === 5));

    // A stale view id gets no rows; pages past the end are clamped.
    const v1 = (await call('diff.setView', {})).result!;
    const v2 = (await call('diff.setView', { classes: ['only-B'] })).result!;
    assert.notEqual(v1.viewId, v2.viewId);
    assert.deepEqual((await call('diff.rows', { viewId: v1.viewId, from: 0, to: 10 })).result!.rows, []);
    assert.equal((await call('diff.rows', { viewId: v2.viewId, from: 5, to: 500 })).result!.rows.length, 5);
    // The validator answers hostile requests with an error, before the model sees them.
    assert.equal((await call('diff.rows', { viewId: v2.viewId, from: 0, to: 5000 })).error?.code, 'invalid-message');
    assert.equal((await call('diff.setView', { classes: ['<script>'] })).error?.code, 'invalid-message');

    // Both records of a site, for the inspector, read back from the files.
    const refcall = model.siteAt(v1.viewId, 0); // stale → undefined
    assert.equal(refcall, undefined);
    const v3 = (await call('diff.setView', { strata: [{ group: 'filter', name: 'B RefCall' }] })).result!;
    const site = model.siteAt(v3.viewId, 1)!;
    const i = (site.pos - 1000) / 10;
    const rec = await model.siteRecord(site);
    assert.equal(rec.line, `A  ${linesA.get(i)}\nB  ${linesB.get(i)}`);
    assert.equal(rec.filter, 'A PASS · B RefCall');
    assert.deepEqual(rec.samples.map((s) => [s.name, s.gt, s.gq]), [['NA12878 (A: a.vcf' + (kind === 'plain .vcf' ? '' : '.gz') + ')', '0/1', String(40 + (i % 7))], ['NA12878 (B: b.vcf' + (kind === 'plain .vcf' ? '' : '.gz') + ')', '0/0', String(40 + (i % 7))]]);
    assert.deepEqual(rec.info.map((e) => [e.key, e.value, e.description]), [['A DPX', String(i), 'test depth'], ['B DPX', String(i), 'test depth']]);
    // Both records' calls for the model comparison, DP · AD · VAF included (as written in each file).
    assert.deepEqual(rec.records?.map((r) => [r.label.slice(0, 2), r.gt, r.filter, r.dp, r.ad, r.vaf]), [
      ['A:', '0/1', 'PASS', String(20 + i), `${10 + i},10`, (10 / (20 + i)).toFixed(3)],
      ['B:', '0/0', 'RefCall', String(30 + i), `${20 + i},10`, (10 / (30 + i)).toFixed(3)],
    ]);
    const v4 = (await call('diff.setView', { classes: ['only-B'] })).result!;
    const onlyB = model.siteAt(v4.viewId, 3)!;
    const recB = await model.siteRecord(onlyB);
    const j = (onlyB.pos - 1000) / 10;
    assert.equal(recB.line, `A  (no record in ${kind === 'plain .vcf' ? 'a.vcf' : 'a.vcf.gz'})\nB  ${linesB.get(j)}`);
    assert.equal(recB.id, `b${j}`);
    await model.close();
  });
}

test('the diff opens on its disputes, ranked as the report ranks them; QUAL-only changes are a scope away', async () => {
  const { model, call } = await served({ a: paths.a, b: paths.b });
  await model.run(new AbortController().signal);
  const init = (await call('diff.init', {})).result!;
  // Disputes: only-A, only-B, gt-change, only-A + filter-change (40); QUAL-only: the ten i % 6 = 5 sites.
  assert.deepEqual(init.scopeCounts, { disputes: 40, qualOnly: 10, all: 50 });
  assert.deepEqual(init.view.spec, { scope: 'disputes', sortBy: 'dispute', descending: true });
  assert.equal(init.view.count, 40);
  assert.equal(init.disputesReviewed, 0);
  const rows: DiffRow[] = [];
  for (let from = 0; from < init.view.count; from += 9) rows.push(...(await call('diff.rows', { viewId: init.view.viewId, from, to: from + 9 })).result!.rows);
  // Scores (src/core/report/disputeScore.ts): only-A / only-B 1000 + 100 + 30 = 1130, only-A + RefCall 1000 + 100 = 1100,
  // gt-change 1000; ties in genome order.
  const expected = [...planted((i) => i % 6 === 1 || i % 6 === 2), ...planted((i) => i % 6 === 4), ...planted((i) => i % 6 === 3)];
  assert.deepEqual(rows.map(siteIndex), expected);
  // The same order as the report's mostDisputedSites over the engine's list.
  const sites = Array.from({ length: 50 }, (_, k) => k).map((k) => model.siteAt(init.view.viewId, k)).filter((x) => x !== undefined);
  assert.equal(sites.length, 40);
  const ranked = mostDisputedSites([...sites].sort((x, y) => x.pos - y.pos), 40).map((r) => (r.site.pos - 1000) / 10);
  assert.deepEqual(rows.map(siteIndex), ranked);
  // QUAL-only scope: exactly the sites where only QUAL differs; no scope: all 50.
  assert.deepEqual((await allRows(call, { scope: 'qual-only' })).map(siteIndex), planted((i) => i % 6 === 5));
  assert.equal((await allRows(call, {})).length, 50);
  // Ascending dispute order: least disputed first, ties still in genome order.
  assert.deepEqual((await allRows(call, { scope: 'disputes', sortBy: 'dispute', descending: false })).map(siteIndex), [...planted((i) => i % 6 === 3), ...planted((i) => i % 6 === 4), ...planted((i) => i % 6 === 1 || i % 6 === 2)]);
  // Progress against disputes counts verdicts on disputes only.
  model.reviewCell = (s) => ((s.pos - 1000) / 10 % 6 === 5 || s.pos === 1010 ? { verdict: 'x', verdictTitle: 'x', tags: [], note: '', by: '', at: '', versions: 1, conflict: false } as never : undefined);
  assert.deepEqual(model.disputeProgress(), { reviewed: 1, total: 40 });
  // The unfiltered ranked views (the scope's rows as they are) = the same views through the
  // filtering path (every kind chosen: the same sites).
  for (const scope of ['disputes', 'qual-only', undefined] as const) {
    for (const descending of [true, false]) {
      const spec: DiffViewSpec = { ...(scope ? { scope } : {}), sortBy: 'dispute', descending };
      const filtered = (await allRows(call, { ...spec, kinds: ['SNP', 'INDEL', 'MNP'] })).map(siteIndex);
      assert.deepEqual((await allRows(call, spec)).map(siteIndex), filtered, `${scope ?? 'all'}, descending ${descending}`);
      assert.equal(filtered.length, scope === 'disputes' ? 40 : scope === 'qual-only' ? 10 : 50);
    }
  }
  await model.close();
});

test('a cancelled run ends in state cancelled, with an empty view', async () => {
  const { model, call } = await served({ a: paths.a, b: paths.b });
  const ac = new AbortController();
  ac.abort();
  await model.run(ac.signal);
  const init = (await call('diff.init', {})).result!;
  assert.equal(init.state, 'cancelled');
  assert.equal(init.summary, undefined);
  assert.equal(init.view.count, 0);
});

test('a missing file ends in state error naming the file', async () => {
  const { model, call } = await served({ a: paths.a, b: join(DIR, 'missing.vcf') });
  await assert.rejects(model.run(new AbortController().signal), /missing\.vcf/);
  const init = (await call('diff.init', {})).result!;
  assert.equal(init.state, 'error');
  assert.match(init.error!.message, /missing\.vcf/);
});

test('a truth VCF: each side against it, per site (A TRUTH / B TRUTH) and in total, as diff --truth counts', async () => {
  const model = new DiffModel({ fileA: paths.a, fileB: paths.b, truthFile: paths.truth });
  await model.run(new AbortController().signal);
  const init = model.init();
  assert.deepEqual(init.comparison, { fileA: paths.a, fileB: paths.b, truthFile: paths.truth });
  const all = (m: NonNullable<typeof init.truthVs>['a']) => m.rows.find((r) => r.type === 'ALL')!;
  // A: TP at i % 6 = 0, 1, 3, 5 (40), FP at 4 (10, PASS 0/1 the truth lacks), no FN.
  assert.deepEqual([all(init.truthVs!.a).tp, all(init.truthVs!.a).fp, all(init.truthVs!.a).fn], [40, 10, 0]);
  // B: TP at 0, 5 (20); FP at 2 (10) and 3 (10, 1/1 vs 0/1: FP and FN); FN at 1 and 3 (20); 4 is RefCall, not a call.
  assert.deepEqual([all(init.truthVs!.b).tp, all(init.truthVs!.b).fp, all(init.truthVs!.b).fn], [20, 20, 20]);
  assert.equal(init.truthVs!.name, 'truth.vcf');
  const rows = model.rows(init.view.viewId, 0, init.view.count).rows.concat(model.rows(model.setView({}).viewId, 0, 100).rows);
  const byType = new Map<number, [string | undefined, string | undefined]>();
  for (const r of rows) byType.set(((r.pos - 1000) / 10) % 6, [r.truthA, r.truthB]);
  assert.deepEqual(Object.fromEntries([...byType].sort((x, y) => x[0] - y[0])), {
    1: ['TP', 'FN'], 2: ['', 'FP'], 3: ['TP', 'FP+FN'], 4: ['FP', ''], 5: ['TP', 'TP'],
  });
  await model.close();
});

test('a restored diff opens on its own view; comparisonOf keeps only what is not a setting', async () => {
  const spec: DiffViewSpec = { scope: 'qual-only', sortBy: 'qualB', descending: true };
  const model = new DiffModel({ fileA: paths.a, fileB: paths.b, truth: 'A', qualDelta: 3 }, spec);
  await model.run(new AbortController().signal);
  const init = model.init();
  assert.deepEqual(init.view.spec, spec);
  assert.equal(init.view.count, 10);
  assert.deepEqual(init.comparison, { fileA: paths.a, fileB: paths.b, truth: 'A' });
  assert.deepEqual(comparisonOf({ fileA: 'a', fileB: 'b', beds: [], truthFile: 't' }), { fileA: 'a', fileB: 'b', truthFile: 't' });
  assert.equal(init.truthVs, undefined);
  await model.close();
});

test('byScore orders as the comparison sort does: by score, ties in the given order, both directions', () => {
  let seed = 7;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  // Dispute scores: 1000 · GT + 100 · FILTER + a QUAL term of one decimal (many ties).
  const scores = Array.from({ length: 5000 }, () => (rnd() < 0.5 ? 1000 : 0) + (rnd() < 0.3 ? 100 : 0) + Math.round(rnd() * 50) / 10);
  const rows = Uint32Array.from({ length: 3000 }, (_, i) => i + Math.floor(i / 3));
  for (const descending of [true, false]) {
    const dir = descending ? -1 : 1;
    const want = [...rows].sort((x, y) => dir * (scores[x]! - scores[y]!) || x - y);
    assert.deepEqual([...byScore(rows, (li) => scores[li]!, descending)], want);
  }
  assert.deepEqual([...byScore(new Uint32Array(0), () => 0, true)], []);
});
