/**
 * The site inspector feature: the reads/examples source and the models (vscode-free:
 * siteTensors.ts, modelLoader.ts, modelService.ts), the inspector panel, the status bar item,
 * the model-card panel, and the commands Show Inspector, Show Model Cards, Configure Reads,
 * Reference and Models…, Choose Reads for This VCF…, Clear Reads Choice.
 *
 * Construction runs one way: model loader → reads source (the first model's settings for the
 * pictures) → model service (runs the models on the reads source's encodings) → panel.
 */
import { explainInspectorSite } from './explainService';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SiteRecord } from '../../protocol/protocol';
import { registerCommand } from '../common/commands';
import type { Log } from '../common/log';
import type { InspectorReviewRef } from '../review/reviewController';
import type { ReviewBinder } from '../review/reviewWorkspace';
import * as settings from '../common/settings';
import { openInspector, restoredSite, type OpenInspector } from './inspectorRestore';
import { PanelRecord } from '../common/panelRecord';
import { webviewTabs } from '../common/webviewHtml';
import { INSPECTOR_PANEL_VIEW_ID, INSPECTOR_VIEW_TYPE, InspectorPanel, type ListOrigin } from './inspectorPanel';
import { showModelCards } from './modelCardPanel';
import { ModelLoader, modelSettingsOf, type ModelSettings } from './modelLoader';
import { ModelService, type ModelServiceConfig, type ModelServiceState } from './modelService';
import { READS_CHOICE_STATE_KEY, choiceFor, withChoice } from './readsChoice';
import { SiteSources, type SiteSourceConfig } from './siteTensors';
import { inspectorLayers } from './layerService';
import { RealignService } from './realignService';

export interface InspectorDeps {
  readonly log: Log;
  readonly review: ReviewBinder<InspectorReviewRef>;
  /** The VCF of the active table, if any (Choose Reads acts on it first). */
  readonly activeVcf: () => string | undefined;
}

export interface InspectorFeature {
  readonly panel: InspectorPanel;
  /** A row was selected in a table: the status bar names it; the inspector shows it when open (or `open`). */
  select(load: () => Promise<SiteRecord>, open: boolean, what: string, origin?: ListOrigin): Promise<void>;
  /**
   * Opens the editor-area inspector again when the previous window had it open and VS Code did
   * not bring it back (panelRecord.ts). Called once at activation, after the lost diffs.
   */
  reopenLost(): boolean;
  /** The inspector's image path for the review queue's tiles (queue/queueTiles.ts). */
  readonly tiles: {
    readonly sources: SiteSources;
    readonly config: () => SiteSourceConfig;
    /** The configured models' names and make_examples settings (none when untrusted or none configured). */
    models(signal: AbortSignal): Promise<readonly ModelSettings[]>;
  };
}

/** "$(telescope) chr20:1,234 · 2 models ready" in the status bar. */
class InspectorStatus {
  private models: ModelServiceState = { kind: 'idle', text: '' };
  constructor(private readonly item: vscode.StatusBarItem) {}

  modelState(st: ModelServiceState, site: SiteRecord | undefined): void {
    this.models = st;
    this.show(site);
  }

  show(site?: { chrom: string; pos: number }): void {
    const st = this.models;
    const icon = st.kind === 'running' ? '$(sync~spin)' : '$(telescope)';
    this.item.text = `${icon} ${site ? `${site.chrom}:${site.pos.toLocaleString('en-US')} · ` : ''}${st.text}`;
    this.item.tooltip = settings.modelsAllowed() ? `Variant Lens: show the site inspector${st.detail ? ` — ${st.detail}` : ''}` : settings.UNTRUSTED_REASON;
    this.item.show();
  }
}

/** A model run still going after 1.5 s gets a cancellable notification (cold session start, slow disks). */
function progressNotification(title: string, run: Promise<unknown>, cancel: () => void): void {
  let done = false;
  void run.finally(() => { done = true; }).catch(() => undefined);
  setTimeout(() => {
    if (done) return;
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (_p, token) => {
      token.onCancellationRequested(cancel);
      await run.catch(() => undefined);
    });
  }, 1500);
}

export function registerInspector(context: vscode.ExtensionContext, deps: InspectorDeps): InspectorFeature {
  const l = deps.log;
  // Reads/reference/examples and models per settings.
  const sourceConfig = (): SiteSourceConfig => ({
    trusted: settings.modelsAllowed(), reads: settings.reads(), reference: settings.reference(), examples: settings.examples(),
    populationVcfs: settings.populationVcfs(),
    // "Choose Reads for This VCF…" (readsChoice.ts): remembered per VCF in the workspace state.
    choiceFor: (vcf) => choiceFor(context.workspaceState.get(READS_CHOICE_STATE_KEY), vcf),
  });
  const modelConfig = (): ModelServiceConfig => ({ ...sourceConfig(), models: settings.models(), untrustedReason: settings.UNTRUSTED_REASON });

  const item = vscode.window.createStatusBarItem('variantLens.status', vscode.StatusBarAlignment.Left, 50);
  item.name = 'Variant Lens';
  item.command = 'variantLens.showInspector';
  context.subscriptions.push(item);
  const status = new InspectorStatus(item);

  const loader = new ModelLoader(modelConfig);
  const sources = new SiteSources(sourceConfig, (signal) => loader.encoderChoice(signal));
  const openModelCards = (): Promise<void> => showModelCards(context, () => models.cards());
  // The host's own record of the editor-area inspector (panelRecord.ts: a browser refresh may
  // lose VS Code's); frozen before the panel is disposed at shutdown, so it stays open there.
  const record = new PanelRecord<OpenInspector>(path.join((context.storageUri ?? context.globalStorageUri).fsPath, 'open-inspector.json'), openInspector, (m) => l.warn(m));
  const previous = record.previous;
  context.subscriptions.push({ dispose: () => record.freeze() });
  const inspector = new InspectorPanel(context, l, (site, signal) => sources.tensors(site, signal), {
    compare: (site, signal, onRunning) => models.compare(site, signal, onRunning),
    showModelCards: () => void openModelCards().catch((e: unknown) => l.error(`model cards: ${e instanceof Error ? e.message : String(e)}`)),
    progress: progressNotification,
    review: deps.review,
    explain: (site, signal, onProgress) => explainInspectorSite({ config: modelConfig, sources, models: (sg) => models.models(sg) }, site, signal, onProgress),
    layers: async (tensors, index, signal) => inspectorLayers(await loader.models(signal), tensors, index, signal),
    realign: (site, signal) => realign.compare(site, signal),
    remember: (open) => record.write(open),
  });
  const realign = new RealignService({ config: sourceConfig, sources, models: (signal) => loader.models(signal), encoderChoice: (signal) => loader.encoderChoice(signal) });
  const models = new ModelService(modelConfig, sources, (st) => status.modelState(st, inspector.currentSite), loader);
  status.show();
  context.subscriptions.push({ dispose: () => inspector.dispose() });

  context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(() => {
    l.info('workspace trusted: models may be loaded');
    inspector.refreshTrust();
    models.refreshState();
    status.show(inspector.currentSite);
  }));
  context.subscriptions.push(vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(settings.SECTION)) {
      // New reads/reference/models: drop cached readers, indexes and model sessions.
      void sources.reset();
      models.reset();
      realign.reset();
      status.show(inspector.currentSite);
    }
  }));
  context.subscriptions.push({ dispose: () => void sources.reset() });

  const register = (id: string, fn: (...args: unknown[]) => unknown): void => registerCommand(context, l, id, fn);

  register('variantLens.showInspector', async () => {
    inspector.show(false);
    const site = inspector.currentSite;
    if (site) await inspector.setSite(site);
  });

  register('variantLens.showModelCards', () => openModelCards());

  // After a window reload VS Code hands back the inspector panel with the page's saved state
  // (webview/inspector/uiState.ts): the same site is shown again, with its tab and zoom. The
  // host's record of the site is as new or newer (a browser refresh may leave VS Code an older
  // state): it wins. The site is not awaited: VS Code shows the panel only once this returns,
  // and the pileup and the models of a cold extension host take seconds.
  let revived = false;
  context.subscriptions.push(vscode.window.registerWebviewPanelSerializer(INSPECTOR_VIEW_TYPE, {
    deserializeWebviewPanel: (panel, state) => {
      revived = true;
      const site = previous?.site ?? restoredSite(state);
      l.info(`restoring the inspector${site ? ` at ${site.chrom}:${site.pos}` : ''} (${restoredSite(state) ? 'page state' : 'no page state'})`);
      inspector.attachPanel(panel);
      if (site) void inspector.setSite(site);
      return Promise.resolve();
    },
  }));
  // A restored inspector tab closed before it was ever shown (its serializer never ran): closed.
  context.subscriptions.push(vscode.window.tabGroups.onDidChangeTabs((e) => {
    if (e.closed.length && !revived && !inspector.visible && webviewTabs(INSPECTOR_VIEW_TYPE).length === 0) record.write(undefined);
  }));
  // The bottom-panel view (variantLens.inspector.location = "panel").
  context.subscriptions.push(vscode.window.registerWebviewViewProvider(INSPECTOR_PANEL_VIEW_ID, {
    resolveWebviewView: async (view, ctx) => {
      inspector.resolveView(view);
      // A site already shown (or being shown) stays; after a reload, the page's saved site.
      const site = inspector.currentSite ? undefined : restoredSite(ctx.state) ?? previous?.site;
      if (site) await inspector.setSite(site);
    },
  }, { webviewOptions: { retainContextWhenHidden: true } }));
  register('variantLens.toggleInspectorLocation', async () => {
    const next = settings.inspectorLocation() === 'panel' ? 'editor' : 'panel';
    await settings.update('inspector.location', next);
    inspector.show(false);
    const site = inspector.currentSite;
    if (site) await inspector.setSite(site);
    return next;
  });

  register('variantLens.configure', async () => {
    const choice = await vscode.window.showQuickPick([
      { label: 'Reads (BAM/CRAM)', key: 'reads' as const },
      { label: 'Reference (FASTA)', key: 'reference' as const },
      { label: 'Add a model folder', key: 'models' as const },
      { label: 'Examples files (TFRecord)', key: 'examples' as const },
      { label: 'Population VCFs (allele frequency, channel 8)', key: 'populationVcfs' as const },
    ], { title: 'Variant Lens: configure' });
    if (!choice) return;
    if (choice.key === 'models') {
      const dir = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, title: 'Model folder (model.onnx + example_info.json)' });
      if (!dir?.[0]) return;
      const name = await vscode.window.showInputBox({ title: 'Display name of the model', value: path.basename(dir[0].fsPath) });
      if (!name) return;
      await settings.update('models', [...settings.models().filter((m) => m.name !== name), { name, path: dir[0].fsPath }]);
    } else {
      const files = await vscode.window.showOpenDialog({ canSelectMany: choice.key !== 'reference', title: choice.label });
      if (!files?.length) return;
      const paths = files.map((f) => f.fsPath);
      await settings.update(choice.key, choice.key === 'reference' ? paths[0] : paths);
    }
    l.info(`configured ${choice.key}`);
  });

  // Per-VCF reads (issue #5 item 2): the VCF is the argument, the active table's, else the inspector's.
  const vcfForChoice = (arg: unknown): string | undefined => {
    const p = arg instanceof vscode.Uri ? arg.fsPath : deps.activeVcf() ?? inspector.currentSite?.file;
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

  return {
    panel: inspector,
    reopenLost: () => {
      // Reopened beside the list only when the window did not bring back its tab (nor revived it already).
      if (!previous || revived || inspector.visible || settings.inspectorLocation() !== 'editor' || webviewTabs(INSPECTOR_VIEW_TYPE).length > 0) return false;
      l.info(`reopening the inspector that the window did not bring back${previous.site ? ` at ${previous.site.chrom}:${previous.site.pos}` : ''}`);
      inspector.show(true);
      if (previous.site) void inspector.setSite(previous.site);
      return true;
    },
    tiles: {
      sources,
      config: sourceConfig,
      models: async (signal) => (settings.modelsAllowed() && settings.models().length > 0 ? modelSettingsOf(await loader.modelsEach(signal)) : []),
    },
    select: async (load, open, what, origin) => {
      try {
        const site = await load();
        status.show(site);
        if (open) inspector.show(true);
        if (inspector.visible) await inspector.setSite(site, origin);
      } catch (e) {
        l.error(`${what}: ${e instanceof Error ? e.message : String(e)}`);
      }
    },
  };
}
