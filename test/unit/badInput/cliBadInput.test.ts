/**
 * Every CLI command on bad inputs: exit code 1 (or 2 for usage), and on stderr one line
 * "variant-lens <command>: <file>: <problem>" naming the file, never a stack trace.
 * Runs `main()` in process (fast); a few cases also run as a real process to check the
 * exit status and that nothing else reaches stderr.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { copyWith, makeFixtures, sh, type Fixtures } from './fixtures';

let fx: Fixtures;
before(() => { fx = makeFixtures(); });
after(() => fx.cleanup());

const ROOT = resolve(__dirname, '../../..');

/** Runs the commands in one child process (cliRunner.ts); results in order. */
function runAll(cases: string[][]): { code: number | string; stderr: string; stdout: string }[] {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'cliRunner.ts'), JSON.stringify(cases)], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
  const m = /CLI_RESULTS (.*)\n/.exec(r.stdout);
  assert.ok(m, `runner failed: ${r.stderr}`);
  return JSON.parse(m[1]!) as { code: number; stderr: string; stdout: string }[];
}

/** The error line: the last stderr line starting with "variant-lens". */
function assertOneLineError(r: { code: number; stderr: string }, cmd: string, file: string, problem: RegExp): void {
  assert.ok(r.code === 1 || r.code === 2, `exit code ${r.code}; stderr: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\n\s+at [^\n]+:\d+:\d+/, `stack trace in: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /internal error/);
  const lines = r.stderr.trimEnd().split('\n').filter((l) => l.startsWith('variant-lens'));
  const last = lines[lines.length - 1] ?? '';
  assert.ok(last.startsWith(`variant-lens ${cmd}: `), `error line: ${r.stderr}`);
  assert.ok(last.includes(file), `names ${file}: ${last}`);
  assert.match(last, problem);
}

function badVcf(): string {
  const p = fx.file('bad-gt.vcf');
  const recs = [...fx.vcfRecords];
  recs[2] = recs[2]!.replace(/\t(0\/1|1\/1|0\|1):/, '\t-1/1:');
  writeFileSync(p, [...fx.vcfHeader, ...recs].join('\n') + '\n');
  return p;
}

interface Case {
  readonly name: string;
  readonly argv: string[];
  /** undefined: must succeed (exit 0). */
  readonly file?: string;
  readonly problem?: RegExp;
}

/** Every command on bad input (built once the fixtures exist). */
function cases(): Case[] {
  const out: Case[] = [];
  const add = (name: string, argv: string[], file?: string, problem?: RegExp): void => { out.push({ name, argv, ...(file ? { file } : {}), ...(problem ? { problem } : {}) }); };
  add('info: a directory', ['info', fx.dir], fx.dir, /./);
  const dirVcf = fx.file('folder.vcf.gz');
  mkdirSync(dirVcf, { recursive: true });
  add('info: a directory named like a VCF', ['info', dirVcf], dirVcf, /is a directory, not a file/);
  const gz = copyWith(fx.vcfGz, fx.file('info-cut.vcf.gz'));
  writeFileSync(gz, sh('head', ['-c', '300', gz]), 'latin1');
  add('info: a truncated .vcf.gz', ['info', gz], gz, /truncated/);
  const bam = copyWith(fx.bam, fx.file('info.bam'));
  writeFileSync(`${bam}.bai`, Buffer.from('BAI\x01\x05\x00\x00\x00', 'latin1'));
  add('info: a broken .bai', ['info', bam], `${bam}.bai`, /index/);
  const fa = copyWith(fx.ref, fx.file('info.fa'));
  writeFileSync(`${fa}.fai`, 'chr1\t6000\t999999\t60\t61\n');
  add('info: a .fai that does not match', ['info', fa], `${fa}.fai`, /does not match|past the end/);
  add('info: a CRAM with an embedded reference, no --ref (works)', ['info', fx.cramEmbedded]);
  add('info: a CRAM without --ref', ['info', fx.cram], fx.cram, /without an embedded reference: reading it needs the reference FASTA/);
  add('info: a missing file', ['info', fx.file('missing.bam')], fx.file('missing.bam'), /no such file/);
  add('diff: a directory as VCF', ['diff', fx.dir, fx.vcf, '--out', fx.file('o1')], fx.dir, /is a directory/);
  const bad = badVcf();
  add('diff: an invalid GT', ['diff', bad, fx.vcf, '--out', fx.file('o2')], bad, /line 9 .*GT "-1\/1"/);
  add('diff: --out into a missing folder (created)', ['diff', fx.vcf, fx.vcf, '--out', join(fx.dir, 'missing', 'deeper', 'x')]);
  add('diff: a directory as --ref', ['diff', fx.vcf, fx.vcf, '--ref', fx.dir, '--out', fx.file('o3')], fx.dir, /is a directory/);
  add('diff: /dev/zero as --bed', ['diff', fx.vcf, fx.vcf, '--bed', 'z=/dev/zero', '--out', fx.file('o4')], '/dev/zero', /is larger than \d+ bytes/);
  add('report: an invalid GT', ['report', bad, fx.vcf, '--out', fx.file('r.html')], bad, /GT "-1\/1"/);
  const tsv = fx.file('latin1.tsv');
  writeFileSync(tsv, Buffer.concat([Buffer.from('chr\tstart\tref\tvar\tcall\tnote\nchr1\t9\tA\tC\ttp\t'), Buffer.from('caf\u00e9\n', 'latin1')]));
  add('review import: a Latin-1 TSV', ['review', 'import', '--tsv', tsv, '--review', fx.file('r.review.tsv')], tsv, /line 2 is not valid UTF-8/);
  const good = fx.file('good.tsv');
  writeFileSync(good, 'chr\tstart\tref\tvar\tcall\nchr1\t9\tA\tC\ttp\n');
  add('review import: --review into a missing folder (created)', ['review', 'import', '--tsv', good, '--review', join(fx.dir, 'no', 'such', 'folder', 'x.review.tsv')]);
  const badReview = fx.file('bad.review.tsv');
  writeFileSync(badReview, '##variant-lens-review=1\n#chrom\tpos\n1\t2\n');
  add('review stats: a broken review file', ['review', 'stats', '--review', badReview], badReview, /line 2: column header must be/);
  add('review export: a directory as --review', ['review', 'export', '--review', fx.dir, '--format', 'tsv', '--out', fx.file('x.tsv')], fx.dir, /director/);
  add('show: a directory as --reads', ['show', '--reads', fx.dir, '--ref', fx.ref, '--locus', 'chr1:100', '--out', fx.file('s')], fx.dir, /is a directory/);
  add('examples: a directory as --ref', ['examples', '--reads', fx.bam, '--ref', fx.dir, '--regions', 'chr1:1-500', '--out', fx.file('e.tfrecord.gz')], fx.dir, /is a directory/);
  const golden = fx.file('g.tfrecord.gz');
  writeFileSync(golden, Buffer.from('not a gzip file'));
  add('parity: a golden file that is not gzip', ['parity', '--golden', golden, '--reads', fx.bam, '--ref', fx.ref], golden, /./);
  const model = fx.file('model');
  mkdirSync(model, { recursive: true });
  writeFileSync(join(model, 'model.onnx'), 'garbage');
  writeFileSync(join(model, 'example_info.json'), '{ nope');
  add('call: a model folder with broken JSON', ['call', '--reads', fx.bam, '--ref', fx.ref, '--model', model, '--regions', 'chr1:1-500', '--out', fx.file('c.vcf')], join(model, 'example_info.json'), /not valid JSON/);
  const cvo = fx.file('cvo.tfrecord');
  writeFileSync(cvo, Buffer.alloc(40, 7));
  add('postprocess: a corrupt call_variants output', ['postprocess', '--cvo', cvo, '--ref', fx.ref, '--out', fx.file('p.vcf')], cvo, /TFRecord|corrupt/);
  const file = fx.file('a-file');
  writeFileSync(file, 'x');
  add('simulate: --out inside a file', ['simulate', '--out', join(file, 'sub')], file, /./);
  add('mcp: a root that does not exist', ['mcp', '--root', fx.file('no-such-root')], fx.file('no-such-root'), /does not exist/);
  add('mcp: a root that is a file', ['mcp', '--root', fx.dir, '--root', file], file, /is not a folder/);
  return out;
}

describe('CLI on bad input: one line, exit 1/2, no stack trace', () => {
  let list: Case[] = [];
  let results: { code: number | string; stderr: string; stdout: string }[] = [];
  before(() => {
    list = cases();
    results = runAll(list.map((c) => c.argv));
  });

  test('every command: exit 1 or 2 with one line naming the file (or success where the fix is to create the folder)', () => {
    const commands = new Set(list.map((c) => c.argv[0]));
    for (const c of ['info', 'diff', 'report', 'review', 'show', 'examples', 'parity', 'call', 'postprocess', 'simulate', 'mcp']) assert.ok(commands.has(c), `no case for ${c}`);
    const failures: string[] = [];
    list.forEach((c, i) => {
      const r = results[i]!;
      try {
        if (c.file === undefined) assert.equal(r.code, 0, r.stderr);
        else assertOneLineError(r as { code: number; stderr: string }, c.argv[0]!, c.file, c.problem!);
      } catch (e) {
        failures.push(`${c.name}: ${(e as Error).message}`);
      }
    });
    assert.deepEqual(failures, []);
  });

  test('as a real process: exit status 1 and exactly one stderr line', () => {
    const bad = badVcf();
    for (const args of [['info', fx.dir], ['diff', bad, fx.vcf, '--out', fx.file('p1')]]) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });
      assert.equal(r.status, 1, r.stderr);
      const lines = r.stderr.trimEnd().split('\n').filter((l) => !/^diff: start|^npm warn/.test(l));
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, /^variant-lens (info|diff): /);
    }
  });

  test('a VCF given as a pipe (/dev/stdin): one line naming it and saying to save it to a file (was a bare ESPIPE)', () => {
    // The VCF readers seek (header, BGZF end-of-file block, index, a second pass): a pipe
    // cannot be read at offsets, so it is refused by name before any read.
    // A shell pipe (node's own stdio "pipes" are sockets, which /dev/stdin cannot reopen).
    const q = (x: string): string => `'${x.replace(/'/g, "'\\''")}'`;
    const r = spawnSync('bash', ['-c', `cat ${q(fx.vcf)} | ${q(process.execPath)} --import tsx ${q(join(ROOT, 'src/cli/main.ts'))} diff /dev/stdin ${q(fx.vcf)} --out ${q(fx.file('pipe'))}`], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assertOneLineError({ code: r.status!, stderr: r.stderr }, 'diff', '/dev/stdin', /is a pipe or device, not a regular file; .*save the stream to a file first/);
  });
});
