/**
 * The VCF table's index worker on a line over the (lowered) length cap: the host gets a
 * VariantLensError naming the file and line, the worker stays usable, the host stays up.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { startTableJobs } from '../../../src/core/table/vcfTableWorkerClient';
import { expectBad, makeFixtures, sh, type Fixtures } from './fixtures';

let fx: Fixtures;
before(() => { fx = makeFixtures({ reads: 20 }); });
after(() => fx.cleanup());

test('index worker: a line over the cap is an error in the host; the worker answers again; the host lives', async () => {
  const recs = [...fx.vcfRecords];
  recs[30] = recs[30]!.replace(/\t\.\tGT:GQ\t/, `\tNOTE=${'y'.repeat(60_000)}\tGT:GQ\t`);
  const plain = fx.file('long.vcf');
  writeFileSync(plain, [...fx.vcfHeader, ...recs].join('\n') + '\n');
  const gz = fx.file('long.vcf.gz');
  writeFileSync(gz, sh('bgzip', ['-c', plain]), 'latin1');
  const old = process.env['VARIANT_LENS_MAX_LINE_BYTES'];
  process.env['VARIANT_LENS_MAX_LINE_BYTES'] = '30000'; // the worker inherits the environment
  try {
    for (const f of [plain, gz]) {
      const jobs = startTableJobs(f);
      try {
        assert.equal(jobs.kind, 'worker');
        const want = { code: 'malformed-vcf', file: f, where: 'line 37', problem: /is longer than 30000 bytes/ };
        await expectBad(() => jobs.index(undefined), want);
        // The same worker answers the next request with the same error (it did not die).
        await expectBad(() => jobs.index(undefined), want);
      } finally {
        await jobs.close();
      }
    }
    // A good file indexes fine afterwards, in a new worker of this same (living) process.
    const good = startTableJobs(fx.vcfGz);
    try {
      const r = await good.index(undefined);
      assert.equal(r.offsets.length, fx.vcfRecords.length);
    } finally {
      await good.close();
    }
  } finally {
    if (old === undefined) delete process.env['VARIANT_LENS_MAX_LINE_BYTES'];
    else process.env['VARIANT_LENS_MAX_LINE_BYTES'] = old;
  }
  assert.ok(process.uptime() > 0);
});
