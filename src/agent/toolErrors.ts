/**
 * Errors of the agent tools. A tool never crashes its host (the MCP server, the extension
 * host): every failure becomes one tool error with a clear message. Messages of our own
 * argument checks are shown as written; a message from a reader of a file (which may quote a
 * piece of the file: a VCF field, a JSON token) is shown with every quoted piece replaced by
 * "…", so the tools never echo file content.
 */
import { VariantLensError, isCancelled } from '../core/errors';

/** Bad arguments or a refused path: the message is ours and safe to show. */
export class ToolInputError extends Error {
  override readonly name = 'ToolInputError';
}

/** Quoted pieces of a message ("…", '…', `…`) replaced by "…". */
export function redactQuoted(message: string): string {
  return message.replace(/"[^"\n]*"/g, '"…"').replace(/'[^'\n]*'/g, '"…"').replace(/`[^`\n]*`/g, '"…"');
}

/** The one-line message a tool error shows for `e`. */
export function toolErrorMessage(tool: string, e: unknown): string {
  if (e instanceof ToolInputError) return `${tool}: ${e.message}`;
  if (isCancelled(e)) return `${tool}: cancelled`;
  if (e instanceof VariantLensError) return `${tool}: ${redactQuoted(e.message.split('\n')[0]!)}`;
  const m = e instanceof Error ? e.message : String(e);
  return `${tool}: failed: ${redactQuoted(m.split('\n')[0]!)}`;
}
