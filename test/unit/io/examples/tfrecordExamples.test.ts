/**
 * DeepVariant tf.Examples and the examples index. Ground truth: the golden examples
 * (docs/deepvariant.md §2.5 pixel values, §3.1 alt-allele combinations, §8.2 counts), the example_info
 * JSON written by DeepVariant, and bcftools' reading of the golden VCFs.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ExamplesIndex, readExamples, resolveExamplesPaths } from '../../../../src/core/io/examples/examplesFile';
import { findExampleInfo, parseExampleInfo, readExampleInfo } from '../../../../src/core/io/examples/exampleInfo';
import { decodeExample, encodeExample, encodedVariantType, locusLiteral, type DvExample } from '../../../../src/core/io/examples/tfExample';
import { readTfRecords, TfRecordWriter } from '../../../../src/core/io/examples/tfrecord';
import { VariantLensError } from '../../../../src/core/errors';
import { tensorPixel } from '../../../../src/core/io/examples/pileupTensor';
import { dv, sharedTest } from '../../../helpers/paths';

const CALLING = 'golden.calling_examples.tfrecord.gz';
const TRAINING = 'golden.training_examples.tfrecord.gz';
const tmp = mkdtempSync(join(tmpdir(), 'vl-examples-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

async function examples(path: string): Promise<DvExample[]> {
  const out: DvExample[] = [];
  for await (const r of readExamples(path)) out.push(r.example);
  return out;
}

describe('golden examples', () => {
  sharedTest('calling: 84 examples of shape [100,221,6] with channels from example_info.json', async () => {
    const info = await readExampleInfo(dv(`${CALLING}.example_info.json`));
    assert.deepEqual(info, { version: '1.5.0', shape: [100, 221, 6], channels: [1, 2, 3, 4, 5, 6] });
    assert.equal(await findExampleInfo(dv(CALLING)), dv(`${CALLING}.example_info.json`));
    const all = await examples(dv(CALLING));
    assert.equal(all.length, 84);
    for (const ex of all) {
      assert.deepEqual([ex.tensor.height, ex.tensor.width, ex.tensor.channels.length], [100, 221, 6]);
      assert.deepEqual(ex.tensor.channels, [1, 2, 3, 4, 5, 6]);
      assert.equal(ex.label, undefined);
      assert.equal(ex.sequencingType, 0);
      assert.equal(ex.locus, locusLiteral(ex.variant));
      assert.equal(ex.variantType, encodedVariantType(ex.variant));
    }
    // docs/deepvariant.md §2.5: example 0 (chr20:10000117 C→T), all 5 reference rows at column 110.
    const ex0 = all[0]!;
    assert.equal(ex0.locus, 'chr20:10000117-10000117');
    assert.equal(ex0.variant.start, 10000116);
    for (let row = 0; row < 5; row++) {
      assert.deepEqual([0, 1, 2, 3, 4, 5].map((c) => tensorPixel(ex0.tensor, row, 110, c)), [30, 254, 254, 70, 152, 50], `ref row ${row}`);
    }
    // docs/deepvariant.md §3.1: examples 18–20 are G→GTT,GTTT with alt indices [0], [1], [0,1].
    assert.deepEqual(all.slice(18, 21).map((e) => e.altAlleleIndices), [[0], [1], [0, 1]]);
    for (const e of all.slice(18, 21)) assert.deepEqual([e.variant.start, e.variant.referenceBases, e.variant.alternateBases], [10002457, 'G', ['GTT', 'GTTT']]);
    // docs/deepvariant.md §2.4: insertion anchor of example 8 (A→AAGGCT) at column 110 has this pixel in some read row.
    const ex8 = all[8]!;
    let found = false;
    for (let row = 5; row < 100 && !found; row++) {
      found = [0, 1, 2, 3, 4, 5].map((c) => tensorPixel(ex8.tensor, row, 110, c)).join() === '0,222,254,70,254,254';
    }
    assert.ok(found, 'insertion anchor pixel [0,222,254,70,254,254] in example 8');
  });

  sharedTest('training: 49 labelled examples; labels equal the alt copies in golden.training_examples.vcf (bcftools)', async () => {
    const all = await examples(dv(TRAINING));
    assert.equal(all.length, 49);
    const vcf = execFileSync('bcftools', ['query', '-f', '%CHROM\t%POS\t%REF\t%ALT\t[%GT]\n', dv('golden.training_examples.vcf')], { encoding: 'utf8' }).trim().split('\n');
    assert.equal(vcf.length, 49);
    const counts = [0, 0, 0];
    all.forEach((ex, i) => {
      const [chrom, pos, ref, alt, gt] = vcf[i]!.split('\t') as [string, string, string, string, string];
      assert.deepEqual([ex.variant.referenceName, ex.variant.start + 1, ex.variant.referenceBases, ex.variant.alternateBases.join(',')], [chrom, Number(pos), ref, alt], `example ${i}`);
      const wanted = new Set(ex.altAlleleIndices.map((a) => a + 1));
      const copies = gt.split(/[/|]/).filter((g) => wanted.has(Number(g))).length;
      assert.equal(ex.label, copies, `label of example ${i}`);
      counts[ex.label!]!++;
    });
    assert.deepEqual(counts, [1, 12, 36]);
    assert.equal(all.filter((e) => e.variantType === 1).length, 45);
    assert.equal(all.filter((e) => e.variantType === 2).length, 4);
  });

  sharedTest('decode → encode reproduces the golden example bytes exactly (feature order kept); decode again is identical', async () => {
    for (const file of [CALLING, TRAINING]) {
      let n = 0;
      for await (const rec of readTfRecords(dv(file))) {
        const ex = decodeExample(rec.payload);
        const bytes = encodeExample(ex);
        assert.equal(Buffer.compare(Buffer.from(bytes), Buffer.from(rec.payload)), 0, `${file} record ${rec.index}`);
        assert.deepEqual(decodeExample(bytes), ex);
        n++;
      }
      assert.ok(n > 0);
    }
  });

  sharedTest('an example built without featureOrder uses make_example\'s keys and decodes to the same content', async () => {
    const [first] = await examples(dv(TRAINING));
    const { featureOrder: _drop, ...fresh } = first!;
    const back = decodeExample(encodeExample(fresh), { channels: [1, 2, 3, 4, 5, 6] });
    assert.deepEqual(back.featureOrder, ['locus', 'variant/encoded', 'variant_type', 'alt_allele_indices/encoded', 'image/encoded', 'image/shape', 'sequencing_type', 'label']);
    assert.deepEqual({ ...back, featureOrder: undefined }, { ...first!, featureOrder: undefined });
  });
});

describe('ExamplesIndex', () => {
  sharedTest('indexes the 78 sites of the golden calling examples; examplesAt finds every VCF site (bcftools) without a rescan', async () => {
    const idx = await ExamplesIndex.build(dv(CALLING));
    assert.equal(idx.size, 84);
    assert.equal(idx.sites().length, 78);
    const vcf = execFileSync('bcftools', ['query', '-f', '%CHROM\t%POS\n', dv('golden.postprocess_single_site_output.vcf')], { encoding: 'utf8' }).trim().split('\n');
    for (const line of vcf) {
      const [chrom, pos] = line.split('\t') as [string, string];
      assert.ok(idx.locationsAt(chrom, Number(pos) - 1).length >= 1, `site ${line}`);
    }
    const multi = await idx.examplesAt('chr20', 10002457);
    assert.deepEqual(multi.map((e) => e.altAlleleIndices), [[0], [1], [0, 1]]);
    assert.deepEqual(await idx.examplesAt('chr20', 10002458), []);
  });

  sharedTest('same examples from the gzip cache, from gzip re-streaming, from raw offsets and from golden-style shards', async () => {
    const all = await examples(dv(CALLING));
    // Raw copy and 3 golden-style shards (`x.tfrecord.gz-0000N-of-00003` are raw, docs/deepvariant.md §4.1).
    const raw = join(tmp, 'calling.tfrecord');
    const w = await TfRecordWriter.open(raw);
    for (const ex of all) await w.write(encodeExample(ex));
    await w.close();
    const shardBase = join(tmp, 'golden_style.tfrecord.gz');
    for (let s = 0; s < 3; s++) {
      const sw = await TfRecordWriter.open(`${shardBase}-0000${s}-of-00003`);
      for (let i = s; i < all.length; i += 3) await sw.write(encodeExample(all[i]!));
      await sw.close();
    }
    writeFileSync(`${shardBase}-00000-of-00003.example_info.json`, '{"version": "1.5.0", "shape": [100, 221, 6], "channels": [1, 2, 3, 4, 5, 6]}');
    // A gzip shard set in the make_examples style.
    const gzBase = join(tmp, 'me.tfrecord');
    for (let s = 0; s < 2; s++) {
      const sw = await TfRecordWriter.open(`${gzBase}-0000${s}-of-00002.gz`);
      for (let i = s; i < all.length; i += 2) await sw.write(encodeExample(all[i]!));
      await sw.close();
    }
    assert.deepEqual(await resolveExamplesPaths(`${shardBase}@3`), [0, 1, 2].map((s) => `${shardBase}-0000${s}-of-00003`));
    assert.deepEqual(await resolveExamplesPaths(`${shardBase}-?????-of-00003`), [0, 1, 2].map((s) => `${shardBase}-0000${s}-of-00003`));
    assert.equal(await findExampleInfo(`${shardBase}@3`), `${shardBase}-00000-of-00003.example_info.json`);

    const indexes = [
      await ExamplesIndex.build(dv(CALLING)),
      await ExamplesIndex.build(dv(CALLING), undefined, { cacheBytes: 0 }),
      await ExamplesIndex.build(raw, undefined, { channels: [1, 2, 3, 4, 5, 6] }),
      await ExamplesIndex.build(`${shardBase}@3`),
      await ExamplesIndex.build(`${gzBase}@2.gz`, undefined, { channels: [1, 2, 3, 4, 5, 6] }),
    ];
    for (const idx of indexes) assert.equal(idx.size, 84, idx.pathOrPattern);
    assert.equal(indexes[3]!.files.length, 3);
    const strip = (e: DvExample): unknown => ({ ...e, featureOrder: undefined, tensor: { ...e.tensor, data: createHash('sha1').update(e.tensor.data).digest('hex') } });
    for (const site of [{ contig: 'chr20', start: 10000116 }, { contig: 'chr20', start: 10002457 }, indexes[0]!.sites().at(-1)!]) {
      const want = all.filter((e) => e.variant.referenceName === site.contig && e.variant.start === site.start).map(strip);
      assert.ok(want.length > 0);
      for (const idx of indexes) assert.deepEqual((await idx.examplesAt(site.contig, site.start)).map(strip), want, `${idx.pathOrPattern} ${site.start}`);
    }
  });

  test('missing shard and bad example_info are clear errors', async () => {
    await assert.rejects(ExamplesIndex.build(join(tmp, 'none.tfrecord@2.gz')), (e: unknown) => e instanceof VariantLensError && e.code === 'file-not-found' && e.message.includes('none.tfrecord-00000-of-00002.gz'));
    assert.throws(() => parseExampleInfo('{"version":"1","shape":[100,221,2],"channels":[1,99]}', 'x.json'), (e: unknown) => e instanceof VariantLensError && e.code === 'unknown-channel' && /99/.test(e.message));
    assert.throws(() => parseExampleInfo('{"shape":[100,221,3],"channels":[1,2]}', 'x.json'), /lists 2 channels but shape has C=3/);
  });
});
