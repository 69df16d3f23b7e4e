/**
 * Sorting and filtering a table view (src/core/table/vcfTableColumns.ts through the table's
 * worker, vcfTableWorkerClient.ts) against bcftools and coreutils on a generated,
 * bgzipped + tabix-indexed VCF with the awkward cases: QUAL '.', multi-allelic and mixed
 * sites, gVCF <*> blocks with INFO/END, FILTER '.' and 'LowQual;RefCall', phased and missing
 * genotypes, FORMAT orders that differ between lines, missing sample values.
 * Expected rows always come from `bcftools view/query` or `sort`, never from our code.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTableJobs, type TableJobRunner } from '../../../src/core/table/vcfTableWorkerClient';
import { lineContains, sortRowsByKey } from '../../../src/core/table/vcfTableColumns';
import { parseFilterText } from '../../../src/protocol/filterText';
import type { FilterSpec, SortSpec } from '../../../src/protocol/protocol';
import { TEST_CACHE } from '../../helpers/paths';

const DIR = join(TEST_CACHE, 'vcfTableColumns');
const VCF = join(DIR, 'cases.vcf.gz');
const N = 3000;

/** xorshift32, seeded. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

function writeCases(): void {
  mkdirSync(DIR, { recursive: true });
  const r = rng(7);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  const lines = [
    '##fileformat=VCFv4.2',
    '##FILTER=<ID=PASS,Description="All filters passed">',
    '##FILTER=<ID=RefCall,Description="ref">',
    '##FILTER=<ID=LowQual,Description="low">',
    '##INFO=<ID=END,Number=1,Type=Integer,Description="End">',
    '##INFO=<ID=XEND,Number=1,Type=Integer,Description="Not END">',
    '##INFO=<ID=DB,Number=0,Type=Flag,Description="dbSNP">',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="GQ">',
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="DP">',
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="AD">',
    '##FORMAT=<ID=VAF,Number=A,Type=Float,Description="VAF">',
    '##contig=<ID=chr1,length=10000000>', '##contig=<ID=chr2,length=10000000>', '##contig=<ID=chrX,length=10000000>',
    ['#CHROM', 'POS', 'ID', 'REF', 'ALT', 'QUAL', 'FILTER', 'INFO', 'FORMAT', 'S1', 'S2'].join('\t'),
  ];
  const contigs = ['chr1', 'chr2', 'chrX'];
  let pos = 0;
  for (let i = 0; i < N; i++) {
    const chrom = contigs[Math.floor((i * contigs.length) / N)]!;
    if (i % (N / 3) === 0) pos = 100;
    const kind = r();
    let ref = pick(['A', 'C', 'G', 'T']);
    let alt: string;
    let info = pick(['.', '.', 'DB', 'XEND=99999999']);
    let step = 1 + Math.floor(r() * 300);
    if (kind < 0.5) alt = pick(['C', 'G', 'T', 'A'].filter((b) => b !== ref));
    else if (kind < 0.65) alt = ref + 'TT';
    else if (kind < 0.72) { ref = ref + 'GA'; alt = ref[0]!; }
    else if (kind < 0.8) alt = `${pick(['C', 'G'].filter((b) => b !== ref).concat('T'))},${ref}A`; // mixed SNP + indel
    else if (kind < 0.86) alt = `${pick(['C', 'G', 'T'].filter((b) => b !== ref))},<*>`; // SNP + symbolic
    else if (kind < 0.95) {
      alt = '<*>'; // gVCF reference block: END spans the next records' positions
      const end = pos + 50 + Math.floor(r() * 400);
      info = `END=${end}`;
      step = 1 + Math.floor(r() * 200);
    } else alt = '.';
    const qual = r() < 0.08 ? '.' : (r() * 80).toFixed(1);
    const filter = pick(['PASS', 'PASS', 'PASS', 'RefCall', 'LowQual', 'LowQual;RefCall', '.']);
    const sample = (): string[] => {
      // Haploid GTs too, one first: '1' is a prefix of '1/1' (the in-place GT comparison must check lengths).
      const drawn = pick(['0/0', '0/1', '1/1', '0|1', '1|1', './.', '1/2', '1', '0']);
      const gt = i === 0 ? '1' : drawn;
      const gq = r() < 0.1 ? '.' : String(Math.floor(r() * 99));
      const dp = String(5 + Math.floor(r() * 60));
      return [gt, gq, dp, `${dp},0`, r() < 0.1 ? '.' : (r() * 1).toFixed(3)];
    };
    // Two FORMAT orders, to check that keys are found per line.
    const s1 = sample();
    const s2 = sample();
    const order = r() < 0.5 ? [0, 1, 2, 3, 4] : [0, 2, 1, 4, 3];
    const fmt = order.map((k) => ['GT', 'GQ', 'DP', 'AD', 'VAF'][k]).join(':');
    const col = (s: string[]): string => order.map((k) => s[k]).join(':');
    lines.push([chrom, String(pos), r() < 0.2 ? `rs${Math.floor(r() * 1e6)}` : '.', ref, alt, qual, filter, info, fmt, col(s1), col(s2)].join('\t'));
    pos += step;
  }
  writeFileSync(join(DIR, 'cases.vcf'), lines.join('\n') + '\n');
  const z = spawnSync('sh', ['-c', `bgzip -c '${join(DIR, 'cases.vcf')}' > '${VCF}' && tabix -f -p vcf '${VCF}'`], { encoding: 'utf8' });
  assert.equal(z.status, 0, z.stderr);
}

function sh(cmd: string): string {
  const r = spawnSync('sh', ['-c', cmd], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, `${cmd}: ${r.stderr}`);
  return r.stdout;
}

/** File rows (0-based) in the order bcftools/sort print them, keyed by CHROM:POS (unique per contig here). */
let rowOf: Map<string, number>;
function rowsOf(keysText: string): number[] {
  return keysText.split('\n').filter((l) => l !== '').map((k) => {
    const r = rowOf.get(k);
    assert.ok(r !== undefined, `bcftools printed unknown site ${k}`);
    return r;
  });
}

let jobs: TableJobRunner;
async function view(sort: SortSpec | undefined, filter: FilterSpec | undefined): Promise<number[]> {
  const rows = await jobs.view(sort, filter);
  return rows ? Array.from(rows) : Array.from({ length: N }, (_, i) => i);
}

before(async () => {
  writeCases();
  rowOf = new Map(sh(`bcftools query -f '%CHROM:%POS\\n' '${VCF}'`).trim().split('\n').map((k, i) => [k, i]));
  assert.equal(rowOf.size, N);
  jobs = startTableJobs(VCF);
  const ix = await jobs.index(undefined);
  assert.equal(ix.offsets.length, N);
});

after(async () => {
  await jobs?.close();
});

test('jobs run in a worker thread', () => {
  assert.equal(jobs.kind, 'worker');
});

test('FILTER values (any entry listed; "." = missing) = bcftools view -f', async () => {
  assert.deepEqual(await view(undefined, { filters: ['PASS', 'LowQual'] }), rowsOf(sh(`bcftools view -f PASS,LowQual '${VCF}' | bcftools query -f '%CHROM:%POS\\n'`)));
  assert.deepEqual(await view(undefined, { filters: ['.', 'RefCall'] }), rowsOf(sh(`bcftools view -f .,RefCall '${VCF}' | bcftools query -f '%CHROM:%POS\\n'`)));
});

test('QUAL range (missing never passes) = bcftools -i QUAL', async () => {
  assert.deepEqual(await view(undefined, { qualMin: 20, qualMax: 40.5 }), rowsOf(sh(`bcftools query -i 'QUAL>=20 && QUAL<=40.5' -f '%CHROM:%POS\\n' '${VCF}'`)));
  assert.deepEqual(await view(undefined, { qualMin: 70 }), rowsOf(sh(`bcftools query -i 'QUAL>=70' -f '%CHROM:%POS\\n' '${VCF}'`)));
});

test('SNP and REF kinds = bcftools TYPE="snp" / TYPE="ref" (symbolic alleles ignored, mixed sites are not SNPs)', async () => {
  assert.deepEqual(await view(undefined, { kinds: ['SNP'] }), rowsOf(sh(`bcftools query -i 'TYPE="snp"' -f '%CHROM:%POS\\n' '${VCF}'`)));
  assert.deepEqual(await view(undefined, { kinds: ['REF'] }), rowsOf(sh(`bcftools query -i 'TYPE="ref"' -f '%CHROM:%POS\\n' '${VCF}'`)));
});

test('region (overlap, INFO/END aware, 1-based inclusive) = bcftools view -r', async () => {
  for (const region of ['chr2:20000-90000', 'chr1:1000-1000', 'chrX']) {
    assert.deepEqual(await view(undefined, { region }), rowsOf(sh(`bcftools query -r ${region} -f '%CHROM:%POS\\n' '${VCF}'`)), region);
  }
  // Alias: "2" names chr2.
  assert.deepEqual(await view(undefined, { region: '2:20000-90000' }), rowsOf(sh(`bcftools query -r chr2:20000-90000 -f '%CHROM:%POS\\n' '${VCF}'`)));
  await assert.rejects(jobs.view(undefined, { region: 'chr1:x-y' }), (e: Error & { code?: string }) => e.code === 'region-invalid');
});

test('genotype of sample 2, phase-insensitive = bcftools GT="1/1" or GT="1|1"', async () => {
  assert.deepEqual(await view(undefined, { genotypes: ['1/1'], sample: 1 }), rowsOf(sh(`bcftools query -i 'GT[1]="1/1" || GT[1]="1|1"' -f '%CHROM:%POS\\n' '${VCF}'`)));
});

test('text (case-insensitive, whole line) = grep -i; combined filters AND', async () => {
  assert.deepEqual(await view(undefined, { text: 'Rs1' }), rowsOf(sh(`zcat '${VCF}' | grep -v '^#' | grep -i rs1 | cut -f1,2 | tr '\\t' ':'`)));
  const expected = rowsOf(sh(`bcftools view -f PASS -i 'TYPE="snp" && QUAL>=30' '${VCF}' | grep -v '^#' | grep -i db | cut -f1,2 | tr '\\t' ':'`));
  assert.deepEqual(await view(undefined, { filters: ['PASS'], kinds: ['SNP'], qualMin: 30, text: 'DB' }), expected);
});

test('a region restricts the other filters to its contig: region + kinds + text = bcftools -r | grep -i', async () => {
  const expected = rowsOf(sh(`bcftools view -H -r chr2:20000-90000 -i 'TYPE="snp"' '${VCF}' | grep -i db | cut -f1,2 | tr '\\t' ':'`));
  assert.ok(expected.length > 0, 'the case keeps some rows');
  assert.deepEqual(await view(undefined, { region: 'chr2:20000-90000', kinds: ['SNP'], text: 'db' }), expected);
});

test('the text test = line.toLowerCase().includes(needle), also on non-ASCII lines', () => {
  const lines = ['chr1\t5\trs1\tA\tG', 'CHR1\tDB=1', 'dB;x', 'K\u212Aelvin', '\u212A', 'İd', 'straße', 'STRASSE', 'a.b', 'a+b', 'AxB', '[x]', 'ΣΑΣ', 'σας', ''];
  for (const needle of ['db', 'k', 'i', 'a.b', 'a+b', '[x]', 'ss', 'σας', 'i\u0307d', 'chr1\t5']) {
    const fast = lineContains(needle);
    for (const line of lines) assert.equal(fast(line), line.toLowerCase().includes(needle), `${JSON.stringify(needle)} in ${JSON.stringify(line)}`);
  }
});

test('GQ / DP / VAF terms of the filter box (missing passes only !=) = bcftools -i FMT/..[sample]', async () => {
  const q = (expr: string): number[] => rowsOf(sh(`bcftools query -i '${expr}' -f '%CHROM:%POS\\n' '${VCF}'`));
  const parsed = (text: string): FilterSpec => {
    const p = parseFilterText(text);
    assert.ok(p.ok, text);
    return p.filter;
  };
  const gq = await view(undefined, parsed('GQ<20'));
  assert.ok(gq.length > 50 && gq.length < N - 50, `GQ<20 keeps ${gq.length} of ${N}: not a trivial case`);
  assert.deepEqual(gq, q('FMT/GQ[0]<20'));
  assert.deepEqual(await view(undefined, parsed('dp>=30')), q('FMT/DP[0]>=30'));
  assert.deepEqual(await view(undefined, parsed('VAF>0.3')), q('FMT/VAF[0:0]>0.3'));
  assert.deepEqual(await view(undefined, parsed('GQ!=0 DP<=40')), q('FMT/GQ[0]!=0 && FMT/DP[0]<=40'));
  // FILTER values are matched case-insensitively: `filter=pass` is FILTER=PASS.
  assert.deepEqual(await view(undefined, parsed('filter=pass')), rowsOf(sh(`bcftools view -f PASS '${VCF}' | bcftools query -f '%CHROM:%POS\\n'`)));
});

/** Rows sorted by coreutils `sort -s -g` on a bcftools query column; '.' rows last in file order. */
function sortedBy(query: string, descending: boolean): number[] {
  const text = sh(`bcftools query -f '%CHROM:%POS\\t${query}\\n' '${VCF}' | awk -F'\\t' '$2 != "."' | LC_ALL=C sort -s -t'\t' -k2,2g${descending ? 'r' : ''} | cut -f1`);
  const missing = sh(`bcftools query -f '%CHROM:%POS\\t${query}\\n' '${VCF}' | awk -F'\\t' '$2 == "."' | cut -f1`);
  return [...rowsOf(text), ...rowsOf(missing)];
}

test('sort by QUAL, both directions: stable, missing last = sort -s -g', async () => {
  assert.deepEqual(await view({ column: 'qual', descending: false }, undefined), sortedBy('%QUAL', false));
  assert.deepEqual(await view({ column: 'qual', descending: true }, undefined), sortedBy('%QUAL', true));
});

test('sort by GQ of sample 2 (missing last), and a sorted filtered view', async () => {
  assert.deepEqual(await view({ column: 'gq:1', descending: true }, undefined), expectedGq());
  const pass = new Set(rowsOf(sh(`bcftools view -f PASS '${VCF}' | bcftools query -f '%CHROM:%POS\\n'`)));
  assert.deepEqual(await view({ column: 'qual', descending: false }, { filters: ['PASS'] }), sortedBy('%QUAL', false).filter((r) => pass.has(r)));
});

/** GQ of the second sample: the query prints both samples' GQ; keep the second. */
function expectedGq(): number[] {
  const text = sh(`bcftools query -f '%CHROM:%POS\\t[%GQ\\t]\\n' '${VCF}' | awk -F'\\t' '$3 != "." {print $1"\\t"$3}' | LC_ALL=C sort -s -t'\t' -k2,2gr | cut -f1`);
  const missing = sh(`bcftools query -f '%CHROM:%POS\\t[%GQ\\t]\\n' '${VCF}' | awk -F'\\t' '$3 == "." {print $1}'`);
  return [...rowsOf(text), ...rowsOf(missing)];
}

test('sort by REF (byte order, stable) = sort -s', async () => {
  const text = sh(`bcftools query -f '%CHROM:%POS\\t%REF\\n' '${VCF}' | LC_ALL=C sort -s -t'\t' -k2,2 | cut -f1`);
  assert.deepEqual(await view({ column: 'ref', descending: false }, undefined), rowsOf(text));
});

test('in process (no worker) gives the same views', async () => {
  const prev = process.env['VARIANT_LENS_TABLE_WORKER'];
  process.env['VARIANT_LENS_TABLE_WORKER'] = 'in-process';
  const local = startTableJobs(VCF);
  if (prev === undefined) delete process.env['VARIANT_LENS_TABLE_WORKER'];
  else process.env['VARIANT_LENS_TABLE_WORKER'] = prev;
  try {
    assert.equal(local.kind, 'in-process');
    const ix = await local.index(undefined);
    assert.equal(ix.offsets.length, N);
    for (const [sort, filter] of [[{ column: 'qual', descending: true }, undefined], [undefined, { genotypes: ['0/1'], region: 'chr1' }]] as const) {
      assert.deepEqual(Array.from((await local.view(sort, filter))!), await view(sort, filter));
    }
  } finally {
    await local.close();
  }
});

test('cancel: the call rejects with cancelled at once, and the worker serves the next view', async () => {
  const ac = new AbortController();
  const p = jobs.view({ column: 'vaf:0', descending: true }, { text: 'chr' }, ac.signal);
  ac.abort();
  await assert.rejects(p, (e: Error & { code?: string }) => e.code === 'cancelled');
  assert.deepEqual(await view({ column: 'qual', descending: true }, undefined), sortedBy('%QUAL', true));
});

test('a malformed QUAL fails the view with the line number', async () => {
  const bad = join(DIR, 'bad.vcf');
  writeFileSync(bad, '##fileformat=VCFv4.2\n##contig=<ID=chr1>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\nchr1\t5\t.\tA\tG\t10\tPASS\t.\nchr1\t9\t.\tA\tG\tten\tPASS\t.\n');
  const j = startTableJobs(bad);
  try {
    await j.index(undefined);
    await assert.rejects(j.view({ column: 'qual', descending: false }, undefined), (e: Error & { code?: string }) => e.code === 'malformed-vcf' && /line 5/.test(e.message) && e.message.includes(bad));
  } finally {
    await j.close();
  }
});

test('radix sort = a stable comparator sort (NaN last, -0 = +0, ±Infinity, negatives, ties)', async () => {
  const r = rng(11);
  const pool = [NaN, -0, 0, Infinity, -Infinity, -1.5, 1.5, 3, 3, 1e300, -1e-300, 2 ** 40 + 0.5];
  const n = 20_000;
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = r() < 0.5 ? pool[Math.floor(r() * pool.length)]! : Math.round((r() - 0.5) * 1e6) / 100;
  const rows = Uint32Array.from({ length: n }, (_, i) => n - 1 - i);
  for (const descending of [false, true]) {
    const expected = Array.from({ length: n }, (_, i) => i).sort((a, b) => {
      const ka = keys[a]!;
      const kb = keys[b]!;
      if (Number.isNaN(ka) || Number.isNaN(kb)) return Number.isNaN(ka) ? (Number.isNaN(kb) ? 0 : 1) : -1;
      return descending ? kb - ka : ka - kb;
    }).map((i) => rows[i]!);
    assert.deepEqual(Array.from(await sortRowsByKey(rows, keys, descending)), expected, descending ? 'descending' : 'ascending');
  }
});
