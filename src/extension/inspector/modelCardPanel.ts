/**
 * "Variant Lens: Show Model Cards": each configured model's card (what it is, what it was
 * trained on and held out, its make_examples parameters, what its card lacks) and the
 * make_examples parameter differences between every pair of models (modelCard.compareParams:
 * the card's value or DeepVariant's default).
 *
 * The page is static HTML built here (no script at all: CSP `default-src 'none'`, styles from
 * the extension only). Every value is escaped: cards are files from the workspace.
 */
import * as vscode from 'vscode';
import { compareParams, DV_MAKE_EXAMPLES_DEFAULTS } from '../../core/model/modelCard';
import type { NamedModel } from './modelLoader';
import { summarizeContigs } from './modelService';
import { escapeHtml } from '../common/webviewHtml';

export const MODEL_CARDS_VIEW_TYPE = 'variantLens.modelCards';

const e = escapeHtml;

function row(k: string, v: string): string {
  return `<tr><th scope="row">${e(k)}</th><td>${e(v)}</td></tr>`;
}

function cardSection(m: NamedModel): string {
  const c = m.model.card;
  const t = c?.trainedOn;
  const rows = [
    row('folder', m.model.dir),
    row('card name / version', c ? `${c.name} ${c.version}` : '(no model_card.json)'),
    ...(c?.description ? [row('description', c.description)] : []),
    ...(c?.architecture ? [row('architecture', c.architecture)] : []),
    row('input', `${m.model.exampleInfo.shape.join('×')}, channels ${m.model.exampleInfo.channels.join(', ')} (example_info.json ${m.model.exampleInfo.version})`),
    row('trained on samples', t?.samples?.join(', ') ?? 'unknown'),
    row('trained on contigs', t?.contigs ? summarizeContigs(t.contigs) : t?.regions ? t.regions.join(', ') : 'unknown'),
    row('held-out samples', t?.heldOutSamples?.join(', ') ?? 'unknown'),
    row('held-out contigs', t?.heldOutContigs?.join(', ') ?? 'unknown'),
  ];
  const params = Object.keys({ ...DV_MAKE_EXAMPLES_DEFAULTS, ...(c?.makeExamplesParams ?? {}) }).map((k) => {
    const v = c?.makeExamplesParams?.[k];
    return row(k, v !== undefined ? String(v) : `${String(DV_MAKE_EXAMPLES_DEFAULTS[k])} (DeepVariant default)`);
  });
  const problems = m.model.cardProblems.length ? `<p class="problems">Card problems: ${e(m.model.cardProblems.join('; '))}</p>` : '';
  const evaluation = c?.evaluation !== undefined ? `<details><summary>Evaluation</summary><pre>${e(JSON.stringify(c.evaluation, null, 2))}</pre></details>` : '';
  const recipe = c?.trainingRecipe !== undefined ? `<details><summary>Training recipe</summary><pre>${e(JSON.stringify(c.trainingRecipe, null, 2))}</pre></details>` : '';
  return `<section class="card" data-model="${e(m.name)}"><h2>${e(m.name)}</h2>
<table class="facts">${rows.join('')}</table>
<h3>make_examples parameters</h3><table class="params">${params.join('')}</table>${problems}${recipe}${evaluation}</section>`;
}

function differences(models: readonly NamedModel[]): string {
  const parts: string[] = [];
  for (let i = 0; i < models.length; i++) {
    for (let j = i + 1; j < models.length; j++) {
      const a = models[i]!;
      const b = models[j]!;
      const d = compareParams(a.model.card, b.model.card);
      const body = d.length === 0
        ? `<p>No make_examples parameter differs: both models see the same candidates and images.</p>`
        : `<table class="diff"><tr><th>parameter</th><th>${e(a.name)}</th><th>${e(b.name)}</th></tr>${d.map((x) => `<tr><th scope="row">${e(x.param)}</th><td>${e(String(x.a))}${x.aIsDefault ? ' (default)' : ''}</td><td>${e(String(x.b))}${x.bIsDefault ? ' (default)' : ''}</td></tr>`).join('')}</table>`;
      parts.push(`<section class="pair"><h2>${e(a.name)} vs ${e(b.name)}</h2>${body}</section>`);
    }
  }
  return parts.join('');
}

/** The whole page (exported for tests of the escaping and content). */
export function modelCardsHtml(models: readonly NamedModel[], cspSource: string, cssHref: string, message?: string): string {
  const csp = `default-src 'none'; style-src ${cspSource}`;
  const body = message
    ? `<p class="note">${e(message)}</p>`
    : `${differences(models)}${models.map(cardSection).join('')}`;
  return `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<link rel="stylesheet" href="${e(cssHref)}">
<title>Model Cards</title></head><body><main class="model-cards" aria-label="Model cards"><h1>Model cards</h1>${body}</main></body></html>`;
}

let current: vscode.WebviewPanel | undefined;

/** Opens (or refreshes) the model-card panel. `load` returns the models or throws why not. */
export async function showModelCards(context: vscode.ExtensionContext, load: () => Promise<NamedModel[]>): Promise<void> {
  const panel = current ?? vscode.window.createWebviewPanel(MODEL_CARDS_VIEW_TYPE, 'Model Cards', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, {
    enableScripts: false,
    localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist')],
  });
  if (!current) {
    current = panel;
    panel.onDidDispose(() => { current = undefined; });
  } else panel.reveal(undefined, false);
  const css = panel.webview.asWebviewUri(vscode.Uri.joinPath(context.extensionUri, 'dist', 'media', 'inspector.css')).toString();
  const common = panel.webview.asWebviewUri(vscode.Uri.joinPath(context.extensionUri, 'dist', 'media', 'common.css')).toString();
  let models: NamedModel[] = [];
  let message: string | undefined;
  try {
    models = await load();
    if (models.length === 0) message = 'No models configured (variantLens.models).';
  } catch (err) {
    message = err instanceof Error ? err.message : String(err);
  }
  panel.webview.html = modelCardsHtml(models, panel.webview.cspSource, css, message).replace('<link rel="stylesheet"', `<link rel="stylesheet" href="${e(common)}"><link rel="stylesheet"`);
}
