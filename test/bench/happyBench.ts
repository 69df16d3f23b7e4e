/**
 * `npm run bench:happy` — `diff --truth A --ref` (haplotype matching, hap.py outputs) next
 * to `bcftools isec -p` on the same two VCFs, in the same run, by CPU time.
 *
 * Inputs (seeded, cached in .cache/bench/happy-v3-N/): a random reference, a truth VCF of N
 * records drawn from it (SNPs, insertions, deletions) and a query derived from the truth
 * where ≥ 2 % of the sites are written differently but spell the same haplotypes:
 * - an MNP in the truth, its SNPs in the query (and the reverse);
 * - a complex record (first base changed, next bases deleted) vs deletion + SNP;
 * - clusters: three SNPs within 5 bp in both files, with one of them missing in the query.
 * Plus 1 % truth-only and 1 % query-only SNPs. Expected counts come from the construction.
 *
 * The measured command is `diff --truth A --ref --no-features`: haplotype matching and the
 * hap.py outputs (issue #17's aim). `--ref` also turns the site features on by default
 * (docs/decisions/0016-site-features.md, their own cost); HAPPY_BENCH_FEATURES=1 times that
 * default command too, in the same run.
 *
 * Env: HAPPY_BENCH_RECORDS (default 5,000,000), HAPPY_BENCH_FEATURES (default off),
 * HAPPY_BENCH_ROUNDS (default 3: the commands in turn, best CPU time of each and every round's ratio).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../helpers/paths';
import { Sink, rng } from './benchWrite';

const RECORDS = Number(process.env.HAPPY_BENCH_RECORDS ?? 5_000_000);
const DIR = join(PROJECT_ROOT, '.cache', 'bench', `happy-v3-${RECORDS}`);
const CONTIGS = 5;

interface Expected {
  records: number;
  snpTruth: number; snpTp: number; indelTruth: number; indelTp: number;
  queryFpSnp: number; mnp: number; complex: number; cluster: number; onlyTruth: number; onlyQuery: number;
}

function pipeTo(cmd: string): { sink: Sink; done: Promise<void> } {
  const child = spawn('sh', ['-c', cmd], { stdio: ['pipe', 'inherit', 'inherit'] });
  const done = new Promise<void>((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}`)))));
  return { sink: new Sink(child.stdin), done };
}

const BASES = 'ACGT';

async function generate(): Promise<Expected> {
  mkdirSync(DIR, { recursive: true });
  const r = rng(0xbe7c4);
  const perContig = Math.ceil(RECORDS / CONTIGS);
  const length = perContig * 40 + 2000;
  // Reference: random bases (no long repeats, so left-alignment rarely moves anything).
  // A plain FASTA (as GIAB references are usually used), indexed with samtools faidx below.
  const fa = pipeTo(`cat > '${join(DIR, 'ref.fa')}'`);
  const seqs: string[] = [];
  for (let c = 0; c < CONTIGS; c++) {
    const arr = new Uint8Array(length);
    for (let i = 0; i < length; i++) arr[i] = BASES.charCodeAt(Math.floor(r() * 4));
    const seq = Buffer.from(arr).toString('latin1');
    seqs.push(seq);
    await fa.sink.push(`>chr${c + 1}`);
    for (let i = 0; i < length; i += 60) await fa.sink.push(seq.slice(i, i + 60));
  }
  await fa.sink.end();
  await fa.done;
  const header = [
    '##fileformat=VCFv4.2',
    '##FILTER=<ID=PASS,Description="All filters passed">',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Conditional genotype quality">',
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">',
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
    '##FORMAT=<ID=VAF,Number=A,Type=Float,Description="Variant allele fractions">',
    '##FORMAT=<ID=PL,Number=G,Type=Integer,Description="Phred-scaled genotype likelihoods">',
    ...seqs.map((_s, c) => `##contig=<ID=chr${c + 1},length=${length}>`),
    '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tSAMPLE',
  ].join('\n');
  const t = pipeTo(`bgzip -c > '${join(DIR, 'truth.vcf.gz')}'`);
  const q = pipeTo(`bgzip -c > '${join(DIR, 'query.vcf.gz')}'`);
  await t.sink.push(header);
  await q.sink.push(header);
  const e: Expected = { records: RECORDS, snpTruth: 0, snpTp: 0, indelTruth: 0, indelTp: 0, queryFpSnp: 0, mnp: 0, complex: 0, cluster: 0, onlyTruth: 0, onlyQuery: 0 };
  const other = (b: string): string => BASES[(BASES.indexOf(b) + 1 + Math.floor(r() * 3)) % 4]!;
  let n = 0;
  for (let c = 0; c < CONTIGS; c++) {
    const seq = seqs[c]!;
    const chr = `chr${c + 1}`;
    let pos = 1000;
    for (let i = 0; i < perContig && n < RECORDS; i++) {
      pos += 20 + Math.floor(r() * 40); // ≥ 20 apart: records never touch the next site
      const gt = r() < 0.4 ? '1/1' : '0/1';
      // DeepVariant-like sample columns (as in diffBench.ts): the same FORMAT bcftools has to parse there.
      const dp = 20 + Math.floor(r() * 40);
      const altReads = gt === '1/1' ? dp : Math.floor(dp / 2);
      const qual = (10 + Math.floor(r() * 600) / 10).toFixed(1);
      const line = (p: number, ref: string, alt: string, g = gt): string =>
        `${chr}\t${p}\t.\t${ref}\t${alt}\t${qual}\tPASS\t.\tGT:GQ:DP:AD:VAF:PL\t${g}:${qual.split('.')[0]!}:${dp}:${dp - altReads},${altReads}:${(altReads / dp).toFixed(6)}:${g === '1/1' ? '40,45,0' : '35,0,40'}`;
      const at = (p: number, len: number): string => seq.slice(p - 1, p - 1 + len);
      const u = r();
      if (u < 0.012) { // MNP (2 bp) in the truth, two SNPs in the query
        const ref = at(pos, 2);
        const alt = other(ref[0]!) + other(ref[1]!);
        await t.sink.push(line(pos, ref, alt));
        await q.sink.push(line(pos, ref[0]!, alt[0]!));
        await q.sink.push(line(pos + 1, ref[1]!, alt[1]!));
        e.mnp++; e.snpTruth += 2; e.snpTp += 2; n += 2;
      } else if (u < 0.026) { // complex in the truth, deletion + SNP in the query
        const ref = at(pos, 3);
        const sub = other(ref[0]!);
        // Skip when left-alignment could move the deletion (its last base equals the base before it).
        if (ref[2] === at(pos - 1, 1) || ref[2] === ref[0] || sub === ref[2]) { pos += 3; i--; continue; }
        await t.sink.push(line(pos, ref, sub));
        await q.sink.push(line(pos, ref, ref[0]!));
        await q.sink.push(line(pos, ref[0]!, sub));
        e.complex++; e.indelTruth++; e.indelTp++; n += 2;
      } else if (u < 0.032) { // cluster: SNPs at pos, pos+2, pos+4; the query misses the middle one
        const snps = [0, 2, 4].map((d) => [pos + d, at(pos + d, 1)] as const).map(([p, b]) => [p, b, other(b)] as const);
        for (const [p, b, a] of snps) await t.sink.push(line(p, b, a));
        for (const [p, b, a] of [snps[0]!, snps[2]!]) await q.sink.push(line(p, b, a));
        e.cluster++; e.snpTruth += 3; e.snpTp += 2; n += 3;
      } else if (u < 0.042) { // truth only
        const b = at(pos, 1);
        await t.sink.push(line(pos, b, other(b)));
        e.onlyTruth++; e.snpTruth++; n++;
      } else if (u < 0.052) { // query only
        const b = at(pos, 1);
        await q.sink.push(line(pos, b, other(b)));
        e.onlyQuery++; e.queryFpSnp++; n++;
      } else {
        const kind = r();
        let ref: string;
        let alt: string;
        if (kind < 0.85) { ref = at(pos, 1); alt = other(ref); } else if (kind < 0.925) {
          ref = at(pos, 1);
          let ins = '';
          for (let k = 1 + Math.floor(r() * 5); k > 0; k--) ins += BASES[Math.floor(r() * 4)];
          alt = ref + ins;
        } else { ref = at(pos, 2 + Math.floor(r() * 5)); alt = ref[0]!; }
        await t.sink.push(line(pos, ref, alt));
        await q.sink.push(line(pos, ref, alt));
        if (ref.length === alt.length) { e.snpTruth++; e.snpTp++; } else { e.indelTruth++; e.indelTp++; }
        n++;
      }
    }
  }
  for (const x of [t, q]) { await x.sink.end(); await x.done; }
  return e;
}

interface Timed { wallS: number; cpuS: number; maxRssMb: number; stdout: string }

function timed(cmd: string, args: string[]): Timed {
  const res = spawnSync('/usr/bin/time', ['-v', cmd, ...args], { cwd: PROJECT_ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${res.status}):\n${res.stderr.slice(-2000)}`);
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(res.stderr);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(res.stderr);
  const user = /User time \(seconds\): ([\d.]+)/.exec(res.stderr);
  const sys = /System time \(seconds\): ([\d.]+)/.exec(res.stderr);
  return { wallS: Number(wall?.[1] ?? 0) * 3600 + Number(wall?.[2]) * 60 + Number(wall?.[3]), cpuS: Number(user?.[1]) + Number(sys?.[1]), maxRssMb: Number(rss?.[1]) / 1024, stdout: res.stdout };
}

async function main(): Promise<void> {
  const expPath = join(DIR, 'expected.json');
  let exp: Expected;
  if (existsSync(expPath)) exp = JSON.parse(readFileSync(expPath, 'utf8')) as Expected;
  else {
    console.log(`generating ${RECORDS} truth records into ${DIR} …`);
    exp = await generate();
    for (const f of ['truth.vcf.gz', 'query.vcf.gz']) if (spawnSync('tabix', ['-f', '-p', 'vcf', join(DIR, f)]).status !== 0) throw new Error(`tabix ${f}`);
    if (spawnSync('samtools', ['faidx', join(DIR, 'ref.fa')]).status !== 0) throw new Error('samtools faidx');
    writeFileSync(expPath, JSON.stringify(exp, null, 2));
  }
  const truth = join(DIR, 'truth.vcf.gz');
  const query = join(DIR, 'query.vcf.gz');
  const cli = existsSync(join(PROJECT_ROOT, 'dist', 'cli.js')) ? ['dist/cli.js'] : ['--import', 'tsx', 'src/cli/main.ts'];
  // HAPPY_BENCH_ROUNDS=N (default 3): isec, ours (and with features) in turn, N times; the
  // figures below are each command's best CPU time and the ratio of bests, beside every round's
  // own ratio (one command's CPU time moves by ±20 % between runs on a shared machine).
  const rounds = Math.max(1, Number(process.env.HAPPY_BENCH_ROUNDS ?? 3));
  const runs: { isec: Timed; ours: Timed; withFeatures?: Timed }[] = [];
  const load = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  for (let round = 1; round <= rounds; round++) {
    const loadBefore = load();
    const isecRun = timed('bcftools', ['isec', '-c', 'none', '-p', join(DIR, 'isec'), truth, query]);
    const oursRun = timed(process.execPath, [...cli, 'diff', truth, query, '--truth', 'A', '--ref', join(DIR, 'ref.fa'), '--no-features', '--out', join(DIR, 'ours')]);
    const featuresRun = process.env.HAPPY_BENCH_FEATURES === '1'
      ? timed(process.execPath, [...cli, 'diff', truth, query, '--truth', 'A', '--ref', join(DIR, 'ref.fa'), '--out', join(DIR, 'ours-features')])
      : undefined;
    runs.push({ isec: isecRun, ours: oursRun, withFeatures: featuresRun });
    const extra = featuresRun ? `, with features ${featuresRun.cpuS.toFixed(2)} s (${(featuresRun.cpuS / isecRun.cpuS).toFixed(2)}×)` : '';
    console.log(`round ${round}: isec ${isecRun.cpuS.toFixed(2)} s CPU, ours ${oursRun.cpuS.toFixed(2)} s (${(oursRun.cpuS / isecRun.cpuS).toFixed(2)}×)${extra}; load ${loadBefore} → ${load()}`);
  }
  const best = (pick: (r: (typeof runs)[number]) => Timed | undefined): Timed | undefined =>
    runs.map(pick).filter((t): t is Timed => t !== undefined).reduce<Timed | undefined>((b, t) => (b === undefined || t.cpuS < b.cpuS ? t : b), undefined);
  const isec = best((r) => r.isec)!;
  const ours = best((r) => r.ours)!;
  const withFeatures = best((r) => r.withFeatures);
  const roundRatios = runs.map((r) => r.ours.cpuS / r.isec.cpuS).sort((a, b) => a - b);
  const csv = readFileSync(join(DIR, 'ours.summary.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
  const get = (type: string, col: string): number => Number(csv.find((r) => r[0] === type && r[1] === 'ALL')![csv[0]!.indexOf(col)]);
  const summary = JSON.parse(readFileSync(join(DIR, 'ours.summary.json'), 'utf8')) as {
    haplotypes: { superloci: number; replayed: number; tooBig: number };
    happy: { stats: { assessed: number; replayed: number; tooBig: number; haplotypeMatches: number } };
  };
  const got = { snpTruth: get('SNP', 'TRUTH.TOTAL'), snpTp: get('SNP', 'TRUTH.TP'), indelTruth: get('INDEL', 'TRUTH.TOTAL'), indelTp: get('INDEL', 'TRUTH.TP'), queryFpSnp: get('SNP', 'QUERY.FP') };
  const want = { snpTruth: exp.snpTruth, snpTp: exp.snpTp, indelTruth: exp.indelTruth, indelTp: exp.indelTp, queryFpSnp: exp.queryFpSnp };
  const planted = exp.mnp + exp.complex + exp.cluster;
  console.log(`truth records ≈ ${RECORDS}; representation differences planted at ${planted} sites (${((100 * planted) / RECORDS).toFixed(2)} %): ${exp.mnp} MNP vs SNPs, ${exp.complex} complex vs deletion + SNP, ${exp.cluster} clusters`);
  console.log(`best of ${rounds} round(s), CPU time each:`);
  console.log(`bcftools isec -p        : ${isec.wallS.toFixed(2)} s wall, ${isec.cpuS.toFixed(2)} s CPU, ${isec.maxRssMb.toFixed(0)} MB`);
  console.log(`diff --truth A --ref --no-features: ${ours.wallS.toFixed(2)} s wall, ${ours.cpuS.toFixed(2)} s CPU, ${ours.maxRssMb.toFixed(0)} MB`);
  console.log(`CPU ratio (ours / isec) : ${(ours.cpuS / isec.cpuS).toFixed(2)} (ratio of bests; aim ≤ 1.20); per round ${roundRatios.map((x) => x.toFixed(2)).join(', ')}, median ${((roundRatios[Math.floor((roundRatios.length - 1) / 2)]! + roundRatios[Math.floor(roundRatios.length / 2)]!) / 2).toFixed(2)}`);
  if (withFeatures) {
    console.log(`diff --truth A --ref (site features on, the default): ${withFeatures.wallS.toFixed(2)} s wall, ${withFeatures.cpuS.toFixed(2)} s CPU, ${withFeatures.maxRssMb.toFixed(0)} MB`);
    console.log(`CPU ratio with features : ${(withFeatures.cpuS / isec.cpuS).toFixed(2)}`);
  }
  const h = summary.happy.stats;
  console.log(`truth superloci with calls: ${h.assessed}, replayed ${h.replayed} (${((100 * h.replayed) / h.assessed).toFixed(2)} %), matched as haplotypes ${h.haplotypeMatches}, too big ${h.tooBig}`);
  const s = summary.haplotypes;
  console.log(`A-vs-B stage: ${s.superloci} superloci, ${s.replayed} replayed for same-haplotypes (${((100 * s.replayed) / s.superloci).toFixed(2)} %)`);
  console.log(`summary.csv: ${JSON.stringify(got)}\nexpected:    ${JSON.stringify(want)}`);
  const ok = JSON.stringify(got) === JSON.stringify(want);
  console.log(ok ? 'counts: OK' : 'counts: MISMATCH');
  if (!ok) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
