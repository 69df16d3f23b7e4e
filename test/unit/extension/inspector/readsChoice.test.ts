/**
 * The per-VCF reads choice (src/extension/inspector/readsChoice.ts) without VS Code: what the workspace
 * state map holds, how a VCF's choice is found (normalized path), set and cleared without
 * touching the others, and that a site's reads/reference come from the choice before the
 * settings (siteTensors.ts inputsFor, which the pileup and the models both use).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { choiceFor, choiceKey, readChoices, siteInputs, withChoice } from '../../../../src/extension/inspector/readsChoice';
import { inputsFor, type SiteSourceConfig } from '../../../../src/extension/inspector/siteTensors';
import type { SiteRecord } from '../../../../src/protocol/protocol';

const site = (file: string, sample: string): SiteRecord => ({
  file, row: 0, chrom: 'chr20', pos: 10_000_117, ref: 'C', alt: 'T', id: '.', qual: '30', filter: 'PASS', info: [], line: '',
  samples: [{ name: sample, gt: '0/1', gq: '30', dp: '40', ad: '20,20', vaf: '0.5', pl: '' } as SiteRecord['samples'][number]],
});

test('choices are stored per normalized VCF path; setting one VCF keeps the others; clearing removes only it', () => {
  let stored: unknown = undefined;
  assert.equal(choiceFor(stored, '/w/default.vcf.gz'), undefined);
  stored = withChoice(stored, '/w/default.vcf.gz', { reads: '/data/a.bam' });
  stored = withChoice(stored, '/w/sub/../retrained.vcf.gz', { reads: '/data/b.cram', reference: '/data/ref.fa' });
  assert.deepEqual(Object.keys(stored as object).sort(), [choiceKey('/w/default.vcf.gz'), '/w/retrained.vcf.gz'].sort());
  assert.deepEqual(choiceFor(stored, '/w/./default.vcf.gz'), { reads: '/data/a.bam' });
  assert.deepEqual(choiceFor(stored, '/w/retrained.vcf.gz'), { reads: '/data/b.cram', reference: '/data/ref.fa' });
  // Round trip through JSON, as workspaceState stores it.
  const reread: unknown = JSON.parse(JSON.stringify(stored));
  assert.deepEqual(readChoices(reread), stored);
  const before = JSON.stringify(stored);
  const cleared = withChoice(stored, '/w/default.vcf.gz', undefined);
  assert.equal(JSON.stringify(stored), before, 'the stored value is not mutated');
  assert.equal(choiceFor(cleared, '/w/default.vcf.gz'), undefined);
  assert.deepEqual(choiceFor(cleared, '/w/retrained.vcf.gz'), { reads: '/data/b.cram', reference: '/data/ref.fa' });
  assert.throws(() => withChoice(cleared, '/w/x.vcf', { reads: '' }), /x\.vcf/);
});

test('malformed workspace state is ignored entry by entry', () => {
  for (const bad of [null, 42, 'x', ['a'], undefined]) assert.deepEqual(readChoices(bad), {});
  const mixed = { '/w/a.vcf': { reads: '/a.bam' }, '/w/b.vcf': { reads: 7 }, '/w/c.vcf': { reads: '/c.bam', reference: '' }, '/w/d.vcf': { reads: '/d.bam', reference: '/r.fa', extra: 1 } };
  assert.deepEqual(readChoices(mixed), { '/w/a.vcf': { reads: '/a.bam' }, '/w/d.vcf': { reads: '/d.bam', reference: '/r.fa' } });
});

test('a site uses its VCF\'s choice before the settings; the reference falls back to the setting', () => {
  const settingsReads = { bySample: new Map([['HG003', '/settings/HG003.bam']]), unnamed: [] as string[] };
  let stored: unknown = withChoice(undefined, '/w/default.vcf.gz', { reads: '/chosen/x.bam' });
  const cfg = (reference: string | undefined): SiteSourceConfig => ({
    trusted: true, reads: settingsReads, reference, examples: [], choiceFor: (vcf) => choiceFor(stored, vcf),
  });
  // Chosen reads, the reference from the setting; the sample of a diff record loses its " (A: file)" suffix.
  assert.deepEqual(inputsFor(site('/w/default.vcf.gz', 'HG003 (A: default.vcf.gz)'), cfg('/settings/ref.fa')),
    { reads: { path: '/chosen/x.bam', sample: 'HG003' }, reference: '/settings/ref.fa', chosenFor: '/w/default.vcf.gz' });
  // Another VCF: the settings (by sample).
  assert.deepEqual(inputsFor(site('/w/other.vcf.gz', 'HG003'), cfg('/settings/ref.fa')), { reads: { path: '/settings/HG003.bam', sample: 'HG003' }, reference: '/settings/ref.fa' });
  // The choice's own reference wins; without any reference none is returned.
  stored = withChoice(stored, '/w/default.vcf.gz', { reads: '/chosen/x.cram', reference: '/chosen/ref.fa' });
  assert.equal(inputsFor(site('/w/default.vcf.gz', 'HG003'), cfg('/settings/ref.fa')).reference, '/chosen/ref.fa');
  stored = withChoice(stored, '/w/default.vcf.gz', { reads: '/chosen/x.bam' });
  assert.equal(inputsFor(site('/w/default.vcf.gz', 'HG003'), cfg(undefined)).reference, undefined);
  // Cleared: back to the settings; no settings reads for an unknown sample → no reads.
  stored = withChoice(stored, '/w/default.vcf.gz', undefined);
  assert.deepEqual(inputsFor(site('/w/default.vcf.gz', 'HG003'), cfg(undefined)), { reads: { path: '/settings/HG003.bam', sample: 'HG003' } });
  assert.deepEqual(siteInputs(site('/w/default.vcf.gz', 'NA12878'), undefined, () => undefined, undefined), {});
});
