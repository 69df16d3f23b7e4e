/**
 * Random-weight DeepVariant-contract ONNX models for tests and benches, generated on demand
 * by scripts/makeInceptionOnnx.py (Debian python3-torch, python3-torchvision, python3-onnx)
 * into TEST_CACHE and reused across runs (the InceptionV3 one is ~90 MB; never committed).
 * `torchReference` runs the same seeded PyTorch model on the same pixels: the independent
 * reference our ONNX path (preprocessing, NHWC layout, batching) is compared with.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PileupTensor } from '../../../src/core/io/examples/pileupTensor';
import { PROJECT_ROOT, TEST_CACHE } from '../../helpers/paths';

const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const SCRIPT = join(PROJECT_ROOT, 'scripts', 'makeInceptionOnnx.py');

export interface ModelSpec {
  readonly arch: 'inception_v3' | 'small';
  readonly channels: readonly number[];
  readonly seed?: number;
  readonly fixedBatch?: number;
  readonly logits?: boolean;
}

function specArgs(s: ModelSpec): string[] {
  return ['--arch', s.arch, '--channels', s.channels.join(','), '--seed', String(s.seed ?? 1),
    ...(s.fixedBatch ? ['--fixed-batch', String(s.fixedBatch)] : []), ...(s.logits ? ['--logits'] : [])];
}

function run(args: string[]): string {
  const r = spawnSync(PYTHON, [SCRIPT, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) {
    throw new Error(`${PYTHON} ${SCRIPT} ${args.join(' ')} failed (needs Debian python3-torch, python3-torchvision, python3-onnx):\n${r.stderr || r.error?.message}`);
  }
  return r.stdout;
}

/** The model directory for `spec`, generated once into TEST_CACHE/models. */
export function modelDir(spec: ModelSpec): string {
  const key = `${spec.arch}-c${spec.channels.join('_')}-s${spec.seed ?? 1}${spec.fixedBatch ? `-b${spec.fixedBatch}` : ''}${spec.logits ? '-logits' : ''}`;
  const dir = join(TEST_CACHE, 'models', key);
  if (!existsSync(join(dir, 'model.onnx')) || !existsSync(join(dir, 'example_info.json'))) {
    mkdirSync(dir, { recursive: true });
    run([...specArgs(spec), '--out', dir]);
  }
  return dir;
}

/** Outputs of the seeded PyTorch model (same weights as the ONNX file) on `tensors`. */
export function torchReference(spec: ModelSpec, tensors: readonly PileupTensor[]): number[][] {
  const first = tensors[0]!;
  const per = first.height * first.width * first.channels.length;
  const buf = new Uint8Array(tensors.length * per);
  tensors.forEach((t, i) => buf.set(t.data, i * per));
  mkdirSync(TEST_CACHE, { recursive: true });
  const file = join(TEST_CACHE, `torch-ref-${process.pid}.u8`);
  writeFileSync(file, buf);
  try {
    return JSON.parse(run([...specArgs(spec), '--height', String(first.height), '--width', String(first.width), '--predict', file])) as number[][];
  } finally {
    rmSync(file, { force: true });
  }
}

/** Deterministic synthetic pileups (every byte value occurs), for shape and batching tests. */
export function syntheticTensors(n: number, channels: readonly number[], seed = 1): PileupTensor[] {
  let x = seed >>> 0;
  return Array.from({ length: n }, () => {
    const data = new Uint8Array(100 * 221 * channels.length);
    for (let i = 0; i < data.length; i++) {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0; // LCG, seeded
      data[i] = x >>> 24;
    }
    return { height: 100, width: 221, channels, data };
  });
}
