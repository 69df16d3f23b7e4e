/**
 * Bad TFRecord, ONNX model folders (model.onnx, example_info.json, model_card.json), BED and
 * review files: one VariantLensError naming the file (and line/record) and the problem, or
 * the correct result.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { loadBedRegions } from '../../../src/core/diff/bedRegions';
import { readExampleInfo } from '../../../src/core/io/examples/exampleInfo';
import { frameTfRecord, readTfRecords } from '../../../src/core/io/examples/tfrecord';
import { loadModel } from '../../../src/core/model/onnxModel';
import { readModelCard } from '../../../src/core/model/modelCard';
import { lockPathFor, withFileLock } from '../../../src/core/review/fileLock';
import { COLUMN_LINE, VERSION_LINE } from '../../../src/core/review/reviewFormat';
import { readReviewTsv } from '../../../src/core/review/reviewImport';
import { ReviewStore } from '../../../src/core/review/reviewStore';
import { reviewTooltipMarkdown } from '../../../src/extension/review/reviewTooltip';
import { expectBad } from './fixtures';

const MODEL = resolve(__dirname, '../../../models/default');
let dir: string;
before(() => { dir = mkdtempSync(join(tmpdir(), 'vl-bad-other-')); });
after(() => rmSync(dir, { recursive: true, force: true }));
const f = (name: string): string => join(dir, name);

async function readAllRecords(path: string): Promise<number> {
  let n = 0;
  for await (const r of readTfRecords(path)) { void r; n++; }
  return n;
}

function tfrecordFile(name: string, n = 3): { path: string; bytes: Buffer } {
  const parts = Array.from({ length: n }, (_, i) => Buffer.from(frameTfRecord(Buffer.from(`payload ${i} `.repeat(10)))));
  const bytes = Buffer.concat(parts);
  const path = f(name);
  writeFileSync(path, bytes);
  return { path, bytes };
}

describe('bad TFRecord', () => {
  test('a payload CRC mismatch is tfrecord-corrupt naming the record', async () => {
    const { path, bytes } = tfrecordFile('crc.tfrecord');
    bytes[12 + 5] = bytes[12 + 5]! ^ 1; // first payload byte (after the 12-byte header)
    writeFileSync(path, bytes);
    await expectBad(() => readAllRecords(path), { code: 'tfrecord-corrupt', file: path, where: 'record 0', problem: /payload CRC mismatch/ });
  });

  test('a length CRC mismatch is tfrecord-corrupt', async () => {
    const { path, bytes } = tfrecordFile('lencrc.tfrecord');
    bytes[9] = bytes[9]! ^ 0x40;
    writeFileSync(path, bytes);
    await expectBad(() => readAllRecords(path), { code: 'tfrecord-corrupt', file: path, where: 'record 0', problem: /length CRC mismatch/ });
  });

  test('a TFRecord cut inside a record is tfrecord-corrupt naming that record', async () => {
    const { path, bytes } = tfrecordFile('cut.tfrecord');
    writeFileSync(path, bytes.subarray(0, bytes.length - 10));
    await expectBad(() => readAllRecords(path), { code: 'tfrecord-corrupt', file: path, where: 'record 2', problem: /file ends inside the record/ });
  });

  test('a .tfrecord.gz with a damaged gzip stream is an error naming the file', async () => {
    const { bytes } = tfrecordFile('ok.tfrecord');
    const gz = gzipSync(bytes);
    gz[gz.length - 6] = gz[gz.length - 6]! ^ 0xff; // the gzip CRC32
    const path = f('bad.tfrecord.gz');
    writeFileSync(path, gz);
    const e = await expectBad(() => readAllRecords(path), { code: 'tfrecord-corrupt', file: path, problem: /./ });
    assert.doesNotMatch(e.message, /^\s*at /m);
  });

  test('an intact TFRecord reads every record', async () => {
    const { path } = tfrecordFile('good.tfrecord', 5);
    assert.equal(await readAllRecords(path), 5);
  });
});

describe('bad model folders', () => {
  function modelCopy(name: string): string {
    const d = f(name);
    cpSync(MODEL, d, { recursive: true });
    return d;
  }

  test('a model.onnx of garbage bytes is model-load-failed naming it', async () => {
    const d = modelCopy('garbage');
    writeFileSync(join(d, 'model.onnx'), Buffer.from('this is not an ONNX protobuf at all'.repeat(3)));
    await expectBad(() => loadModel(d), { code: 'model-load-failed', file: join(d, 'model.onnx'), problem: /./ });
  });

  test('example_info.json that is not JSON is model-card-invalid naming it', async () => {
    const d = modelCopy('info-json');
    writeFileSync(join(d, 'example_info.json'), '{"version": "1.6.0", "shape": [100,');
    await expectBad(() => loadModel(d), { code: 'model-card-invalid', file: join(d, 'example_info.json'), problem: /example_info\.json is not valid JSON/ });
  });

  test('example_info.json with a wrong shape is model-card-invalid', async () => {
    const p = f('shape.example_info.json');
    writeFileSync(p, JSON.stringify({ version: '1.6.0', shape: [100, 'x', 7], channels: [1, 2, 3, 4, 5, 6, 19] }));
    await expectBad(() => readExampleInfo(p), { code: 'model-card-invalid', file: p, problem: /shape/ });
  });

  test('example_info.json naming an unknown channel is unknown-channel', async () => {
    const p = f('chan.example_info.json');
    writeFileSync(p, JSON.stringify({ version: '1.6.0', shape: [100, 221, 7], channels: [1, 2, 3, 4, 5, 6, 99] }));
    await expectBad(() => readExampleInfo(p), { code: 'unknown-channel', file: p, problem: /unknown channel id 99/ });
  });

  test('a malformed model_card.json is an error, not a warning with default parameters', async () => {
    const d = modelCopy('card-json');
    writeFileSync(join(d, 'model_card.json'), '{ "name": "x", ');
    await expectBad(() => loadModel(d), { code: 'model-card-invalid', file: join(d, 'model_card.json'), problem: /is not valid JSON.*default parameters/ });
  });

  test('a model card whose makeExamplesParams is not an object is an error', async () => {
    const p = f('params.model_card.json');
    const card = JSON.parse(readFileSync(join(MODEL, 'model_card.json'), 'utf8')) as Record<string, unknown>;
    card['makeExamplesParams'] = ['min_base_quality', 5];
    writeFileSync(p, JSON.stringify(card));
    await expectBad(() => readModelCard(p), { code: 'model-card-invalid', file: p, problem: /"makeExamplesParams" must be an object/ });
  });

  test('a missing model folder is file-not-found', async () => {
    const d = f('nomodel');
    await expectBad(() => loadModel(d), { code: 'file-not-found', file: d, problem: /not found/ });
  });
});

describe('bad BED files', () => {
  test('a FIFO named in settings is refused before opening (no hang)', async () => {
    const fifo = f('beds.fifo');
    spawnSync('mkfifo', [fifo]);
    await expectBad(() => loadBedRegions('x', fifo), { code: 'invalid-argument', file: fifo, problem: /is not a regular file \(a pipe, device or socket\)/ });
  });

  test('/dev/zero named in settings is refused; on the command line it is read only up to the bound', async () => {
    await expectBad(() => loadBedRegions('x', '/dev/zero'), { code: 'invalid-argument', file: '/dev/zero', problem: /is not a regular file/ });
    await expectBad(() => loadBedRegions('x', '/dev/zero', undefined, { maxBytes: 1 << 20, allowSpecial: true }), { code: 'invalid-argument', file: '/dev/zero', problem: /is larger than 1048576 bytes, the most read for a BED file/ });
  });

  test('a gzipped BED that inflates past the bound is refused', async () => {
    const p = f('bomb.bed.gz');
    writeFileSync(p, gzipSync(Buffer.alloc(4 << 20, 0x41)));
    await expectBad(() => loadBedRegions('x', p, undefined, { maxBytes: 1 << 20 }), { code: 'invalid-argument', file: p, problem: /larger than 1048576 bytes.*decompressed/ });
  });

  test('a BED line that is not an interval names the line', async () => {
    const p = f('bad.bed');
    writeFileSync(p, 'chr1\t10\t20\nchr1\tabc\t30\n');
    await expectBad(() => loadBedRegions('x', p), { code: 'invalid-argument', file: p, where: 'line 2', problem: /is not a BED interval/ });
  });

  test('a directory as a BED is one line naming it', async () => {
    await expectBad(() => loadBedRegions('x', dir), { code: 'invalid-argument', file: dir, problem: /is a directory, not a BED file/ });
  });
});

describe('bad review files', () => {
  const line = (cols: string[]): string => cols.join('\t');
  const row = (pos: number, verdict: string, note: string, time: string, reviewer = 'alice'): string =>
    line(['chr1', String(pos), 'A', 'C', '.', verdict, '.', note, reviewer, time, '.', '.']);

  test('a review file with a Latin-1 note is refused with the line, and left byte for byte as it was', async () => {
    const p = f('latin1.review.tsv');
    const text = Buffer.concat([
      Buffer.from(`${VERSION_LINE}\n${COLUMN_LINE}\n${row(10, 'tp', 'ok', '2024-05-01T00:00:00.000Z')}\n`),
      Buffer.from(`${row(20, 'fp', 'caf', '2024-05-01T00:00:01.000Z').replace('caf', 'caf\u00e9')}\n`, 'latin1'),
    ]);
    writeFileSync(p, text);
    await expectBad(() => ReviewStore.open(p), { code: 'review-file-invalid', file: p, where: 'line 4', problem: /is not valid UTF-8 \(byte 0xe9 at column \d+\); it was not read, so nothing in it is changed/ });
    assert.deepEqual(readFileSync(p), text);
  });

  test('review import of a Latin-1 TSV is refused with the line', async () => {
    const p = f('import-latin1.tsv');
    writeFileSync(p, Buffer.concat([Buffer.from('chrom\tpos\tref\talt\tverdict\tnote\nchr1\t10\tA\tC\ttp\t'), Buffer.from('na\u00efve\n', 'latin1')]));
    await expectBad(() => readReviewTsv(p), { code: 'review-file-invalid', file: p, where: 'line 2', problem: /is not valid UTF-8/ });
  });

  test('a review line with the wrong column count names the line', async () => {
    const p = f('cols.review.tsv');
    writeFileSync(p, `${VERSION_LINE}\n${COLUMN_LINE}\nchr1\t10\tA\tC\ttp\n`);
    await expectBad(() => ReviewStore.open(p), { code: 'review-file-invalid', file: p, where: 'line 3', problem: /has 5 tab-separated columns, expected 12/ });
  });

  test('the same verdict set on two git branches merges into one version, not a conflict', async () => {
    const repo = f('repo');
    const git = (...args: string[]): string => {
      const r = spawnSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { encoding: 'utf8' });
      return r.stdout + r.stderr;
    };
    spawnSync('mkdir', ['-p', repo]);
    git('init', '-q', '-b', 'main');
    const p = join(repo, 'calls.review.tsv');
    writeFileSync(p, `${VERSION_LINE}\n${COLUMN_LINE}\n${row(10, 'tp', '.', '2024-05-01T00:00:00.000Z')}\n`);
    git('add', '.');
    git('commit', '-q', '-m', 'base');
    git('checkout', '-q', '-b', 'b1');
    writeFileSync(p, `${VERSION_LINE}\n${COLUMN_LINE}\n${row(10, 'tp', '.', '2024-05-01T00:00:00.000Z')}\n${row(20, 'fp', 'strand bias', '2024-05-02T00:00:00.000Z', 'alice')}\n`);
    git('commit', '-q', '-am', 'alice');
    git('checkout', '-q', 'main');
    writeFileSync(p, `${VERSION_LINE}\n${COLUMN_LINE}\n${row(10, 'tp', '.', '2024-05-01T00:00:00.000Z')}\n${row(20, 'fp', 'strand bias', '2024-05-03T00:00:00.000Z', 'bob')}\n`);
    git('commit', '-q', '-am', 'bob');
    git('merge', '-q', 'b1'); // a textual conflict: both added a line at the same place
    const store = await ReviewStore.open(p);
    const e = store.entries().find((x) => x.site.pos === 20)!;
    assert.ok(e, JSON.stringify(store.entries().map((x) => x.key)));
    assert.equal(e.versions.length, 1);
    assert.equal(e.conflict, false);
    assert.equal(e.versions[0]!.verdict, 'fp');
    assert.equal(store.conflicts().length, 0);
    await store.save();
    const text = readFileSync(p, 'utf8');
    assert.doesNotMatch(text, /<<<<<<<|>>>>>>>|conflict/);
    assert.equal(text.split('\n').filter((l) => l.startsWith('chr1\t20\t')).length, 1);
  });

  test('different verdicts on two branches stay a conflict', async () => {
    const p = f('diff.review.tsv');
    writeFileSync(p, `${VERSION_LINE}\n${COLUMN_LINE}\n<<<<<<< HEAD\n${row(20, 'fp', '.', '2024-05-03T00:00:00.000Z', 'bob')}\n=======\n${row(20, 'tp', '.', '2024-05-02T00:00:00.000Z')}\n>>>>>>> b1\n`);
    const store = await ReviewStore.open(p);
    assert.equal(store.conflicts().length, 1);
  });

  test('the Review tree tooltip escapes verdict, reviewer, tags and note', () => {
    const md = reviewTooltipMarkdown([{ verdict: '**tp**', reviewer: '[x](command:evil)', time: '2024-05-01T00:00:00.000Z', tags: ['#h1', '<img src=x>'], note: '![i](http://e/x.png)\nline _2_' }]);
    assert.equal(md,
      '**\\*\\*tp\\*\\*** — \\[x\\]\\(command\\:evil\\), 2024\\-05\\-01T00\\:00\\:00\\.000Z  \ntags: \\#h1, \\<img src\\=x\\>  \n\\!\\[i\\]\\(http\\://e/x\\.png\\)  \nline \\_2\\_');
    assert.doesNotMatch(md, /\]\(command:/);
  });

  test('breaking a stale lock: never two holders at once (8 waiters, 20 rounds)', async () => {
    const target = f('locked.review.tsv');
    writeFileSync(target, '');
    let inside = 0;
    let most = 0;
    for (let round = 0; round < 20; round++) {
      // A lock left by a dead process on this host: every waiter judges it stale at once.
      writeFileSync(lockPathFor(target), JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), time: Date.now(), nonce: `dead${round}` }));
      await Promise.all(Array.from({ length: 8 }, () => withFileLock(target, async () => {
        inside++;
        most = Math.max(most, inside);
        await new Promise((r) => setTimeout(r, 1));
        inside--;
      })));
    }
    assert.equal(most, 1);
  });
});
