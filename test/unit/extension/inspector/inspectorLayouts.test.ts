/**
 * The inspector's host side for DeepVariant's other layouts (issue #14), without VS Code
 * (src/extension/inspector/siteTensors.ts):
 *  - the examples source marks 'rows' and 'diff_channels' examples with their layout and the
 *    alts of their blocks (DeepVariant's goldens, ../shared/data/dv-layouts);
 *  - the reads source with a model whose example_info.json is the rows golden's ([300,221,6],
 *    no alt_aligned_pileup key) draws with the CLI's alt-aligned encoder: the same bytes as
 *    `examples`/`show --reads` (examplesAtLocus) and as DeepVariant's golden; hover in an alt
 *    block names a read aligned to that alt's haplotype;
 *  - channel 8: `variantLens.populationVcfs` (SiteSourceConfig.populationVcfs) is passed to the
 *    encoder as `--population-vcfs` is (the allele-frequency golden's bytes), refused naming the
 *    setting when missing, and refused as a FIFO or folder (regular files only);
 *  - the shared block geometry (showExamples.ts blockLayout/tensorRowAt) the webview draws with.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { VariantLensError } from '../../../../src/core/errors';
import { readExamples } from '../../../../src/core/io/examples/examplesFile';
import { DEFAULT_EXAMPLE_INFO, readExampleInfo, type ExampleInfo } from '../../../../src/core/io/examples/exampleInfo';
import type { DvExample } from '../../../../src/core/io/examples/tfExample';
import { modelPipeline, pipelineKey } from '../../../../src/core/model/makeExamplesParams';
import { PopulationVcfs } from '../../../../src/core/pileup/alleleFrequency';
import { pipelineOptions } from '../../../../src/core/pileup/siteExamples';
import { channelLegend, decodeChannel, pixelDescription } from '../../../../src/core/render/channelEncoding';
import { BLOCK_GAP, blockLayout, blockTop, drawnRowOf, tensorRowAt } from '../../../../src/core/render/showExamples';
import { examplesAtLocus } from '../../../../src/cli/commands/examples';
import { SiteSources, examplesLayout, type SiteSourceConfig } from '../../../../src/extension/inspector/siteTensors';
import type { EncoderChoice } from '../../../../src/extension/inspector/modelLoader';
import type { SiteRecord } from '../../../../src/protocol/protocol';
import { PROJECT_ROOT, SHARED_DATA, dv, sharedTest } from '../../../helpers/paths';

const L = join(SHARED_DATA, 'dv-layouts');
const ROWS = join(L, 'golden.alt_aligned_pileup_rows_examples.tfrecord.gz');
const DIFF = join(L, 'golden.alt_aligned_pileup_diff_channels_examples.tfrecord.gz');
const AF = join(L, 'golden.allele_frequency_examples.tfrecord.gz');
const AF_READS = join(L, 'grch38_1k_subset_chr20_and_chr21.bam');
const AF_REF = join(L, 'grch38.chr20_and_21_10M.fa.gz');
const COHORT = join(L, 'cohort-chr20_and_chr21_100k.vcf.gz');

let dir: string;
before(() => { dir = mkdtempSync(join(tmpdir(), 'vl-inspector-layouts-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

/** A SiteRecord for a golden example's variant (1-based POS). */
function siteOf(ex: DvExample, file = '/x.vcf.gz'): SiteRecord {
  const v = ex.variant;
  return {
    file, row: 0, chrom: v.referenceName, pos: v.start + 1, ref: v.referenceBases, alt: v.alternateBases.join(','), id: '.', qual: '30', filter: 'PASS',
    samples: [{ name: 'NA12878', gt: '0/1', gq: '30', dp: '', ad: '', vaf: '', pl: '' }], info: [], line: '',
  };
}

/** The golden examples, filtered. */
async function goldens(path: string, keep: (ex: DvExample) => boolean): Promise<DvExample[]> {
  const out: DvExample[] = [];
  for await (const r of readExamples(path)) if (keep(r.example)) out.push(r.example);
  return out;
}

const isIndel = (ex: DvExample): boolean => ex.variant.referenceBases.length > 1 || ex.variant.alternateBases.some((a) => a.length > 1);
const signal = (): AbortSignal => new AbortController().signal;

function config(over: Partial<SiteSourceConfig>): SiteSourceConfig {
  return { trusted: true, reads: { bySample: new Map(), unnamed: [] }, reference: undefined, examples: [], ...over };
}

describe('the block geometry show and the inspector share', () => {
  test('three blocks of 100 rows: gaps of BLOCK_GAP rows, drawn ↔ tensor rows round-trip, gap rows map to nothing', () => {
    const l = blockLayout(300, 3);
    assert.deepEqual(l, { blocks: 3, blockHeight: 100, drawnHeight: 300 + 2 * BLOCK_GAP });
    assert.equal(blockTop(l, 2), 2 * (100 + BLOCK_GAP));
    for (const row of [0, 4, 99, 100, 150, 199, 200, 299]) assert.deepEqual(tensorRowAt(l, drawnRowOf(l, row)), { block: Math.floor(row / 100), row });
    for (let g = 0; g < BLOCK_GAP; g++) {
      assert.equal(tensorRowAt(l, 100 + g), undefined);
      assert.equal(tensorRowAt(l, 200 + BLOCK_GAP + g), undefined);
    }
    assert.equal(tensorRowAt(l, l.drawnHeight), undefined);
    // A plain image, or a height three does not divide: one block, no gap.
    assert.deepEqual(blockLayout(100, undefined), { blocks: 1, blockHeight: 100, drawnHeight: 100 });
    assert.deepEqual(blockLayout(100, 3), { blocks: 1, blockHeight: 100, drawnHeight: 100 });
  });

  test('examplesLayout: example_info first, else channel ids, else 300 rows are rows; block alts in DeepVariant 1.5 order (sorted)', () => {
    const info15: ExampleInfo = { version: '1.5.0', shape: [300, 221, 6], channels: [1, 2, 3, 4, 5, 6] };
    assert.deepEqual(examplesLayout({ height: 300, width: 221, channels: [1, 2, 3, 4, 5, 6] }, ['T', 'C'], info15), { altLayout: 'rows', altBlocks: ['C', 'T'] });
    assert.deepEqual(examplesLayout({ height: 300, width: 221, channels: [1, 2, 3, 4, 5, 6] }, ['T', 'C'], { ...info15, version: '1.6.0' }), { altLayout: 'rows', altBlocks: ['T', 'C'] });
    assert.deepEqual(examplesLayout({ height: 100, width: 221, channels: [1, 2, 3, 4, 5, 6, 9, 10] }, ['A'], undefined), { altLayout: 'diff_channels', altBlocks: ['A', 'A'] });
    assert.deepEqual(examplesLayout({ height: 100, width: 221, channels: [1, 2, 3, 4, 5, 6, 19] }, ['A'], undefined), {});
    assert.deepEqual(examplesLayout({ height: 300, width: 221, channels: [1, 2, 3, 4, 5, 6] }, ['A'], { ...info15, altAlignedPileup: 'none' }), {});
  });
});

describe('legend and hover keyed by channel id', () => {
  test('ids 7, 8, 9, 10, 19 (and 20, 21) have their encoding; 9/10 decode against the alt haplotypes', () => {
    for (const id of [7, 8, 9, 10, 19, 20, 21]) assert.doesNotMatch(channelLegend(id).encoding, /not decoded/, String(id));
    assert.equal(channelLegend(9).enumName, 'CH_DIFF_CHANNELS_ALTERNATE_ALLELE_1');
    assert.equal(decodeChannel(9, 50), 'matches the alt-1 haplotype');
    assert.equal(decodeChannel(10, 254), 'differs from the alt-2 haplotype');
    assert.equal(decodeChannel(20, 180), 'alt-1-aligned base G');
    // By id, not by position: the same bytes in another order decode the same.
    const a = pixelDescription([1, 2, 3, 4, 5, 6, 9, 10], [250, 254, 254, 70, 254, 50, 254, 50]);
    const b = pixelDescription([10, 9, 1, 2, 3, 4, 5, 6], [50, 254, 250, 254, 254, 70, 254, 50]);
    assert.deepEqual(new Set(a.decoded), new Set(b.decoded));
    assert.ok(a.decoded.includes('differs from the alt-1 haplotype') && a.decoded.includes('matches the alt-2 haplotype'), a.decoded.join(' · '));
  });
});

describe('variantLens.populationVcfs (the vscode-free part of the setting)', () => {
  test('package.json: a list of paths, empty by default, ignored in an untrusted workspace like the other file settings', () => {
    const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
      capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } };
      contributes: { configuration: { properties: Record<string, { type: string; default: unknown; items?: { type: string } }> } };
    };
    const p = manifest.contributes.configuration.properties['variantLens.populationVcfs'];
    assert.deepEqual([p?.type, p?.default, p?.items?.type], ['array', [], 'string']);
    const restricted = manifest.capabilities.untrustedWorkspaces.restrictedConfigurations;
    for (const key of ['variantLens.reads', 'variantLens.reference', 'variantLens.examples', 'variantLens.populationVcfs']) assert.ok(restricted.includes(key), key);
  });

  test('untrusted: no population VCF is opened and the inspector says why there is no picture', async () => {
    const s = new SiteSources(() => ({ ...config({ populationVcfs: ['/dev/zero'] }), trusted: false }));
    const r = await s.tensors({ file: '/x.vcf', row: 0, chrom: 'chr20', pos: 100, ref: 'A', alt: 'C', id: '.', qual: '.', filter: '.', samples: [], info: [], line: '' }, signal());
    assert.deepEqual(r.tensors, []);
    assert.match(r.note ?? '', /untrusted workspace/);
  });

  const afOptions = (): ReturnType<typeof pipelineOptions> => pipelineOptions({ ...DEFAULT_EXAMPLE_INFO, shape: [100, 221, 7], channels: [1, 2, 3, 4, 5, 6, 8] });

  test('channel 8 without the setting is refused naming variantLens.populationVcfs; a model without channel 8 ignores it', async () => {
    const s = new SiteSources(() => config({}));
    await assert.rejects(s.withPopulationVcfs(afOptions(), "The images (af's make_examples settings)"), (e: unknown) => {
      assert.ok(e instanceof VariantLensError);
      assert.match(e.message, /af's make_examples settings\) draw channel 8 \(CH_ALLELE_FREQUENCY, channels \[1, 2, 3, 4, 5, 6, 8\]\).*set variantLens\.populationVcfs/);
      return true;
    });
    const plain = pipelineOptions();
    const withSetting = new SiteSources(() => config({ populationVcfs: ['/nonexistent/cohort.vcf.gz'] }));
    assert.equal(await withSetting.withPopulationVcfs(plain, 'x'), plain, 'no channel 8: the setting is not even opened');
  });

  test('a FIFO or a folder named in the setting is refused before anything is opened (no hang)', { timeout: 30_000 }, async () => {
    const fifo = join(dir, 'cohort.fifo');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    const folder = join(dir, 'cohort-folder');
    mkdirSync(folder);
    for (const [path, problem] of [[fifo, /is not a regular file \(a pipe, device or socket\); a population VCF named in settings must be a regular file/], [folder, /is a directory, not a population VCF/]] as const) {
      const s = new SiteSources(() => config({ populationVcfs: [path] }));
      await assert.rejects(s.withPopulationVcfs(afOptions(), 'x'), (e: unknown) => {
        assert.ok(e instanceof VariantLensError, String(e));
        assert.ok(e.message.includes(path), e.message);
        assert.match(e.message, problem);
        return true;
      });
      await s.reset();
    }
  });

  sharedTest('given: opened once, attached to the options, and part of the settings key by path', async () => {
    const s = new SiteSources(() => config({ populationVcfs: [COHORT] }));
    const a = await s.withPopulationVcfs(afOptions(), 'x');
    const b = await s.withPopulationVcfs(afOptions(), 'x');
    assert.ok(a.populationVcfs instanceof PopulationVcfs);
    assert.equal(a.populationVcfs, b.populationVcfs, 'one reader per list of paths');
    assert.deepEqual(a.populationVcfs.paths, [COHORT]);
    assert.match(pipelineKey(a), /population-vcfs=\[".*cohort-chr20_and_chr21_100k\.vcf\.gz"\]$/);
    assert.notEqual(pipelineKey(a), pipelineKey(afOptions()));
    await s.reset();
  });
});

describe('DeepVariant layout goldens through the inspector', { timeout: 600_000 }, () => {
  sharedTest('examples source: a rows golden is marked rows with its block alts; a diff_channels golden keeps channels 9 and 10', async () => {
    const [rowsEx] = await goldens(ROWS, isIndel);
    const s = new SiteSources(() => config({ examples: [ROWS, DIFF] }));
    const r = await s.tensors(siteOf(rowsEx!), signal());
    const t = r.tensors.find((x) => x.altLabel === rowsEx!.altAlleleIndices.map((i) => rowsEx!.variant.alternateBases[i]).join(','))!;
    assert.equal(t.height, 300);
    assert.equal(t.altLayout, 'rows');
    const alts = rowsEx!.altAlleleIndices.map((i) => rowsEx!.variant.alternateBases[i]!).sort();
    assert.deepEqual(t.altBlocks, [alts[0], alts[1] ?? alts[0]]);
    assert.ok(Buffer.from(t.data).equals(Buffer.from(rowsEx!.tensor.data)), 'the golden bytes');
    await s.reset();

    const [diffEx] = await goldens(DIFF, isIndel);
    const d = new SiteSources(() => config({ examples: [DIFF] }));
    const u = (await d.tensors(siteOf(diffEx!), signal())).tensors[0]!;
    assert.deepEqual(u.channels, [1, 2, 3, 4, 5, 6, 9, 10]);
    assert.equal(u.altLayout, 'diff_channels');
    assert.equal(u.height, 100);
    await d.reset();
  });

  sharedTest('reads source, a rows model (the golden example_info.json, no alt_aligned_pileup key): the CLI\'s alt-aligned encoder, DeepVariant\'s bytes, hover per block', async () => {
    const info = await readExampleInfo(`${ROWS}.example_info.json`);
    assert.equal(info.altAlignedPileup, undefined, 'DeepVariant does not record the layout');
    const encoder: EncoderChoice = { options: modelPipeline(info, undefined).options, label: "rows's make_examples settings" };
    assert.equal(encoder.options.encoder.altAlignedPileup, 'rows');
    assert.equal(encoder.options.encoder.height, 100);
    const reads = dv('NA12878_S1.chr20.10_10p1mb.bam');
    const reference = dv('ucsc.hg19.chr20.unittest.fasta.gz');
    const golden = (await goldens(ROWS, isIndel)).slice(0, 2);
    const s = new SiteSources(() => config({ reads: { bySample: new Map(), unnamed: [reads] }, reference }), async () => encoder);
    const rawEncoder: EncoderChoice = { options: modelPipeline(info, { realign_reads: false }).options, label: 'raw' };
    const noRealign = new SiteSources(() => config({ reads: { bySample: new Map(), unnamed: [reads] }, reference }), async () => rawEncoder);
    for (const ex of golden) {
      const site = siteOf(ex);
      const r = await s.tensors(site, signal());
      const alt = ex.altAlleleIndices.map((i) => ex.variant.alternateBases[i]).join(',');
      const i = r.tensors.findIndex((x) => x.altLabel === alt);
      assert.ok(i >= 0, `an image of ${alt} at ${site.chrom}:${site.pos}: ${r.note ?? ''}`);
      const t = r.tensors[i]!;
      assert.equal(t.altLayout, 'rows');
      assert.equal(t.height, 300);
      assert.ok(Buffer.from(t.data).equals(Buffer.from(ex.tensor.data)), `DeepVariant's golden bytes at ${site.chrom}:${site.pos}`);
      // The CLI (`show --reads --locus`, `examples`: no realignment) with the same example_info.json,
      // against the inspector with a card that says realign_reads: false.
      const cli = await examplesAtLocus({ readsPath: reads, refPath: reference, locus: `${site.chrom}:${site.pos}`, exampleInfoPath: `${ROWS}.example_info.json`, signal: signal(), progress: () => undefined });
      const c = cli.find((x) => x.altAlleleIndices.map((k) => x.variant.alternateBases[k]).join(',') === alt)!;
      const raw = (await noRealign.tensors(site, signal())).tensors.find((x) => x.altLabel === alt)!;
      assert.equal(raw.altLayout, 'rows');
      assert.ok(Buffer.from(raw.data).equals(Buffer.from(c.tensor.data)), 'the CLI\'s bytes');
      assert.ok(!Buffer.from(raw.data).equals(Buffer.from(t.data)), 'realignment changes this indel\'s image (the comparison can fail)');
      // Hover: a read row of block 1 is a read aligned to the alt-1 haplotype; block 0 rows are the reference pileup's.
      const se = r.siteExamples!.examples[i]!;
      const altReads = se.altBlocks![0].reads;
      assert.ok(altReads.length > 0);
      const h1 = r.hover!(i, 100 + 5, 110)!;
      assert.equal(h1.block, 1);
      assert.equal(h1.region, 'read');
      assert.equal(h1.read!.name, altReads[0]!.name);
      assert.equal(h1.read!.start, altReads[0]!.start + 1);
      const h0 = r.hover!(i, 5, 110)!;
      assert.equal(h0.block, 0);
      assert.equal(h0.read!.name, r.siteExamples!.rowReads[0]!.name);
      assert.equal(r.hover!(i, 100 + 2, 110)!.region, 'reference');
    }
    await s.reset();
    await noRealign.reset();
  });

  sharedTest('reads source, an allele-frequency model: variantLens.populationVcfs gives DeepVariant\'s channel 8; without it the inspector says which setting is missing', async () => {
    const info = await readExampleInfo(`${AF}.example_info.json`);
    const encoder: EncoderChoice = { options: modelPipeline(info, undefined).options, label: "af's make_examples settings" };
    const [ex] = await goldens(AF, (e) => e.variant.alternateBases.length === 1 && e.tensor.data.some((v, k) => k % 7 === 6 && v !== 0));
    assert.ok(ex, 'a golden example with a non-zero channel 8');
    const site = siteOf(ex);
    const base = { reads: { bySample: new Map(), unnamed: [AF_READS] }, reference: AF_REF };
    const without = new SiteSources(() => config(base), async () => encoder);
    await assert.rejects(without.tensors(site, signal()), /channel 8 \(CH_ALLELE_FREQUENCY.*set variantLens\.populationVcfs/);
    await without.reset();
    const s = new SiteSources(() => config({ ...base, populationVcfs: [COHORT] }), async () => encoder);
    const r = await s.tensors(site, signal());
    const t = r.tensors.find((x) => x.altLabel === ex.variant.alternateBases[0])!;
    assert.deepEqual(t.channels, [1, 2, 3, 4, 5, 6, 8]);
    assert.ok(Buffer.from(t.data).equals(Buffer.from(ex.tensor.data)), `DeepVariant's golden bytes (channel 8 included) at ${site.chrom}:${site.pos}`);
    await s.reset();
  });
});
