/**
 * Corrupt BGZF blocks, stale and foreign indexes, truncated files: for .vcf.gz, BAM and
 * bgzipped FASTA. Each ends in one VariantLensError naming the file to fix (or re-index) and
 * the problem, or in the correct answer plus a warning naming both files.
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { openAlignments } from '../../../src/core/io/sam/alignmentReader';
import { BGZF_EOF, bgzfBlocks } from '../../../src/core/io/bgzf/bgzfReader';
import { CheckedBlocks } from '../../../src/core/io/bgzf/bgzfIntegrity';
import { openReference } from '../../../src/core/io/fasta/fastaReader';
import { openVcf } from '../../../src/core/io/vcf/vcfReader';
import { resetWarnings, setWarningSink } from '../../../src/core/warnings';
import { copyWith, expectBad, makeFixtures, sh, type Fixtures } from './fixtures';

let fx: Fixtures;
before(() => { fx = makeFixtures(); });
after(() => fx.cleanup());

/** Offsets and sizes of the BGZF blocks of a file. */
function blocks(buf: Buffer): { at: number; size: number }[] {
  const out: { at: number; size: number }[] = [];
  for (let at = 0; at < buf.length;) {
    const size = buf.readUInt16LE(at + 16) + 1;
    out.push({ at, size });
    at += size;
  }
  return out;
}

async function streamVcf(path: string): Promise<number> {
  const v = await openVcf(path);
  let n = 0;
  try {
    for await (const r of v.records()) { void r; n++; }
  } finally {
    await v.close();
  }
  return n;
}

async function queryVcf(path: string, contig: string, start: number, end: number): Promise<string[]> {
  const v = await openVcf(path);
  const out: string[] = [];
  try {
    for await (const r of v.query(contig, start, end)) out.push(r.line);
  } finally {
    await v.close();
  }
  return out;
}

async function fetchAll(bam: string, opts: { referencePath?: string } = {}): Promise<number> {
  const a = await openAlignments(bam, opts);
  try {
    return (await a.fetch('chr1', 0, 6000)).length + (await a.fetch('chr2', 0, 3000)).length;
  } finally {
    await a.close();
  }
}

function withWarnings<T>(fn: () => Promise<T>): Promise<{ result: T; warnings: string[] }> {
  const warnings: string[] = [];
  resetWarnings();
  const old = setWarningSink((m) => warnings.push(m));
  return fn().then((result) => ({ result, warnings }), (e: unknown) => { throw e; }).finally(() => setWarningSink(old));
}

function older(index: string, data: string): void {
  const t = new Date(Date.now() - 3600_000);
  utimesSync(index, t, t);
  const now = new Date();
  utimesSync(data, now, now);
}

describe('BGZF block integrity (CRC32, ISIZE)', () => {
  test('.vcf.gz: a CRC32 that does not match the block is an error naming the block', async () => {
    const p = copyWith(fx.vcfGz, fx.file('crc.vcf.gz'));
    const buf = readFileSync(p);
    const b = blocks(buf)[0]!;
    buf[b.at + b.size - 8] = buf[b.at + b.size - 8]! ^ 0x01; // CRC32 byte
    writeFileSync(p, buf);
    await expectBad(() => streamVcf(p), { code: 'truncated-bgzf', file: p, problem: /the BGZF block at byte 0 fails its CRC32 check/ });
  });

  test('.vcf.gz streamed twice through one open file: each block\'s CRC is checked once, and again after the file changes', async () => {
    const p = copyWith(fx.vcfGz, fx.file('crc2.vcf.gz'));
    const all = blocks(readFileSync(p));
    // Passes straight over the blocks with one CheckedBlocks, as VcfFile does per open file.
    const checked = new CheckedBlocks();
    const pass = async (): Promise<number> => { let n = 0; for await (const b of bgzfBlocks(p, undefined, 0, 1 << 16, checked)) n += b.data.length; return n; };
    const bytes = await pass();
    assert.equal(checked.size, all.length, 'every block checked in the first pass');
    assert.equal(await pass(), bytes);
    assert.equal(checked.size, all.length);
    // The same through VcfFile: two passes, then a CRC byte of the last data block flipped in
    // place with the old mtime put back (same size, same mtime; only ctime moves).
    utimesSync(p, 1_700_000_000, 1_700_000_000); // a whole second, so it can be put back exactly
    const v = await openVcf(p);
    try {
      const count = async (): Promise<number> => { let n = 0; for await (const r of v.records()) { void r; n++; } return n; };
      const n = await count();
      assert.equal(await count(), n);
      const before = statSync(p);
      const buf = readFileSync(p);
      const b = all[all.length - 2]!; // the last block before the EOF marker
      buf[b.at + b.size - 8] = buf[b.at + b.size - 8]! ^ 0x01;
      writeFileSync(p, buf);
      utimesSync(p, 1_700_000_000, 1_700_000_000);
      assert.equal(statSync(p).mtimeMs, before.mtimeMs);
      await expectBad(count, { code: 'truncated-bgzf', file: p, problem: new RegExp(`the BGZF block at byte ${b.at} fails its CRC32 check`) });
    } finally {
      await v.close();
    }
  });

  test('.vcf.gz: an ISIZE that does not match is an error', async () => {
    const p = copyWith(fx.vcfGz, fx.file('isize.vcf.gz'));
    const buf = readFileSync(p);
    const b = blocks(buf)[0]!;
    buf.writeUInt32LE(buf.readUInt32LE(b.at + b.size - 4) + 1, b.at + b.size - 4);
    writeFileSync(p, buf);
    await expectBad(() => streamVcf(p), { code: 'truncated-bgzf', file: p, problem: /inflates to \d+ bytes but its trailer says \d+/ });
  });

  test('.vcf.gz region query reads through the CRC check too', async () => {
    const p = copyWith(fx.vcfGz, fx.file('crcq.vcf.gz'), ['.tbi']);
    const buf = readFileSync(p);
    const b = blocks(buf)[0]!;
    buf[b.at + b.size - 6] = buf[b.at + b.size - 6]! ^ 0x80;
    writeFileSync(p, buf);
    await expectBad(() => queryVcf(p, 'chr1', 0, 6000), { code: 'truncated-bgzf', file: p, problem: /fails its CRC32 check/ });
  });

  test('BAM: a CRC32 mismatch in a read block is an error naming the BAM', async () => {
    const p = copyWith(fx.bam, fx.file('crc.bam'), ['.bai']);
    const buf = readFileSync(p);
    const bl = blocks(buf);
    const b = bl[1]!; // the first block after the header
    buf[b.at + b.size - 7] = buf[b.at + b.size - 7]! ^ 0x10;
    writeFileSync(p, buf);
    const t = new Date(Date.now() + 5000);
    utimesSync(`${p}.bai`, t, t);
    await expectBad(() => fetchAll(p), { code: 'malformed-bam', file: p, problem: new RegExp(`the BGZF block at byte ${b.at} fails its CRC32 check`) });
  });

  test('bgzipped FASTA: a CRC32 mismatch is an error on fetch', async () => {
    const p = copyWith(fx.refGz, fx.file('crc.fa.gz'), ['.fai', '.gzi']);
    const buf = readFileSync(p);
    const b = blocks(buf)[0]!;
    buf[b.at + b.size - 5] = buf[b.at + b.size - 5]! ^ 0x04;
    writeFileSync(p, buf);
    await expectBad(async () => { const f = await openReference(p); await f.fetch('chr1', 0, 100); }, { code: 'truncated-bgzf', file: p, problem: /fails its CRC32 check/ });
  });

  test('a .vcf.gz cut mid-block is truncated-bgzf', async () => {
    const p = copyWith(fx.vcfGz, fx.file('cut.vcf.gz'));
    truncateSync(p, Math.floor(readFileSync(p).length / 2));
    await expectBad(() => openVcf(p), { code: 'truncated-bgzf', file: p, problem: /does not end with the BGZF end-of-file marker/ });
  });
});

describe('stale and foreign indexes', () => {
  test('a .tbi older than its .vcf.gz warns naming both files and the tabix command; answers stay right', async () => {
    const p = copyWith(fx.vcfGz, fx.file('stale.vcf.gz'), ['.tbi']);
    older(`${p}.tbi`, p);
    const { result, warnings } = await withWarnings(() => queryVcf(p, 'chr1', 0, 6000));
    assert.equal(result.length, fx.vcfRecords.filter((r) => r.startsWith('chr1\t')).length);
    assert.equal(warnings.length, 1);
    assert.ok(warnings[0]!.includes(`${p}.tbi`) && warnings[0]!.includes(p), warnings[0]);
    assert.match(warnings[0]!, /is older than the data file .*tabix -f -p vcf /);
  });

  test('a .bai older than its BAM warns naming both files and the samtools index command', async () => {
    const p = copyWith(fx.bam, fx.file('stale.bam'), ['.bai']);
    older(`${p}.bai`, p);
    const { result, warnings } = await withWarnings(() => fetchAll(p));
    assert.equal(result, await fetchAll(fx.bam));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, new RegExp(`${p}\\.bai is older than the data file ${p}.*samtools index ${p}`));
  });

  test('a foreign .tbi (other sequences) is bad-index naming it and the tabix command', async () => {
    const other = fx.file('other.vcf');
    writeFileSync(other, ['##fileformat=VCFv4.2', '##contig=<ID=chrQ,length=9000>', '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO',
      ...Array.from({ length: 50 }, (_, i) => `chrQ\t${10 + i * 20}\t.\tA\tC\t50\tPASS\t.`)].join('\n') + '\n');
    writeFileSync(`${other}.gz`, sh('bgzip', ['-c', other]), 'latin1');
    sh('tabix', ['-p', 'vcf', `${other}.gz`]);
    const p = copyWith(fx.vcfGz, fx.file('foreign.vcf.gz'));
    copyFileSync(`${other}.gz.tbi`, `${p}.tbi`);
    await expectBad(() => queryVcf(p, 'chr1', 0, 6000), { code: 'bad-index', file: `${p}.tbi`, problem: new RegExp(`indexes sequence "chrQ", which the header of ${p} does not list.*tabix -f -p vcf ${p}`) });
  });

  test('a foreign .tbi with the same sequences but other offsets is bad-index, not a short answer', async () => {
    // Same contigs, a longer header: every offset of its index lands elsewhere in our file.
    const other = fx.file('shifted.vcf');
    writeFileSync(other, [fx.vcfHeader[0]!, `##comment=${'z'.repeat(3000)}`, ...fx.vcfHeader.slice(1), ...fx.vcfRecords.filter((_, i) => i % 2 === 0)].join('\n') + '\n');
    writeFileSync(`${other}.gz`, sh('bgzip', ['-c', other]), 'latin1');
    sh('tabix', ['-p', 'vcf', `${other}.gz`]);
    const p = copyWith(fx.vcfGz, fx.file('shifted-target.vcf.gz'));
    copyFileSync(`${other}.gz.tbi`, `${p}.tbi`);
    await expectBad(() => queryVcf(p, 'chr2', 0, 3000), { code: 'bad-index', file: `${p}.tbi`, problem: /does not match the data file \(stale or foreign\); re-create it with: tabix -f -p vcf / });
  });

  test('a .vcf.gz cut short with an EOF block appended: its old .tbi points past the end', async () => {
    // Several blocks: 4,000 records (~ 200 kB of text).
    const big = fx.file('big.vcf');
    const recs: string[] = [];
    for (const [c, n] of [['chr1', 3000], ['chr2', 1000]] as const) for (let i = 0; i < n; i++) recs.push(`${c}\t${i + 1}\t.\tA\tC\t50\tPASS\tNOTE=${'n'.repeat(20)}\tGT:GQ\t0/1:30`);
    writeFileSync(big, [...fx.vcfHeader, ...recs].join('\n') + '\n');
    const p = fx.file('cut-eof.vcf.gz');
    writeFileSync(p, sh('bgzip', ['-c', big]), 'latin1');
    sh('tabix', ['-p', 'vcf', p]);
    const buf = readFileSync(p);
    const bl = blocks(buf);
    assert.ok(bl.length > 3, `${bl.length} blocks`);
    writeFileSync(p, Buffer.concat([buf.subarray(0, bl[1]!.at), BGZF_EOF]));
    const t = new Date(Date.now() + 5000);
    utimesSync(`${p}.tbi`, t, t);
    await expectBad(() => queryVcf(p, 'chr2', 0, 3000), { code: 'bad-index', file: `${p}.tbi`, problem: /past the end of .*the data file is truncated or the index belongs to another file/ });
  });

  test('a foreign .bai (other reference count) is bad-index naming samtools index', async () => {
    const sam = fx.file('three.sam');
    writeFileSync(sam, ['@HD\tVN:1.6\tSO:coordinate', '@SQ\tSN:chr1\tLN:6000', '@SQ\tSN:chr2\tLN:3000', '@SQ\tSN:chr3\tLN:100', 'q1\t0\tchr1\t10\t60\t4M\t*\t0\t0\tACGT\tIIII'].join('\n') + '\n');
    const other = fx.file('three.bam');
    sh('samtools', ['view', '-b', '-o', other, sam]);
    sh('samtools', ['index', other]);
    const p = copyWith(fx.bam, fx.file('foreign.bam'));
    copyFileSync(`${other}.bai`, `${p}.bai`);
    await expectBad(() => fetchAll(p), { code: 'bad-index', file: `${p}.bai`, problem: new RegExp(`lists 3 references but the header of ${p} has 2; the index belongs to another file; re-create it with: samtools index ${p}`) });
  });

  test('a foreign .bai (same references, other blocks) is bad-index, not a short answer', async () => {
    const other = fx.file('half.bam');
    // Every other read: the same references, different block layout.
    const sam = sh('samtools', ['view', '-h', fx.bam]).split('\n').filter((l, i) => l !== '' && (l.startsWith('@') || i % 2 === 0)).join('\n') + '\n';
    writeFileSync(fx.file('half.sam'), sam, 'latin1');
    sh('samtools', ['view', '-b', '--output-fmt-option', 'level=1', '-o', other, fx.file('half.sam')]);
    sh('samtools', ['index', other]);
    const p = copyWith(fx.bam, fx.file('foreign2.bam'));
    copyFileSync(`${other}.bai`, `${p}.bai`);
    await expectBad(() => fetchAll(p), { code: 'bad-index', file: `${p}.bai`, problem: /(does not match the data file \(stale or foreign\)|past the end of)/ });
    // Caught when the BAM is opened, so `info` cannot print the foreign index's counts.
    await expectBad(() => openAlignments(p), { code: 'bad-index', file: `${p}.bai`, problem: /(does not match the data file \(stale or foreign\)|past the end of)/ });
  });

  test('a BAM cut mid-file with an EOF block appended: the old .bai is an error, not fewer reads', async () => {
    const p = copyWith(fx.bam, fx.file('cut-eof.bam'), ['.bai']);
    const buf = readFileSync(p);
    const bl = blocks(buf);
    const keep = bl[Math.floor(bl.length / 2)]!.at;
    writeFileSync(p, Buffer.concat([buf.subarray(0, keep), BGZF_EOF]));
    const t = new Date(Date.now() + 5000);
    utimesSync(`${p}.bai`, t, t);
    await expectBad(() => fetchAll(p), { code: 'bad-index', file: `${p}.bai`, problem: /past the end of .*samtools index/ });
  });

  // A stale index whose chunks land on record starts of the right sequence, but of other
  // records: the two files have the same layout byte for byte (stored BGZF blocks, lines of
  // equal length), only the positions differ. Without the bin check both readers answered
  // the region with 0 records (bcftools does too) where the data holds 251 records / reads.
  function shiftedTwins(kind: 'vcf' | 'bam', dataBase = 300_000, otherBase = 200_000): { data: string; index: string; otherIndex: string } {
    const make = (name: string, base: number): string => {
      if (kind === 'vcf') {
        const text = ['##fileformat=VCFv4.2', '##contig=<ID=chr1,length=900000>', '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO',
          ...Array.from({ length: 5000 }, (_, i) => `chr1\t${base + 40 * i}\t.\tA\tC\t50\tPASS\t.`)].join('\n') + '\n';
        const p = fx.file(`${name}.vcf.gz`);
        writeFileSync(fx.file(`${name}.vcf`), text);
        writeFileSync(p, sh('bgzip', ['-l', '0', '-c', fx.file(`${name}.vcf`)]), 'latin1');
        sh('tabix', ['-f', '-p', 'vcf', p]);
        return p;
      }
      const text = ['@HD\tVN:1.6\tSO:coordinate', '@SQ\tSN:chr1\tLN:900000',
        ...Array.from({ length: 5000 }, (_, i) => `r${String(i).padStart(4, '0')}\t0\tchr1\t${base + 40 * i}\t60\t20M\t*\t0\t0\t${'ACGT'.repeat(5)}\t${'I'.repeat(20)}`)].join('\n') + '\n';
      writeFileSync(fx.file(`${name}.sam`), text);
      const p = fx.file(`${name}.bam`);
      sh('samtools', ['view', '-b', '--output-fmt-option', 'level=0', '-o', p, fx.file(`${name}.sam`)]);
      sh('samtools', ['index', p]);
      return p;
    };
    const data = make(`twin-a-${kind}-${dataBase}`, dataBase);
    const other = make(`twin-b-${kind}-${otherBase}`, otherBase);
    const suffix = kind === 'vcf' ? '.tbi' : '.bai';
    assert.equal(readFileSync(data).length, readFileSync(other).length, 'the twins have the same size');
    return { data, index: `${data}${suffix}`, otherIndex: `${other}${suffix}` };
  }

  test('a stale .tbi whose chunk starts at a record outside the queried bin is bad-index, not a short answer', async () => {
    const t = shiftedTwins('vcf');
    // With its own index: the right answer (POS 350,000 … 360,000 every 40 bp).
    assert.equal((await queryVcf(t.data, 'chr1', 349_999, 360_000)).length, 251);
    copyFileSync(t.otherIndex, t.index);
    await expectBad(() => queryVcf(t.data, 'chr1', 349_999, 360_000), {
      code: 'bad-index', file: t.index,
      problem: new RegExp(`virtual offset \\d+:\\d+ of ${t.data}, where the record the index names for position 350000 starts at 444080, after the end \\(360448\\) of the index window holding that position.*stale or foreign.*tabix -f -p vcf ${t.data}`),
    });
  });

  test('a stale .tbi whose chunk starts at a record outside that chunk\'s bin is bad-index', async () => {
    // The other way round: the index's records lie later than the data's, so its chunk for
    // the region's 16-kb bin (344065-360448) starts where the data has POS 244080.
    const t = shiftedTwins('vcf', 200_000, 300_000);
    assert.equal((await queryVcf(t.data, 'chr1', 349_999, 360_000)).length, 251);
    copyFileSync(t.otherIndex, t.index);
    await expectBad(() => queryVcf(t.data, 'chr1', 349_999, 360_000), {
      code: 'bad-index', file: t.index,
      problem: new RegExp(`of ${t.data}, where the first record starts at position 244080, outside the bin \\(344065-360448\\) whose chunk this is.*stale or foreign.*tabix -f -p vcf ${t.data}`),
    });
  });

  test('a stale .bai whose chunk starts at a read outside the queried bin is bad-index, not fewer reads', async () => {
    const t = shiftedTwins('bam');
    const fetchRegion = async (): Promise<number> => {
      const a = await openAlignments(t.data);
      try {
        return (await a.fetch('chr1', 349_999, 360_000)).length;
      } finally {
        await a.close();
      }
    };
    assert.equal(await fetchRegion(), Number(sh('samtools', ['view', '-c', t.data, 'chr1:350000-360000']).trim()));
    copyFileSync(t.otherIndex, t.index);
    await expectBad(fetchRegion, {
      code: 'bad-index', file: t.index,
      problem: new RegExp(`of ${t.data}, where the read the index names for position 350000 starts at 444080, after the end \\(360448\\) of the index window holding that position.*stale or foreign.*samtools index ${t.data}`),
    });
  });

  test('a .gzi of another file is bad-index naming samtools faidx', async () => {
    const p = copyWith(fx.refGz, fx.file('gzi.fa.gz'), ['.fai']);
    writeFileSync(`${p}.gzi`, Buffer.concat([Buffer.from([2, 0, 0, 0, 0, 0, 0, 0]), Buffer.alloc(32, 0x11)]));
    await expectBad(() => openReference(p), { code: 'bad-index', file: `${p}.gzi`, problem: /out of order or past the end .*samtools faidx/ });
  });
});
