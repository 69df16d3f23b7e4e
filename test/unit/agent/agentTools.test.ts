/**
 * The agent tools (src/agent) on the demo workspace: the disputes ranked as the report ranks
 * them, a site's records and model calls equal to what `variant-lens call` wrote, a verdict
 * that `variant-lens review stats` counts, paths outside the roots (and symlinks out of
 * them) refused without echoing content, malformed arguments as tool errors, the confirmation
 * text of record_verdict, and package.json's languageModelTools in step with the catalogue.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { AGENT_TOOLS, AgentToolbox, parseLocus, verdictConfirmation } from '../../../src/agent/agentTools';
import { readRootSettings, stripJsonc } from '../../../src/agent/agentSettings';
import { RootGuard } from '../../../src/agent/rootGuard';
import { redactQuoted } from '../../../src/agent/toolErrors';
import { mcpCallResult, mcpToolList } from '../../../src/agent/mcpShapes';
import { openVcf } from '../../../src/core/io/vcf/vcfReader';
import { shutdownInference } from '../../../src/core/model/inferenceHost';
import { collectVcfDiff } from '../../../src/core/diff/vcfDiff';
import { mostDisputedSites } from '../../../src/core/report/disputeScore';
import { demoRootCopy } from '../../helpers/demoWorkspace';
import { PROJECT_ROOT, TEST_CACHE } from '../../helpers/paths';

let root = '';
let outside = '';
let toolbox: AgentToolbox;

before(async () => {
  root = await demoRootCopy('agent-');
  outside = mkdtempSync(join(TEST_CACHE, 'agent-outside-'));
  writeFileSync(join(outside, 'secret.vcf'), 'TOP-SECRET-CONTENT\n');
  symlinkSync(join(outside, 'secret.vcf'), join(root, 'link.vcf'));
  toolbox = new AgentToolbox({ guard: new RootGuard([root]), settings: () => readRootSettings(root) });
});

after(async () => {
  await toolbox.dispose();
  await shutdownInference();
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

test('list_disputed_sites: the disputes of the diff, ranked as the report ranks them', async () => {
  const out = await toolbox.run('list_disputed_sites', { a: 'default.vcf.gz', b: 'retrained.vcf.gz', limit: 5 });
  assert.equal(out.isError, false, out.text);
  const v = out.value as { disputes: number; listed: number; sites: { rank: number; locus: string; classes: string[]; score: number }[] };
  // The same ranking from core: diff with the reference, disputes only, mostDisputedSites.
  const { openReference } = await import('../../../src/core/io/fasta/fastaReader');
  const ref = await openReference(join(root, 'data', 'reference.fa'));
  const a = await openVcf(join(root, 'default.vcf.gz'));
  const b = await openVcf(join(root, 'retrained.vcf.gz'));
  const { sites } = await collectVcfDiff(a, b, { reference: ref });
  await Promise.all([a.close(), b.close(), ref.close()]);
  const all = Array.from({ length: sites.length }, (_, i) => sites.get(i)!);
  const disputes = all.filter((s) => s.classes.some((c) => ['gt-change', 'filter-change', 'only-A', 'only-B'].includes(c)));
  assert.ok(disputes.length > 0 && disputes.length < all.length, 'the demo has disputes and QUAL-only changes');
  assert.equal(v.disputes, disputes.length);
  const expected = mostDisputedSites(disputes, 5).map((r) => `${r.site.contig}:${r.site.pos}:${r.site.ref}>${r.site.alt}`);
  assert.deepEqual(v.sites.map((s) => s.locus), expected);
  assert.deepEqual(v.sites.map((s) => s.rank), expected.map((_, i) => i + 1));
  for (let i = 1; i < v.sites.length; i++) assert.ok(v.sites[i - 1]!.score >= v.sites[i]!.score);
  for (const s of v.sites) assert.ok(!s.classes.every((c) => c === 'qual-change' || c === 'same'), `${s.locus} is a dispute`);
});

test('inspect_site: the GT and QUAL that variant-lens call wrote, and every model re-run', async () => {
  const locus = { contig: 'chr21', pos: 16799 };
  const out = await toolbox.run('inspect_site', { locus: `${locus.contig}:${locus.pos}` });
  assert.equal(out.isError, false, out.text);
  const v = out.value as {
    records: { vcf: string; qual: number; samples: { gt: string; gq: number }[] }[];
    models: { model: string; gt: string; qual: number; probabilities: { hom_ref_het_hom_alt: number[] }[] }[];
    explanation: { verdict: string; summary: string } | null;
  };
  for (const name of ['default', 'retrained']) {
    const vcf = await openVcf(join(root, `${name}.vcf.gz`));
    let rec;
    for await (const r of vcf.query(locus.contig, locus.pos - 1, locus.pos)) if (r.pos === locus.pos) rec = r;
    await vcf.close();
    assert.ok(rec, `${name}.vcf.gz has a record at the site`);
    const got = v.records.find((r) => r.vcf === `${name}.vcf.gz`);
    assert.ok(got, `a record from ${name}.vcf.gz`);
    assert.equal(got.qual, rec.qual);
    assert.equal(got.samples[0]!.gt, rec.sampleField(0, 'GT'));
    assert.equal(got.samples[0]!.gq, Number(rec.sampleField(0, 'GQ')));
    // The model re-run on this site gives the call the VCF holds (GT, and QUAL to its one decimal).
    const m = v.models.find((x) => x.model === name)!;
    assert.equal(m.gt, rec.sampleField(0, 'GT'));
    assert.equal(Math.round(m.qual * 10) / 10, rec.qual);
    const p = m.probabilities[0]!.hom_ref_het_hom_alt;
    assert.equal(p.length, 3);
    assert.ok(Math.abs(p.reduce((x, y) => x + y, 0) - 1) < 1e-3);
  }
  assert.notEqual(v.records[0]!.samples[0]!.gt, v.records[1]!.samples[0]!.gt, 'a disputed site');
  assert.ok(v.explanation && ['inputs', 'weights', 'both', 'none'].includes(v.explanation.verdict) && v.explanation.summary.length > 10);
  assert.ok(out.images.length >= 2);
  for (const im of out.images) assert.deepEqual([...im.png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${im.caption} is a PNG`);
});

test('record_verdict writes a line that variant-lens review stats counts', async () => {
  const review = 'variant-lens.review.tsv';
  const bad = await toolbox.run('record_verdict', { review, locus: 'chr21:16799:T>C', verdict: 'nobody-correct' });
  assert.equal(bad.isError, true);
  assert.match(bad.text, /not in the vocabulary; use one of default-correct, retrained-correct, both-correct, both-wrong, uncertain/);
  const out = await toolbox.run('record_verdict', { review, locus: 'chr21:16799:T>C', verdict: 'retrained-correct', note: 'AD 7,16: hom-alt is a stretch' });
  assert.equal(out.isError, false, out.text);
  const out2 = await toolbox.run('record_verdict', { review, locus: 'chr22:6408:A>G', verdict: 'uncertain' });
  assert.equal(out2.isError, false, out2.text);
  const text = readFileSync(join(root, review), 'utf8');
  assert.match(text, /^chr21\t16799\tT\tC\t\.\tretrained-correct\t\.\tAD 7,16: hom-alt is a stretch\t/m);
  // inspect_site ran the models at chr21:16799 (the test before): their calls are stored with the
  // verdict, as GT:GQ:QUAL. The re-run gives what the demo's VCFs hold (the test before checks it), so
  // the expected text comes from those records: a hom-ref probability near float32's resolution makes
  // the exact QUAL depend on the CPU's kernels (72.1 on one machine, 99 on another).
  const stored: string[] = [];
  for (const name of ['default', 'retrained']) {
    const vcf = await openVcf(join(root, `${name}.vcf.gz`));
    for await (const r of vcf.query('chr21', 16798, 16799)) {
      if (r.pos === 16799) stored.push(`${name}=${r.sampleField(0, 'GT')}:${r.sampleField(0, 'GQ')}:${r.qual}`);
    }
    await vcf.close();
  }
  assert.equal(stored.length, 2);
  assert.match(stored.join(';'), /^default=0\/1:\d+:[\d.]+;retrained=1\/1:\d+:[\d.]+$/, 'a disputed site: 0/1 against 1/1');
  const line = text.split('\n').find((l) => l.startsWith('chr21\t16799\t'))!;
  assert.equal(line.split('\t')[10], stored.join(';'));
  assert.match(text, /^chr22\t6408\tA\tG\t.*\t\.\t\.$/m, 'no models stored for a site not inspected');
  const r = spawnSync(process.execPath, [join(PROJECT_ROOT, 'dist', 'cli.js'), 'review', 'stats', '--review', join(root, review), '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const stats = JSON.parse(r.stdout) as { sites: number; byVerdict: Record<string, number> };
  assert.equal(stats.sites, 2);
  assert.deepEqual(stats.byVerdict, { 'retrained-correct': 1, uncertain: 1 });
  // Setting it again replaces the site's verdict.
  const again = await toolbox.run('record_verdict', { review, locus: 'chr21:16799:T>C', verdict: 'default-correct' });
  assert.deepEqual((again.value as { replaced: string[] }).replaced, ['retrained-correct']);
});

test('paths outside the roots are refused, symlinks out of them too, and no file content is echoed', async () => {
  const cases: [string, unknown][] = [
    ['inspect_site', { locus: 'chr21:16799', vcfs: [join(outside, 'secret.vcf')] }],
    ['inspect_site', { locus: 'chr21:16799', vcfs: ['../' + outside.split('/').pop() + '/secret.vcf'] }],
    ['inspect_site', { locus: 'chr21:16799', vcfs: ['link.vcf'] }],
    ['list_disputed_sites', { a: '/etc/passwd', b: 'default.vcf.gz' }],
    ['record_verdict', { review: join(outside, 'r.tsv'), locus: 'chr21:16799:T>C', verdict: 'uncertain' }],
    ['record_verdict', { review: 'link.vcf', locus: 'chr21:16799:T>C', verdict: 'uncertain' }],
  ];
  for (const [tool, args] of cases) {
    const out = await toolbox.run(tool, args);
    assert.equal(out.isError, true, `${tool} ${JSON.stringify(args)}`);
    assert.match(out.text, /is outside the allowed folders/);
    assert.doesNotMatch(out.text, /TOP-SECRET|root:/);
  }
  assert.equal(readFileSync(join(outside, 'secret.vcf'), 'utf8'), 'TOP-SECRET-CONTENT\n', 'nothing written through the link');
  // A file under the root that is not a VCF: the reader's error, without its content.
  writeFileSync(join(root, 'notes.vcf'), '##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\nchr21\t16799\t.\tT\tC\tSECRETQUAL\t.\t.\n');
  const out = await toolbox.run('inspect_site', { locus: 'chr21:16799', vcfs: ['notes.vcf'] });
  assert.equal(out.isError, true, out.text);
  assert.match(out.text, /notes\.vcf/);
  assert.doesNotMatch(out.text, /SECRETQUAL/);
  assert.equal(redactQuoted('line 3 has ALT "SECRET" and \'x\''), 'line 3 has ALT "…" and "…"');
});

test('malformed arguments and unknown sites are tool errors with a clear message', async () => {
  const cases: [string, unknown, RegExp][] = [
    ['list_disputed_sites', { a: 'default.vcf.gz' }, /missing argument "b"/],
    ['list_disputed_sites', { a: 'default.vcf.gz', b: 'retrained.vcf.gz', limit: 'ten' }, /"limit" must be an integer/],
    ['list_disputed_sites', { a: 'default.vcf.gz', b: 'retrained.vcf.gz', limit: 0 }, /between 1 and 1000/],
    ['list_disputed_sites', { a: 'default.vcf.gz', b: 'missing.vcf.gz' }, /missing\.vcf\.gz does not exist/],
    ['list_disputed_sites', [1, 2], /must be a JSON object/],
    ['inspect_site', { locus: 42 }, /"locus" must be a string/],
    ['inspect_site', { locus: 'chr21-16799' }, /is not contig:POS/],
    ['inspect_site', { locus: 'chr21:16799', extra: 1 }, /unknown argument "extra"/],
    ['inspect_site', { locus: 'chr21:16799', vcfs: 'default.vcf.gz' }, /"vcfs" must be a list of strings/],
    ['inspect_site', { locus: 'chrZ:100' }, /unknown site chrZ:100: contig chrZ is in none of the VCFs/],
    ['inspect_site', { locus: 'chr21:99999999:A>C' }, /past the end of chr21/],
    ['record_verdict', { review: 'r.tsv', locus: 'chr21:16799', verdict: 'uncertain' }, /give the alleles too/],
    ['record_verdict', { review: 'r.tsv', locus: 'chr21:16799:T>C', verdict: 3 }, /"verdict" must be a string/],
    ['no_such_tool', {}, /unknown tool/],
  ];
  for (const [tool, args, re] of cases) {
    const out = await toolbox.run(tool, args);
    assert.equal(out.isError, true, `${tool} ${JSON.stringify(args)}: ${out.text}`);
    assert.match(out.text, re);
    assert.ok(!out.text.includes('\n') && !/at .*\.ts:\d+/.test(out.text), 'one line, no stack');
  }
});

test('an untrusted workspace: inspect_site refuses to open the files named in the settings; the diff runs without the reference', async () => {
  const untrusted = new AgentToolbox({ guard: new RootGuard([root]), settings: () => ({ ...readRootSettings(root), trusted: false }) });
  try {
    const out = await untrusted.run('inspect_site', { locus: 'chr21:16799' });
    assert.equal(out.isError, true);
    assert.match(out.text, /not trusted \(Restricted Mode\)/);
    const list = await untrusted.run('list_disputed_sites', { a: 'default.vcf.gz', b: 'retrained.vcf.gz' });
    assert.equal(list.isError, false, list.text);
    assert.match((list.value as { note: string }).note, /not trusted/);
  } finally {
    await untrusted.dispose();
  }
});

test('record_verdict asks for confirmation with what it will write', () => {
  const c = verdictConfirmation({ review: 'variant-lens.review.tsv', locus: 'chr21:16799:T>C', verdict: 'default-correct', note: 'strand bias' });
  assert.equal(c.title, 'Record a Variant Lens verdict?');
  assert.match(c.message, /chr21:16799:T>C to “default-correct” with the note “strand bias” in the review file variant-lens\.review\.tsv/);
  assert.match(verdictConfirmation({ review: 'x', locus: 'chr21' }).message, /not valid, so nothing will be written/);
});

test('locus parsing and JSONC settings', () => {
  assert.deepEqual(parseLocus('chr20:10,000,117:c>T'), { contig: 'chr20', pos: 10000117, ref: 'C', alt: 'T' });
  assert.deepEqual(parseLocus('HLA-A*01:01:01:01:100'), { contig: 'HLA-A*01:01:01:01', pos: 100 });
  assert.throws(() => parseLocus('chr1:0'), /1-based/);
  const text = '{\n  // reads\n  "variantLens.reads": { "S": "a//b.bam", }, /* x */\n  "variantLens.models": [{ "name": "m", "path": "models/m" },],\n}\n';
  assert.deepEqual(JSON.parse(stripJsonc(text)), { 'variantLens.reads': { S: 'a//b.bam' }, 'variantLens.models': [{ name: 'm', path: 'models/m' }] });
  const dir = mkdtempSync(join(TEST_CACHE, 'agent-settings-'));
  try {
    mkdirSync(join(dir, '.vscode'));
    writeFileSync(join(dir, '.vscode', 'settings.json'), text);
    const s = readRootSettings(dir);
    assert.equal(s.reads.bySample.get('S'), 'a//b.bam');
    assert.deepEqual(s.models, [{ name: 'm', path: 'models/m' }]);
    writeFileSync(join(dir, '.vscode', 'settings.json'), '{ "variantLens.reference": SECRET }');
    assert.throws(() => readRootSettings(dir), (e: Error) => /is not valid JSON with comments/.test(e.message) && !e.message.includes('SECRET'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("package.json's languageModelTools match the tools' catalogue", () => {
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { contributes: { languageModelTools: { name: string; modelDescription: string; inputSchema: unknown }[] } };
  const declared = pkg.contributes.languageModelTools;
  assert.deepEqual(declared.map((t) => t.name), ['variantLens_listDisputedSites', 'variantLens_inspectSite', 'variantLens_recordVerdict']);
  for (const spec of AGENT_TOOLS) {
    const d = declared.find((t) => t.name === spec.lmName)!;
    assert.deepEqual(d.inputSchema, spec.inputSchema, spec.lmName);
    assert.equal(d.modelDescription, spec.description);
  }
  assert.deepEqual(AGENT_TOOLS.map((t) => t.name), ['list_disputed_sites', 'inspect_site', 'record_verdict']);
  assert.deepEqual(AGENT_TOOLS.filter((t) => !t.readOnly).map((t) => t.name), ['record_verdict']);
});

test('MCP shapes: tools/list marks record_verdict as the writing tool; a call result carries text, PNG images and isError', () => {
  const list = mcpToolList();
  assert.deepEqual(list.map((t) => t.name), ['list_disputed_sites', 'inspect_site', 'record_verdict']);
  assert.deepEqual(list.map((t) => [t.annotations.readOnlyHint, t.annotations.destructiveHint]), [[true, false], [true, false], [false, true]]);
  assert.deepEqual(list[1]!.inputSchema.required, ['locus']);
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
  const r = mcpCallResult({ isError: false, text: '{}', images: [{ caption: 'default: RGB', png }] });
  assert.deepEqual(r, { isError: false, content: [{ type: 'text', text: '{}' }, { type: 'text', text: 'Image: default: RGB' }, { type: 'image', data: 'iVBORw==', mimeType: 'image/png' }] });
  assert.equal(mcpCallResult({ isError: true, text: 'inspect_site: bad', images: [] }).isError, true);
});
