/**
 * Activation: registers the VCF table editors, the site inspector, the commands
 * ("Variant Lens: …"), the status bar item and the output channel. Everything heavy
 * (indexing, sorting, models) starts lazily on demand, never at activation.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseFilterText, formatFilterText } from '../protocol/filterText';
import { createLog, type Log } from './log';
import { InspectorPanel } from './inspectorPanel';
import { registerDiffCommand } from './diffPanel';
import { ReviewController } from './reviewController';
import { registerReviewCodeLens } from './reviewCodeLens';
import { registerReviewTree } from './reviewTreeView';
import * as settings from './settings';
import { SiteSources, type SiteSourceConfig } from './siteTensors';
import { READS_CHOICE_STATE_KEY, choiceFor, withChoice } from './readsChoice';
import { ModelService, type ModelServiceState } from './modelService';
import { showModelCards } from './modelCardPanel';
import { shutdownInference } from '../core/model/inferenceHost';
import { setWarningSink } from '../core/warnings';
import { TABLE_VIEW_TYPE, TABLE_VIEW_TYPE_PLAIN, VcfTableEditorProvider, type SiteSelection } from './vcfTableEditor';

let log: Log | undefined;

export function activate(context: vscode.ExtensionContext): { readonly version: string } {
  log = createLog(context);
  const l = log;
  // Reader warnings (an index older than its data file): the log and a notification.
  const oldSink = setWarningSink((m) => {
    l.warn(m);
    void vscode.window.showWarningMessage(`Variant Lens: ${m}`);
  });
  context.subscriptions.push({ dispose: () => { setWarningSink(oldSink); } });
  l.info(`Variant Lens ${context.extension.packageJSON.version as string} activated (workspace ${vscode.workspace.isTrusted ? 'trusted' : 'untrusted'})`);

  const tables = new VcfTableEditorProvider(context, l);
  // Reads/reference/examples and models per settings (vscode-free: siteTensors.ts, modelService.ts).
  const sourceConfig = (): SiteSourceConfig => ({
    trusted: settings.modelsAllowed(), reads: settings.reads(), reference: settings.reference(), examples: settings.examples(),
    // "Choose Reads for This VCF…" (readsChoice.ts): remembered per VCF in the workspace state.
    choiceFor: (vcf) => choiceFor(context.workspaceState.get(READS_CHOICE_STATE_KEY), vcf),
  });
  let modelState: ModelServiceState | undefined;
  let updateStatus: (site?: { chrom: string; pos: number }) => void = () => undefined;
  let shownSite: () => { chrom: string; pos: number } | undefined = () => undefined;
  // eslint-disable-next-line prefer-const -- the encoder choice needs the model service, created next
  let models: ModelService;
  const sources = new SiteSources(sourceConfig, (signal) => models.encoderChoice(signal));
  models = new ModelService(() => ({ ...sourceConfig(), models: settings.models(), untrustedReason: settings.UNTRUSTED_REASON }), sources, (st) => {
    modelState = st;
    // The inspector is created below; before that there is no site to show.
    updateStatus(shownSite());
  });
  const openModelCards = (): Promise<void> => showModelCards(context, () => models.cards());
  const inspector: InspectorPanel = new InspectorPanel(context, l, (site, signal) => sources.tensors(site, signal), {
    compare: (site, signal, onRunning) => models.compare(site, signal, onRunning),
    showModelCards: () => void openModelCards().catch((e: unknown) => l.error(`model cards: ${e instanceof Error ? e.message : String(e)}`)),
    // A model run still going after 1.5 s gets a cancellable notification (cold session start, slow disks).
    progress: (title, run, cancel) => {
      let done = false;
      void run.finally(() => { done = true; }).catch(() => undefined);
      setTimeout(() => {
        if (done) return;
        void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (_p, token) => {
          token.onCancellationRequested(cancel);
          await run.catch(() => undefined);
        });
      }, 1500);
    },
  });
  shownSite = () => inspector.currentSite;
  // Review (issue #7): stores per VCF/diff, the Review tree, CodeLenses; before any panel opens.
  const review = new ReviewController(context, l, inspector);
  context.subscriptions.push(review);
  registerReviewTree(context, review);
  registerReviewCodeLens(context, review);
  const status = vscode.window.createStatusBarItem('variantLens.status', vscode.StatusBarAlignment.Left, 50);
  status.name = 'Variant Lens';
  status.command = 'variantLens.showInspector';
  context.subscriptions.push(status, { dispose: () => inspector.dispose() });

  updateStatus = (site?: { chrom: string; pos: number }): void => {
    const st = modelState ?? models.state;
    const icon = st.kind === 'running' ? '$(sync~spin)' : '$(telescope)';
    status.text = `${icon} ${site ? `${site.chrom}:${site.pos.toLocaleString('en-US')} · ` : ''}${st.text}`;
    status.tooltip = settings.modelsAllowed() ? `Variant Lens: show the site inspector${st.detail ? ` — ${st.detail}` : ''}` : settings.UNTRUSTED_REASON;
    status.show();
  };
  updateStatus();

  const editorOptions = { webviewOptions: { retainContextWhenHidden: true }, supportsMultipleEditorsPerDocument: false };
  context.subscriptions.push(
    vscode.window.registerCustomEditorProvider(TABLE_VIEW_TYPE, tables, editorOptions),
    vscode.window.registerCustomEditorProvider(TABLE_VIEW_TYPE_PLAIN, tables, editorOptions),
  );

  context.subscriptions.push(tables.onDidSelectSite(async (s: SiteSelection) => {
    try {
      const site = await s.table.document.model.site(s.row);
      updateStatus(site);
      if (s.open) inspector.show(true);
      if (inspector.visible) await inspector.setSite(site);
    } catch (e) {
      l.error(`selecting row ${s.row}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }));

  context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(() => {
    l.info('workspace trusted: models may be loaded');
    tables.broadcastTrust();
    inspector.refreshTrust();
    models.refreshState();
    updateStatus(inspector.currentSite);
  }));
  context.subscriptions.push(vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(settings.SECTION)) {
      // New reads/reference/models: drop cached readers, indexes and model sessions.
      void sources.reset();
      models.reset();
      updateStatus(inspector.currentSite);
    }
  }));
  context.subscriptions.push({ dispose: () => void sources.reset() });

  const activeTable = () => {
    const t = tables.activeTable;
    if (!t) void vscode.window.showInformationMessage('Variant Lens: open a VCF table first (Variant Lens: Open VCF as Table).');
    return t;
  };

  const register = (id: string, fn: (...args: unknown[]) => unknown): void => {
    context.subscriptions.push(vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await fn(...args);
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        l.error(`${id}: ${message}`);
        void vscode.window.showErrorMessage(`Variant Lens: ${message}`);
        return undefined;
      }
    }));
  };

  register('variantLens.openTable', async (arg) => {
    const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
    if (!uri) {
      const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { VCF: ['vcf', 'gz'] }, title: 'Open a VCF as a table' });
      if (!picked?.[0]) return;
      return vscode.commands.executeCommand('vscode.openWith', picked[0], viewTypeFor(picked[0]));
    }
    return vscode.commands.executeCommand('vscode.openWith', uri, viewTypeFor(uri));
  });

  register('variantLens.goToLocus', async (arg) => {
    const t = activeTable();
    if (!t) return;
    const text = typeof arg === 'string' ? arg : await vscode.window.showInputBox({ title: 'Go to locus', prompt: 'e.g. chr20:10,000,123', ignoreFocusOut: true });
    if (!text) return;
    const index = await t.document.model.findLocus(text);
    t.reveal(index);
    return index;
  });

  register('variantLens.filterTable', async (arg) => {
    const t = activeTable();
    if (!t) return;
    const current = formatFilterText(t.document.model.viewInfo().filter);
    const text = typeof arg === 'string' ? arg : await vscode.window.showInputBox({
      title: 'Filter the VCF table',
      prompt: 'Terms (AND): FILTER=PASS  QUAL>=20  GT=0/1,1/1  SNP  INDEL  chr20:10,000,000-10,010,000  free text',
      value: current,
      ignoreFocusOut: true,
      validateInput: (v) => {
        const p = parseFilterText(v);
        return p.ok ? undefined : p.error;
      },
    });
    if (text === undefined) return;
    const p = parseFilterText(text);
    if (!p.ok) throw new Error(p.error);
    await t.applyView(t.document.model.viewInfo().sort, p.filter);
    return t.document.model.viewCount;
  });

  register('variantLens.clearFilter', async () => {
    const t = activeTable();
    if (t) await t.applyView(undefined, undefined);
  });

  register('variantLens.showInspector', async () => {
    inspector.show(false);
    const site = inspector.currentSite;
    if (site) await inspector.setSite(site);
  });

  register('variantLens.showLog', () => l.show());

  register('variantLens.showModelCards', () => openModelCards());

  // Compare Two VCFs (the diff panel, diffPanel.ts); it sends selected sites to the inspector.
  registerDiffCommand(context, l, inspector);

  register('variantLens.configure', async () => {
    const choice = await vscode.window.showQuickPick([
      { label: 'Reads (BAM/CRAM)', key: 'reads' },
      { label: 'Reference (FASTA)', key: 'reference' },
      { label: 'Add a model folder', key: 'models' },
      { label: 'Examples files (TFRecord)', key: 'examples' },
    ], { title: 'Variant Lens: configure' });
    if (!choice) return;
    const cfg = vscode.workspace.getConfiguration(settings.SECTION);
    const target = vscode.workspace.workspaceFolders ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    if (choice.key === 'models') {
      const dir = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, title: 'Model folder (model.onnx + example_info.json)' });
      if (!dir?.[0]) return;
      const name = await vscode.window.showInputBox({ title: 'Display name of the model', value: path.basename(dir[0].fsPath) });
      if (!name) return;
      await cfg.update('models', [...settings.models().filter((m) => m.name !== name), { name, path: dir[0].fsPath }], target);
    } else {
      const files = await vscode.window.showOpenDialog({ canSelectMany: choice.key !== 'reference', title: choice.label });
      if (!files?.length) return;
      const paths = files.map((f) => f.fsPath);
      await cfg.update(choice.key, choice.key === 'reference' ? paths[0] : paths, target);
    }
    l.info(`configured ${choice.key}`);
  });

  // Per-VCF reads (issue #5 item 2): the VCF is the argument, the active table's, else the inspector's.
  const vcfForChoice = (arg: unknown): string | undefined => {
    const p = arg instanceof vscode.Uri ? arg.fsPath : tables.activeTable?.document.model.path ?? inspector.currentSite?.file;
    if (!p) void vscode.window.showInformationMessage('Variant Lens: open a VCF table (or select a site) first.');
    return p;
  };
  const choiceChanged = async (vcf: string): Promise<void> => {
    await sources.reset();
    models.reset();
    const site = inspector.currentSite;
    if (site && path.resolve(site.file) === path.resolve(vcf) && inspector.visible) await inspector.setSite(site);
  };
  register('variantLens.chooseReads', async (arg) => {
    const vcf = vcfForChoice(arg);
    if (!vcf) return;
    const current = choiceFor(context.workspaceState.get(READS_CHOICE_STATE_KEY), vcf);
    const reads = await vscode.window.showOpenDialog({
      canSelectMany: false, title: `Reads (BAM/CRAM) for ${path.basename(vcf)}`, filters: { 'BAM/CRAM': ['bam', 'cram'] },
      ...(current ? { defaultUri: vscode.Uri.file(current.reads) } : {}),
    });
    if (!reads?.[0]) return;
    const useSetting = settings.reference() ? `Use variantLens.reference (${path.basename(settings.reference()!)})` : 'No reference (set variantLens.reference later)';
    const refPick = await vscode.window.showQuickPick([{ label: 'Choose a FASTA…', key: 'pick' }, { label: useSetting, key: 'setting' }], { title: `Reference for ${path.basename(vcf)}` });
    if (!refPick) return;
    let reference: string | undefined;
    if (refPick.key === 'pick') {
      const ref = await vscode.window.showOpenDialog({ canSelectMany: false, title: `Reference (FASTA with .fai) for ${path.basename(vcf)}`, filters: { FASTA: ['fa', 'fasta', 'fna', 'gz'] } });
      if (!ref?.[0]) return;
      reference = ref[0].fsPath;
    }
    const choice = { reads: reads[0].fsPath, ...(reference ? { reference } : {}) };
    await context.workspaceState.update(READS_CHOICE_STATE_KEY, withChoice(context.workspaceState.get(READS_CHOICE_STATE_KEY), vcf, choice));
    l.info(`reads for ${vcf}: ${choice.reads}${reference ? `, reference ${reference}` : ''}`);
    await choiceChanged(vcf);
    return choice;
  });
  register('variantLens.clearReadsChoice', async (arg) => {
    const vcf = vcfForChoice(arg);
    if (!vcf) return false;
    const stored = context.workspaceState.get(READS_CHOICE_STATE_KEY);
    if (!choiceFor(stored, vcf)) {
      void vscode.window.showInformationMessage(`Variant Lens: no reads were chosen for ${path.basename(vcf)}; the settings are used.`);
      return false;
    }
    await context.workspaceState.update(READS_CHOICE_STATE_KEY, withChoice(stored, vcf, undefined));
    l.info(`reads choice for ${vcf} cleared: the settings are used`);
    await choiceChanged(vcf);
    return true;
  });

  return { version: context.extension.packageJSON.version as string };
}

function viewTypeFor(uri: vscode.Uri): string {
  return /\.vcf$/i.test(uri.path) ? TABLE_VIEW_TYPE_PLAIN : TABLE_VIEW_TYPE;
}

export async function deactivate(): Promise<void> {
  log?.info('Variant Lens deactivated');
  // The inference worker thread holds onnxruntime sessions; stop it with the extension host.
  await shutdownInference();
}
