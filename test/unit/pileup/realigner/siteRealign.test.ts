// One site with the realigner on (a click in the inspector, `show`): only the reads over the
// site are realigned, as far as they depend on other windows (realigner.ts, `focus`). The
// picture must be the one of the whole-region run, example for example and row for row.
import assert from 'node:assert/strict';
import { openAlignments } from '../../../../src/core/io/sam/alignmentReader';
import { DV15_EXAMPLE_INFO } from '../../../../src/core/io/examples/exampleInfo';
import { openReference } from '../../../../src/core/io/fasta/fastaReader';
import { PartitionReader, buildSiteExamples, pipelineOptions, regionExamples } from '../../../../src/core/pileup/siteExamples';
import { dv, sharedTest } from '../../../helpers/paths';

const REGION = { contig: 'chr20', start: 9_999_999, end: 10_010_000 };

function rowKey(r: { name: string; start: number; cigar: Uint32Array }): string {
  return `${r.name}@${r.start}:${[...r.cigar].join('.')}`;
}

sharedTest('realigning one site gives the whole-region picture at every candidate site, from fewer reads', async () => {
  const reference = await openReference(dv('ucsc.hg19.chr20.unittest.fasta.gz'));
  const reads = await openAlignments(dv('NA12878_S1.chr20.10_10p1mb.bam'), {});
  try {
    const options = pipelineOptions(DV15_EXAMPLE_INFO, { realignReads: true, partitionsPerFetch: 1 });
    const whole = new Map<number, { tensors: Buffer[]; rows: string[] }>();
    const wholeReader = new PartitionReader(reads, reference, options);
    for await (const s of regionExamples(wholeReader, REGION)) {
      whole.set(s.start, { tensors: s.examples.map((e) => Buffer.from(e.tensor.data)), rows: s.rowReads.map(rowKey) });
    }
    assert.equal(whole.size, 78);
    let examples = 0;
    let fewer = 0;
    for (const [start, w] of whole) {
      // A fresh reader: nothing of the partition is cached, as on a first click.
      const reader = new PartitionReader(reads, reference, options);
      const site = await buildSiteExamples({ reads, reference, contig: 'chr20', position: start + 1, region: REGION, partitionReader: reader });
      const where = `chr20:${start + 1}`;
      assert.deepEqual(site.rowReads.map(rowKey), w.rows, `rows at ${where}`);
      assert.equal(site.examples.length, w.tensors.length, `examples at ${where}`);
      site.examples.forEach((e, i) => assert.ok(Buffer.compare(Buffer.from(e.tensor.data), w.tensors[i]!) === 0, `example ${i} at ${where}`));
      examples += site.examples.length;
      // The site's partition holds only the reads near the site.
      const part = reader.partitionOf(REGION, start);
      const focused = await reader.sitePartition(part, REGION, { start: start - 6, end: start + 7 });
      const full = await wholeReader.partition(part, REGION);
      if (focused.reads.length < full.reads.length) fewer++;
    }
    assert.equal(examples, 84);
    assert.equal(fewer, whole.size);
  } finally {
    await reads.close();
    await reference.close();
  }
});
