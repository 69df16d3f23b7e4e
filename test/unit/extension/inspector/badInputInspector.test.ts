/**
 * Bad input through the inspector's host logic (src/extension/inspector/siteTensors.ts SiteSources and
 * src/extension/inspector/modelService.ts ModelService), driven the way inspectorPanel.ts drives them:
 * `tensors(site)` for the pileup (a thrown error becomes the inspector's note) and
 * `compare(site)` for the model table (never throws for a user problem).
 *  - BAM without .bai, reference without .fai: errors name the file and say how to index it;
 *  - a site on a contig the reference lacks: the error names the contig and the reference;
 *  - reads/site on `chr20`, reference contig `20`: aliases make it work, images identical;
 *  - a model whose example_info.json channels do not match its model.onnx input: that
 *    model's row carries the error naming both files, the other model still runs and its
 *    GT/QUAL equal the VCF `variant-lens call` wrote (bcftools query).
 * Coordinates: SiteRecord.pos is the 1-based VCF POS; samtools regions are 1-based inclusive.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { shutdownInference } from '../../../../src/core/model/inferenceHost';
import { ModelService, type ModelServiceConfig } from '../../../../src/extension/inspector/modelService';
import { SiteSources, type SiteSourceConfig } from '../../../../src/extension/inspector/siteTensors';
import type { SiteRecord } from '../../../../src/protocol/protocol';
import { ensureDemoWorkspace } from '../../../helpers/demoWorkspace';
import { dv, sharedTest } from '../../../helpers/paths';

let dir: string;
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown): void => { unhandled.push(e); };
const never = new AbortController().signal;

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
}

/** A SiteRecord as the table builds it, from the first record of `file` in `region` (bcftools). */
function siteOf(file: string, region: string): SiteRecord {
  const line = sh('bcftools', ['query', '-r', region, '-f', '%CHROM\t%POS\t%REF\t%ALT\t[%GT]\n', file]).trim().split('\n')[0]!;
  const [chrom, pos, ref, alt, gt] = line.split('\t');
  const sample = sh('bcftools', ['query', '-l', file]).trim().split('\n')[0]!;
  return {
    file, row: 0, chrom: chrom!, pos: Number(pos), ref: ref!, alt: alt!, id: '.', qual: '.', filter: '.',
    samples: [{ name: sample, gt: gt!, gq: '', dp: '', ad: '', vaf: '', pl: '' }], info: [], line,
  };
}

function config(reads: string, reference: string): SiteSourceConfig {
  return { trusted: true, reads: { bySample: new Map(), unnamed: [reads] }, reference, examples: [] };
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'vl-badinput-inspector-'));
  process.on('unhandledRejection', onUnhandled);
});

after(async () => {
  process.off('unhandledRejection', onUnhandled);
  await shutdownInference();
  rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(unhandled, [], 'unhandled rejections');
});

sharedTest('reads and reference: missing .bai / .fai, contig not in the reference, chr20 vs 20 aliases', async () => {
  const bam = dv('NA12878_S1.chr20.10_10p1mb.bam');
  const ref = dv('ucsc.hg19.chr20.unittest.fasta.gz');
  const site = siteOf(dv('test_nist.b37_chr20_100kbp_at_10mb.vcf.gz'), 'chr20:10000100-10001000');

  // The same files next to each other without their index.
  const noBai = join(dir, 'reads.bam');
  symlinkSync(bam, noBai);
  const noFai = join(dir, 'ref.fa.gz');
  symlinkSync(ref, noFai);
  symlinkSync(`${ref}.gzi`, `${noFai}.gzi`);

  const good = new SiteSources(() => config(bam, ref));
  const expected = await good.tensors(site, never);
  assert.ok(expected.tensors.length >= 1, expected.note);

  const bad = async (cfg: SiteSourceConfig, s: SiteRecord, code: string, ...parts: (string | RegExp)[]): Promise<void> => {
    const sources = new SiteSources(() => cfg);
    await assert.rejects(sources.tensors(s, never), (e: unknown) => {
      assert.ok(e instanceof Error, String(e));
      assert.equal((e as { code?: string }).code, code, e.message);
      for (const p of parts) {
        if (typeof p === 'string') assert.ok(e.message.includes(p), `${e.message} lacks ${p}`);
        else assert.match(e.message, p);
      }
      return true;
    });
    await sources.reset();
  };
  await bad(config(noBai, ref), site, 'missing-index', noBai, /samtools index/);
  await bad(config(bam, noFai), site, 'missing-fai', noFai, /samtools faidx/);
  await bad(config(bam, ref), { ...site, chrom: 'chr21' }, 'contig-not-found', '"chr21"', ref);

  // A reference whose contig is "20" (samtools faidx of chr20:1-10,200,000, renamed), reads on "chr20".
  const ref20 = join(dir, 'ref20.fa');
  writeFileSync(ref20, sh('samtools', ['faidx', ref, 'chr20:1-10200000']).replace(/^>.*\n/, '>20\n'));
  sh('samtools', ['faidx', ref20]);
  for (const s of [site, { ...site, chrom: '20' }]) {
    const sources = new SiteSources(() => config(bam, ref20));
    const r = await sources.tensors(s, never);
    assert.equal(r.tensors.length, expected.tensors.length, r.note);
    r.tensors.forEach((t, i) => assert.ok(Buffer.from(t.data).equals(Buffer.from(expected.tensors[i]!.data)), `image ${i} differs with reference contig "20" (site ${s.chrom})`));
    await sources.reset();
  }
  await good.reset();
});

test('a model whose example_info.json does not match its model.onnx: its row says so, the other model runs', { timeout: 180_000 }, async () => {
  const demo = await ensureDemoWorkspace();
  const s = JSON.parse(readFileSync(join(demo, '.vscode', 'settings.json'), 'utf8')) as Record<string, unknown>;
  const reads = s['variantLens.reads'] as Record<string, string>;
  const models = s['variantLens.models'] as { name: string; path: string }[];
  // "broken": the retrained model.onnx (7 channels) with an example_info.json of 6 channels.
  const broken = join(dir, 'broken');
  mkdirSync(broken);
  const src = join(demo, models[1]!.path);
  symlinkSync(join(src, 'model.onnx'), join(broken, 'model.onnx'));
  symlinkSync(join(src, 'model_card.json'), join(broken, 'model_card.json'));
  writeFileSync(join(broken, 'example_info.json'), JSON.stringify({ version: '1.6.0', shape: [100, 221, 6], channels: [1, 2, 3, 4, 5, 6] }));
  const cfg: ModelServiceConfig = {
    trusted: true,
    reads: { bySample: new Map(Object.entries(reads).map(([k, v]) => [k, join(demo, v)])), unnamed: [] },
    reference: join(demo, s['variantLens.reference'] as string),
    examples: [],
    models: [{ name: 'default', path: join(demo, models[0]!.path) }, { name: 'broken', path: broken }],
    untrustedReason: 'untrusted',
  };
  const vcf = join(demo, 'default.vcf.gz');
  const line = sh('bcftools', ['view', '-H', '-i', 'GT="alt"', vcf]).split('\n')[0]!.split('\t');
  const site = siteOf(vcf, `${line[0]}:${line[1]}-${line[1]}`);
  const sources = new SiteSources(() => cfg);
  const service = new ModelService(() => cfg, sources);
  const { comparison, results } = await service.compare(site, never);
  assert.equal(comparison.state, 'done', comparison.message);
  assert.deepEqual(comparison.calls.map((c) => c.model), ['default', 'broken']);
  const [gt, qual] = sh('bcftools', ['query', '-r', `${site.chrom}:${site.pos}`, '-f', '[%GT]\t%QUAL\n', vcf]).trim().split('\t');
  assert.equal(comparison.calls[0]!.gt, gt);
  assert.equal(comparison.calls[0]!.qual, qual);
  const b = comparison.calls[1]!;
  assert.equal(b.gt, '.');
  assert.ok(b.noCallReason?.includes(join(broken, 'model.onnx')), b.noCallReason);
  assert.match(b.noCallReason!, /example_info\.json/);
  assert.match(b.noCallReason!, /channels/);
  assert.ok(comparison.notes.some((n) => n.startsWith('broken failed to load:')), comparison.notes.join('\n'));
  assert.deepEqual(results.map((r) => r.name), ['default']);

  // Only broken models: the comparison is an error naming the file, not a throw.
  const onlyBroken: ModelServiceConfig = { ...cfg, models: [{ name: 'broken', path: broken }] };
  const alone = await new ModelService(() => onlyBroken, sources).compare(site, never);
  assert.equal(alone.comparison.state, 'error');
  assert.ok(alone.comparison.message?.includes(join(broken, 'model.onnx')), alone.comparison.message);
  await sources.reset();
});
