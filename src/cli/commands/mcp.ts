/**
 * `variant-lens mcp --root DIR [--root DIR…]` — the agent tools (src/agent) as a Model Context
 * Protocol server over stdio, on the official SDK (@modelcontextprotocol/sdk): an MCP client
 * (an editor's agent, a desktop chat app) starts it as a subprocess and calls
 *
 *   list_disputed_sites({a, b, limit?})   read-only
 *   inspect_site({locus, vcfs?})          read-only
 *   record_verdict({review, locus, verdict, note?})   writes (annotations readOnlyHint false)
 *
 * The tools open only files under the roots (src/agent/rootGuard.ts); the settings (reads,
 * reference, models, reviewer, vocabulary) are the first root's .vscode/settings.json, read on
 * every call (src/agent/agentSettings.ts). Bad arguments, a refused path or a reader error is a
 * tool error (`isError`) with one clear line and no file content; the server keeps running.
 * stdout carries only MCP JSON-RPC messages: every log line goes to stderr.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { readRootSettings } from '../../agent/agentSettings';
import { AgentToolbox } from '../../agent/agentTools';
import { mcpCallResult, mcpToolList } from '../../agent/mcpShapes';
import { RootGuard } from '../../agent/rootGuard';
import { ToolInputError } from '../../agent/toolErrors';
import { VariantLensError } from '../../core/errors';
import { version } from '../../../package.json';
import { shutdownInference } from '../../core/model/inferenceHost';
import { parseArgs } from '../framework/args';
import type { CliContext } from '../framework/command';
import { registerCommand } from '../framework/registry';

const usage = `usage: variant-lens mcp --root DIR [--root DIR…]

Runs a Model Context Protocol server on stdin/stdout (for an MCP client's "mcpServers"
configuration: command "node", args ["/path/to/dist/cli.js", "mcp", "--root", "/path/to/workspace"]).
Tools:
  list_disputed_sites({a, b, limit?})              disputes of the A-vs-B diff, ranked as the report ranks them
  inspect_site({locus, vcfs?})                     VCF records and every configured model's call at a site
  record_verdict({review, locus, verdict, note?})  writes one verdict into a review file
Only files under the --root folders are opened; relative paths are relative to the first root.
Settings (variantLens.reads, .reference, .models, .reviewer, .review.vocabulary) are read
from the first root's .vscode/settings.json. Log lines go to stderr.`;


async function runMcp(argv: string[], ctx: CliContext): Promise<number> {
  const args = parseArgs(argv, { root: { type: 'string', multiple: true } }, usage);
  if (args.positionals.length > 0) throw new VariantLensError('invalid-argument', `unexpected argument ${args.positionals[0]}\n${usage}`);
  const rootArgs = args.all('root');
  if (rootArgs.length === 0) throw new VariantLensError('invalid-argument', `give at least one --root DIR\n${usage}`);
  let guard: RootGuard;
  try {
    guard = new RootGuard(rootArgs);
  } catch (e) {
    if (e instanceof ToolInputError) throw new VariantLensError('invalid-argument', e.message);
    throw e;
  }
  const firstRoot = guard.roots[0]!;
  const toolbox = new AgentToolbox({ guard, settings: () => readRootSettings(firstRoot) });

  const server = new McpServer(
    { name: 'variant-lens', title: 'Variant Lens', version },
    {
      capabilities: { tools: {} },
      instructions: 'Variant Lens: review DeepVariant calls. list_disputed_sites finds where two VCFs disagree, inspect_site shows the records and what each configured model says at one site, record_verdict writes a verdict into a review file. Paths are under the server roots; relative paths are relative to the first root.',
    },
  );
  // The tools' JSON Schemas and annotations are the ones src/agent defines (shared with the
  // language-model tools), so the low-level handlers answer with them as they are; the
  // arguments are checked by the toolbox, which turns every failure into a tool error.
  server.server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: mcpToolList() }));
  const inFlight = new Set<Promise<unknown>>();
  server.server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const { name, arguments: toolArgs } = request.params;
    const t0 = Date.now();
    const running = toolbox.run(name, toolArgs ?? {}, extra.signal);
    inFlight.add(running);
    const out = await running.finally(() => inFlight.delete(running));
    ctx.progress(`variant-lens mcp: ${name.slice(0, 60)} ${out.isError ? `error: ${out.text}` : 'ok'} (${Date.now() - t0} ms)`);
    return mcpCallResult(out);
  });

  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
  });
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void server.close().catch(() => undefined);
  };
  // The client ends the session by closing our stdin (MCP stdio transport): the calls already
  // received are answered first (a client may write its requests and close at once). Ctrl-C
  // stops at once (the running tools see the abort).
  const drainThenStop = (): void => {
    void (async () => {
      do {
        await Promise.allSettled([...inFlight]);
        // The SDK sends a call's response a few promise turns after the tool returns.
        await new Promise((resolve) => setImmediate(resolve));
      } while (inFlight.size > 0);
      stop();
    })();
  };
  process.stdin.once('end', drainThenStop);
  process.stdin.once('close', drainThenStop);
  ctx.signal.addEventListener('abort', stop, { once: true });
  await server.connect(transport);
  ctx.progress(`variant-lens mcp: serving list_disputed_sites, inspect_site, record_verdict on stdio; roots ${guard.roots.join(', ')}`);
  await closed;
  process.stdin.off('end', drainThenStop);
  process.stdin.off('close', drainThenStop);
  await toolbox.dispose();
  await shutdownInference();
  ctx.progress('variant-lens mcp: closed');
  return 0;
}

registerCommand({
  name: 'mcp',
  summary: 'serve the agent tools (list_disputed_sites, inspect_site, record_verdict) over MCP on stdio',
  usage,
  run: runMcp,
});
