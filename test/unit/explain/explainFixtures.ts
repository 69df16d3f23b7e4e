/**
 * Fixtures for the explanation tests: hand-built ONNX models that depend on known evidence
 * (makeEvidenceOnnx.py, generated on demand with Debian python3-torch + python3-onnx into
 * TEST_CACHE and reused), model folders with a model_card.json of chosen make_examples
 * parameters, and a tiny in-memory site (reference + reads) whose alt reads can be given a
 * low MAPQ so that a min_mapping_quality parameter changes what a model sees.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AlignedRead, AlignmentSource } from '../../../src/core/io/sam/alignedRead';
import type { ReferenceSource } from '../../../src/core/io/fasta/referenceSource';
import { Rng } from '../../../src/core/sim/prng';
import { TEST_CACHE } from '../../helpers/paths';

const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const SCRIPT = join(__dirname, 'makeEvidenceOnnx.py');

export type EvidenceKind = 'supports-centre' | 'supports-centre-homalt' | 'first-row' | 'any-alt' | 'presence-bq';

function scriptHash(): string {
  return createHash('sha256').update(readFileSync(SCRIPT)).digest('hex').slice(0, 10);
}

/** The model folder of `kind` (model.onnx + example_info.json), generated once. */
export function evidenceModel(kind: EvidenceKind, channels: readonly number[] = [1, 2, 3, 4, 5, 6, 19]): string {
  const dir = join(TEST_CACHE, 'explain-models', `${kind}-c${channels.join('_')}-${scriptHash()}`);
  if (!existsSync(join(dir, 'model.onnx')) || !existsSync(join(dir, 'example_info.json'))) {
    mkdirSync(dir, { recursive: true });
    const r = spawnSync(PYTHON, [SCRIPT, '--kind', kind, '--channels', channels.join(','), '--out', dir], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${PYTHON} ${SCRIPT} --kind ${kind} failed (needs Debian python3-torch, python3-onnx):\n${r.stderr || r.error?.message}`);
  }
  return dir;
}

/** A copy of a model folder with a model_card.json naming it and stating make_examples parameters. */
export function withCard(modelDir: string, name: string, params: Readonly<Record<string, number | string | boolean>> = {}): string {
  const dir = join(TEST_CACHE, 'explain-models', `${name}--${createHash('sha256').update(modelDir + JSON.stringify(params)).digest('hex').slice(0, 10)}`);
  mkdirSync(dir, { recursive: true });
  for (const f of ['model.onnx', 'example_info.json']) copyFileSync(join(modelDir, f), join(dir, f));
  writeFileSync(join(dir, 'model_card.json'), JSON.stringify({ name, version: '1', makeExamplesParams: params }));
  return dir;
}

export const CONTIG = 'chrT';
export const CONTIG_LENGTH = 3000;
/** 1-based POS of the planted SNP. */
export const SITE_POS = 1501;

export interface SiteOptions {
  readonly refReads?: number;
  readonly altReads?: number;
  /** MAPQ of the alt-supporting reads (ref reads have 60). */
  readonly altMapq?: number;
  readonly baseQuality?: number;
}

export interface TinySite {
  readonly reads: AlignmentSource;
  readonly reference: ReferenceSource;
  readonly refBase: string;
  readonly altBase: string;
  readonly readList: readonly AlignedRead[];
}

/** A 3 kb contig with one SNP at SITE_POS covered by `refReads` + `altReads` 150-bp reads. */
export function tinySite(o: SiteOptions = {}): TinySite {
  const rng = new Rng(7);
  let seq = '';
  for (let i = 0; i < CONTIG_LENGTH; i++) seq += 'ACGT'[rng.int(0, 3)];
  const start0 = SITE_POS - 1;
  const refBase = seq[start0]!;
  const altBase = refBase === 'A' ? 'G' : 'A';
  const nRef = o.refReads ?? 14;
  const nAlt = o.altReads ?? 10;
  const n = nRef + nAlt;
  const reads: AlignedRead[] = [];
  for (let i = 0; i < n; i++) {
    const alt = Math.floor(((i + 1) * nAlt) / n) > Math.floor((i * nAlt) / n); // spread evenly
    const start = start0 - 145 + Math.floor((i * 140) / n);
    let s = seq.slice(start, start + 150);
    if (alt) s = s.slice(0, start0 - start) + altBase + s.slice(start0 - start + 1);
    reads.push({
      name: `r${String(i).padStart(3, '0')}`, flags: i % 3 === 0 ? 16 : 0, contig: CONTIG, start, end: start + 150,
      mapq: alt ? (o.altMapq ?? 60) : 60, cigar: Uint32Array.of((150 << 4) | 0), seq: s, qual: new Uint8Array(150).fill(o.baseQuality ?? 30),
      mateContig: undefined, mateStart: -1, tlen: 250 + 3 * i, tags: {},
    });
  }
  const altCount = reads.filter((r) => r.seq[start0 - r.start] === altBase).length;
  if (altCount !== nAlt) throw new Error(`internal: planted ${altCount} alt reads, wanted ${nAlt}`);
  reads.sort((a, b) => a.start - b.start || (a.name < b.name ? -1 : 1));
  const reference: ReferenceSource = {
    path: 'tiny.fa',
    contigs: () => Promise.resolve([{ name: CONTIG, length: CONTIG_LENGTH }]),
    fetch: (contig, start, end) => {
      if (contig !== CONTIG) return Promise.reject(new Error(`no contig ${contig}`));
      return Promise.resolve(seq.slice(Math.max(0, start), Math.min(CONTIG_LENGTH, end)));
    },
    close: () => Promise.resolve(),
  };
  const source: AlignmentSource = {
    path: 'tiny.bam',
    contigNames: () => Promise.resolve([CONTIG]),
    sampleName: () => Promise.resolve('tiny'),
    fetch: (contig, start, end) => Promise.resolve(contig === CONTIG ? reads.filter((r) => r.start < end && r.end > start) : []),
    close: () => Promise.resolve(),
  };
  return { reads: source, reference, refBase, altBase, readList: reads };
}
