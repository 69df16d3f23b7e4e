/**
 * The agent surface in VS Code: the three tools of src/agent/agentTools.ts as language-model
 * tools (`vscode.lm.registerTool`, declared under `languageModelTools` in package.json), for
 * chat agents in the editor:
 *
 *   variantLens_listDisputedSites   variantLens_inspectSite (the images as PNG data parts)
 *   variantLens_recordVerdict       asks for confirmation through prepareInvocation
 *
 * The roots are the workspace folders; reads, reference and models come from the settings
 * (common/settings.ts). In an untrusted workspace the tools that read files named in the
 * settings refuse (inspect_site), and the diff runs without the settings' reference.
 *
 * "Variant Lens: Run Agent Tool…" lists the registered tools (`vscode.lm.tools`) and runs
 * one with JSON arguments through `vscode.lm.invokeTool`, outside a chat: VS Code then shows
 * the tool's confirmation as a dialog. The result opens as a JSON document.
 */
import * as vscode from 'vscode';
import { AGENT_TOOLS, AgentToolbox, verdictConfirmation, type ToolOutput } from '../../agent/agentTools';
import type { AgentSettings } from '../../agent/agentSettings';
import { RootGuard } from '../../agent/rootGuard';
import { toolErrorMessage } from '../../agent/toolErrors';
import { registerCommand } from '../common/commands';
import type { Log } from '../common/log';
import * as settings from '../common/settings';

function currentSettings(): AgentSettings {
  const trusted = settings.trustInfo().trusted;
  return {
    reads: settings.reads(), reference: settings.reference(), models: settings.models(),
    reviewer: settings.reviewer(), vocabulary: settings.reviewVocabulary(), trusted,
  };
}

/** A PNG as a language-model data part, where the running VS Code has the class (1.100 has it, not yet in its typings). */
function imagePart(png: Uint8Array): unknown {
  const ctor = (vscode as unknown as { LanguageModelDataPart?: { image(data: Uint8Array, mime: string): unknown } }).LanguageModelDataPart;
  return ctor ? ctor.image(png, 'image/png') : undefined;
}

function toResult(out: ToolOutput): vscode.LanguageModelToolResult {
  if (out.isError) throw new Error(out.text);
  const parts: unknown[] = [new vscode.LanguageModelTextPart(out.text)];
  for (const im of out.images) {
    const p = imagePart(im.png);
    if (p) parts.push(new vscode.LanguageModelTextPart(`Image: ${im.caption}`), p);
  }
  return new vscode.LanguageModelToolResult(parts as vscode.LanguageModelTextPart[]);
}

export function registerAgentTools(context: vscode.ExtensionContext, deps: { readonly log: Log }): void {
  let toolbox: AgentToolbox | undefined;
  let toolboxKey = '';
  const box = (): AgentToolbox => {
    const roots = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
    if (roots.length === 0) throw new Error('Variant Lens tools need an open folder: they read only files under the workspace folders');
    const key = roots.join('\n');
    if (!toolbox || key !== toolboxKey) {
      void toolbox?.dispose();
      toolbox = new AgentToolbox({ guard: new RootGuard(roots), settings: currentSettings });
      toolboxKey = key;
    }
    return toolbox;
  };
  context.subscriptions.push({ dispose: () => { void toolbox?.dispose(); } });

  for (const spec of AGENT_TOOLS) {
    const tool: vscode.LanguageModelTool<Record<string, unknown>> = {
      async invoke(options, token) {
        const ac = new AbortController();
        const sub = token.onCancellationRequested(() => ac.abort());
        try {
          let out: ToolOutput;
          try {
            out = await box().run(spec.name, options.input, ac.signal);
          } catch (e) {
            out = { isError: true, text: toolErrorMessage(spec.name, e), images: [] };
          }
          deps.log.info(`agent tool ${spec.lmName}: ${out.isError ? out.text : 'done'}`);
          return toResult(out);
        } finally {
          sub.dispose();
        }
      },
      prepareInvocation(options) {
        if (spec.readOnly) return { invocationMessage: `Variant Lens: ${spec.title.toLowerCase()}` };
        const c = verdictConfirmation(options.input);
        return { invocationMessage: 'Variant Lens: recording a verdict', confirmationMessages: { title: c.title, message: new vscode.MarkdownString().appendText(c.message) } };
      },
    };
    context.subscriptions.push(vscode.lm.registerTool(spec.lmName, tool));
  }

  registerCommand(context, deps.log, 'variantLens.agent.runTool', async () => {
    const ours = vscode.lm.tools.filter((t) => t.name.startsWith('variantLens_'));
    const pick = await vscode.window.showQuickPick(ours.map((t) => ({ label: t.name, detail: t.description, tool: t })), { title: 'Variant Lens: Run Agent Tool', placeHolder: 'The Variant Lens language-model tools registered in this window' });
    if (!pick) return;
    const spec = AGENT_TOOLS.find((s) => s.lmName === pick.tool.name);
    const example = spec ? Object.fromEntries(spec.inputSchema.required.map((k) => [k, ''])) : {};
    const text = await vscode.window.showInputBox({ title: `${pick.tool.name}: arguments (JSON)`, value: JSON.stringify(example), prompt: `Keys: ${spec ? Object.keys(spec.inputSchema.properties).join(', ') : ''}` });
    if (text === undefined) return;
    let input: object;
    try {
      input = JSON.parse(text) as object;
    } catch {
      throw new Error('the arguments are not valid JSON');
    }
    const result = await vscode.lm.invokeTool(pick.tool.name, { input, toolInvocationToken: undefined });
    const texts = result.content.filter((p): p is vscode.LanguageModelTextPart => p instanceof vscode.LanguageModelTextPart).map((p) => p.value);
    const doc = await vscode.workspace.openTextDocument({ language: 'json', content: texts[0] ?? '' });
    await vscode.window.showTextDocument(doc, { preview: true });
  });
}
