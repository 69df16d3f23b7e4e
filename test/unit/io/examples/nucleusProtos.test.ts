/**
 * nucleus Variant / CallVariantsOutput / DeepVariantCall decoding and encoding. Ground
 * truth: the golden CVOs (docs/deepvariant.md §3.4 lists the probabilities of chr20:10002458) and the
 * sites of DeepVariant's own output VCF as bcftools reads them.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import {
  decodeCallVariantsOutput, decodeDeepVariantCall, decodeVariant, encodeCallVariantsOutput, encodeDeepVariantCall, encodeVariant,
  readCallVariantsOutputs, type CallVariantsOutput, type DvVariant,
} from '../../../../src/core/io/examples/nucleusProtos';
import { readTfRecords } from '../../../../src/core/io/examples/tfrecord';
import { VariantLensError } from '../../../../src/core/errors';
import { dv, sharedTest } from '../../../helpers/paths';

const CVO_FILE = 'golden.postprocess_single_site_input.tfrecord.gz';

async function cvos(): Promise<CallVariantsOutput[]> {
  const out: CallVariantsOutput[] = [];
  for await (const c of readCallVariantsOutputs(dv(CVO_FILE))) out.push(c);
  return out;
}

describe('CallVariantsOutput (golden)', () => {
  sharedTest('84 CVOs; chr20:10002458 G→GTT,GTTT has the probabilities of docs/deepvariant.md §3.4', async () => {
    const all = await cvos();
    assert.equal(all.length, 84);
    // VCF POS 10002458 = 0-based start 10002457.
    const site = all.filter((c) => c.variant.referenceName === 'chr20' && c.variant.start === 10002457);
    assert.equal(site.length, 3);
    const byIdx = new Map(site.map((c) => [JSON.stringify(c.altAlleleIndices), c]));
    const expected: Record<string, [number, number, number]> = {
      '[0]': [0.044863, 0.570332, 0.384804],
      '[1]': [0.523908, 0.444497, 0.031595],
      '[0,1]': [0.006086, 0.008723, 0.985191],
    };
    for (const [k, probs] of Object.entries(expected)) {
      const c = byIdx.get(k);
      assert.ok(c, `CVO with alt indices ${k}`);
      assert.equal(c.genotypeProbabilities.length, 3);
      c.genotypeProbabilities.forEach((p, i) => assert.ok(Math.abs(p - probs[i]!) < 5e-7, `${k}[${i}] = ${p}, docs/deepvariant.md §3.4 says ${probs[i]}`));
      assert.equal(c.variant.referenceBases, 'G');
      assert.deepEqual(c.variant.alternateBases, ['GTT', 'GTTT']);
      assert.equal(c.variant.end, 10002458);
      const call = c.variant.calls[0]!;
      assert.equal(call.callSetName, 'NA12878');
      assert.deepEqual(call.genotype, [-1, -1]);
      assert.deepEqual(call.info.AD, [3, 27, 15]);
      assert.deepEqual(call.info.DP, [53]);
      assert.equal(call.info.VAF!.length, 2);
    }
  });

  sharedTest('the CVO sites are exactly the 78 sites of DeepVariant\'s output VCF (bcftools)', async () => {
    const vcf = execFileSync('bcftools', ['query', '-f', '%CHROM\t%POS\n', dv('golden.postprocess_single_site_output.vcf')], { encoding: 'utf8' })
      .trim().split('\n');
    assert.equal(vcf.length, 78);
    const ours = [...new Set((await cvos()).map((c) => `${c.variant.referenceName}\t${c.variant.start + 1}`))];
    assert.deepEqual(ours.sort(), [...vcf].sort());
  });

  sharedTest('decode → encode reproduces every golden CVO byte for byte', async () => {
    let n = 0;
    for await (const rec of readTfRecords(dv(CVO_FILE))) {
      const c = decodeCallVariantsOutput(rec.payload);
      assert.equal(Buffer.compare(Buffer.from(encodeCallVariantsOutput(c)), Buffer.from(rec.payload)), 0, `record ${rec.index}`);
      n++;
    }
    assert.equal(n, 84);
  });
});

describe('Variant / DeepVariantCall (synthetic)', () => {
  const v: DvVariant = {
    referenceName: 'chr1', start: 2 ** 33 + 17, end: 2 ** 33 + 19, referenceBases: 'AC', alternateBases: ['A', 'ACC'],
    names: ['rs1'], quality: 36.9, filter: ['PASS'], info: { END: [7], NOTE: ['x y'], FLAG: [true], AF: [0.25, 1] }, doubleInfoKeys: ['AF'],
    calls: [{ callSetName: 'S1', genotype: [-1, 2], genotypeLikelihood: [-0.1, -2.5, -9.903], info: { AD: [1, 2, 3], VAF: [1, 0.5] }, isPhased: true }],
  };

  test('round trip keeps every field, int vs double INFO values, −1 genotypes and 64-bit starts', () => {
    const back = decodeVariant(encodeVariant(v));
    assert.deepEqual(back, { ...v, calls: [{ ...v.calls[0]!, doubleInfoKeys: ['VAF'] }] });
    // VAF 1.0 must stay a double (number_value = field 2, wire type 1 → tag 0x11).
    const bytes = Buffer.from(encodeVariant(v)).toString('hex');
    assert.ok(bytes.includes('11000000000000f03f'), 'VAF 1.0 written as double');
    // genotype [-1, 2] packed: tag 0x3a, length 11, ten 0xff..01 bytes, then 02.
    assert.ok(bytes.includes('3a0bffffffffffffffffff0102'), 'genotype -1 as 10-byte varint, packed');
  });

  test('DeepVariantCall allele_support round trip', () => {
    const call = { variant: v, alleleSupport: { A: ['r1/0', 'r2/1'], ACC: ['r3/0'] }, refSupport: ['r4/0'] };
    const back = decodeDeepVariantCall(encodeDeepVariantCall(call));
    assert.deepEqual(back.alleleSupport, call.alleleSupport);
    assert.deepEqual(back.refSupport, call.refSupport);
    assert.equal(back.variant.start, v.start);
  });

  test('garbage is a protobuf-corrupt error', () => {
    assert.throws(() => decodeVariant(Uint8Array.of(0x72, 0x40, 0x41)), (e: unknown) => e instanceof VariantLensError && e.code === 'protobuf-corrupt');
  });
});
