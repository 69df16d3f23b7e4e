/**
 * Reads an ONNX model's graph inputs and outputs (names, element types, dimensions)
 * straight from the protobuf, without onnxruntime. loadModel uses it to validate a model
 * against its example_info.json before any session exists (sessions are created lazily,
 * in the inference worker), and to report clear shape errors.
 *
 * Only the path ModelProto.graph(7) → GraphProto.input(11)/output(12)/initializer(5).name →
 * ValueInfoProto → TypeProto.tensor_type(1) → TensorShapeProto.dim is decoded; every other
 * field, including the weights, is skipped by length, so a 90 MB model costs a few reads.
 * Field numbers: onnx/onnx.proto3 (ModelProto ir_version=1, opset_import=8, producer_name=2,
 * graph=7; GraphProto node=1, name=2, initializer=5, input=11, output=12; ValueInfoProto
 * name=1, type=2; TypeProto tensor_type=1; Tensor elem_type=1, shape=2; Dimension
 * dim_value=1, dim_param=2; TensorProto name=8).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { VariantLensError, throwIfAborted, wrapError } from '../errors';

export interface OnnxValueInfo {
  readonly name: string;
  /** onnx TensorProto.DataType (1 = float32); 0 when not a tensor. */
  readonly elemType: number;
  /** Dimensions: a number (dim_value), a string (dim_param, symbolic) or null (unknown). */
  readonly dims: readonly (number | string | null)[];
}

export interface OnnxSignature {
  readonly irVersion: number;
  readonly producerName: string;
  readonly opsetVersion: number | undefined;
  /** Graph inputs that are not initializers (real feeds). */
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
}

export const ONNX_FLOAT = 1;

/** Positional reader over a file with a small read-ahead buffer. */
class FileCursor {
  private buf = Buffer.alloc(0);
  private bufStart = 0;
  constructor(private readonly fh: FileHandle, readonly size: number) {}

  private async ensure(pos: number, n: number): Promise<void> {
    if (pos >= this.bufStart && pos + n <= this.bufStart + this.buf.length) return;
    const len = Math.min(Math.max(n, 1 << 16), this.size - pos);
    if (len < n) throw new Error(`unexpected end of file at byte ${pos}`);
    const b = Buffer.alloc(len);
    const { bytesRead } = await this.fh.read(b, 0, len, pos);
    if (bytesRead < n) throw new Error(`unexpected end of file at byte ${pos}`);
    this.buf = b.subarray(0, bytesRead);
    this.bufStart = pos;
  }

  async byte(pos: number): Promise<number> {
    await this.ensure(pos, 1);
    return this.buf[pos - this.bufStart]!;
  }

  async bytes(pos: number, n: number): Promise<Buffer> {
    await this.ensure(pos, n);
    return this.buf.subarray(pos - this.bufStart, pos - this.bufStart + n);
  }

  /** Varint at pos → [value, next position]. Values up to 2^53 are exact. */
  async varint(pos: number): Promise<[number, number]> {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      const b = await this.byte(pos + i);
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return [result, pos + i + 1];
      mul *= 128;
    }
    throw new Error(`malformed varint at byte ${pos}`);
  }
}

interface Field { field: number; wire: number; value: number; start: number; end: number }

/** Iterates the fields of the message in [start, end). For length-delimited fields value = length. */
async function* fields(c: FileCursor, start: number, end: number): AsyncGenerator<Field> {
  let pos = start;
  while (pos < end) {
    const [key, p1] = await c.varint(pos);
    const field = Math.floor(key / 8);
    const wire = key & 7;
    let value = 0;
    let next: number;
    let dataStart = p1;
    if (wire === 0) { [value, next] = await c.varint(p1); }
    else if (wire === 1) next = p1 + 8;
    else if (wire === 5) next = p1 + 4;
    else if (wire === 2) { const [len, p2] = await c.varint(p1); value = len; dataStart = p2; next = p2 + len; }
    else throw new Error(`unsupported wire type ${wire} at byte ${pos}`);
    if (next > end) throw new Error(`field ${field} at byte ${pos} runs past its message`);
    yield { field, wire, value, start: dataStart, end: next };
    pos = next;
  }
}

async function readString(c: FileCursor, f: Field): Promise<string> {
  return (await c.bytes(f.start, f.end - f.start)).toString('utf8');
}

async function readValueInfo(c: FileCursor, start: number, end: number): Promise<OnnxValueInfo> {
  let name = '';
  let elemType = 0;
  const dims: (number | string | null)[] = [];
  for await (const f of fields(c, start, end)) {
    if (f.field === 1 && f.wire === 2) name = await readString(c, f);
    else if (f.field === 2 && f.wire === 2) {
      for await (const t of fields(c, f.start, f.end)) {
        if (t.field !== 1 || t.wire !== 2) continue; // tensor_type
        for await (const tt of fields(c, t.start, t.end)) {
          if (tt.field === 1 && tt.wire === 0) elemType = tt.value;
          else if (tt.field === 2 && tt.wire === 2) {
            for await (const d of fields(c, tt.start, tt.end)) {
              if (d.field !== 1 || d.wire !== 2) continue;
              let dim: number | string | null = null;
              for await (const dv of fields(c, d.start, d.end)) {
                if (dv.field === 1 && dv.wire === 0) dim = dv.value;
                else if (dv.field === 2 && dv.wire === 2) dim = await readString(c, dv);
              }
              dims.push(dim);
            }
          }
        }
      }
    }
  }
  return { name, elemType, dims };
}

/** Reads the graph signature of `path`. Errors are 'model-load-failed' naming the file. */
export async function readOnnxSignature(path: string, signal?: AbortSignal): Promise<OnnxSignature> {
  throwIfAborted(signal);
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new VariantLensError('file-not-found', 'ONNX model file not found', path);
    throw wrapError(e, 'model-load-failed', path, 'cannot open ONNX model');
  }
  try {
    const c = new FileCursor(fh, (await fh.stat()).size);
    let irVersion = 0;
    let producerName = '';
    let opsetVersion: number | undefined;
    let graph: Field | undefined;
    for await (const f of fields(c, 0, c.size)) {
      if (f.field === 1 && f.wire === 0) irVersion = f.value;
      else if (f.field === 2 && f.wire === 2) producerName = await readString(c, f);
      else if (f.field === 7 && f.wire === 2) graph = f;
      else if (f.field === 8 && f.wire === 2) {
        // OperatorSetIdProto{domain=1, version=2}: the default domain is "" (or "ai.onnx").
        let domain = '';
        let version: number | undefined;
        for await (const o of fields(c, f.start, f.end)) {
          if (o.field === 1 && o.wire === 2) domain = await readString(c, o);
          else if (o.field === 2 && o.wire === 0) version = o.value;
        }
        if (domain === '' || domain === 'ai.onnx') opsetVersion = version;
      }
    }
    if (!graph) throw new Error('no graph in the ModelProto (is this an ONNX file?)');
    if (irVersion === 0) throw new Error('no ir_version in the ModelProto (is this an ONNX file?)');
    throwIfAborted(signal);
    const inputs: OnnxValueInfo[] = [];
    const outputs: OnnxValueInfo[] = [];
    const initializers = new Set<string>();
    for await (const f of fields(c, graph.start, graph.end)) {
      if (f.wire !== 2) continue;
      if (f.field === 11) inputs.push(await readValueInfo(c, f.start, f.end));
      else if (f.field === 12) outputs.push(await readValueInfo(c, f.start, f.end));
      else if (f.field === 5) {
        for await (const t of fields(c, f.start, f.end)) if (t.field === 8 && t.wire === 2) initializers.add(await readString(c, t));
      }
    }
    // IR < 4 lists initializers among the inputs; they are weights, not feeds.
    return { irVersion, producerName, opsetVersion, inputs: inputs.filter((i) => !initializers.has(i.name)), outputs };
  } catch (e) {
    if (e instanceof VariantLensError) throw e;
    throw wrapError(e, 'model-load-failed', path, 'not a readable ONNX model');
  } finally {
    await fh.close();
  }
}
