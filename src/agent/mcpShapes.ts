/**
 * The agent tools in the Model Context Protocol's shapes (protocol revision 2025-06-18): the
 * `tools/list` entries, with `record_verdict` marked as the one writing tool through the
 * tool annotations, and a tool output as a `tools/call` result (text, PNG images as base64
 * image content, `isError` for a tool error). A stdio server built on
 * `@modelcontextprotocol/sdk` (`variant-lens mcp`) answers with these as they are; they are
 * plain data, so this file needs no SDK.
 */
import { AGENT_TOOLS, type ToolOutput } from './agentTools';

export interface McpToolEntry {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly inputSchema: (typeof AGENT_TOOLS)[number]['inputSchema'];
  readonly annotations: {
    readonly title: string;
    readonly readOnlyHint: boolean;
    readonly destructiveHint: boolean;
    readonly idempotentHint: boolean;
    readonly openWorldHint: boolean;
  };
}

/** The `tools/list` result's tools. */
export function mcpToolList(): McpToolEntry[] {
  return AGENT_TOOLS.map((t) => ({
    name: t.name, title: t.title, description: t.description, inputSchema: t.inputSchema,
    annotations: {
      title: t.title,
      readOnlyHint: t.readOnly,
      // record_verdict replaces a site's earlier verdict: it writes, and can overwrite.
      destructiveHint: !t.readOnly,
      idempotentHint: true,
      openWorldHint: false,
    },
  }));
}

export type McpContent = { readonly type: 'text'; readonly text: string } | { readonly type: 'image'; readonly data: string; readonly mimeType: 'image/png' };

/** A `tools/call` result. */
export function mcpCallResult(out: ToolOutput): { content: McpContent[]; isError: boolean } {
  const content: McpContent[] = [{ type: 'text', text: out.text }];
  for (const im of out.images) {
    content.push({ type: 'text', text: `Image: ${im.caption}` });
    content.push({ type: 'image', data: Buffer.from(im.png).toString('base64'), mimeType: 'image/png' });
  }
  return { content, isError: out.isError };
}
