/**
 * `variant-lens examples --params JSON` and `--model-card CARD`: training examples made with a
 * model's make_examples parameters. The site is chosen from `samtools mpileup` allele counts
 * (not from our allele counter): a SNP alt seen in ≥ 2 reads at a fraction between 0.04 and
 * 0.09, so DeepVariant's very-sensitive caller (docs/deepvariant.md §7.3: count ≥ vsc_min_count_snps and
 * count/total ≥ vsc_min_fraction_snps) makes a candidate with vsc_min_fraction_snps 0.02 and
 * none with 0.12 — the retrained vs default demo models' difference.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { CliContext } from '../../../src/cli/framework/command';
import { runExamples } from '../../../src/cli/commands/examples';
import { readExamples } from '../../../src/core/io/examples/examplesFile';
import { PROJECT_ROOT } from '../../helpers/paths';
import { ensureSimulatedDataset, readManifest } from '../../helpers/simData';

interface PileupSite {
  /** 1-based VCF POS. */
  readonly pos: number;
  readonly ref: string;
  readonly alt: string;
  readonly altCount: number;
  readonly depth: number;
}

function ctx(): CliContext {
  return { signal: new AbortController().signal, progress: () => undefined, out: () => undefined };
}

/**
 * SNP allele counts per position from `samtools mpileup` with DeepVariant's read filters:
 * -q = min_mapping_quality, -Q = min_base_quality (low-quality bases do not count,
 * docs/deepvariant.md §7.2), -B no BAQ, -x no mate-overlap trimming (both mates count), -A keep orphans.
 * Positions with an indel or a deletion are skipped (there the indel allele wins, §7.2).
 */
function pileupSites(bam: string, ref: string, region: string, minMapq: number, minBq: number): Map<number, PileupSite[]> {
  const out = execFileSync('samtools', ['mpileup', '-A', '-B', '-x', '-q', String(minMapq), '-Q', String(minBq), '-f', ref, '-r', region, bam],
    { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] });
  const sites = new Map<number, PileupSite[]>();
  for (const line of out.split('\n')) {
    if (!line) continue;
    const cols = line.split('\t');
    const pos = Number(cols[1]);
    const refBase = cols[2]!.toUpperCase();
    const raw = (cols[4] ?? '').replace(/\^./g, '').replace(/\$/g, '');
    if (/[-+*]/.test(raw)) continue;
    const counts = new Map<string, number>();
    let depth = 0;
    for (const c of raw) {
      const b = c === '.' || c === ',' ? refBase : c.toUpperCase();
      if (!'ACGT'.includes(b)) continue;
      depth++;
      if (b !== refBase) counts.set(b, (counts.get(b) ?? 0) + 1);
    }
    sites.set(pos, [...counts].map(([alt, altCount]) => ({ pos, ref: refBase, alt, altCount, depth })));
  }
  return sites;
}

const inRange = (s: PileupSite): boolean => s.altCount >= 2 && s.altCount / s.depth >= 0.04 && s.altCount / s.depth <= 0.09;

let bam = '';
let ref = '';
let site: PileupSite;
let tmp = '';

before(async () => {
  const dir = await ensureSimulatedDataset();
  const m = readManifest(dir);
  const sample = m.samples.find((s) => s.name === 'HG003-sim') ?? m.samples[0]!;
  bam = join(dir, sample.bam);
  ref = join(dir, m.reference.fasta);
  // In range both with the default filters (MAPQ 5, BQ 10) and the retrained card's (1, 5),
  // and the only non-ref allele at the position.
  const strict = pileupSites(bam, ref, 'chr1', 5, 10);
  const loose = pileupSites(bam, ref, 'chr1', 1, 5);
  const found = [...strict.values()].find((alts) => {
    const l = loose.get(alts[0]?.pos ?? -1);
    return alts.length === 1 && inRange(alts[0]!) && l?.length === 1 && l[0]!.alt === alts[0]!.alt && inRange(l[0]!);
  });
  assert.ok(found, 'samtools mpileup finds a low-fraction SNP on simulated chr1');
  site = found[0]!;
  tmp = mkdtempSync(join(tmpdir(), 'vl-examples-params-'));
});

after(() => { if (tmp) rmSync(tmp, { recursive: true, force: true }); });

/** Runs `examples` on a 101-bp window around the site; the alts of the examples at the site. */
async function altsAtSite(name: string, extra: string[]): Promise<string[]> {
  const out = join(tmp, `${name}.tfrecord.gz`);
  const region = `chr1:${site.pos - 50}-${site.pos + 50}`;
  assert.equal(await runExamples(['--reads', bam, '--ref', ref, '--regions', region, ...extra, '--out', out], ctx()), 0);
  const alts: string[] = [];
  for await (const r of readExamples(out)) {
    // variant.start is 0-based; the site's POS is 1-based.
    if (r.example.variant.referenceName === 'chr1' && r.example.variant.start === site.pos - 1) alts.push(...r.example.variant.alternateBases);
  }
  return alts;
}

test('--params: vsc_min_fraction_snps 0.02 makes the candidate samtools sees at a low fraction; 0.12 does not', async () => {
  const low = await altsAtSite('low', ['--params', '{"vsc_min_fraction_snps": 0.02}']);
  assert.deepEqual(low, [site.alt], `chr1:${site.pos} ${site.ref}>${site.alt} (${site.altCount}/${site.depth} reads in samtools mpileup)`);
  const high = await altsAtSite('high', ['--params', '{"vsc_min_fraction_snps": 0.12}']);
  assert.deepEqual(high, []);
});

test('--model-card: the retrained card (vsc_min_fraction_snps 0.02) keeps the candidate, the default card (0.12) drops it', async () => {
  assert.deepEqual(await altsAtSite('retrained', ['--model-card', join(PROJECT_ROOT, 'models/retrained/model_card.json')]), [site.alt]);
  assert.deepEqual(await altsAtSite('default', ['--model-card', join(PROJECT_ROOT, 'models/default/model_card.json')]), []);
  // --params is applied over the card's parameters.
  assert.deepEqual(await altsAtSite('override', ['--model-card', join(PROJECT_ROOT, 'models/retrained/model_card.json'), '--params', '{"vsc_min_fraction_snps": 0.12}']), []);
});

test('--params and --model-card errors say what is wrong', async () => {
  const args = (extra: string[]): string[] => ['--reads', bam, '--ref', ref, '--regions', 'chr1:1-100', ...extra, '--out', join(tmp, 'bad.tfrecord.gz')];
  await assert.rejects(runExamples(args(['--params', '{vsc_min_fraction_snps: 0.02}']), ctx()), (e: Error & { code?: string }) => e.code === 'invalid-argument' && /--params is not valid JSON/.test(e.message));
  await assert.rejects(runExamples(args(['--params', '[0.02]']), ctx()), /--params must be a JSON object/);
  await assert.rejects(runExamples(args(['--params', '{"vsc_min_fraction_snps": -1}']), ctx()), /vsc_min_fraction_snps must be a non-negative number/);
  await assert.rejects(runExamples(args(['--model-card', join(tmp, 'nope.json')]), ctx()), (e: Error & { code?: string }) => e.code === 'file-not-found' && e.message.includes('nope.json'));
});
