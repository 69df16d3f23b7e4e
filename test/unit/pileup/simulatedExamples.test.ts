// Our make_examples on the simulated dataset: what the `examples` command writes reads back
// (through the TFRecord/tf.Example reader) exactly as built, and the supports channel marks
// exactly the reads that carry the planted SNP alt — read names per base from
// `samtools mpileup --output-QNAME` (ground truth independent of our allele counter).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runExamples } from '../../../src/cli/commands/examples';
import type { CliContext } from '../../../src/cli/framework/command';
import { openAlignments } from '../../../src/core/io/sam/alignmentReader';
import { readExamples } from '../../../src/core/io/examples/examplesFile';
import { openReference } from '../../../src/core/io/fasta/fastaReader';
import { openVcf } from '../../../src/core/io/vcf/vcfReader';
import { DEFAULT_EXAMPLE_INFO } from '../../../src/core/io/examples/exampleInfo';
import { PartitionReader, type SiteExamples, pipelineOptions, regionExamples } from '../../../src/core/pileup/siteExamples';
import { ensureSimulatedDataset, readManifest } from '../../helpers/simData';

const REGION = { contig: 'chr1', start: 0, end: 20_000 };

function ctx(): CliContext {
  return { signal: new AbortController().signal, progress: () => undefined, out: () => undefined };
}

/** QNAMEs whose base at 1-based `pos` is `alt` (samtools mpileup, no quality/flag filtering beyond DeepVariant's). */
function mpileupAltReads(bam: string, ref: string, contig: string, pos: number, alt: string): { alt: Set<string>; ref: Set<string> } {
  const out = execFileSync('samtools', ['mpileup', '-A', '-B', '-Q', '0', '-q', '5', '-x', '--output-QNAME', '-f', ref, '-r', `${contig}:${pos}-${pos}`, bam], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const cols = out.trim().split('\t');
  const bases = (cols[4] ?? '').replace(/\^./g, '').replace(/\$/g, '');
  const names = (cols[6] ?? '').split(',');
  // Strip indel annotations (+2AC / -3GTA) that follow a base.
  const calls: string[] = [];
  for (let i = 0; i < bases.length; i++) {
    const c = bases[i]!;
    if (c === '+' || c === '-') {
      const m = /^\d+/.exec(bases.slice(i + 1))!;
      i += m[0].length + Number(m[0]);
      continue;
    }
    calls.push(c);
  }
  assert.equal(calls.length, names.length, `mpileup at ${contig}:${pos}`);
  const altSet = new Set<string>();
  const refSet = new Set<string>();
  calls.forEach((c, k) => {
    if (c.toUpperCase() === alt) altSet.add(names[k]!);
    else if (c === '.' || c === ',') refSet.add(names[k]!);
  });
  return { alt: altSet, ref: refSet };
}

test('simulated dataset: examples written by `variant-lens examples` read back identically; supports = reads carrying the planted alt', async () => {
  const dir = await ensureSimulatedDataset();
  const m = readManifest(dir);
  const sample = m.samples[0]!;
  const bamPath = join(dir, sample.bam);
  const refPath = join(dir, m.reference.fasta);
  const tmp = mkdtempSync(join(tmpdir(), 'vl-examples-'));
  try {
    const out = join(tmp, 'sim.tfrecord.gz');
    const code = await runExamples(['--reads', bamPath, '--ref', refPath, '--regions', `${REGION.contig}:${REGION.start + 1}-${REGION.end}`, '--out', out], ctx());
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(readFileSync(`${out}.example_info.json`, 'utf8')), { version: '1.6.0', shape: [100, 221, 7], channels: [1, 2, 3, 4, 5, 6, 19] });

    // The same sites built in memory.
    const reads = await openAlignments(bamPath, { referencePath: refPath });
    const reference = await openReference(refPath);
    const reader = new PartitionReader(reads, reference, pipelineOptions(DEFAULT_EXAMPLE_INFO));
    const sites: SiteExamples[] = [];
    for await (const s of regionExamples(reader, REGION)) sites.push(s);
    const built = sites.flatMap((s) => s.examples.map((e) => ({ s, e })));
    const back = [];
    for await (const r of readExamples(out)) back.push(r.example);
    assert.ok(built.length > 20, `expected candidates in ${REGION.contig}, got ${built.length}`);
    assert.equal(back.length, built.length);
    back.forEach((ex, i) => {
      const { s, e } = built[i]!;
      assert.equal(ex.variant.start, s.start);
      assert.equal(ex.variant.referenceBases, s.refBases);
      assert.deepEqual(ex.variant.alternateBases, s.altBases);
      assert.deepEqual(ex.altAlleleIndices, e.altAlleleIndices);
      assert.deepEqual(ex.tensor.channels, [1, 2, 3, 4, 5, 6, 19]);
      assert.ok(Buffer.from(ex.tensor.data).equals(Buffer.from(e.tensor.data)), `tensor ${i} at ${s.contig}:${s.position}`);
      assert.deepEqual(ex.variant.calls[0]!.info['DP'], [s.variant.dp]);
    });

    // Planted SNPs in the region: each must be a candidate, and each read row's supports value
    // must be 254 exactly for reads whose base there is the alt.
    const truth = await openVcf(join(dir, sample.truthVcf));
    let checked = 0;
    for await (const t of truth.query(REGION.contig, REGION.start + 200, REGION.end - 200)) {
      if (t.ref.length !== 1 || t.alts.length !== 1 || t.alts[0]!.length !== 1) continue;
      const site = sites.find((s) => s.start === t.pos - 1);
      assert.ok(site, `planted SNP ${t.contig}:${t.pos} ${t.ref}>${t.alts[0]} is a candidate`);
      const ex = site.examples.find((e) => e.altAlleles.length === 1 && e.altAlleles[0] === t.alts[0]);
      assert.ok(ex, `image for ${t.alts[0]} at ${t.pos}`);
      const { alt, ref } = mpileupAltReads(bamPath, refPath, t.contig, t.pos, t.alts[0]!);
      site.rows.forEach((row, k) => {
        // Rows of mates that only reach [start-5, end+5) but not the SNP column are not in mpileup's list.
        if (!(row.start <= site.start && row.end > site.start)) return;
        if (alt.has(row.name)) assert.equal(ex.supports[k], 254, `${row.name} carries ${t.alts[0]} at ${t.pos}`);
        else if (ref.has(row.name)) assert.equal(ex.supports[k], 152, `${row.name} has the reference base at ${t.pos}`);
      });
      assert.ok(site.rows.some((r) => alt.has(r.name)));
      checked++;
    }
    assert.ok(checked >= 5, `checked ${checked} planted SNPs`);
    await truth.close();
    await reads.close();
    await reference.close();
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
