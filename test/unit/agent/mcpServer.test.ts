/**
 * `variant-lens mcp` (src/cli/commands/mcp.ts) driven by the MCP SDK's own Client over stdio,
 * the way an MCP client runs it: `node dist/cli.js mcp --root <private copy of the demo
 * workspace>`. tools/list has exactly the three tools (record_verdict the writing one);
 * inspect_site returns the GT and QUAL that `variant-lens call` wrote (read independently with
 * bcftools); record_verdict writes a line that `variant-lens review stats --json` counts; a
 * path outside the root is refused without echoing content; malformed arguments are tool
 * errors and the server keeps serving; stdout carries nothing but JSON-RPC.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { demoRootCopy } from '../../helpers/demoWorkspace';
import { PROJECT_ROOT, TEST_CACHE } from '../../helpers/paths';

const CLI = join(PROJECT_ROOT, 'dist', 'cli.js');

let root = '';
let outside = '';
let client: Client;
let transport: StdioClientTransport;
let stderr = '';
/** Errors the client saw on the connection (a non-JSON line on the server's stdout is one). */
const connectionErrors: string[] = [];

interface CallResult {
  content: ({ type: 'text'; text: string } | { type: 'image'; data: string; mimeType: string })[];
  isError?: boolean;
}

async function call(name: string, args: Record<string, unknown>): Promise<CallResult> {
  return await client.callTool({ name, arguments: args }, undefined, { timeout: 300_000 }) as CallResult;
}

function firstText(r: CallResult): string {
  const c = r.content[0];
  assert.ok(c && c.type === 'text', 'the first content is text');
  return c.text;
}

before(async () => {
  assert.ok(existsSync(CLI), 'dist/cli.js is built (npm run build)');
  root = await demoRootCopy('mcp-');
  outside = mkdtempSync(join(TEST_CACHE, 'mcp-outside-'));
  writeFileSync(join(outside, 'secret.vcf'), 'TOP-SECRET-CONTENT\n');
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  transport = new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp', '--root', root], env, stderr: 'pipe', cwd: PROJECT_ROOT });
  transport.stderr?.on('data', (d: Buffer) => { stderr += d.toString('utf8'); });
  client = new Client({ name: 'variant-lens-test', version: '1.0.0' });
  client.onerror = (e) => { connectionErrors.push(e.message); };
  await client.connect(transport);
});

after(async () => {
  await client?.close();
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

test('initialize and tools/list: exactly the three tools, record_verdict the one writing tool', async () => {
  assert.equal(client.getServerVersion()?.name, 'variant-lens');
  assert.ok(client.getServerCapabilities()?.tools, 'the server has the tools capability');
  const { tools } = await client.listTools();
  assert.deepEqual(tools.map((t) => t.name).sort(), ['inspect_site', 'list_disputed_sites', 'record_verdict']);
  for (const t of tools) {
    assert.equal(t.inputSchema.type, 'object');
    assert.ok(t.description && t.description.length > 40, `${t.name} has a description`);
    const writes = t.name === 'record_verdict';
    assert.equal(t.annotations?.readOnlyHint, !writes, `${t.name} readOnlyHint`);
    assert.equal(t.annotations?.destructiveHint, writes, `${t.name} destructiveHint`);
  }
  assert.deepEqual(tools.find((t) => t.name === 'record_verdict')!.inputSchema.required, ['review', 'locus', 'verdict']);
  assert.match(stderr, /variant-lens mcp: serving/, 'the log line goes to stderr');
});

test('list_disputed_sites over MCP: the demo diff\'s disputes, ranked', async () => {
  const r = await call('list_disputed_sites', { a: 'default.vcf.gz', b: 'retrained.vcf.gz', limit: 3 });
  assert.notEqual(r.isError, true, firstText(r));
  const v = JSON.parse(firstText(r)) as { disputes: number; sites: { rank: number; locus: string; score: number }[] };
  assert.ok(v.disputes > 0);
  assert.equal(v.sites.length, Math.min(3, v.disputes));
  assert.deepEqual(v.sites.map((s) => s.rank), v.sites.map((_, i) => i + 1));
  for (let i = 1; i < v.sites.length; i++) assert.ok(v.sites[i - 1]!.score >= v.sites[i]!.score);
});

test('inspect_site over MCP: the GT and QUAL that variant-lens call wrote (bcftools query), and PNG images', async () => {
  const r = await call('inspect_site', { locus: 'chr21:16799' });
  assert.notEqual(r.isError, true, firstText(r));
  const v = JSON.parse(firstText(r)) as {
    records: { vcf: string; qual: number | null; samples: { gt: string; gq: number | null }[] }[];
    models: { model: string; gt: string }[];
  };
  const gts: string[] = [];
  for (const name of ['default', 'retrained']) {
    const q = spawnSync('bcftools', ['query', '-r', 'chr21:16799', '-f', '%POS\t%QUAL\t[%GT]\t[%GQ]\n', join(root, `${name}.vcf.gz`)], { encoding: 'utf8' });
    assert.equal(q.status, 0, q.stderr);
    const line = q.stdout.split('\n').find((l) => l.startsWith('16799\t'));
    assert.ok(line, `bcftools finds the record of ${name}.vcf.gz at chr21:16799`);
    const [, qual, gt, gq] = line.split('\t');
    const got = v.records.find((x) => x.vcf === `${name}.vcf.gz`);
    assert.ok(got, `a record from ${name}.vcf.gz`);
    assert.equal(got.qual, Number(qual), `${name} QUAL`);
    assert.equal(got.samples[0]!.gt, gt, `${name} GT`);
    assert.equal(got.samples[0]!.gq, Number(gq), `${name} GQ`);
    assert.equal(v.models.find((m) => m.model === name)?.gt, gt, `the ${name} model re-run gives the VCF's GT`);
    gts.push(gt!);
  }
  assert.notEqual(gts[0], gts[1], 'a disputed site');
  const images = r.content.filter((c): c is { type: 'image'; data: string; mimeType: string } => c.type === 'image');
  assert.ok(images.length >= 2, 'the pileup images come as image content');
  for (const im of images) {
    assert.equal(im.mimeType, 'image/png');
    assert.deepEqual([...Buffer.from(im.data, 'base64').subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  }
});

test('record_verdict over MCP writes a line that variant-lens review stats counts', async () => {
  const review = 'agent.review.tsv';
  const r = await call('record_verdict', { review, locus: 'chr21:16799:T>C', verdict: 'retrained-correct', note: 'written over MCP' });
  assert.notEqual(r.isError, true, firstText(r));
  assert.equal((JSON.parse(firstText(r)) as { verdict: string }).verdict, 'retrained-correct');
  const text = readFileSync(join(root, review), 'utf8');
  assert.match(text, /^chr21\t16799\tT\tC\t\.\tretrained-correct\t\.\twritten over MCP\t/m);
  const s = spawnSync(process.execPath, [CLI, 'review', 'stats', '--review', join(root, review), '--json'], { encoding: 'utf8' });
  assert.equal(s.status, 0, s.stderr);
  const stats = JSON.parse(s.stdout) as { sites: number; byVerdict: Record<string, number> };
  assert.equal(stats.sites, 1);
  assert.deepEqual(stats.byVerdict, { 'retrained-correct': 1 });
});

test('a path outside the root is refused: a tool error naming the problem, no file content, nothing written', async () => {
  const cases: [string, Record<string, unknown>][] = [
    ['inspect_site', { locus: 'chr21:16799', vcfs: [join(outside, 'secret.vcf')] }],
    ['list_disputed_sites', { a: join(outside, 'secret.vcf'), b: 'default.vcf.gz' }],
    ['record_verdict', { review: join(outside, 'r.tsv'), locus: 'chr21:16799:T>C', verdict: 'uncertain' }],
  ];
  for (const [tool, args] of cases) {
    const r = await call(tool, args);
    assert.equal(r.isError, true, `${tool} ${JSON.stringify(args)}`);
    assert.match(firstText(r), /is outside the allowed folders/);
    assert.ok(firstText(r).includes(outside), 'the message names the refused path');
    assert.doesNotMatch(JSON.stringify(r.content), /TOP-SECRET/);
  }
  assert.equal(existsSync(join(outside, 'r.tsv')), false, 'no review file written outside the root');
});

test('malformed arguments are tool errors with a clear message; the server keeps serving', async () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['inspect_site', { locus: 42 }, /"locus" must be a string/],
    ['inspect_site', { locus: 'chr21-16799' }, /is not contig:POS/],
    ['list_disputed_sites', { a: 'default.vcf.gz' }, /missing argument "b"/],
    ['list_disputed_sites', { a: 'default.vcf.gz', b: 'retrained.vcf.gz', limit: -1 }, /between 1 and 1000/],
    ['record_verdict', { review: 'r.tsv', locus: 'chr21:16799:T>C', verdict: 'nobody-correct' }, /not in the vocabulary/],
    ['record_verdict', { review: 'r.tsv', locus: 'chr21:16799', verdict: 'uncertain', colour: 'red' }, /unknown argument "colour"/],
    ['no_such_tool', {}, /unknown tool "no_such_tool"/],
  ];
  for (const [tool, args, re] of cases) {
    const r = await call(tool, args);
    assert.equal(r.isError, true, `${tool} ${JSON.stringify(args)}`);
    assert.match(firstText(r), re);
    assert.ok(!firstText(r).includes('\n') && !/at .*\.(ts|js):\d+/.test(firstText(r)), 'one line, no stack');
  }
  assert.equal(existsSync(join(root, 'r.tsv')), false, 'no review file written for rejected verdicts');
  const { tools } = await client.listTools();
  assert.equal(tools.length, 3, 'still serving after the errors');
  assert.deepEqual(connectionErrors, [], 'nothing but JSON-RPC on the server\'s stdout');
  assert.doesNotMatch(stderr, /internal error|Error: .*\n\s+at /, 'no crash or stack trace in the log');
});
