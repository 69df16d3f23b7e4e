/**
 * The VCF table's steps on the 5,000,000-record file of `bench:ui`, in CPU time, next to
 * the CPU time of the htslib/coreutils pipelines that do the same job, in the same run.
 *
 * `bench:ui` compares wall times; on a shared two-core machine at load 15-25 a pipeline's
 * wall time moves 2-4x between runs, so its ratios cannot show a 10 % change. CPU time
 * moves far less: ours is this process's CPU (the table's worker thread included,
 * process.cpuUsage), the tools' is the CPU of the whole pipeline (bash `times`, children).
 *
 * This file imports nothing but the table model and the bench fixture, and finds the model
 * where 0.1.0 kept it (src/extension/vcfTableModel) or where it is now
 * (src/extension/table/vcfTableModel), so `bench:ab` runs the very same harness on both
 * commits (`node test/bench/abRun.mjs --a db7f856 --bench tableCpu`).
 *
 *   node --import tsx test/bench/tableCpuBench.ts
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bigVcfGz } from '../e2e/vcfFixtures';
import { E2E_CACHE } from '../e2e/codeServer';

interface TableModel {
  buildIndex(): Promise<{ count: number }>;
  setView(sort: unknown, filter: unknown): Promise<{ count: number }>;
  close(): Promise<void>;
}
interface TableModelClass { open(path: string): Promise<TableModel> }

async function loadModel(): Promise<TableModelClass> {
  const root = resolve(__dirname, '../..');
  const now = join(root, 'src/extension/table/vcfTableModel.ts');
  const then = join(root, 'src/extension/vcfTableModel.ts');
  const path = existsSync(now) ? now : then;
  const m = (await import(path)) as { VcfTableModel: TableModelClass };
  return m.VcfTableModel;
}

const cpuMs = (): number => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };

async function ours<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const c0 = cpuMs();
  const t0 = performance.now();
  const r = await fn();
  console.log(`${label.padEnd(48)} ${(cpuMs() - c0).toFixed(0).padStart(7)} ms CPU ${(performance.now() - t0).toFixed(0).padStart(7)} ms wall`);
  return r;
}

/** CPU of a pipeline and all its processes: bash's `times`, second line (children). */
function tool(label: string, cmd: string): void {
  const r = spawnSync('bash', ['-c', `set -o pipefail; ${cmd} >/dev/null; times`], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  const children = r.stdout.trim().split('\n').pop() ?? '';
  const secs = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce((s, m) => s + Number(m[1]) * 60 + Number(m[2]), 0);
  console.log(`${label.padEnd(48)} ${(secs * 1000).toFixed(0).padStart(7)} ms CPU`);
}

async function main(): Promise<void> {
  const path = await bigVcfGz(join(E2E_CACHE, 'workspace'));
  const VcfTableModel = await loadModel();
  const model = await ours('open (header + first 1000 rows)', () => VcfTableModel.open(path));
  await ours('row index of 5,000,000 records (worker)', () => model.buildIndex());
  await ours('sort by QUAL desc (incl. column pass)', () => model.setView({ column: 'qual', descending: true }, undefined));
  await ours('filter FILTER=PASS SNP chr2:1-50,000,000', () => model.setView(undefined, { filters: ['PASS'], kinds: ['SNP'], region: 'chr2:1-50,000,000' }));
  await ours('filter GT=1/1 (incl. sample column pass)', () => model.setView(undefined, { genotypes: ['1/1'] }));
  await ours('filter text "db" (one pass over lines)', () => model.setView(undefined, { text: 'db' }));
  await model.close();
  const q = `'${path}'`;
  tool('bgzip -dc (decompress only)', `bgzip -dc ${q} | wc -l`);
  tool('bcftools view -H (parse every record)', `bcftools view -H ${q} | wc -l`);
  tool('bcftools query QUAL | sort -g -r', `bcftools query -f '%QUAL\\n' ${q} | LC_ALL=C sort -s -g -r | tail -1`);
  tool('bcftools view -f PASS -v snps -r chr2:1-50M', `bcftools view -H -f PASS -v snps -r chr2:1-50000000 ${q} | wc -l`);
  tool('bcftools view -i GT="1/1"', `bcftools view -H -i 'GT="1/1"' ${q} | wc -l`);
  tool('bcftools view -H | grep -ic db', `bcftools view -H ${q} | grep -ic db`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
