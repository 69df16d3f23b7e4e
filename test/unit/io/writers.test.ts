/**
 * The writers against samtools/bcftools/tabix/bgzip as ground truth: every file we write
 * must decode to what we put in, and region queries through OUR indexes must return what
 * the same queries return through indexes samtools/tabix build on a copy.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { VariantLensError } from '../../../src/core/errors';
import { CigarOp, Flag, cigarReferenceLength, cigarToString } from '../../../src/core/io/sam/alignedRead';
import { reg2bin } from '../../../src/core/io/index/baiIndex';
import { type WritableRead, sortReadsByCoordinate, writeBam } from '../../../src/core/io/sam/bamWriter';
import { BGZF_BLOCK_DATA_SIZE, BgzfWriter } from '../../../src/core/io/bgzf/bgzfWriter';
import { writeFasta } from '../../../src/core/io/fasta/fastaWriter';
import { writeVcf } from '../../../src/core/io/vcf/vcfWriter';
import { Rng } from '../../../src/core/sim/prng';

const dir = mkdtempSync(join(tmpdir(), 'vl-writers-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 << 20 });
}

function randomBases(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += 'ACGT'[rng.int(0, 3)];
  return s;
}

describe('BgzfWriter', () => {
  test('gzip -d restores the input; blocks obey the 64 KiB limit; output is deterministic', () => {
    const rng = new Rng(7);
    // Half compressible text, half random bytes (incompressible) to hit the stored-block path.
    const text = Buffer.from(randomBases(rng, 200_000), 'latin1');
    const noise = Buffer.alloc(150_000);
    for (let i = 0; i < noise.length; i++) noise[i] = rng.int(0, 255);
    const input = Buffer.concat([text, noise]);
    const w = new BgzfWriter();
    w.write(input.subarray(0, 1000));
    const vo = w.virtualOffset;
    assert.equal(vo, 1000); // still in block 0 at uncompressed offset 1000
    w.write(input.subarray(1000));
    const out = w.end();
    writeFileSync(join(dir, 'x.gz'), out);
    assert.deepEqual(Buffer.from(execFileSync('bgzip', ['-dc', join(dir, 'x.gz')])), input);
    assert.deepEqual(gunzipSync(out), input);
    // Walk the members: each one's BSIZE+1 bytes, ISIZE ≤ 0xff00, last is the EOF block.
    let p = 0;
    let blocks = 0;
    while (p < out.length) {
      assert.equal(out.readUInt32LE(p) & 0xffffff, 0x088b1f);
      const size = out.readUInt16LE(p + 16) + 1;
      assert.ok(size <= 0x10000);
      assert.ok(out.readUInt32LE(p + size - 4) <= BGZF_BLOCK_DATA_SIZE);
      p += size;
      blocks++;
    }
    assert.equal(p, out.length);
    assert.equal(blocks, Math.ceil(input.length / BGZF_BLOCK_DATA_SIZE) + 1);
    assert.equal(out.subarray(out.length - 28).toString('hex'), '1f8b08040000000000ff0600424302001b0003000000000000000000');
    const again = new BgzfWriter();
    again.write(input.subarray(0, 1000));
    again.write(input.subarray(1000));
    assert.deepEqual(again.end(), out);
  });
});

describe('writeBam + BAI', () => {
  const contigs = [
    { name: 'chrA', length: 300_000 },
    { name: 'chrEmpty', length: 5_000 },
    { name: 'chrB', length: 40_000 },
  ];
  const rng = new Rng(11);
  const reads: WritableRead[] = [];
  let n = 0;
  for (const contig of [contigs[0]!, contigs[2]!]) {
    for (let i = 0; i < 3000; i++) {
      const len = rng.int(30, 150);
      const ops: number[] = [];
      let left = len;
      if (rng.chance(0.1)) { const s = rng.int(1, 20); ops.push((s << 4) | CigarOp.S); left -= s; }
      while (left > 0) {
        const m = Math.min(left, rng.int(5, 80));
        ops.push((m << 4) | CigarOp.M);
        left -= m;
        if (left > 5 && rng.chance(0.2)) {
          const r = rng.int(0, 2);
          if (r === 0) { const k = rng.int(1, 4); ops.push((k << 4) | CigarOp.I); left -= k; }
          else if (r === 1) ops.push((rng.int(1, 10) << 4) | CigarOp.D);
          else ops.push((rng.int(1000, contig.length / 4) << 4) | CigarOp.N); // long spans reach higher bins
        }
      }
      const cigar = Uint32Array.from(ops);
      const refLen = cigarReferenceLength(cigar);
      const start = rng.int(0, contig.length - refLen - 1);
      const unmapped = rng.chance(0.02);
      const seq = randomBases(rng, len);
      const qual = Uint8Array.from({ length: len }, () => rng.int(2, 41));
      const tags: Record<string, string | number | number[]> = { RG: 'rg1', NM: rng.int(0, 5) };
      if (rng.chance(0.3)) tags.XS = -rng.int(1, 300);
      if (rng.chance(0.2)) tags.XF = 0.25;
      if (rng.chance(0.2)) tags.ZB = [1, 2, 300];
      reads.push({
        name: `r${n++}`,
        flags: Flag.PAIRED | (unmapped ? Flag.UNMAPPED : 0) | (rng.chance(0.5) ? Flag.REVERSE : 0) | (rng.chance(0.05) ? Flag.DUPLICATE : 0) | Flag.READ1,
        contig: contig.name,
        start,
        mapq: unmapped ? 0 : rng.int(0, 60),
        cigar: unmapped ? new Uint32Array(0) : cigar,
        seq,
        qual: rng.chance(0.05) ? new Uint8Array(len).fill(255) : qual,
        mateContig: contig.name,
        mateStart: rng.int(0, contig.length - 1),
        tlen: rng.int(-500, 500),
        tags,
      });
    }
  }
  // Two reads with no coordinates, which go last.
  for (let i = 0; i < 2; i++) {
    reads.push({ name: `u${i}`, flags: Flag.UNMAPPED, contig: '*', start: -1, mapq: 0, cigar: new Uint32Array(0), seq: 'ACGTN', qual: Uint8Array.from([30, 30, 30, 30, 2]), mateContig: undefined, mateStart: -1, tlen: 0, tags: {} });
  }
  sortReadsByCoordinate(reads, contigs);
  const bam = join(dir, 'ours.bam');
  const copy = join(dir, 'copy.bam');

  test('samtools decodes every field we wrote', async () => {
    const res = await writeBam(bam, { contigs, readGroups: [{ id: 'rg1', sample: 'S1' }] }, reads);
    assert.equal(res.records, reads.length);
    execFileSync('samtools', ['quickcheck', '-v', bam]);
    const sam = run('samtools', ['view', bam]).trimEnd().split('\n');
    assert.equal(sam.length, reads.length);
    sam.forEach((line, i) => {
      const r = reads[i]!;
      const f = line.split('\t');
      const q = r.qual[0] === 255 ? '*' : Buffer.from(r.qual.map((x) => x + 33)).toString('latin1');
      assert.deepEqual(f.slice(0, 11), [
        r.name, String(r.flags), r.contig, String(r.start + 1), String(r.mapq), cigarToString(r.cigar),
        r.mateContig === undefined ? '*' : r.mateContig === r.contig ? '=' : r.mateContig,
        String(r.mateStart + 1), String(r.tlen), r.seq, q,
      ]);
      const tags = f.slice(11).sort();
      const expected = Object.entries(r.tags).map(([k, v]) =>
        typeof v === 'string' ? `${k}:Z:${v}` : Array.isArray(v) ? `${k}:B:S,${v.join(',')}` : Number.isInteger(v) ? `${k}:i:${v}` : `${k}:f:${v}`,
      ).sort();
      assert.deepEqual(tags, expected);
    });
    const header = run('samtools', ['view', '-H', bam]);
    assert.match(header, /^@HD\tVN:1\.6\tSO:coordinate$/m);
    assert.match(header, /^@SQ\tSN:chrB\tLN:40000$/m);
    assert.match(header, /^@RG\tID:rg1\tSM:S1\tPL:ILLUMINA$/m);
  });

  test('region queries through our BAI equal those through samtools index', () => {
    copyFileSync(bam, copy);
    execFileSync('samtools', ['index', copy]);
    // idxstats reads the pseudo-bin (mapped/unmapped per contig) and n_no_coor.
    assert.equal(run('samtools', ['idxstats', bam]), run('samtools', ['idxstats', copy]));
    const q = new Rng(99);
    const regions: string[] = ['chrEmpty', 'chrB', 'chrA:1-1', 'chrA:16384-16385', 'chrA:299990-300000', 'chrB:1-40000'];
    for (let i = 0; i < 60; i++) {
      const c = q.pick([contigs[0]!, contigs[2]!]);
      const s = q.int(1, c.length);
      regions.push(`${c.name}:${s}-${Math.min(c.length, s + q.pick([1, 100, 5000, 70_000]))}`);
    }
    for (const region of regions) {
      const ours = run('samtools', ['view', bam, region]);
      const theirs = run('samtools', ['view', copy, region]);
      assert.equal(ours, theirs, `region ${region}`);
    }
    // And a count checked by hand: reads overlapping chrA:100001-150000 (1-based inclusive).
    const expected = reads.filter((r) => r.contig === 'chrA' && r.start < 150_000 && r.start + Math.max(1, (r.flags & Flag.UNMAPPED) ? 1 : cigarReferenceLength(r.cigar)) > 100_000).length;
    assert.equal(Number(run('samtools', ['view', '-c', bam, 'chrA:100001-150000'])), expected);
  });

  test('writing twice gives identical bytes', async () => {
    const again = join(dir, 'again.bam');
    await writeBam(again, { contigs, readGroups: [{ id: 'rg1', sample: 'S1' }] }, reads);
    assert.deepEqual(readFileSync(again), readFileSync(bam));
    assert.deepEqual(readFileSync(`${again}.bai`), readFileSync(`${bam}.bai`));
  });

  test('unsorted input and unknown contigs are clear errors naming the file', async () => {
    const bad = join(dir, 'bad.bam');
    const unsorted = [reads[10]!, reads[0]!];
    await assert.rejects(writeBam(bad, { contigs }, unsorted), (e: unknown) => e instanceof VariantLensError && e.code === 'invalid-argument' && e.message.includes(bad) && /not coordinate-sorted/.test(e.message));
    await assert.rejects(writeBam(bad, { contigs }, [{ ...reads[0]!, contig: 'chrZ' }]), /chrZ/);
  });

  test('reg2bin matches the SAM spec examples', () => {
    assert.equal(reg2bin(0, 1), 4681);
    assert.equal(reg2bin(16383, 16385), 585);
    assert.equal(reg2bin(0, 1 << 29), 0);
  });
});

describe('writeVcf + TBI', () => {
  const contigs = [{ name: 'chr1', length: 400_000 }, { name: 'chr2', length: 50_000 }, { name: 'chr3', length: 1_000 }];
  const header = [
    '##fileformat=VCFv4.2',
    ...contigs.map((c) => `##contig=<ID=${c.name},length=${c.length}>`),
    '##INFO=<ID=END,Number=1,Type=Integer,Description="End position">',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1',
  ];
  const rng = new Rng(5);
  const records: { line: string; contig: string; beg: number; end: number }[] = [];
  for (const c of contigs.slice(0, 2)) {
    let pos = 0;
    while (true) {
      pos += rng.int(1, 300);
      if (pos > c.length - 2000) break;
      const kind = rng.int(0, 9);
      let ref = randomBases(rng, 1);
      let alt = 'ACGT'.replace(ref, '')[rng.int(0, 2)]!;
      let info = '.';
      let end = pos - 1 + 1;
      if (kind === 0) { ref = randomBases(rng, rng.int(2, 1500)); alt = ref[0]!; end = pos - 1 + ref.length; }
      if (kind === 1) { alt = '<*>'; info = `END=${pos + rng.int(0, 20_000)}`; end = Number(info.slice(4)); }
      records.push({ line: `${c.name}\t${pos}\t.\t${ref}\t${alt}\t30\tPASS\t${info}\tGT\t0/1`, contig: c.name, beg: pos - 1, end });
    }
  }
  const gz = join(dir, 'calls.vcf.gz');

  test('bcftools reads the bgzipped VCF and our TBI gives the same regions as by hand and as tabix -p vcf', async () => {
    const res = await writeVcf(gz, header, records.map((r) => r.line));
    assert.equal(res.indexPath, `${gz}.tbi`);
    assert.equal(run('bcftools', ['view', '-H', gz]), records.map((r) => r.line + '\n').join(''));
    assert.equal(run('tabix', ['-l', gz]), 'chr1\nchr2\n');
    const copy = join(dir, 'copy.vcf.gz');
    copyFileSync(gz, copy);
    execFileSync('tabix', ['-p', 'vcf', copy]);
    const q = new Rng(3);
    for (let i = 0; i < 60; i++) {
      const c = q.pick(contigs);
      const s = q.int(1, c.length);
      const e = Math.min(c.length, s + q.pick([0, 50, 2000, 100_000]));
      const region = `${c.name}:${s}-${e}`;
      // Overlap of [beg, end) with the 1-based inclusive region [s, e].
      const byHand = records.filter((r) => r.contig === c.name && r.beg < e && r.end > s - 1).map((r) => r.line + '\n').join('');
      assert.equal(run('bcftools', ['view', '-H', '-r', region, gz]), byHand, `bcftools -r ${region}`);
      assert.equal(run('tabix', [gz, region]), run('tabix', [copy, region]), `tabix ${region}`);
    }
  });

  test('plain VCF is readable; writing twice is byte-identical', async () => {
    const plain = join(dir, 'calls.vcf');
    const res = await writeVcf(plain, header, records.map((r) => r.line));
    assert.equal(res.indexPath, undefined);
    assert.equal(run('bcftools', ['view', '-H', plain]), records.map((r) => r.line + '\n').join(''));
    const again = join(dir, 'again.vcf.gz');
    await writeVcf(again, header, records.map((r) => r.line));
    assert.deepEqual(readFileSync(again), readFileSync(gz));
    assert.deepEqual(readFileSync(`${again}.tbi`), readFileSync(`${gz}.tbi`));
  });

  test('an unsorted indexed VCF is rejected naming the record', async () => {
    const bad = join(dir, 'bad.vcf.gz');
    const lines = [records[5]!.line, records[1]!.line];
    await assert.rejects(writeVcf(bad, header, lines), (e: unknown) => e instanceof VariantLensError && e.message.includes(bad) && /record 2/.test(e.message));
    await assert.rejects(writeVcf(bad, header.slice(1), []), /##fileformat/);
  });
});

describe('writeFasta + .fai', () => {
  const rng = new Rng(21);
  const contigs = [
    { name: 'chr1', seq: randomBases(rng, 100_000) },
    { name: 'chr2', seq: randomBases(rng, 120) }, // exactly two full lines
    { name: 'chrM', seq: randomBases(rng, 61) },
  ];

  test('our .fai equals samtools faidx; region fetches agree', async () => {
    const fa = join(dir, 'ref.fa');
    await writeFasta(fa, contigs);
    const copy = join(dir, 'copy.fa');
    copyFileSync(fa, copy);
    execFileSync('samtools', ['faidx', copy]);
    assert.equal(readFileSync(`${fa}.fai`, 'utf8'), readFileSync(`${copy}.fai`, 'utf8'));
    const lines = readFileSync(fa, 'utf8').split('\n');
    assert.ok(lines.every((l) => l.length <= 60));
    for (const [name, s, e] of [['chr1', 1, 60], ['chr1', 59, 62], ['chr1', 99_990, 100_000], ['chr2', 1, 120], ['chrM', 61, 61]] as const) {
      const got = run('samtools', ['faidx', fa, `${name}:${s}-${e}`]).split('\n').slice(1).join('');
      assert.equal(got, contigs.find((c) => c.name === name)!.seq.slice(s - 1, e));
    }
  });

  test('bgzipped FASTA: our .gzi equals bgzip -r; samtools faidx reads regions through our .fai/.gzi', async () => {
    const fa = join(dir, 'ref.fa.gz');
    const res = await writeFasta(fa, contigs);
    assert.equal(res.gziPath, `${fa}.gzi`);
    const copy = join(dir, 'copy.fa.gz');
    copyFileSync(fa, copy);
    execFileSync('bgzip', ['-r', copy]);
    assert.deepEqual(readFileSync(`${fa}.gzi`), readFileSync(`${copy}.gzi`));
    const got = run('samtools', ['faidx', fa, 'chr1:70001-70100']).split('\n').slice(1).join('');
    assert.equal(got, contigs[0]!.seq.slice(70_000, 70_100));
  });
});
