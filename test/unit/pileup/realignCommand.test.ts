// `variant-lens realign`: the realigned reads of the golden region as a sorted, indexed BAM
// that samtools accepts, one record per read kept by make_examples' filters, and the reads of
// every golden example's rows at the start and CIGAR the encoder drew (docs/deepvariant.md §11).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runRealign } from '../../../src/cli/commands/realign';
import type { CliContext } from '../../../src/cli/framework/command';
import { DV15_EXAMPLE_INFO } from '../../../src/core/io/examples/exampleInfo';
import { readExamples } from '../../../src/core/io/examples/examplesFile';
import { openReference } from '../../../src/core/io/fasta/fastaReader';
import { openAlignments } from '../../../src/core/io/sam/alignmentReader';
import { PartitionReader, buildSiteExamples, pipelineOptions } from '../../../src/core/pileup/siteExamples';
import { dv, sharedTest } from '../../helpers/paths';

const REGION = { contig: 'chr20', start: 9_999_999, end: 10_010_000 };

function hasSamtools(): boolean {
  try { execFileSync('samtools', ['--version']); return true; } catch { return false; }
}

async function realign(out: string, region = 'chr20:10,000,000-10,010,000'): Promise<{ code: number; text: string }> {
  let text = '';
  const ctx: CliContext = { signal: new AbortController().signal, progress: () => undefined, out: (t) => { text += t; } };
  const code = await runRealign(['--reads', dv('NA12878_S1.chr20.10_10p1mb.bam'), '--ref', dv('ucsc.hg19.chr20.unittest.fasta.gz'), '--regions', region, '--out', out], ctx);
  return { code, text };
}

sharedTest('realign: sorted indexed BAM, samtools quickcheck, as many reads as samtools view -c with the documented filters, golden rows at the drawn start and CIGAR', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vl-realign-'));
  try {
    const out = join(dir, 'realigned.bam');
    const { code, text } = await realign(out);
    assert.equal(code, 0);
    assert.match(text, /^4909 reads written/);
    if (hasSamtools()) {
      execFileSync('samtools', ['quickcheck', out]);
      const count = (args: string[]): number => Number(execFileSync('samtools', ['view', '-c', ...args]).toString().trim());
      assert.equal(count([out]), 4909);
      assert.equal(count(['-F', '0xF04', '-q', '5', '-e', '!flag.paired || flag.proper_pair || flag.munmap || rnext=="*" || rnext==rname',
        dv('NA12878_S1.chr20.10_10p1mb.bam'), 'chr20:10000000-10010000']), 4909);
    }
    // Reads in the BAM: one record per read.
    const bam = await openAlignments(out, {});
    const reference = await openReference(dv('ucsc.hg19.chr20.unittest.fasta.gz'));
    const source = await openAlignments(dv('NA12878_S1.chr20.10_10p1mb.bam'), {});
    try {
      const written = await bam.fetch('chr20', 9_990_000, 10_020_000);
      assert.equal(written.length, 4909);
      // (The test BAM holds a few records twice, e.g. HSQ1004:134:C0D8DACXX:3:2102:12742:196866/2; so does the output.)
      const byId = new Map<string, { start: number; cigar: string }[]>();
      for (const r of written) {
        const id = `${r.name}/${r.flags & 0xc0}`;
        const rec = { start: r.start, cigar: Array.from(r.cigar).join(',') };
        const l = byId.get(id);
        if (l) l.push(rec); else byId.set(id, [rec]);
      }
      // Every read of every golden example's rows (all 84 rebuilt byte-identically with the realigner).
      const reader = new PartitionReader(source, reference, pipelineOptions(DV15_EXAMPLE_INFO, { realignReads: true }));
      let identical = 0;
      let rows = 0;
      const differ: string[] = [];
      for await (const { example: g } of readExamples(dv('golden.calling_examples.tfrecord.gz'), undefined, { channels: DV15_EXAMPLE_INFO.channels })) {
        const v = g.variant;
        const site = await buildSiteExamples({ reads: source, reference, contig: v.referenceName, position: v.start + 1, alleles: { refBases: v.referenceBases, altBases: v.alternateBases }, alleleMode: 'given', region: REGION, partitionReader: reader });
        const ex = site.examples.find((e) => e.altAlleleIndices.join(',') === g.altAlleleIndices.join(','))!;
        if (Buffer.compare(ex.tensor.data, g.tensor.data) !== 0) continue;
        identical++;
        for (const r of site.rowReads) {
          rows++;
          const w = byId.get(`${r.name}/${r.flags & 0xc0}`);
          assert.ok(w, `${r.name} in the BAM`);
          if (w.some((x) => x.start === r.start && x.cigar === Array.from(r.cigar).join(','))) continue;
          // Allowed only for a read whose home is another partition (DeepVariant realigns each
          // partition on its own; the BAM keeps the home partition's version, see --help).
          const part = site.partition;
          assert.ok(w.every((x) => x.start < part.start || x.start >= part.end), `${r.name} at ${g.locus}: home partition is the site's, yet drawn elsewhere`);
          differ.push(`${g.locus} ${r.name} drawn at ${r.start + 1}`);
        }
      }
      assert.equal(identical, 84);
      // 2 of the 4319 rows: reads from the partition before chr20:10,003,000 drawn as that
      // site's own partition realigned them.
      assert.deepEqual(differ, [
        'chr20:10003021-10003021 HSQ1004:134:C0D8DACXX:3:1107:15219:182858 drawn at 10002954',
        'chr20:10003021-10003021 HSQ1004:134:C0D8DACXX:4:2103:13784:166278 drawn at 10002986',
      ]);
      assert.equal(rows, 4319);
    } finally {
      await bam.close();
      await source.close();
      await reference.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

sharedTest('realign: a region past the contig end is a clear error; a region with no reads writes an empty, valid BAM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vl-realign-'));
  try {
    await assert.rejects(realign(join(dir, 'a.bam'), 'chr20:63,025,000-63,026,000'), /past the end of chr20 \(63025520 bp\)/);
    const { code, text } = await realign(join(dir, 'b.bam'), 'chr20:30,000,000-30,001,000');
    assert.equal(code, 0);
    assert.match(text, /^0 reads written/);
    if (hasSamtools()) execFileSync('samtools', ['quickcheck', join(dir, 'b.bam')]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
