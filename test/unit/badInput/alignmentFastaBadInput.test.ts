/**
 * Bad BAM, CRAM and FASTA input: one VariantLensError naming the file, the read or line and
 * the problem, or the correct answer (checked against samtools on the same files).
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { openAlignments } from '../../../src/core/io/sam/alignmentReader';
import { writeBam } from '../../../src/core/io/sam/bamWriter';
import { openReference } from '../../../src/core/io/fasta/fastaReader';
import { copyWith, expectBad, makeFixtures, sh, type Fixtures } from './fixtures';

let fx: Fixtures;
before(() => { fx = makeFixtures(); });
after(() => fx.cleanup());

async function fetchAll(path: string, opts: { referencePath?: string } = {}) {
  const a = await openAlignments(path, opts);
  try {
    return [...(await a.fetch('chr1', 0, 6000)), ...(await a.fetch('chr2', 0, 3000))];
  } finally {
    await a.close();
  }
}

describe('bad BAM and CRAM', () => {
  test('a CIGAR whose query length differs from SEQ is an error naming the read (as samtools)', async () => {
    // samtools refuses to write such a file, so write it with our BAM writer (and its .bai).
    const reads = await fetchAll(fx.bam);
    const victim = reads.find((r) => r.cigar.length === 1)!;
    const p = fx.file('cigar.bam');
    await writeBam(p, { contigs: [...fx.contigs].map(([name, s]) => ({ name, length: s.length })) },
      reads.map((r) => ({ ...r, cigar: r === victim ? Uint32Array.of((99 << 4) | 0) : r.cigar, tags: r.tags })));
    assert.notEqual(sh('sh', ['-c', `samtools view ${p} > /dev/null 2>&1; echo $?`]).trim(), '0', 'samtools refuses it too');
    await expectBad(() => fetchAll(p), { code: 'malformed-bam', file: p, where: `record "${victim.name}"`, problem: /has a CIGAR of query length 99 but a SEQ of 100 bases/ });
  });

  test('a truncated BAM (no EOF block) is malformed-bam saying so', async () => {
    const p = copyWith(fx.bam, fx.file('trunc.bam'), ['.bai']);
    const b = readFileSync(p);
    writeFileSync(p, b.subarray(0, b.length - 100));
    await expectBad(() => openAlignments(p), { code: 'malformed-bam', file: p, problem: /does not end with the BGZF end-of-file marker: the BAM is truncated/ });
  });

  test('a gzipped SAM named .bam says it is not BGZF, not "truncated"', async () => {
    const p = fx.file('gzsam.bam');
    writeFileSync(p, sh('sh', ['-c', `samtools view -h ${fx.bam} | gzip -c`]), 'latin1');
    copyFileSync(`${fx.bam}.bai`, `${p}.bai`);
    await expectBad(() => openAlignments(p), { code: 'unsupported', file: p, problem: /is gzip-compressed but not BGZF, so it is not a BAM \(a gzipped SAM\?\)/ });
  });

  test('a bgzipped SAM named .bam says it is SAM text', async () => {
    const p = fx.file('bgzsam.bam');
    writeFileSync(p, sh('sh', ['-c', `samtools view -h ${fx.bam} | bgzip -c`]), 'latin1');
    copyFileSync(`${fx.bam}.bai`, `${p}.bai`);
    await expectBad(() => openAlignments(p), { code: 'malformed-bam', file: p, problem: /it is bgzipped SAM text, not BAM/ });
  });

  test('SAM text named .bam is refused naming the conversion', async () => {
    const p = fx.file('text.bam');
    writeFileSync(p, sh('samtools', ['view', '-h', fx.bam]), 'latin1');
    await expectBad(() => openAlignments(p), { code: 'unsupported', file: p, problem: /is neither BAM nor CRAM.*samtools view -b/ });
  });

  test('a BAM without an index names the samtools index command', async () => {
    const p = copyWith(fx.bam, fx.file('noindex.bam'));
    await expectBad(() => openAlignments(p), { code: 'missing-index', file: p, problem: new RegExp(`create it with: samtools index ${p}`) });
  });

  test('an unknown contig is contig-not-found listing the available ones', async () => {
    const a = await openAlignments(fx.bam);
    await expectBad(() => a.fetch('chr9', 0, 10), { code: 'contig-not-found', file: fx.bam, problem: /contig "chr9" is not in the BAM header/ });
    await a.close();
  });

  test('a directory given as the reads is one line naming it', async () => {
    await expectBad(() => openAlignments(fx.dir), { code: 'invalid-argument', file: fx.dir, problem: /is a directory, not a file/ });
  });

  test('CRAM with an embedded reference reads without a FASTA, the same reads as the BAM', async () => {
    const bam = await fetchAll(fx.bam);
    const emb = await fetchAll(fx.cramEmbedded);
    assert.equal(emb.length, bam.length);
    assert.deepEqual(emb.map((r) => `${r.name}:${r.start}:${r.seq}`), bam.map((r) => `${r.name}:${r.start}:${r.seq}`));
    const withRef = await fetchAll(fx.cramEmbedded, { referencePath: fx.ref });
    assert.deepEqual(withRef.map((r) => r.seq), bam.map((r) => r.seq));
  });

  test('CRAM reads carry MD and NM exactly as samtools view prints them', async () => {
    const reads = await fetchAll(fx.cram, { referencePath: fx.ref });
    const want = new Map<string, string>();
    for (const line of sh('samtools', ['view', '-T', fx.ref, fx.cram]).trim().split('\n')) {
      const f = line.split('\t');
      want.set(`${f[0]}:${f[1]}`, f.slice(11).filter((t) => t.startsWith('MD:Z:') || t.startsWith('NM:i:')).sort().join(' '));
    }
    assert.equal(reads.length, want.size);
    for (const r of reads) {
      assert.equal(`MD:Z:${String(r.tags['MD'])} NM:i:${String(r.tags['NM'])}`, want.get(`${r.name}:${r.flags}`), r.name);
    }
  });

  test('CRAM without its reference fails on read with a message saying so', async () => {
    await expectBad(() => fetchAll(fx.cram), { code: 'invalid-argument', file: fx.cram, problem: /without an embedded reference: reading it needs the reference FASTA/ });
  });

  test('CRAM with another reference is reference-mismatch', async () => {
    const other = fx.file('other.fa');
    const seq = [...fx.contigs].map(([n, s]) => `>${n}\n${s.replace(/A/g, 'T').match(/.{1,60}/g)!.join('\n')}\n`).join('');
    writeFileSync(other, seq);
    sh('samtools', ['faidx', other]);
    await expectBad(() => fetchAll(fx.cram, { referencePath: other }), { code: 'reference-mismatch', file: fx.cram, problem: new RegExp(`the reference ${other} does not match the one this CRAM was made with`) });
  });
});

describe('bad FASTA and .fai', () => {
  test('a .fai of random bytes is bad-index naming samtools faidx', async () => {
    const p = copyWith(fx.ref, fx.file('randfai.fa'));
    writeFileSync(`${p}.fai`, Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 73 + 11) & 0xff)));
    await expectBad(() => openReference(p), { code: 'bad-index', file: `${p}.fai`, where: 'line 1', problem: /this is not a valid \.fai \(re-create it with samtools faidx\)/ });
  });

  test('the .fai of another FASTA is bad-index, not wrong bases', async () => {
    const other = fx.file('otherlayout.fa');
    writeFileSync(other, [...fx.contigs].map(([n, s]) => `>${n}\n${s.match(/.{1,50}/g)!.join('\n')}\n`).join(''));
    sh('samtools', ['faidx', other]);
    const p = copyWith(fx.ref, fx.file('foreignfai.fa'));
    copyFileSync(`${other}.fai`, `${p}.fai`);
    await expectBad(() => openReference(p), { code: 'bad-index', file: `${p}.fai`, problem: new RegExp(`does not match ${p} \\(re-create it with: samtools faidx ${p}\\)`) });
  });

  test('a .fai naming a sequence past the end of the FASTA is bad-index', async () => {
    const p = copyWith(fx.ref, fx.file('pastend.fa'));
    const fai = readFileSync(`${fx.ref}.fai`, 'utf8').replace(/^chr2\t(\d+)/m, (_, n: string) => `chr2\t${Number(n) * 10}`);
    writeFileSync(`${p}.fai`, fai);
    await expectBad(() => openReference(p), { code: 'bad-index', file: `${p}.fai`, problem: /sequence chr2 would end at byte \d+, past the end of the FASTA/ });
  });

  test('a .fai with inconsistent line lengths is bad-index naming the line', async () => {
    const p = copyWith(fx.ref, fx.file('linelen.fa'));
    writeFileSync(`${p}.fai`, readFileSync(`${fx.ref}.fai`, 'utf8').replace(/\t60\t61$/m, '\t61\t60'));
    await expectBad(() => openReference(p), { code: 'bad-index', file: `${p}.fai`, where: 'line 1', problem: /line bases 61 and line bytes 60 are inconsistent/ });
  });

  test('a FASTA without .fai names samtools faidx', async () => {
    const p = copyWith(fx.ref, fx.file('nofai.fa'));
    await expectBad(() => openReference(p), { code: 'missing-fai', file: p, problem: new RegExp(`samtools faidx ${p}`) });
  });

  test('a plain-gzip FASTA is refused (no random access)', async () => {
    const p = fx.file('plain.fa.gz');
    writeFileSync(p, sh('gzip', ['-c', fx.ref]), 'latin1');
    await expectBad(() => openReference(p), { code: 'unsupported', file: p, problem: /compressed with plain gzip/ });
  });

  test('a region past the end of a contig is region-invalid', async () => {
    const f = await openReference(fx.ref);
    await expectBad(() => f.fetch('chr2', 2990, 3010), { code: 'region-invalid', file: fx.ref, problem: /is outside chr2, which has 3000 bases/ });
  });

  test('bgzipped and plain FASTA give the same bases as samtools faidx', async () => {
    for (const p of [fx.ref, fx.refGz]) {
      const f = await openReference(p);
      for (const [c, s, e] of [['chr1', 0, 60], ['chr1', 59, 61], ['chr1', 5990, 6000], ['chr2', 1234, 2345]] as const) {
        const want = sh('samtools', ['faidx', p, `${c}:${s + 1}-${e}`]).split('\n').slice(1).join('');
        assert.equal(await f.fetch(c, s, e), want, `${p} ${c}:${s}-${e}`);
      }
      await f.close();
    }
  });

  test('a directory given as --ref is one line naming it', async () => {
    await expectBad(() => openReference(fx.dir), { code: 'invalid-argument', file: fx.dir, problem: /is a directory, not a file/ });
  });
});
