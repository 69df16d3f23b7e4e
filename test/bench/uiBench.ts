/**
 * `npm run bench:ui`: host-side numbers behind the VCF table on a generated 5,000,000-record
 * .vcf.gz (the e2e suite measures the same in a real VS Code, with generous ceilings).
 * Prints: open (header + first 1000 rows), row index build, last page read, sort by QUAL,
 * filter, and the worst event-loop stall during each (the extension host must not freeze).
 */
import { join } from 'node:path';
import { VcfTableModel } from '../../src/extension/vcfTableModel';
import { bigVcfGz } from '../e2e/vcfFixtures';
import { E2E_CACHE } from '../e2e/codeServer';

async function measure<T>(label: string, fn: () => Promise<T>): Promise<T> {
  let last = performance.now();
  let maxLag = 0;
  const iv = setInterval(() => {
    const now = performance.now();
    maxLag = Math.max(maxLag, now - last - 5);
    last = now;
  }, 5);
  const t0 = performance.now();
  const r = await fn();
  const ms = performance.now() - t0;
  clearInterval(iv);
  console.log(`${label.padEnd(44)} ${ms.toFixed(0).padStart(7)} ms   max event-loop stall ${maxLag.toFixed(0).padStart(4)} ms`);
  return r;
}

const path = await bigVcfGz(join(E2E_CACHE, 'workspace'));
const model = await measure('open (header + first 1000 rows)', () => VcfTableModel.open(path));
await measure('first page (200 rows, before the index)', () => model.rows(0, 0, 200));
const ix = await measure('row index of 5,000,000 records', () => model.buildIndex());
await measure('last page (200 rows)', () => model.rows(model.viewId, ix.count - 200, ix.count));
await measure('go to locus chr3:100,000,000', () => model.findLocus('chr3:100,000,000'));
const v = await measure('sort by QUAL (incl. first column scan)', () => model.setView({ column: 'qual', descending: true }, undefined));
await measure('page of sorted rows', () => model.rows(v.viewId, 2_500_000, 2_500_200));
await measure('filter FILTER=PASS SNP chr2:1-50,000,000', () => model.setView(undefined, { filters: ['PASS'], kinds: ['SNP'], region: 'chr2:1-50,000,000' }));
await measure('filter GT=1/1 (incl. sample column scan)', () => model.setView(undefined, { genotypes: ['1/1'] }));
await model.close();
