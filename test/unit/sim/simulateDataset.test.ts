/**
 * The simulated dataset, checked with samtools/bcftools/tabix as ground truth: valid
 * files, our BAI/TBI answering region queries like indexes samtools/tabix build, a truth
 * VCF bcftools norm leaves unchanged, byte-identical reruns, and the simulator's claims
 * (duplicates, soft clips, low MAPQ only in duplicated segments, planted variants visible
 * in the reads at the expected allele fraction).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import '../../../src/cli/commands/simulate';
import { commands } from '../../../src/cli/framework/registry';
import { Rng } from '../../../src/core/sim/prng';
import { SIM_SAMPLES, simulateDataset } from '../../../src/core/sim/simulateDataset';
import { ensureSimulatedDataset, readManifest } from '../../helpers/simData';

const tmp = mkdtempSync(join(tmpdir(), 'vl-sim-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let dir = '';
before(async () => {
  dir = await ensureSimulatedDataset(1);
});

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 512 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
}

function hashes(folder: string): Map<string, string> {
  return new Map(readdirSync(folder).sort().map((f) => [f, createHash('sha256').update(readFileSync(join(folder, f))).digest('hex')]));
}

interface TruthRecord { contig: string; pos: number; ref: string; alts: string[]; gt: string; info: string }

function truth(sample: string): TruthRecord[] {
  return run('bcftools', ['query', '-f', '%CHROM\t%POS\t%REF\t%ALT\t%INFO\t[%GT]\n', join(dir, `${sample}.truth.vcf.gz`)])
    .trimEnd().split('\n').map((l) => {
      const [contig, pos, ref, alt, info, gt] = l.split('\t');
      return { contig: contig!, pos: Number(pos), ref: ref!, alts: alt!.split(','), info: info!, gt: gt! };
    });
}

describe('simulated dataset', () => {
  test('layout: 22 contigs, three samples, every file samtools/bcftools accept', () => {
    const m = readManifest(dir);
    assert.equal(m.seed, 1);
    assert.deepEqual(m.contigs.map((c) => c.name), Array.from({ length: 22 }, (_, i) => `chr${i + 1}`));
    assert.ok(m.contigs.every((c) => c.length >= 40_000 && c.length <= 60_000));
    assert.deepEqual(m.samples.map((s) => s.name), [...SIM_SAMPLES]);
    // The reference as samtools sees it.
    const fai = run('samtools', ['faidx', join(dir, 'reference.fa'), '--fai-idx', join(tmp, 'ref.fai')]);
    assert.equal(fai, '');
    assert.equal(readFileSync(join(dir, 'reference.fa.fai'), 'utf8'), readFileSync(join(tmp, 'ref.fai'), 'utf8'));
    assert.equal(run('samtools', ['faidx', join(dir, 'reference.fa.gz'), 'chr7:1000-1100']), run('samtools', ['faidx', join(dir, 'reference.fa'), 'chr7:1000-1100']));
    for (const s of m.samples) {
      execFileSync('samtools', ['quickcheck', '-v', join(dir, s.bam)]);
      const header = run('samtools', ['view', '-H', join(dir, s.bam)]);
      assert.match(header, new RegExp(`^@RG\\tID:${s.name}\\tSM:${s.name}\\t`, 'm'));
      assert.equal(header.split('\n').filter((l) => l.startsWith('@SQ')).length, 22);
      assert.equal(Number(run('samtools', ['view', '-c', join(dir, s.bam)])), s.reads);
      const vcfHeader = run('bcftools', ['view', '-h', join(dir, s.truthVcf)]);
      assert.match(vcfHeader, new RegExp(`#CHROM\\tPOS\\tID\\tREF\\tALT\\tQUAL\\tFILTER\\tINFO\\tFORMAT\\t${s.name}\\n$`));
      assert.match(vcfHeader, /##contig=<ID=chr22,length=\d+>/);
      assert.equal(run('bcftools', ['view', '-H', join(dir, s.truthVcf)]).trimEnd().split('\n').length, s.variants.total);
      const bed = readFileSync(join(dir, s.confidentBed), 'utf8').trimEnd().split('\n');
      assert.ok(bed.length >= 22);
    }
  });

  test('region queries through our BAI equal samtools index on a copy', () => {
    const m = readManifest(dir);
    const rng = new Rng(2024);
    for (const s of m.samples) {
      const copy = join(tmp, `${s.name}.bam`);
      copyFileSync(join(dir, s.bam), copy);
      execFileSync('samtools', ['index', copy]);
      assert.equal(run('samtools', ['idxstats', join(dir, s.bam)]), run('samtools', ['idxstats', copy]));
      const regions = ['chr1', 'chr22:1-1', `chr3:${m.contigs[2]!.length}-${m.contigs[2]!.length}`];
      for (let i = 0; i < 12; i++) {
        const c = rng.pick(m.contigs);
        const start = rng.int(1, c.length);
        regions.push(`${c.name}:${start}-${Math.min(c.length, start + rng.pick([0, 150, 2000, 20_000]))}`);
      }
      for (const r of regions) assert.equal(run('samtools', ['view', join(dir, s.bam), r]), run('samtools', ['view', copy, r]), `${s.name} ${r}`);
    }
  });

  test('truth VCFs: bcftools regions through our TBI match by-hand filtering; bcftools norm changes nothing', () => {
    const m = readManifest(dir);
    const rng = new Rng(77);
    for (const s of m.samples) {
      const vcf = join(dir, s.truthVcf);
      const records = truth(s.name);
      assert.equal(records.length, s.variants.total);
      const norm = execFileSync('bcftools', ['norm', '-f', join(dir, 'reference.fa'), '--check-ref', 'e', '-Ov', vcf], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
      const body = (text: string): string => text.split('\n').filter((l) => l && !l.startsWith('#')).join('\n');
      assert.equal(body(norm), body(run('bcftools', ['view', vcf])), `${s.name}: bcftools norm rewrote records`);
      const copy = join(tmp, `${s.name}.vcf.gz`);
      copyFileSync(vcf, copy);
      execFileSync('tabix', ['-p', 'vcf', copy]);
      for (let i = 0; i < 15; i++) {
        const c = rng.pick(m.contigs);
        const start = rng.int(1, c.length);
        const end = Math.min(c.length, start + rng.pick([1, 500, 5000, 30_000]));
        const region = `${c.name}:${start}-${end}`;
        // Overlap of [POS, POS+len(REF)-1] with the 1-based inclusive region.
        const byHand = records.filter((r) => r.contig === c.name && r.pos <= end && r.pos + r.ref.length - 1 >= start).map((r) => `${r.contig}:${r.pos}`);
        const got = run('bcftools', ['query', '-r', region, '-f', '%CHROM:%POS\n', vcf]).split('\n').filter(Boolean);
        assert.deepEqual(got, byHand, `${s.name} ${region}`);
        assert.equal(run('tabix', [vcf, region]), run('tabix', [copy, region]));
      }
    }
  });

  test('the planted variants are the promised mix', () => {
    const m = readManifest(dir);
    for (const s of m.samples) {
      const recs = truth(s.name);
      const genome = m.contigs.reduce((a, c) => a + c.length, 0);
      const spacing = genome / recs.length;
      assert.ok(spacing > 650 && spacing < 1100, `${s.name}: one variant per ${spacing.toFixed(0)} bp`);
      const indels = recs.filter((r) => r.alts.some((a) => a.length !== r.ref.length)).length / recs.length;
      assert.ok(indels > 0.08 && indels < 0.2, `indel fraction ${indels}`);
      assert.ok(recs.some((r) => r.gt === '1/2' && r.alts.length === 2), 'multi-allelic 1/2 sites');
      assert.ok(recs.some((r) => r.gt === '1/2' && r.alts.every((a) => a.length !== r.ref.length)), 'multi-allelic indel sites');
      const hom = recs.filter((r) => r.gt === '1/1').length / recs.length;
      assert.ok(hom > 0.2 && hom < 0.5, `hom-alt fraction ${hom}`);
      assert.ok(recs.filter((r) => /HOMOPOLYMER/.test(r.info) && r.alts[0]!.length !== r.ref.length).length >= 20, 'indels in homopolymers');
      assert.ok(recs.filter((r) => /LOWCOV/.test(r.info)).length >= 10, 'variants in low-coverage windows');
      const close = recs.filter((r, i) => i > 0 && recs[i - 1]!.contig === r.contig && r.pos - recs[i - 1]!.pos <= 25).length;
      assert.ok(close >= 20, `variants within 25 bp of each other: ${close}`);
      // Private and shared variants between samples.
      const others = m.samples.filter((o) => o.name !== s.name).map((o) => new Set(truth(o.name).map((r) => `${r.contig}:${r.pos}`)));
      const keys = recs.map((r) => `${r.contig}:${r.pos}`);
      assert.ok(keys.filter((k) => others.every((o) => !o.has(k))).length > recs.length * 0.2, 'private variants');
      assert.ok(keys.filter((k) => others.every((o) => o.has(k))).length > recs.length * 0.2, 'variants shared by all');
    }
  });

  test('reads: ~2% duplicates, soft clips, proper pairs, error rate between 0.1% and 1.5%', () => {
    const bam = join(dir, `${SIM_SAMPLES[0]}.bam`);
    const total = Number(run('samtools', ['view', '-c', bam]));
    const dups = Number(run('samtools', ['view', '-c', '-f', '0x400', bam]));
    assert.ok(dups / total > 0.012 && dups / total < 0.03, `duplicate fraction ${dups / total}`);
    const proper = Number(run('samtools', ['view', '-c', '-f', '0x2', bam]));
    assert.ok(proper / total > 0.98, `proper-pair fraction ${proper / total}`);
    const cigars = run('samtools', ['view', '-F', '0x4', bam]).split('\n').filter(Boolean).map((l) => l.split('\t')[5]!);
    const clipped = cigars.filter((c) => c.includes('S')).length / cigars.length;
    assert.ok(clipped > 0.005 && clipped < 0.1, `soft-clipped fraction ${clipped}`);
    assert.ok(cigars.some((c) => /\d+I/.test(c)) && cigars.some((c) => /\d+D/.test(c)), 'reads with I and D ops');
    // samtools stats: "error rate" = mismatches (NM) / bases mapped, so it includes the true variants.
    const sn = run('samtools', ['stats', bam]).split('\n').find((l) => l.startsWith('SN\terror rate:'))!;
    const errorRate = Number(sn.split('\t')[2]);
    assert.ok(errorRate > 0.001 && errorRate < 0.015, `error rate ${errorRate}`);
  });

  test('MAPQ < 5 occurs inside duplicated segments and nowhere else', () => {
    const m = readManifest(dir);
    const bam = join(dir, `${SIM_SAMPLES[1]}.bam`);
    const low = run('samtools', ['view', '-F', '0x4', bam]).split('\n').filter(Boolean).map((l) => l.split('\t')).filter((f) => Number(f[4]) < 5);
    assert.ok(low.length > 500, `${low.length} reads with MAPQ < 5`);
    const segments = m.duplicatedSegments.flatMap((d) => [d.source, d.copy]);
    for (const f of low) {
      const pos = Number(f[3]) - 1;
      assert.ok(segments.some((s) => s.contig === f[2] && s.start <= pos && pos < s.end), `low-MAPQ read ${f[0]} at ${f[2]}:${f[3]} outside duplicated segments`);
    }
    for (const s of segments) {
      const n = Number(run('samtools', ['view', '-c', '-q', '0', bam, `${s.contig}:${s.start + 200}-${s.end - 200}`]));
      const lowHere = low.filter((f) => f[2] === s.contig && Number(f[3]) - 1 >= s.start && Number(f[3]) - 1 < s.end).length;
      assert.ok(lowHere > n * 0.3, `segment ${s.contig}:${s.start}-${s.end}: ${lowHere} of ${n} reads have MAPQ < 5`);
    }
  });

  test('planted SNVs and indels are in the reads at the expected allele fraction (samtools mpileup)', () => {
    const m = readManifest(dir);
    const sample = SIM_SAMPLES[2]!;
    const recs = truth(sample).filter((r) => !/NEARBY/.test(r.info));
    const snvs = recs.filter((r) => r.alts.length === 1 && r.ref.length === 1 && r.alts[0]!.length === 1 && !/LOWCOV/.test(r.info));
    const regionsFile = join(tmp, 'sites.txt');
    writeFileSync(regionsFile, snvs.map((r) => `${r.contig}\t${r.pos}\n`).join(''));
    // -Q 0: count every base; -B: no BAQ; duplicates are skipped by default.
    const pile = run('samtools', ['mpileup', '-B', '-Q', '0', '-l', regionsFile, '-f', join(dir, 'reference.fa'), join(dir, `${sample}.bam`)]);
    const af = new Map<string, { depth: number; alt: number }>();
    for (const line of pile.trimEnd().split('\n')) {
      const [contig, pos, , depth, bases] = line.split('\t');
      const rec = snvs.find((r) => r.contig === contig && r.pos === Number(pos))!;
      const alt = rec.alts[0]!;
      const clean = bases!.replace(/\^./g, '').replace(/[$]/g, '');
      let n = 0;
      for (const ch of clean) if (ch.toUpperCase() === alt) n++;
      af.set(`${contig}:${pos}`, { depth: Number(depth), alt: n });
    }
    const het = snvs.filter((r) => r.gt === '0/1').map((r) => af.get(`${r.contig}:${r.pos}`)!);
    const hom = snvs.filter((r) => r.gt === '1/1').map((r) => af.get(`${r.contig}:${r.pos}`)!);
    assert.ok(het.length > 300 && hom.length > 150);
    const frac = (x: { depth: number; alt: number }): number => x.alt / x.depth;
    const meanHet = het.reduce((a, x) => a + frac(x), 0) / het.length;
    assert.ok(meanHet > 0.44 && meanHet < 0.56, `mean het AF ${meanHet}`);
    assert.ok(het.filter((x) => frac(x) > 0.15 && frac(x) < 0.85).length > het.length * 0.95, 'het AF within 0.15–0.85');
    assert.ok(hom.filter((x) => frac(x) > 0.9).length > hom.length * 0.9, 'hom AF above 0.9');
    const meanDepth = [...het, ...hom].reduce((a, x) => a + x.depth, 0) / (het.length + hom.length);
    assert.ok(meanDepth > 22 && meanDepth < 36, `mean depth ${meanDepth}`);
    // Low-coverage windows are ~8x.
    const lowSites = truth(sample).filter((r) => /LOWCOV/.test(r.info) && r.ref.length === 1 && r.alts.every((a) => a.length === 1));
    writeFileSync(regionsFile, lowSites.map((r) => `${r.contig}\t${r.pos}\n`).join(''));
    const lowDepths = run('samtools', ['mpileup', '-B', '-Q', '0', '-l', regionsFile, '-f', join(dir, 'reference.fa'), join(dir, `${sample}.bam`)]).trimEnd().split('\n').map((l) => Number(l.split('\t')[3]));
    const meanLow = lowDepths.reduce((a, b) => a + b, 0) / lowDepths.length;
    assert.ok(lowSites.length >= 5 && meanLow > 4 && meanLow < 13, `low-coverage depth ${meanLow} over ${lowSites.length} sites`);
    // Indels: mpileup prints "+N<seq>" / "-N<seq>" after the anchor base at VCF POS, so a
    // planted, left-aligned indel shows up exactly there with its inserted/deleted bases.
    const indels = recs.filter((r) => r.alts.length === 1 && r.alts[0]!.length !== r.ref.length && !/LOWCOV/.test(r.info)).slice(0, 40);
    writeFileSync(regionsFile, indels.map((r) => `${r.contig}\t${r.pos}\n`).join(''));
    const ipile = run('samtools', ['mpileup', '-B', '-Q', '0', '-l', regionsFile, '-f', join(dir, 'reference.fa'), join(dir, `${sample}.bam`)]).trimEnd().split('\n');
    let seen = 0;
    for (const line of ipile) {
      const [contig, pos, , depth, bases] = line.split('\t');
      const r = indels.find((x) => x.contig === contig && x.pos === Number(pos))!;
      const alt = r.alts[0]!;
      const token = alt.length > r.ref.length ? `+${alt.length - 1}${alt.slice(1)}` : `-${r.ref.length - 1}${r.ref.slice(1)}`;
      const count = bases!.toUpperCase().split(token).length - 1;
      const expected = r.gt === '1/1' ? 0.6 : 0.2;
      if (count / Number(depth) >= expected) seen++;
    }
    assert.ok(seen >= indels.length * 0.9, `${seen} of ${indels.length} indels visible at their VCF position`);
    assert.ok(m.samples[2]!.variants.deletion > 0 && m.samples[2]!.variants.insertion > 0);
  });

  test('same seed → byte-identical files; the CLI writes a dataset; another seed differs', async () => {
    const again = join(tmp, 'again');
    await simulateDataset({ outDir: again, seed: 1 });
    assert.deepEqual(hashes(again), hashes(dir));
    rmSync(again, { recursive: true, force: true });
    // The CLI on a 2-contig genome: twice with seed 5, once with seed 6.
    const out = (name: string): string => join(tmp, name);
    const simulate = commands.find((c) => c.name === 'simulate')!;
    let printed = '';
    const ctx = { signal: new AbortController().signal, progress: () => undefined, out: (t: string) => { printed += t; } };
    for (const [name, seed] of [['s5a', 5], ['s5b', 5], ['s6', 6]] as const) {
      assert.equal(await simulate.run(['--out', out(name), '--seed', String(seed), '--contigs', '2'], ctx), 0);
    }
    assert.equal((JSON.parse(printed.slice(0, printed.indexOf('\n}\n') + 2)) as { contigs: number }).contigs, 2);
    await assert.rejects(simulate.run(['--out', out('bad'), '--seed', '1.5'], ctx), /--seed must be an integer/);
    execFileSync('samtools', ['quickcheck', '-v', join(out('s5a'), 'HG001-sim.bam')]);
    assert.deepEqual(hashes(out('s5a')), hashes(out('s5b')));
    const a = hashes(out('s5a'));
    const c = hashes(out('s6'));
    for (const f of ['reference.fa', 'HG001-sim.bam', 'HG002-sim.truth.vcf.gz']) assert.notEqual(a.get(f), c.get(f), f);
  });
});
