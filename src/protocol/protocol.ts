/**
 * THE message protocol between the extension host and every Variant Lens webview (table,
 * inspector, diff, review). One module, imported by both sides; no vscode, no node.
 *
 * Envelope:
 *  * `request`  {messageId, method, params}  — every request settles: the other side answers
 *    with exactly one `response` carrying `inReplyTo` and either `result` or `error`; the
 *    caller also gives up after a timeout (see rpc.ts) so nothing waits forever.
 *  * `cancel`   {target}                     — cancellation travels as a message; the host turns
 *    it into an AbortSignal for the running work, which then answers with error code 'cancelled'.
 *  * `progress` {inReplyTo, done, total}     — long requests (sort, filter, index) report progress.
 *  * `event`    {name, payload}              — fire-and-forget notifications in either direction.
 * The webview starts by sending the `ready` event and then PULLS its initial state with a
 * request (`table.init`, `inspector.init`), so no host message is lost before the page listens.
 *
 * Binary data (pileup tensors) travels as Uint8Array; VS Code's postMessage transfers typed
 * arrays without JSON-encoding them.
 *
 * Coordinates: `pos` fields are VCF 1-based POS. Row numbers are 0-based; `row` is the record's
 * number in the file (data lines only), `index` its position in the current view (after sort
 * and filter).
 */

import type { DiffClass, DiffVariantKind } from '../core/diff/diffClasses';
import type { FilterSpec, RowVariantKind, SortSpec } from '../core/table/tableSpec';
import type { ExplanationView } from './explainProtocol';

// ---------------------------------------------------------------------------------------------
// Envelope

export interface RequestMessage<M extends string = string, P = unknown> {
  readonly type: 'request';
  readonly messageId: number;
  readonly method: M;
  readonly params: P;
}

export interface ResponseOk<R = unknown> {
  readonly type: 'response';
  readonly inReplyTo: number;
  readonly result: R;
}

export interface ResponseError {
  readonly type: 'response';
  readonly inReplyTo: number;
  readonly error: ProtocolError;
}

export type ResponseMessage<R = unknown> = ResponseOk<R> | ResponseError;

export interface CancelMessage {
  readonly type: 'cancel';
  /** messageId of the request to cancel. */
  readonly target: number;
}

export interface ProgressMessage {
  readonly type: 'progress';
  readonly inReplyTo: number;
  readonly done: number;
  readonly total: number;
  readonly label?: string;
}

export interface EventMessage<N extends string = string, P = unknown> {
  readonly type: 'event';
  readonly name: N;
  readonly payload: P;
}

export type AnyMessage = RequestMessage | ResponseMessage | CancelMessage | ProgressMessage | EventMessage;

/**
 * Error codes a reply can carry. 'timeout' and 'cancelled' are produced by the rpc layer;
 * 'invalid-message' by the validator; the rest come from VariantLensError codes of the core.
 */
export interface ProtocolError {
  readonly code: string;
  readonly message: string;
}

// ---------------------------------------------------------------------------------------------
// Shared data shapes

// The table's sort and filter belong to the table engine (src/core/table/tableSpec.ts); the
// protocol carries them unchanged (type-only import: no core code reaches the webview).
export type { CompareOp, FilterSpec, FormatField, FormatTerm, RowVariantKind, SortColumn, SortSpec } from '../core/table/tableSpec';

export interface SampleCells {
  readonly gt: string;
  readonly gq: string;
  readonly dp: string;
  readonly ad: string;
  readonly vaf: string;
  /** FORMAT MID when the record has one: "small_model" = DeepVariant 1.8+'s small model decided GQ/PL. */
  readonly mid?: string;
}

/** One table row as displayed (strings, already formatted by the host). */
export interface TableRow {
  /** Position in the current view. */
  readonly index: number;
  /** 0-based record number in the file. */
  readonly row: number;
  readonly chrom: string;
  /** VCF 1-based POS. */
  readonly pos: number;
  readonly id: string;
  readonly ref: string;
  readonly alt: string;
  readonly qual: string;
  readonly filter: string;
  readonly kind: RowVariantKind;
  readonly samples: readonly SampleCells[];
  /** The site's annotation in the VCF's review file, when it has one (Review section). */
  readonly review?: ReviewCell;
}

export interface TrustState {
  readonly trusted: boolean;
  /** Shown in the UI when model loading is disabled. */
  readonly modelsDisabledReason?: string;
}

export interface TableInit {
  readonly file: string;
  readonly fileName: string;
  readonly samples: readonly string[];
  /** Rows in the file; -1 while the row index is still being built. */
  readonly rowCount: number;
  readonly viewCount: number;
  readonly viewId: number;
  readonly filterValues: readonly string[];
  readonly infoKeys: readonly string[];
  readonly trust: TrustState;
  /** Rows per page the webview requests (variantLens.table.pageSize; checked with validate.ts tablePageRows). */
  readonly pageSize?: number;
  /** The first page of the view (rows [0, n)), so the first screen needs no second round trip. */
  readonly firstRows?: readonly TableRow[];
  /** Host-side milestones of opening this table (Date.now() ms), shown by the e2e's first-rows breakdown. */
  readonly timings?: Readonly<Record<string, number>>;
  /** The workspace's remembered column layout of tables. */
  readonly columns?: ColumnLayoutState;
  /** The view this file had before a reload (the webview re-applies it). */
  readonly restore?: TableViewState;
  /** The workspace review file this table's verdicts go to (named in the toolbar). */
  readonly reviewFile?: string;
}

/**
 * Column widths and hidden columns of a list (the table or the diff), remembered per
 * workspace by the host (workspaceState). Keys are the lists' column keys (`chrom`, `gt0`, …).
 */
export interface ColumnLayoutState {
  /** Width in CSS px of each resized column (24..2000). */
  readonly widths: Readonly<Record<string, number>>;
  /** Columns the user hid. */
  readonly hidden: readonly string[];
  /** Columns the user showed although they are hidden by default (an all-"." ID). */
  readonly shown?: readonly string[];
}

/** What the table restores after a window reload: filter text, sort, selection and scroll (per file). */
export interface TableViewState {
  readonly filterText: string;
  readonly sort?: SortSpec;
  /** Selected view row, -1 for none. */
  readonly selected: number;
  /** First view row on screen. */
  readonly first: number;
}

export interface ViewInfo {
  /** Changes whenever sort/filter produce a new permutation; pages carry it so stale pages are dropped. */
  readonly viewId: number;
  readonly count: number;
  readonly sort?: SortSpec;
  readonly filter?: FilterSpec;
}

export interface InfoEntry {
  readonly key: string;
  readonly value: string;
  readonly description: string;
}

export interface SiteRef {
  readonly file: string;
  readonly row: number;
  readonly chrom: string;
  readonly pos: number;
  readonly ref: string;
  readonly alt: string;
}

/** The record of the selected site as the inspector shows it. */
export interface SiteRecord extends SiteRef {
  readonly id: string;
  readonly qual: string;
  readonly filter: string;
  readonly samples: readonly (SampleCells & { readonly name: string; readonly pl: string })[];
  readonly info: readonly InfoEntry[];
  readonly line: string;
  /**
   * Every record of this site the user has open (the table's VCF; both sides when opened from
   * a diff), each with the first/compared sample's call. Absent: the record above is the only one.
   */
  readonly records?: readonly RecordedCall[];
}

/** What one VCF recorded for a site (strings as written in the file). */
export interface RecordedCall {
  /** e.g. "default.vcf.gz" or "A: default.vcf.gz". */
  readonly label: string;
  readonly file: string;
  readonly gt: string;
  readonly gq: string;
  readonly qual: string;
  readonly filter: string;
  readonly pl: string;
  /** The sample's DP, AD and VAF as written (when the record has them). */
  readonly dp?: string;
  readonly ad?: string;
  readonly vaf?: string;
  /** FORMAT MID ("small_model": GQ/PL from DeepVariant 1.8+'s small model, not a CNN). */
  readonly mid?: string;
}

/** A pileup tensor (uint8 H·W·C, DeepVariant layout — src/core/io/examples/pileupTensor.ts). */
export interface TensorPayload {
  readonly height: number;
  readonly width: number;
  readonly channels: readonly number[];
  readonly data: Uint8Array;
  /** e.g. "reads: sample.bam (our encoder)" or "examples: calling_examples.tfrecord.gz". */
  readonly source: string;
  /** Alt-allele combination this image encodes, e.g. "A" or "A,C". */
  readonly altLabel: string;
  /** 0-based reference position of column 0 and the reference bases of the window, when known. */
  readonly windowStart?: number;
  readonly windowBases?: string;
  /** Column of the candidate's first REF base (DeepVariant: (width − 1) / 2). */
  readonly candidateColumn?: number;
  /** Rows [0, refRows) are the reference band; the next `readRows` rows are reads (rest empty). */
  readonly refRows?: number;
  readonly readRows?: number;
  /** Which models saw exactly this image (names), when models are configured. */
  readonly seenBy?: readonly string[];
  /** The host can answer `inspector.hover` for this image (reads source). */
  readonly hover?: boolean;
  /**
   * DeepVariant's alt-aligned layout of the image when it is not the plain pileup
   * (docs/deepvariant.md §12.3): 'rows' stacks three pileups (reference-aligned, then the reads
   * aligned to each of `altBlocks`); 'diff_channels' / 'base_channels' add channels 9, 10 / 20, 21.
   */
  readonly altLayout?: 'rows' | 'diff_channels' | 'base_channels';
  /** The alts of the two alt-aligned blocks ('rows', 'diff_channels', 'base_channels'), in DeepVariant's block order. */
  readonly altBlocks?: readonly [string, string];
}

/** `inspector.hover` answer: what the pixel (row, col) of image `tensor` shows. */
export interface InspectorHover {
  readonly row: number;
  readonly col: number;
  /** VCF-style 1-based position of the column and its reference base. */
  readonly pos: number;
  readonly refBase: string;
  readonly region: 'reference' | 'read' | 'empty';
  /**
   * A 'rows' image: the block of the row (0 reference-aligned, 1 and 2 aligned to the alt
   * haplotype of `altBlocks[block − 1]`); in blocks 1 and 2 `pos`/`refBase` are the
   * haplotype's column and base, not a reference position.
   */
  readonly block?: number;
  readonly read?: {
    readonly name: string;
    /** 1 or 2 for paired reads (first/second in pair). */
    readonly mate: number;
    readonly flags: number;
    readonly mapq: number;
    readonly strand: '+' | '-';
    readonly cigar: string;
    /** 1-based inclusive alignment span. */
    readonly start: number;
    readonly end: number;
    /** Insert size (TLEN). */
    readonly insertSize: number;
    /** Supports channel meaning: "supports A", "supports another alt", "supports the reference". */
    readonly supports: string;
  };
  /** At the column: the read's base ('*' for an indel anchor), its quality and the CIGAR op. */
  readonly base?: string;
  readonly baseQuality?: number;
  readonly op?: string;
  readonly what?: string;
  readonly inserted?: string;
}

/** One model's call at the site (ModelCaller.callSite: that model's own make_examples settings). */
export interface ModelCallView {
  readonly model: string;
  readonly gt: string;
  readonly gq: string;
  /** As the VCF writes it (formatDvQual). */
  readonly qual: string;
  readonly filter: string;
  readonly pl: string;
  /** The alleles called, "REF>ALT[,ALT]". */
  readonly alleles: string;
  /** Per image: its alts and the model's softmax P(0, 1, 2 copies). */
  readonly images: readonly { readonly altLabel: string; readonly probabilities: readonly number[] }[];
  /** True when the images are the model's own candidate (false: the record's alleles, asked anyway). */
  readonly fromCandidate: boolean;
  /** Why there is no call. */
  readonly noCallReason?: string;
  /** "trained on", "held out", "unknown" + a plain sentence. */
  readonly training: { readonly inTraining: boolean | 'unknown'; readonly text: string };
}

export interface ModelComparison {
  readonly state: 'disabled' | 'no-models' | 'running' | 'done' | 'error';
  /** Why disabled / the error (with the file) / what is running. */
  readonly message?: string;
  readonly calls: readonly ModelCallView[];
  /** Parameter differences that explain a disagreement (model-card thresholds vs the site's evidence). */
  readonly explanations: readonly string[];
  /** Notes of the encoder (no candidate under a model's thresholds, allele differences, …). */
  readonly notes: readonly string[];
}

export interface InspectorState {
  readonly site?: SiteRecord;
  readonly tensors: readonly TensorPayload[];
  /** Why no tensor is shown (no reads configured, untrusted, encoder missing, …). */
  readonly tensorNote?: string;
  readonly trust: TrustState;
  /** Increases with every site shown; `inspector.hover` names it so stale hovers are refused. */
  readonly generation?: number;
  /** Every configured model's call next to the records (arrives after the tensors). */
  readonly models?: ModelComparison;
  /** The list (table or diff) the site came from: list keys pressed in the inspector go there. */
  readonly origin?: 'table' | 'diff';
}

/**
 * One activation map on the pileup's grid (`inspector.layers`): height·width bytes, the value
 * scaled from [min, max] to 0–254; 255 where the model does not read the pileup.
 */
export interface ActivationMapPayload {
  /** "channel mean" or "channel 17". */
  readonly label: string;
  readonly height: number;
  readonly width: number;
  readonly data: Uint8Array;
  readonly min: number;
  readonly max: number;
}

/** One layer of one model at the site: its channel-mean map and its strongest channels. */
export interface LayerMapsView {
  readonly layer: string;
  readonly channels: number;
  /** The activation's own grid (cells), before upsampling onto the pileup. */
  readonly cells: { readonly height: number; readonly width: number };
  readonly mean: ActivationMapPayload;
  readonly top: readonly ActivationMapPayload[];
}

/** `inspector.layers` answer: every model's layers on the same image, and where they part ways. */
export interface InspectorLayers {
  /** The image (index into the state's tensors) every model ran on. */
  readonly tensor: number;
  readonly altLabel: string;
  readonly models: readonly {
    readonly model: string;
    /** Softmax of this image: P(0, 1, 2 copies). */
    readonly probabilities: readonly number[];
    readonly layers: readonly LayerMapsView[];
    /** Layers left out (memory bound) and other notes. */
    readonly notes: readonly string[];
  }[];
  /** "layers": per-layer similarity of the first two models; "outputs": their layers do not correspond. */
  readonly comparedOn: 'layers' | 'outputs' | 'none';
  /** "identical through conv1; apart from conv2 on (CKA 0.41); …", or why only the outputs. */
  readonly summary: string;
  readonly similarity: readonly { readonly layer: string; readonly cka: number | null; readonly cosine: number }[];
  readonly firstDivergent: number | null;
}

/** One model's call from one set of images (`inspector.realign`: raw or realigned reads). */
export interface RealignCallView {
  readonly gt: string;
  readonly gq: string;
  readonly qual: string;
  /** AD of the imaged alleles, "ref,alt1,…", and DP, as the allele counter counts them from these reads. */
  readonly ad: string;
  readonly dp: number;
  readonly alleles: string;
  /** Softmax of the first image. */
  readonly probabilities: readonly number[];
  readonly noCallReason?: string;
}

/** A read row of the realigned image that differs from the raw reads. */
export interface RealignRowMark {
  /** Image row (reference band included). */
  readonly row: number;
  /** moved: new start; cigar: same start, new CIGAR (e.g. a soft clip turned into match); entered: not in the raw image. */
  readonly kind: 'moved' | 'cigar' | 'entered';
  readonly name: string;
  /** "start CIGAR" (1-based start) before and after realignment. */
  readonly before?: string;
  readonly after: string;
}

/** `inspector.realign` answer: the site's pileup from the raw and from the realigned reads, and each model on both. */
export interface InspectorRealign {
  readonly raw: readonly TensorPayload[];
  readonly realigned: readonly TensorPayload[];
  readonly marks: readonly RealignRowMark[];
  /** Reads of the raw image that are not in the realigned one, and their rows in the raw image. */
  readonly dropped: readonly string[];
  readonly droppedRows: readonly number[];
  readonly models: readonly {
    readonly model: string;
    /** Whether the model's own make_examples settings realign (its card's realign_reads). */
    readonly realignsReads: boolean;
    readonly raw: RealignCallView;
    readonly realigned: RealignCallView;
  }[];
  /** "IGV shows 12 alt reads; after realignment the model saw 4". */
  readonly summary: string;
  readonly notes: readonly string[];
}

/** List keys the inspector forwards to the list that opened its site (j/k walk, 1–9 verdicts, n next). */
export const FORWARDED_LIST_KEYS = /^[jkn1-9]$/;

// ---------------------------------------------------------------------------------------------
// Method and event maps. Each request method maps to its params and result types.

export type TableRequests = {
  'table.init': { params: Record<string, never>; result: TableInit };
  /** Rows [from, to) of view `viewId`; at most MAX_PAGE_ROWS. */
  'table.rows': { params: { viewId: number; from: number; to: number }; result: { viewId: number; rows: TableRow[] } };
  /** Sort and filter in the host (with progress; cancel with a `cancel` message). */
  'table.setView': { params: { sort?: SortSpec; filter?: FilterSpec }; result: ViewInfo };
  /** Finds the first view row at or after a locus ("chr20:10,000,123" or "chr20 10000123"). */
  'table.findLocus': { params: { viewId: number; text: string }; result: { index: number } };
  'table.info': { params: { row: number }; result: { entries: InfoEntry[] } };
  /** Copies the given file rows as VCF lines to the clipboard; returns the text. */
  'table.copyRows': { params: { rows: number[] }; result: { text: string; count: number } };
  /** Round-trip probe (responsiveness of the extension host). */
  'table.ping': { params: { sentAt: number }; result: { sentAt: number; hostTime: number } };
};

export type TableWebviewEvents = {
  ready: Record<string, never>;
  siteSelected: { row: number; index: number; open: boolean };
  /** The user resized, hid or showed a column: the host remembers the layout for the workspace. */
  columnsChanged: ColumnLayoutState;
  /** Filter, sort, selection or scroll changed: the host remembers them for this file (restored after a reload). */
  viewStateChanged: TableViewState;
};

export type TableHostEvents = {
  /** Row index building progress, then the final count. */
  indexProgress: { rows: number; done: boolean; rowCount: number; error?: ProtocolError };
  /** The host wants the table to show view row `index` (e.g. from the Go to Locus command). */
  reveal: { index: number; viewId: number };
  trust: TrustState;
  /** Host-side command asked the table to apply a new view (e.g. "Variant Lens: Filter"). */
  viewChanged: ViewInfo;
  /** A list key pressed in the inspector (InspectorWebviewEvents.listKey), to act on as if pressed in the grid. */
  forwardedKey: { key: string };
};

export type InspectorRequests = {
  'inspector.init': { params: Record<string, never>; result: InspectorState };
  'inspector.ping': { params: { sentAt: number }; result: { sentAt: number; hostTime: number } };
  /** Hover details of pixel (row, col) of image `tensor` of state `generation` (null: nothing there / stale). */
  'inspector.hover': { params: { generation: number; tensor: number; row: number; col: number }; result: InspectorHover | null };
  /** Opens the model-card panel. */
  'inspector.showModelCards': { params: Record<string, never>; result: Record<string, never> };
  /** Why the models disagree at the site of state `generation` (explainProtocol.ts; progress, cancellable). */
  'inspector.explain': { params: { generation: number }; result: ExplanationView };
  /** Every model's layer activations on image `tensor` of state `generation` (null: stale). */
  'inspector.layers': { params: { generation: number; tensor: number }; result: InspectorLayers | null };
  /** The pileup before and after DeepVariant's realigner, and each model on both (null: stale). */
  'inspector.realign': { params: { generation: number }; result: InspectorRealign | null };
};

export type InspectorWebviewEvents = {
  ready: Record<string, never>;
  /** A list key pressed while the inspector had focus (FORWARDED_LIST_KEYS); the host relays it to the list. */
  listKey: { key: string };
};

export type InspectorHostEvents = {
  state: InspectorState;
  trust: TrustState;
  /** The running explanation's cross-run, before its occlusion and curves finish. */
  explanation: ExplanationView;
};

/** A panel's protocol: what the webview may ask, and the events either side emits. */
export interface PanelProtocol {
  requests: Record<string, { params: unknown; result: unknown }>;
  webviewEvents: Record<string, unknown>;
  hostEvents: Record<string, unknown>;
}

export interface TableProtocol extends PanelProtocol {
  requests: TableRequests & ReviewRequests;
  webviewEvents: TableWebviewEvents;
  hostEvents: TableHostEvents & ReviewHostEvents;
}

export interface InspectorProtocol extends PanelProtocol {
  requests: InspectorRequests & ReviewRequests;
  webviewEvents: InspectorWebviewEvents;
  hostEvents: InspectorHostEvents & ReviewHostEvents;
}

/** Messages the webview of panel P may send. */
export type WebviewToHost<P extends PanelProtocol> =
  | { [M in keyof P['requests'] & string]: RequestMessage<M, P['requests'][M]['params']> }[keyof P['requests'] & string]
  | { [N in keyof P['webviewEvents'] & string]: EventMessage<N, P['webviewEvents'][N]> }[keyof P['webviewEvents'] & string]
  | CancelMessage;

/** Messages the host may send to the webview of panel P. */
export type HostToWebview<P extends PanelProtocol> =
  | ResponseMessage
  | ProgressMessage
  | { [N in keyof P['hostEvents'] & string]: EventMessage<N, P['hostEvents'][N]> }[keyof P['hostEvents'] & string];

// ---------------------------------------------------------------------------------------------
// Limits (why these values: they bound what a hostile page can make the host do).

/** Largest page of rows one request may ask for (a screen is < 100 rows; pages are 200). */
export const MAX_PAGE_ROWS = 1000;
/** Largest number of rows one copy request may carry. */
export const MAX_COPY_ROWS = 100_000;
/** Longest free text / locus / region string accepted. */
export const MAX_TEXT = 1000;
/** Default request timeout; long work (sort/filter) sends progress, which re-arms it. */
export const DEFAULT_TIMEOUT_MS = 30_000;

// ---------------------------------------------------------------------------------------------
// Diff panel (engineer K, issue #6): two VCFs compared by src/core/diff. The host runs the
// diff once (with progress and cancel) and keeps every differing site; the webview pulls
// the summary with `diff.init`, asks for views (filter/sort) with `diff.setView`, and pages
// rows with `diff.rows` — never the whole list. `pos` is the 1-based POS of the *normalized*
// allele; `recordPos` the 1-based POS of the record as written in each file.

/** The diff engine's class and allele-kind names (src/core/diff/diffClasses.ts), carried as data. */
export type DiffClassName = DiffClass;
export type DiffKindName = DiffVariantKind;
export type DiffStratumGroup = 'bed' | 'contigs' | 'filter' | 'gt' | 'mid';
/** 'dispute': the report's dispute score (src/core/report/disputeScore.ts); descending = most disputed first, ties in genome order. */
export type DiffSortKey = 'position' | 'qualA' | 'qualB' | 'qualDelta' | 'gqA' | 'gqB' | 'classes' | 'kind' | 'dispute';
/**
 * Which differing sites a view starts from: 'disputes' = the calls differ (gt-change,
 * filter-change, only-A, only-B); 'qual-only' = every other differing site (only QUAL
 * differs). Absent = all differing sites.
 */
export type DiffScope = 'disputes' | 'qual-only';

export interface DiffStratumRef {
  readonly group: DiffStratumGroup;
  readonly name: string;
}

/**
 * A view of the differing sites. All present fields must hold (AND); inside `classes`,
 * `kinds` and one stratum group a site needs any listed value (OR); strata of different
 * groups AND together (e.g. "in confident.bed" AND "A PASS").
 */
export interface DiffViewSpec {
  readonly classes?: readonly DiffClassName[];
  readonly kinds?: readonly DiffKindName[];
  readonly strata?: readonly DiffStratumRef[];
  /** Case-insensitive substring of "contig:pos ref>alt GTs FILTERs classes". */
  readonly text?: string;
  readonly sortBy?: DiffSortKey;
  readonly descending?: boolean;
  readonly scope?: DiffScope;
}

export interface DiffViewInfo {
  readonly viewId: number;
  readonly count: number;
  readonly spec: DiffViewSpec;
}

/** One side of a diff row, formatted by the host. */
export interface DiffSideCells {
  /** The record's own GT text ('' without samples). */
  readonly gt: string;
  /** GT projected onto this allele (bcftools norm -m -any style). */
  readonly alleleGt: string;
  readonly called: boolean;
  readonly qual: string;
  readonly filter: string;
  readonly gq: string;
  readonly recordPos: number;
}

export interface DiffRow {
  /** Position in the current view. */
  readonly index: number;
  readonly contig: string;
  readonly pos: number;
  readonly ref: string;
  readonly alt: string;
  readonly kind: DiffKindName;
  readonly classes: readonly DiffClassName[];
  readonly a?: DiffSideCells;
  readonly b?: DiffSideCells;
  /** The site's annotation in the diff's review file, when it has one (Review section). */
  readonly review?: ReviewCell;
  /** The report's dispute score (src/core/report/disputeScore.ts). */
  readonly dispute?: number;
  /** With a truth VCF (DiffComparison.truthFile): each side's call against it (DiffTruthClass). */
  readonly truthA?: DiffTruthClass;
  readonly truthB?: DiffTruthClass;
}

/**
 * A side's call at a site against a truth VCF, counted as `variant-lens diff --truth` counts
 * (src/core/diff/diffSummary.ts truthOutcome): TP, FP (a PASS call the truth lacks), FN (a
 * truth call the side lacks or filtered), FP+FN (the allele with another genotype), or ''
 * (neither calls it).
 */
export type DiffTruthClass = import('../core/diff/diffSummary').TruthClass | '';

/**
 * What a diff compares: the inputs of one run that are not settings (reference, BEDs and
 * QUAL delta come from the settings at each run). The page keeps it for the panel serializer
 * (a window reload runs the same comparison again); the host keeps the last one for
 * "Reopen Last Comparison".
 */
export interface DiffComparison {
  readonly fileA: string;
  readonly fileB: string;
  /** One of the two files is the truth (CLI `diff --truth A|B`). */
  readonly truth?: 'A' | 'B';
  /** A third VCF as the truth: both files are compared with it (TP/FP/FN per side and per site). */
  readonly truthFile?: string;
}

/** What the diff page keeps across a window reload (the webview state): comparison, view, place. */
export interface DiffPageState {
  readonly comparison: DiffComparison;
  readonly view: DiffViewSpec;
  /** Selected view row (-1 none) and first row on screen. */
  readonly selected: number;
  readonly first: number;
}

/** Precision and recall of each side against a truth VCF (DiffComparison.truthFile). */
export interface DiffTruthVs {
  readonly file: string;
  readonly name: string;
  /** A (query) vs the truth, B vs the truth: the summaries' truth metrics (allele matching). */
  readonly a: DiffTruthMetrics;
  readonly b: DiffTruthMetrics;
  /**
   * With a reference: hap.py's summary of each side against the truth with haplotype
   * matching — the rows `variant-lens diff SIDE TRUTH --truth B --ref R` writes to
   * PREFIX.summary.csv (docs/decisions/0013-haplotype-matching.md). Absent without a reference.
   */
  readonly happy?: { readonly a: readonly DiffHappyRow[]; readonly b: readonly DiffHappyRow[] };
}

/** One row of hap.py's summary (type-only import: data). */
export type DiffHappyRow = import('../core/diff/haplotype/happyTables').HappyRow;

export type DiffTruthMetrics = import('../core/diff/diffSummary').TruthMetrics;

export type DiffRunState = 'running' | 'done' | 'cancelled' | 'error';

export interface DiffRunProgress {
  readonly recordsA: number;
  readonly recordsB: number;
  readonly contig: string;
  readonly pos: number;
  /** 0..1, or null when contig lengths are unknown. */
  readonly fraction: number | null;
  readonly differingSites: number;
}

export interface DiffInit {
  readonly fileA: string;
  readonly fileB: string;
  readonly nameA: string;
  readonly nameB: string;
  readonly state: DiffRunState;
  readonly progress?: DiffRunProgress;
  readonly error?: ProtocolError;
  /** The engine's summary (src/core/diff/diffSummary.ts, plain JSON) once the run is done. */
  readonly summary?: DiffSummaryPayload;
  readonly view: DiffViewInfo;
  /** Sites per scope once the run is done (the scope chips' counts). */
  readonly scopeCounts?: { readonly disputes: number; readonly qualOnly: number; readonly all: number };
  /** Disputes that carry a verdict in the diff's review file, once the run is done. */
  readonly disputesReviewed?: number;
  /** The workspace's remembered column layout of diff lists. */
  readonly columns?: ColumnLayoutState;
  /** The run's inputs (the page saves them for a window reload). */
  readonly comparison?: DiffComparison;
  /** After a window reload: the selection and scroll the page had (applied once the run is done). */
  readonly restore?: { readonly selected: number; readonly first: number };
  /** The workspace review file this diff's verdicts go to (named in the toolbar). */
  readonly reviewFile?: string;
  /** With a truth VCF, once the run is done: each side's precision and recall against it. */
  readonly truthVs?: DiffTruthVs;
  /** Site features (with a reference): binned counts and the enrichment ranking, once the run is done. */
  readonly features?: DiffFeaturesPayload;
}

/** What `diff --ref` writes under `features` and `enrichment` in PREFIX.summary.json (type-only imports: data). */
export interface DiffFeaturesPayload {
  readonly summary: import('../core/diff/features/featureStage').FeatureSummary;
  readonly enrichment: readonly import('../core/diff/features/enrichment').EnrichmentEntry[];
}

/** The summary as the engine writes it to PREFIX.summary.json (type-only import: data, not code). */
export type DiffSummaryPayload = import('../core/diff/diffSummary').DiffSummary;

export type DiffRequests = {
  'diff.init': { params: Record<string, never>; result: DiffInit };
  /** Rows [from, to) of view `viewId` (at most MAX_PAGE_ROWS); a stale viewId gets no rows. */
  'diff.rows': { params: { viewId: number; from: number; to: number }; result: { viewId: number; rows: DiffRow[] } };
  'diff.setView': { params: DiffViewSpec; result: DiffViewInfo };
  'diff.ping': { params: { sentAt: number }; result: { sentAt: number; hostTime: number } };
};

export type DiffWebviewEvents = {
  ready: Record<string, never>;
  /** The user moved to (open=false) or opened (open=true: Enter/double-click) view row `index`. */
  siteSelected: { viewId: number; index: number; open: boolean };
  /** Cancel button of the running diff. */
  cancelRun: Record<string, never>;
  /** The user resized, hid or showed a column: the host remembers the layout for the workspace. */
  columnsChanged: ColumnLayoutState;
  /** What the page just kept with setState, for the host's own record (a browser refresh may lose the webview's). */
  pageState: DiffPageState;
};

export type DiffHostEvents = {
  runProgress: DiffRunProgress;
  /** The run ended (done, cancelled or failed): the webview re-pulls with diff.init. */
  runEnded: {
    state: DiffRunState; error?: ProtocolError;
    /**
     * When the engine finished reading both files (the host's Date.now()): what came after —
     * the features summary, the view's sort, the answers — is the editor's own wait (the
     * `bench:diffplots` bench times the plots from here).
     */
    finishedAt?: number;
  };
  /** A list key pressed in the inspector (InspectorWebviewEvents.listKey), to act on as if pressed in the grid. */
  forwardedKey: { key: string };
};

export interface DiffProtocol extends PanelProtocol {
  requests: DiffRequests & ReviewRequests;
  webviewEvents: DiffWebviewEvents;
  hostEvents: DiffHostEvents & ReviewHostEvents & {
    /** The host wants the list to show and select view row `index` (Review tree → site). */
    reveal: { viewId: number; index: number };
  };
}

// ---------------------------------------------------------------------------------------------
// Review (engineer L, issue #7): verdicts on sites, kept by src/core/review's ReviewStore in a
// sidecar file (docs/review-format.md). The table, the diff list and the inspector share these
// requests and events; the host knows which review file applies (the table's VCF, the diff's
// A.vs.B file, or — for the inspector — the table/diff the shown site came from).
// Sites are (contig, 1-based POS, REF, ALT): the VCF record for a table, the normalized allele
// for a diff.

/** A verdict label or a tag of the configured vocabulary (src/core/review/vocabulary.ts). */
export interface ReviewLabel {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  /** '1'…'9' for the first nine verdicts. */
  readonly shortcut?: string;
}

export interface ReviewVocabularyPayload {
  readonly name: string;
  readonly verdicts: readonly ReviewLabel[];
  readonly tags: readonly ReviewLabel[];
}

/** One annotation version as the UI shows it. */
export interface ReviewVersionCell {
  readonly verdict: string;
  /** The vocabulary title of the verdict (the id itself when the vocabulary does not know it). */
  readonly title: string;
  readonly tags: readonly string[];
  readonly note: string;
  readonly reviewer: string;
  /** ISO 8601 UTC. */
  readonly time: string;
}

/** A site's annotation: the latest version, plus how many versions exist (> 1 = conflict). */
export interface ReviewCell extends ReviewVersionCell {
  readonly versions: number;
  readonly conflict: boolean;
}

export interface ReviewSiteRef {
  readonly contig: string;
  /** VCF 1-based POS. */
  readonly pos: number;
  readonly ref: string;
  readonly alt: string;
}

/** What the inspector's review form shows for its site. */
export interface ReviewSiteState {
  readonly reviewFile: string;
  readonly reviewFileName: string;
  readonly site: ReviewSiteRef;
  readonly cell?: ReviewCell;
  /** Every version (one unless conflicted), oldest first. */
  readonly versions: readonly ReviewVersionCell[];
  readonly canUndo: boolean;
}

export interface ReviewInit {
  readonly vocabulary: ReviewVocabularyPayload;
  readonly reviewer: string;
  /** The review file of a table or diff (undefined for the inspector: it depends on the site). */
  readonly reviewFile?: string;
}

/** Which site a table/diff request means: a table's file row, or a diff view row. The inspector sends none (its site). */
export interface ReviewTarget {
  readonly row?: number;
  readonly viewId?: number;
  readonly index?: number;
}

export type ReviewRequests = {
  'review.init': { params: Record<string, never>; result: ReviewInit };
  /** The inspector's site and its annotation (null when no site is shown). */
  'review.site': { params: Record<string, never>; result: ReviewSiteState | null };
  /**
   * Sets a verdict: by id (`verdict`) or by shortcut digit (`shortcut`). Tags/note omitted =
   * keep the site's current ones. `interactive`: the host asks with quick picks instead
   * (verdict, tags, note). Result: the site's new cell (undefined when the user cancelled).
   */
  'review.annotate': {
    params: { target?: ReviewTarget; verdict?: string; shortcut?: string; tags?: readonly string[]; note?: string; interactive?: boolean };
    result: { cell?: ReviewCell };
  };
  /** Undoes the last annotation made in this window (any review file). */
  'review.undo': { params: Record<string, never>; result: { undone: boolean } };
  /** Resolves a conflicted site: the host shows a quick pick of the versions. */
  'review.resolve': { params: { target?: ReviewTarget }; result: { resolved: boolean } };
};

export type ReviewHostEvents = {
  /** Annotations changed (this window, another window, git): table/diff re-fetch visible rows. */
  reviewChanged: { count: number };
  /** The inspector's site annotation changed (or its site did). */
  reviewSite: ReviewSiteState | null;
};

/** Longest note accepted from a webview. */
export const MAX_NOTE = 10_000;
