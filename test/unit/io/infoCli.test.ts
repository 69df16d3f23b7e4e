/**
 * `variant-lens info` (through the command's run function, the code path of
 * `node dist/cli.js info FILE`) against samtools idxstats and bcftools.
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { runInfo } from '../../../src/cli/commands/info';
import type { CliContext } from '../../../src/cli/framework/command';
import { dv, sharedTest } from '../../helpers/paths';
import { expectOneError, run } from './ioTestUtil';

async function info(...argv: string[]): Promise<Record<string, unknown> & { recordsPerContig: Record<string, unknown> }> {
  let out = '';
  const ctx: CliContext = { signal: new AbortController().signal, progress: () => {}, out: (t) => { out += t; } };
  assert.equal(await runInfo(argv, ctx), 0);
  return JSON.parse(out);
}

const BAM = dv('NA12878_S1.chr20.10_10p1mb.bam');
const REF = dv('ucsc.hg19.chr20.unittest.fasta.gz');

describe('info CLI', () => {
  sharedTest('BAM and CRAM: chr20 record count equals samtools idxstats (mapped + unmapped)', async () => {
    const line = run('samtools', ['idxstats', BAM]).split('\n').find((l) => l.startsWith('chr20\t'))!.split('\t');
    const expected = Number(line[2]) + Number(line[3]);
    const bam = await info(BAM);
    assert.deepEqual(bam.recordsPerContig.chr20, { records: expected, mapped: Number(line[2]), unmapped: Number(line[3]) });
    const cram = await info(dv('NA12878_S1.chr20.10_10p1mb.cram'), '--ref', REF);
    assert.equal((cram.recordsPerContig.chr20 as { records: number }).records, expected);
    const err = await expectOneError(() => info(dv('NA12878_S1.chr20.10_10p1mb.cram')));
    assert.match(err.message, /--ref/);
  });

  sharedTest('truth VCF: 221 records (bcftools view -H | wc -l), samples and contigs from the header', async () => {
    const f = dv('test_nist.b37_chr20_100kbp_at_10mb.vcf.gz');
    const expected = run('bcftools', ['view', '-H', f]).split('\n').filter(Boolean).length;
    assert.equal(expected, 221);
    const v = await info(f);
    assert.equal(v.records, expected);
    assert.deepEqual(v.recordsPerContig, { chr20: expected });
    assert.deepEqual(v.samples, run('bcftools', ['query', '-l', f]).trim().split('\n'));
    assert.equal((v.contigs as unknown[]).length, run('bcftools', ['view', '-h', f]).split('\n').filter((l) => l.startsWith('##contig=')).length);
  });

  sharedTest('gVCF (plain text) and FASTA', async () => {
    const g = dv('golden.postprocess_gvcf_output.g.vcf');
    const v = await info(g);
    assert.equal(v.records, run('bcftools', ['view', '-H', g]).split('\n').filter(Boolean).length);
    const fa = await info(REF);
    const fai = run('cut', ['-f1,2', `${REF}.fai`]).trim().split('\n').map((l) => l.split('\t'));
    assert.deepEqual(fa.contigs, fai.map(([name, len]) => ({ name, length: Number(len) })));
  });
});
