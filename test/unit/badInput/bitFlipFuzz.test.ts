/**
 * 500 seeded single-bit flips each in a .vcf.gz, a BAM and a bgzipped FASTA (a few BGZF
 * blocks each, made by bgzip/samtools). Every run must either fail with a VariantLensError
 * or return exactly the answer of the intact file: no silent wrong answer, no crash.
 */
import assert from 'node:assert/strict';
import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { VariantLensError } from '../../../src/core/errors';
import { openAlignments } from '../../../src/core/io/sam/alignmentReader';
import { openReference } from '../../../src/core/io/fasta/fastaReader';
import { openVcf } from '../../../src/core/io/vcf/vcfReader';
import { setWarningSink } from '../../../src/core/warnings';
import { seededRandom } from '../../helpers/seededRandom';
import { copyWith, makeFixtures, type Fixtures } from './fixtures';

const FLIPS = 500;
let fx: Fixtures;
let restoreWarnings: (m: string) => void;
before(() => {
  fx = makeFixtures({ contigLength: 90_000, reads: 1500, records: 3000 });
  restoreWarnings = setWarningSink(() => undefined);
});
after(() => {
  setWarningSink(restoreWarnings);
  fx.cleanup();
});

async function vcfAnswer(path: string): Promise<string> {
  const v = await openVcf(path);
  try {
    const lines: string[] = [v.vcfHeader.columnLine];
    for await (const batch of v.recordBatches()) for (const r of batch) lines.push(r.line);
    // A region query too: through the (intact) .tbi and the random-access reader.
    for await (const r of v.query('chr2', 10_000, 30_000)) lines.push(`Q ${r.line}`);
    return lines.join('\n');
  } finally {
    await v.close();
  }
}

async function bamAnswer(path: string): Promise<string> {
  const a = await openAlignments(path);
  try {
    const reads = [...(await a.fetch('chr1', 0, 90_000)), ...(await a.fetch('chr2', 0, 45_000))];
    return reads.map((r) => [r.name, r.flags, r.contig, r.start, r.mapq, Array.from(r.cigar).join(','), r.seq, Buffer.from(r.qual).toString('hex'), JSON.stringify(r.tags), r.mateStart, r.tlen].join('|')).join('\n');
  } finally {
    await a.close();
  }
}

async function fastaAnswer(path: string): Promise<string> {
  const f = await openReference(path);
  try {
    return (await f.fetch('chr1', 0, 90_000)) + '|' + (await f.fetch('chr2', 0, 45_000));
  } finally {
    await f.close();
  }
}

async function fuzz(name: string, original: string, sidecars: string[], answer: (p: string) => Promise<string>, seed: number): Promise<void> {
  const path = copyWith(original, fx.file(name), sidecars);
  const truth = await answer(path);
  const bytes = readFileSync(original);
  const blocks = (() => { let n = 0; for (let at = 0; at < bytes.length; at += bytes.readUInt16LE(at + 16) + 1) n++; return n; })();
  assert.ok(blocks >= 3, `${name}: ${blocks} BGZF blocks`);
  const rand = seededRandom(seed);
  let errors = 0;
  let same = 0;
  const silent: string[] = [];
  const crashes: string[] = [];
  const later = new Date(Date.now() + 60_000);
  for (let i = 0; i < FLIPS; i++) {
    const at = Math.floor(rand() * bytes.length);
    const bit = Math.floor(rand() * 8);
    const b = Buffer.from(bytes);
    b[at] = b[at]! ^ (1 << bit);
    writeFileSync(path, b);
    for (const s of sidecars) utimesSync(path + s, later, later);
    try {
      const got = await answer(path);
      if (got === truth) same++;
      else silent.push(`byte ${at} bit ${bit}`);
    } catch (e) {
      if (e instanceof VariantLensError && e.message.includes(path)) errors++;
      else crashes.push(`byte ${at} bit ${bit}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    }
  }
  assert.deepEqual(silent, [], `${name}: ${silent.length} silent wrong answers`);
  assert.deepEqual(crashes, [], `${name}: errors that are not a VariantLensError naming the file`);
  assert.equal(errors + same, FLIPS);
  assert.ok(errors > FLIPS * 0.9, `${name}: only ${errors} of ${FLIPS} flips detected`);
}

test(`.vcf.gz: ${FLIPS} single-bit flips, 0 silent`, async () => {
  await fuzz('fuzz.vcf.gz', fx.vcfGz, ['.tbi'], vcfAnswer, 101);
});

test(`BAM: ${FLIPS} single-bit flips, 0 silent`, async () => {
  await fuzz('fuzz.bam', fx.bam, ['.bai'], bamAnswer, 202);
});

test(`bgzipped FASTA: ${FLIPS} single-bit flips, 0 silent`, async () => {
  await fuzz('fuzz.fa.gz', fx.refGz, ['.fai', '.gzi'], fastaAnswer, 303);
});
