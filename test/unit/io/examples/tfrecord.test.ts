/**
 * TFRecord framing, CRC-32C and the protobuf wire codec. Ground truth: RFC 3720's CRC-32C
 * test vectors, DeepVariant's golden TFRecords (84 calling / 49 training examples, 84
 * CVOs, docs/deepvariant.md §4.1, §8.2) and the protobuf encoding rules (negative int32 = 10 bytes).
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { VariantLensError } from '../../../../src/core/errors';
import { crc32c, maskedCrc32c } from '../../../../src/core/io/examples/crc32c';
import { ProtoReader, ProtoWriter } from '../../../../src/core/io/examples/protobufWire';
import { expandShardSpec, frameTfRecord, parseShardName, readTfRecordAt, readTfRecords, TfRecordWriter, type TfRecord } from '../../../../src/core/io/examples/tfrecord';
import { dv, sharedTest } from '../../../helpers/paths';

const tmp = mkdtempSync(join(tmpdir(), 'vl-tfrecord-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

async function all(path: string): Promise<TfRecord[]> {
  const out: TfRecord[] = [];
  for await (const r of readTfRecords(path)) out.push(r);
  return out;
}

async function failure(path: string): Promise<VariantLensError> {
  try {
    await all(path);
  } catch (e) {
    assert.ok(e instanceof VariantLensError, `expected VariantLensError, got ${String(e)}`);
    return e;
  }
  assert.fail(`reading ${path} should have failed`);
}

describe('crc32c', () => {
  test('RFC 3720 B.4 test vectors', () => {
    assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
    assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
    assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
    assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c);
    assert.equal(crc32c(new TextEncoder().encode('123456789')), 0xe3069283);
  });
  test('running CRC over pieces equals CRC of the whole', () => {
    const data = Uint8Array.from({ length: 1000 }, (_, i) => (i * 37 + 11) & 0xff);
    assert.equal(crc32c(data.subarray(300), crc32c(data.subarray(0, 300))), crc32c(data));
  });
});

describe('protobuf wire', () => {
  test('negative int32 is a 10-byte varint and decodes back', () => {
    const b = new ProtoWriter().int32(-1).finish();
    assert.deepEqual([...b], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    assert.equal(new ProtoReader(b).int32(), -1);
  });
  test('varints: 300 = ac 02; int64 round trip incl. > 2^32 and negatives', () => {
    assert.deepEqual([...new ProtoWriter().uint32(300).finish()], [0xac, 0x02]);
    for (const v of [0, 1, 127, 128, 10000116, 2 ** 32 + 5, 2 ** 52 + 3, -2, -(2 ** 40)]) {
      const b = new ProtoWriter().int64(v).finish();
      assert.equal(new ProtoReader(b).int64(), v, `int64 ${v}`);
    }
    assert.equal(new ProtoReader(new ProtoWriter().varint64(2n ** 63n + 7n).finish()).varint64(), 2n ** 63n + 7n);
  });
  test('packed and unpacked repeated fields both decode', () => {
    const packed = new ProtoWriter().packed(7, [-1, -1], (w, v) => w.int32(v)).finish();
    const unpacked = new ProtoWriter().int32Field(7, 0).int32Field(7, 1).finish();
    for (const [bytes, want] of [[packed, [-1, -1]], [unpacked, [0, 1]]] as const) {
      const r = new ProtoReader(bytes);
      const got: number[] = [];
      while (!r.done) { const t = r.tag(); r.repeated(t.wire, got, (x) => x.int32()); }
      assert.deepEqual(got, want);
    }
  });
  test('fixed32/64, double, float, strings', () => {
    const b = new ProtoWriter().fixed32(0xdeadbeef).fixed64(123456789012345n).double(0.1).float(1.5).stringField(1, 'chr20').finish();
    const r = new ProtoReader(b);
    assert.equal(r.fixed32(), 0xdeadbeef);
    assert.equal(r.fixed64(), 123456789012345n);
    assert.equal(r.double(), 0.1);
    assert.equal(r.float(), 1.5);
    assert.deepEqual(r.tag(), { field: 1, wire: 2 });
    assert.equal(r.string(), 'chr20');
    assert.ok(r.done);
  });
  test('truncated input is a protobuf-corrupt error, not a crash', () => {
    assert.throws(() => new ProtoReader(Uint8Array.of(0x05, 0x01)).bytes(), (e: unknown) => e instanceof VariantLensError && e.code === 'protobuf-corrupt');
    assert.throws(() => new ProtoReader(Uint8Array.of(0xff, 0xff)).uint32(), (e: unknown) => e instanceof VariantLensError && e.code === 'protobuf-corrupt');
  });
});

describe('shard names', () => {
  test('@N expands the way sharded_file_utils names shards', () => {
    assert.deepEqual(expandShardSpec('x.tfrecord@3.gz'), ['x.tfrecord-00000-of-00003.gz', 'x.tfrecord-00001-of-00003.gz', 'x.tfrecord-00002-of-00003.gz']);
    assert.deepEqual(expandShardSpec('/d/golden.calling_examples.tfrecord.gz@2'), ['/d/golden.calling_examples.tfrecord.gz-00000-of-00002', '/d/golden.calling_examples.tfrecord.gz-00001-of-00002']);
    assert.equal(expandShardSpec('x.tfrecord@64.gz').length, 64);
    assert.equal(expandShardSpec('x.tfrecord@64.gz')[63], 'x.tfrecord-00063-of-00064.gz');
    assert.deepEqual(expandShardSpec('a.gz,b.tfrecord'), ['a.gz', 'b.tfrecord']);
    assert.deepEqual(parseShardName('x.tfrecord-00003-of-00064.gz'), { before: 'x.tfrecord', shard: 3, count: 64, after: '.gz' });
    assert.equal(parseShardName('x.tfrecord.gz'), undefined);
  });
});

describe('golden TFRecords (CRCs checked on every record)', () => {
  sharedTest('record counts: 84 calling examples, 49 training examples, 84 CVOs', async () => {
    assert.equal((await all(dv('golden.calling_examples.tfrecord.gz'))).length, 84);
    assert.equal((await all(dv('golden.training_examples.tfrecord.gz'))).length, 49);
    assert.equal((await all(dv('golden.postprocess_single_site_input.tfrecord.gz'))).length, 84);
  });

  sharedTest('first calling record: offset 0, payload framing matches the gunzipped file byte for byte', async () => {
    const recs = await all(dv('golden.calling_examples.tfrecord.gz'));
    assert.equal(recs[0]!.offset, 0);
    // Independent check of our writer's framing: TensorFlow's own bytes (after gunzip)
    // equal the concatenation of our framed records.
    const raw = gunzipSync(readFileSync(dv('golden.calling_examples.tfrecord.gz')));
    const ours = Buffer.concat(recs.map((r) => frameTfRecord(r.payload)));
    assert.equal(Buffer.compare(raw, ours), 0);
    for (let i = 1; i < recs.length; i++) assert.equal(recs[i]!.offset, recs[i - 1]!.offset + 16 + recs[i - 1]!.payload.length);
  });

  sharedTest('writer output (raw and gzip) is TensorFlow-compatible and re-reads with CRC checks', async () => {
    const recs = (await all(dv('golden.calling_examples.tfrecord.gz'))).slice(0, 6);
    const rawPath = join(tmp, 'copy.tfrecord');
    const gzPath = join(tmp, 'copy.tfrecord.gz');
    for (const p of [rawPath, gzPath]) {
      const w = await TfRecordWriter.open(p);
      for (const r of recs) await w.write(r.payload);
      assert.equal(w.written, 6);
      await w.close();
    }
    const tfBytes = gunzipSync(readFileSync(dv('golden.calling_examples.tfrecord.gz')));
    const rawBytes = readFileSync(rawPath);
    assert.equal(Buffer.compare(rawBytes, tfBytes.subarray(0, rawBytes.length)), 0, 'raw writer output = prefix of the TF-written stream');
    assert.equal(Buffer.compare(gunzipSync(readFileSync(gzPath)), rawBytes), 0, 'gzip writer output gunzips to the same stream');
    for (const p of [rawPath, gzPath]) {
      const back = await all(p);
      assert.deepEqual(back.map((r) => Buffer.from(r.payload).toString('base64')), recs.map((r) => Buffer.from(r.payload).toString('base64')));
    }
    // Random access by offset on the raw file.
    const third = await readTfRecordAt(rawPath, recs[3]!.offset);
    assert.equal(Buffer.compare(Buffer.from(third), Buffer.from(recs[3]!.payload)), 0);
    await assert.rejects(readTfRecordAt(gzPath, 0), (e: unknown) => e instanceof VariantLensError && e.code === 'unsupported');
  });

  sharedTest('one flipped byte: clear error naming the file, record index and offset', async () => {
    const recs = (await all(dv('golden.calling_examples.tfrecord.gz'))).slice(0, 4);
    const good = join(tmp, 'good.tfrecord');
    const w = await TfRecordWriter.open(good);
    for (const r of recs) await w.write(r.payload);
    await w.close();
    const bytes = readFileSync(good);
    const off2 = recs[2]!.offset;

    // Payload byte of record 2.
    const p1 = join(tmp, 'flip-payload.tfrecord');
    const b1 = Buffer.from(bytes);
    b1.writeUInt8(b1.readUInt8(off2 + 12 + 5000) ^ 0x01, off2 + 12 + 5000);
    writeFileSync(p1, b1);
    const e1 = await failure(p1);
    assert.equal(e1.code, 'tfrecord-corrupt');
    assert.equal(e1.file, p1);
    assert.match(e1.message, new RegExp(`${p1.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*record 2 at byte offset ${off2}: payload CRC mismatch`));
    await assert.rejects(readTfRecordAt(p1, off2, undefined, 2), /record 2 at byte offset \d+: payload CRC mismatch/);

    // Length byte of record 1.
    const p2 = join(tmp, 'flip-length.tfrecord');
    const b2 = Buffer.from(bytes);
    b2.writeUInt8(b2.readUInt8(recs[1]!.offset + 1) ^ 0x40, recs[1]!.offset + 1);
    writeFileSync(p2, b2);
    const e2 = await failure(p2);
    assert.equal(e2.code, 'tfrecord-corrupt');
    assert.match(e2.message, /record 1 at byte offset \d+: length CRC mismatch/);

    // Truncated inside record 3.
    const p3 = join(tmp, 'truncated.tfrecord');
    writeFileSync(p3, bytes.subarray(0, bytes.length - 100));
    const e3 = await failure(p3);
    assert.equal(e3.code, 'tfrecord-corrupt');
    assert.match(e3.message, /record 3 at byte offset \d+: file ends inside the record/);
  });

  sharedTest('one flipped byte in the gzip golden copy: clear error naming file and record', async () => {
    const p = join(tmp, 'flipped.tfrecord.gz');
    copyFileSync(dv('golden.calling_examples.tfrecord.gz'), p);
    const b = readFileSync(p);
    const mid = Math.floor(b.length / 2);
    b.writeUInt8(b.readUInt8(mid) ^ 0x10, mid);
    writeFileSync(p, b);
    const e = await failure(p);
    assert.equal(e.code, 'tfrecord-corrupt');
    assert.equal(e.file, p);
    assert.match(e.message, /record \d+ at decompressed byte offset \d+: /);
  });

  test('missing file is file-not-found naming it', async () => {
    const p = join(tmp, 'nope.tfrecord.gz');
    const e = await failure(p);
    assert.equal(e.code, 'file-not-found');
    assert.ok(e.message.includes(p));
  });

  test('empty file has no records; a cancelled signal stops reading', async () => {
    const p = join(tmp, 'empty.tfrecord');
    writeFileSync(p, new Uint8Array(0));
    assert.equal((await all(p)).length, 0);
    const w = await TfRecordWriter.open(join(tmp, 'two.tfrecord'));
    await w.write(Uint8Array.of(1, 2, 3));
    await w.write(Uint8Array.of(4));
    await w.close();
    const ac = new AbortController();
    const seen: number[] = [];
    await assert.rejects(async () => {
      for await (const r of readTfRecords(join(tmp, 'two.tfrecord'), ac.signal)) { seen.push(r.index); ac.abort(); }
    }, (e: unknown) => e instanceof VariantLensError && e.code === 'cancelled');
    assert.deepEqual(seen, [0]);
    assert.equal(maskedCrc32c(Uint8Array.of(1, 2, 3)), readFileSync(join(tmp, 'two.tfrecord')).readUInt32LE(12 + 3));
  });
});
