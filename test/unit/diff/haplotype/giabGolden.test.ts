/**
 * GIAB truth (NIST, chr20 100 kbp at 10 Mb) vs DeepVariant's golden single-site output, with
 * the GIAB confident regions: the haplotype-aware summary.csv rows must equal today's
 * allele-matching numbers inside the confident regions wherever no representation differs.
 *
 * Site by site: on these files every superlocus with calls pairs up allele for allele after
 * normalization (no MNPs, no complex records, no indel written differently), so no
 * superlocus is replayed and no number changes. Should the data change, the test lists every
 * replayed superlocus (the only place where the numbers may differ) so it can be explained.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { openVcf } from '../../../../src/core/io/vcf/vcfReader';
import { openReference } from '../../../../src/core/io/fasta/fastaReader';
import { loadBedRegions } from '../../../../src/core/diff/bedRegions';
import { diffVcfs } from '../../../../src/core/diff/vcfDiff';
import { HappyRun } from '../../../../src/core/diff/haplotype/happyRun';
import { haplotypeStages } from '../../../../src/core/diff/haplotype/haplotypeStage';
import { TEST_CACHE, dv, sharedTest } from '../../../helpers/paths';

sharedTest('GIAB truth vs golden calls: summary.csv equals allele matching in the confident regions; no superlocus needed replay', async () => {
  const dir = join(TEST_CACHE, 'haplotype-giab');
  mkdirSync(dir, { recursive: true });
  const truth = await openVcf(dv('test_nist.b37_chr20_100kbp_at_10mb.vcf.gz'));
  const query = await openVcf(dv('golden.postprocess_single_site_output.vcf'));
  const ref = await openReference(dv('ucsc.hg19.chr20.unittest.fasta.gz'));
  try {
    const conf = await loadBedRegions('confident', dv('test_nist.b37_chr20_100kbp_at_10mb.bed'));
    const happy = new HappyRun({ prefix: join(dir, 'golden'), truth: 'A', confident: conf, strata: [conf], contigs: await ref.contigs(), meta: [] });
    const summary = await diffVcfs(truth, query, { reference: ref, truth: 'A', beds: [conf], haplotypes: haplotypeStages(ref, { reclassify: true, consumer: happy.counter }) });
    const { rows } = happy.finish();
    // Today's allele matching inside the confident regions (query PASS calls only).
    const allele = summary.strata.find((s) => s.group === 'bed' && s.name === 'confident')!.truth!;
    const replayed = gunzipSync(readFileSync(join(dir, 'golden.vcf.gz'))).toString('utf8').split('\n').filter((l) => !l.startsWith('#') && l.includes('replay'));
    assert.deepEqual(replayed, [], 'a replayed superlocus: explain its sites here');
    assert.equal(happy.counter.stats.replayed, 0);
    for (const type of ['SNP', 'INDEL'] as const) {
      const a = allele.find((r) => r.type === type)!;
      const h = rows.find((r) => r.type === type && r.filter === 'PASS')!;
      assert.deepEqual(
        { tp: h.truthTp, fn: h.truthFn, fp: h.queryFp, fpGt: h.fpGt },
        { tp: a.tp, fn: a.fn, fp: a.fp, fpGt: a.fpGt },
        `${type} PASS row vs allele matching in the confident regions`,
      );
      // Known numbers of these files (SNP 43 TP / 2 FN, INDEL 4 TP), so the comparison is not vacuous.
      assert.equal(h.truthTp, type === 'SNP' ? 43 : 4);
      assert.ok(h.queryUnk > 0, 'golden calls outside the confident regions are UNK');
    }
  } finally {
    await truth.close();
    await query.close();
    await ref.close();
  }
});
