/**
 * Bad input through the diff panel's model (src/extension/diff/diffModel.ts, as diffPanel.ts runs
 * it: `run` rethrows and `init()` carries the error to the webview) and the review workspace
 * (src/extension/review/reviewWorkspace.ts, as reviewController.ts uses it):
 *  - a truncated .vcf.gz and an unsorted VCF end the run in state 'error' with the file (and
 *    for unsorted, the lines) in the error the webview gets;
 *  - a review file with a corrupt line: opening/annotating fails with the file and line, the
 *    file is never rewritten, other review files keep working; a file corrupted on disk after
 *    opening (a git merge) refuses reload and annotate without writing, and the annotation
 *    made meanwhile is saved once the file is fixed (not lost).
 * Ground truth for positions: bcftools on the shared GIAB VCF. Lines are 1-based.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DiffModel } from '../../../../src/extension/diff/diffModel';
import { ReviewWorkspace } from '../../../../src/extension/review/reviewWorkspace';
import { DISPUTE_VOCABULARY } from '../../../../src/core/review/vocabulary';
import { dv, sharedTest } from '../../../helpers/paths';

let dir: string;
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown): void => { unhandled.push(e); };

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'vl-badinput-diff-'));
  process.on('unhandledRejection', onUnhandled);
});

after(() => {
  process.off('unhandledRejection', onUnhandled);
  rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(unhandled, [], 'unhandled rejections');
});

sharedTest('diff: truncated .vcf.gz and unsorted VCF end the run in error with the file and lines', async () => {
  const truth = dv('test_nist.b37_chr20_100kbp_at_10mb.vcf.gz');
  const text = sh('bcftools', ['view', truth]);
  const header = text.split('\n').filter((l) => l.startsWith('#'));
  const body = text.split('\n').filter((l) => l && !l.startsWith('#'));
  // Truncated: a multi-block bgzip of the records repeated on shifted positions, cut in the middle.
  const big = join(dir, 'big.vcf');
  writeFileSync(big, [...header, ...body].join('\n') + '\n');
  const gz = join(dir, 'big.vcf.gz');
  sh('sh', ['-c', `bgzip -c '${big}' > '${gz}'`]);
  const cut = join(dir, 'cut.vcf.gz');
  const bytes = readFileSync(gz);
  writeFileSync(cut, bytes.subarray(0, bytes.length - 100));
  // Unsorted: record 101 (1-based) moved to the front of the records.
  const unsorted = join(dir, 'unsorted.vcf');
  writeFileSync(unsorted, [...header, body[100]!, ...body.slice(0, 100), ...body.slice(101)].join('\n') + '\n');
  const movedLine = header.length + 1; // the moved record's line
  const nextLine = movedLine + 1; // the first record it was put before
  const movedPos = body[100]!.split('\t')[1];
  const nextPos = body[0]!.split('\t')[1];

  for (const [a, b, code, parts] of [
    [truth, cut, 'truncated-bgzf', [cut]],
    [unsorted, truth, 'malformed-vcf', [unsorted, `line ${nextLine} (chr20:${nextPos}) comes after chr20:${movedPos} (line ${movedLine})`]],
  ] as const) {
    const model = new DiffModel({ fileA: a, fileB: b });
    await assert.rejects(model.run(new AbortController().signal), (e: unknown) => {
      assert.equal((e as { code?: string }).code, code, String(e));
      return true;
    });
    assert.equal(model.state, 'error');
    const init = model.init();
    assert.equal(init.state, 'error');
    assert.equal(init.error?.code, code);
    for (const p of parts) assert.ok(init.error!.message.includes(p), `${init.error!.message} lacks ${p}`);
  }
});

const site = (pos: number): { contig: string; pos: number; ref: string; alt: string } => ({ contig: 'chr20', pos, ref: 'A', alt: 'G' });

test('review: corrupt line names file and line, the file is never rewritten, other files and annotations survive', async () => {
  const ws = new ReviewWorkspace({ vocabulary: () => DISPUTE_VOCABULARY, reviewer: () => 'tester', now: () => new Date('2026-01-02T03:04:05Z') });
  const good = join(dir, 'good.review.tsv');
  const verdict = DISPUTE_VOCABULARY.verdicts[0]!.id;
  await ws.annotate(good, site(1000), { verdict });
  await ws.annotate(good, site(2000), { verdict });
  const goodText = readFileSync(good, 'utf8');
  const lines = goodText.split('\n');
  const firstData = lines.findIndex((l) => l && !l.startsWith('#')); // 0-based index of the first record line

  // A file with a corrupt record line (POS not a number) from the start.
  const bad = join(dir, 'bad.review.tsv');
  const badLines = [...lines];
  badLines[firstData + 1] = badLines[firstData + 1]!.replace('\t2000\t', '\tTWO-THOUSAND\t');
  const badText = badLines.join('\n');
  writeFileSync(bad, badText);
  const badLineNo = firstData + 2; // 1-based
  const check = (file: string, line: number) => (e: unknown): boolean => {
    assert.equal((e as { code?: string }).code, 'review-file-invalid', String(e));
    assert.ok((e as Error).message.includes(file), (e as Error).message);
    assert.match((e as Error).message, new RegExp(`line ${line}\\b`));
    return true;
  };
  await assert.rejects(ws.open(bad), check(bad, badLineNo));
  await assert.rejects(ws.annotate(bad, site(3000), { verdict }), check(bad, badLineNo));
  assert.equal(readFileSync(bad, 'utf8'), badText, 'the corrupt file was rewritten');
  // The other store still works.
  await ws.annotate(good, site(3000), { verdict });
  assert.equal((await ws.open(good)).size, 3);

  // Corrupted on disk after opening (e.g. a bad hand edit or merge): the first record's POS.
  const beforeCorrupt = readFileSync(good, 'utf8');
  const merged = beforeCorrupt.replace(lines[firstData]!, lines[firstData]!.replace('\t1000\t', '\tone thousand\t'));
  assert.notEqual(merged, beforeCorrupt);
  writeFileSync(good, merged);
  await assert.rejects(ws.reload(good), check(good, firstData + 1));
  await assert.rejects(ws.annotate(good, site(4000), { verdict }), check(good, firstData + 1));
  assert.equal(readFileSync(good, 'utf8'), merged, 'the corrupt file was rewritten');
  // Fixed on disk: annotating works again and nothing annotated here is lost.
  writeFileSync(good, beforeCorrupt);
  await ws.annotate(good, site(5000), { verdict });
  const store = await ws.open(good);
  const reread = readFileSync(good, 'utf8');
  for (const pos of [1000, 2000, 3000, 4000, 5000]) {
    assert.ok(store.get({ contig: 'chr20', pos, ref: 'A', alt: 'G' }), `site ${pos} lost in memory`);
    assert.match(reread, new RegExp(`^chr20\\t${pos}\\t`, 'm'), `site ${pos} lost on disk`);
  }
});
