/**
 * The diff engine against `bcftools norm` + `bcftools isec` on the same inputs.
 *
 * How the comparison is made honest: `bcftools isec` compares records (REF/ALT) whatever
 * their genotype, so a DeepVariant RefCall record (GT 0/0 or ./.) counts as "present" for
 * it. Our only-A / only-B / shared counts are about *called* alleles (the GT carries the
 * allele; docs/decisions/0006-diff-matching.md). So both inputs are first normalized with
 * `bcftools norm -m -any -f ref` (split, trim, left-align — which also projects "1/2" onto
 * each split allele as 1/0 and 0/1), then `bcftools isec -c none -i 'GT="alt"'` keeps, in
 * each file, only records whose (projected) GT carries an ALT. isec's private-to-A,
 * private-to-B and shared record counts must then equal our only-A, only-B and
 * called-on-both counts, computed from the *raw* (unnormalized) files plus the reference.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { diffVcfs } from '../../../src/core/diff/vcfDiff';
import type { DiffSite } from '../../../src/core/diff/diffClasses';
import type { DiffSummary } from '../../../src/core/diff/diffSummary';
import { openReference } from '../../../src/core/io/fasta/fastaReader';
import { openVcf } from '../../../src/core/io/vcf/vcfReader';
import { TEST_CACHE, dv, sharedTest } from '../../helpers/paths';

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Records in a VCF written by bcftools isec -p (header lines excluded). */
function countRecords(path: string): number {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
}

interface IsecCounts { onlyA: number; onlyB: number; shared: number }

/** bcftools norm -m -any -f ref on both, then isec restricted to GT="alt" records. */
function bcftoolsIsec(dir: string, ref: string, a: string, b: string, filter: string | undefined): IsecCounts {
  const norm = (input: string, out: string): string => {
    run('bcftools', ['norm', '-m', '-any', '-f', ref, '-Oz', '-o', out, input]);
    run('tabix', ['-f', '-p', 'vcf', out]);
    return out;
  };
  const na = norm(a, join(dir, 'a.norm.vcf.gz'));
  const nb = norm(b, join(dir, 'b.norm.vcf.gz'));
  const isecDir = join(dir, 'isec');
  rmSync(isecDir, { recursive: true, force: true });
  run('bcftools', ['isec', '-c', 'none', ...(filter ? ['-i', filter] : []), '-p', isecDir, na, nb]);
  // 0000: private to A, 0001: private to B, 0002: A's records shared with B.
  return { onlyA: countRecords(join(isecDir, '0000.vcf')), onlyB: countRecords(join(isecDir, '0001.vcf')), shared: countRecords(join(isecDir, '0002.vcf')) };
}

function ours(s: DiffSummary): IsecCounts {
  return { onlyA: s.classes['only-A'].total, onlyB: s.classes['only-B'].total, shared: s.sharedCalled };
}

function bgzipCopy(src: string, out: string): string {
  run('sh', ['-c', `bcftools view -Oz -o '${out}' '${src}' && tabix -f -p vcf '${out}'`]);
  return out;
}

// A small reference with a homopolymer (A×8) and a dinucleotide repeat (CA×4), written by
// the test. 1-based positions: C at 10, A 11–18, TCGT 19–22, CACACACA 23–30, GTTCAGGTCA 31–40.
const REF_SEQ = 'GGCTAGCTAC' + 'AAAAAAAA' + 'TCGT' + 'CACACACA' + 'GTTCAGGTCA' + 'TTTTTGACGATCGGCATGCAGGCTTACCGATAGGCTTAGCAT';

const NORM_HEADER = [
  '##fileformat=VCFv4.2',
  `##contig=<ID=syn,length=${REF_SEQ.length}>`,
  '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
  '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS',
];

// A writes the indels right-shifted, padded and multi-allelic; B writes them split and
// left-aligned. The SNP at 45 is only in A (so the comparison is not all-or-nothing).
const A_NORM = [
  'syn 17 . AA A,AAA 50 PASS . GT 1/2', //   del A / ins A in the homopolymer, right end
  'syn 28 . ACA A 50 PASS . GT 0/1', //      del CA at the right end of the CA repeat
  'syn 32 . TTCA TCA 50 PASS . GT 1/1', //   del T with two bases of shared suffix
  'syn 38 . TC TG 50 PASS . GT 0/1', //      a SNP written as an MNP
  'syn 45 . T A 50 PASS . GT 0/1', //        only in A
];
const B_NORM = [
  'syn 10 . CA C 50 PASS . GT 0/1',
  'syn 10 . C CA 50 PASS . GT 0/1',
  'syn 22 . TCA T 50 PASS . GT 0/1',
  'syn 31 . GT G 50 PASS . GT 1/1',
  'syn 39 . C G 50 PASS . GT 0/1',
];

test('the same indels written differently are the same after normalization, as bcftools norm + isec say', async () => {
  const dir = join(TEST_CACHE, 'diff-norm');
  mkdirSync(dir, { recursive: true });
  const fasta = join(dir, 'syn.fa');
  writeFileSync(fasta, `>syn\n${REF_SEQ.match(/.{1,60}/g)!.join('\n')}\n`);
  run('samtools', ['faidx', fasta]);
  const write = (name: string, rows: string[]): string => {
    const p = join(dir, name);
    writeFileSync(p, [...NORM_HEADER, ...rows.map((r) => r.replace(/ +/g, '\t'))].join('\n') + '\n');
    return p;
  };
  const a = write('a.vcf', A_NORM);
  const b = write('b.vcf', B_NORM);
  const bc = bcftoolsIsec(dir, fasta, a, b, undefined);
  // What bcftools says: after norm, all five B alleles are shared and only A's SNP at 45 is private.
  assert.deepEqual(bc, { onlyA: 1, onlyB: 0, shared: 5 });

  const sites: DiffSite[] = [];
  const ref = await openReference(fasta);
  const summary = await diffVcfs(await openVcf(a), await openVcf(b), { reference: ref, includeSame: true, onSite: (s) => sites.push(s) });
  assert.deepEqual(ours(summary), bc);
  for (const s of sites.filter((x) => x.pos !== 45)) assert.deepEqual(s.classes, ['same'], `${s.pos} ${s.ref}>${s.alt}`);
  // Left-aligned positions are those bcftools norm writes (B's, which is already normal).
  assert.deepEqual(sites.map((s) => `${s.pos}:${s.ref}>${s.alt}`).sort(), ['10:C>CA', '10:CA>C', '22:TCA>T', '31:GT>G', '39:C>G', '45:T>A'].sort());

  // Without the reference, the right-shifted indels cannot be moved and do not match: the
  // test would catch an engine that ignored normalization.
  const raw = await diffVcfs(await openVcf(a), await openVcf(b), {});
  assert.ok(raw.classes['only-A'].total > 1);
});

sharedTest('DeepVariant golden VCF vs GIAB truth (chr20:10,000,000-10,010,000): only-A/only-B/shared equal bcftools isec', async () => {
  const dir = join(TEST_CACHE, 'diff-dv');
  mkdirSync(dir, { recursive: true });
  const ref = dv('ucsc.hg19.chr20.unittest.fasta.gz');
  const golden = bgzipCopy(dv('golden.postprocess_single_site_output.vcf'), join(dir, 'golden.vcf.gz'));
  const truth = join(dir, 'truth.vcf.gz');
  run('bcftools', ['view', '-r', 'chr20:10000000-10010000', '-Oz', '-o', truth, dv('test_nist.b37_chr20_100kbp_at_10mb.vcf.gz')]);
  run('tabix', ['-f', '-p', 'vcf', truth]);

  const bc = bcftoolsIsec(dir, ref, golden, truth, 'GT="alt"');
  const reference = await openReference(ref);
  const summary = await diffVcfs(await openVcf(golden), await openVcf(truth), { reference, truth: 'B' });
  assert.deepEqual(ours(summary), bc);
  // Sanity: the comparison is about real numbers (DeepVariant agrees with the truth at most sites).
  assert.ok(bc.shared > 50, `shared ${bc.shared}`);

  // What isec *cannot* see: the golden file's RefCall records. Without the GT filter isec
  // counts them as present; we report them as non-variant alleles, and a RefCall at a truth
  // variant as only-B + filter-change.
  const nonAlt = run('bcftools', ['view', '-H', '-e', 'GT="alt"', join(dir, 'a.norm.vcf.gz')]).split('\n').filter((l) => l !== '').length;
  assert.ok(nonAlt > 0);
  assert.equal(summary.a.nonVariantAlleles, nonAlt);
  const refCallAtTruth = bcftoolsIsec(dir, ref, golden, truth, undefined).shared - bc.shared;
  assert.equal(summary.classes['filter-change'].total, refCallAtTruth);
});
