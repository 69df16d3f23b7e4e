/**
 * Messages of the inspector's explanation ("why do the two models disagree here?"): the
 * webview asks with `inspector.explain` (a request with progress, cancelled with the rpc
 * `cancel` message), the host runs core/explain's explainSite on the shown site and answers
 * with an ExplanationView; while it runs, the host sends the `explanation` event once the
 * cross-run (the first thing a reviewer looks at) is known. Plain data: the host draws the
 * attribution overlays (core/explain/attributionOverlay.ts) and sends their RGBA bytes.
 *
 * Probabilities are [P(hom-ref), P(het), P(hom-alt)] of the site, as in explain.json
 * (src/core/explain/explainResult.ts). No vscode, no node.
 */

/** [P(hom-ref), P(het), P(hom-alt)]. */
export type ClassProbsView = readonly [number, number, number];

/** crossRun[i][j]: model i on the images made with model j's make_examples parameters. */
export interface CrossRunCellView {
  readonly probs: ClassProbsView | null;
  /** e.g. "0/1"; null without an image. */
  readonly gt: string | null;
  readonly genotypeClass: 'hom-ref' | 'het' | 'hom-alt' | null;
  /** Whether model j's thresholds make a candidate here (without one, DeepVariant emits nothing). */
  readonly candidate: boolean;
  readonly dp: number;
  readonly ad: readonly number[];
  readonly readRows: number;
  readonly altRows: number;
  /** Why the cell is empty. */
  readonly reason?: string;
}

export type OverlayMode = 'a' | 'b' | 'diff';

/** One attribution overlay, drawn over the pileup images it was computed on. */
export interface ExplainOverlayView {
  readonly mode: OverlayMode;
  /** e.g. "ΔP(het) of default: red pushed toward it, blue away". */
  readonly title: string;
  /** The model whose images carry it (for 'diff': the first model). */
  readonly model: string;
  /** Indices into InspectorState.tensors whose pixels equal the images explained (the overlay fits them exactly). */
  readonly tensors: readonly number[];
  readonly width: number;
  readonly height: number;
  /** RGBA, width × height × 4 (transparent where nothing was attributed). */
  readonly rgba: Uint8Array;
  /** |ΔP| at full colour (the legend's ends); shared by the A and B overlays. */
  readonly scale: number;
}

export interface ExplainCurveView {
  readonly name: 'depth' | 'altFraction' | 'baseQuality' | 'mappingQuality';
  readonly xLabel: string;
  readonly description: string;
  /** Per model: points (x, probs); probs null where no image could be made. */
  readonly models: readonly { readonly x: readonly number[]; readonly probs: readonly (ClassProbsView | null)[]; readonly candidate: readonly boolean[] }[];
}

export interface ExplainAttributionView {
  /** What is occluded: a channel name, a column band, a read. */
  readonly label: string;
  /** Longer text: the channel's counterfactual, the read's MAPQ/strand/support. */
  readonly detail: string;
  /** Per model: ΔP of the model's called class (null: not in the model's image). */
  readonly deltaP: readonly (number | null)[];
}

export interface ExplanationView {
  /** The InspectorState generation it belongs to (a newer site makes it stale). */
  readonly generation: number;
  readonly state: 'running' | 'done' | 'error';
  /** What is running ('images', 'cross-run', 'occlusion', 'curves') or the error. */
  readonly message?: string;
  readonly done: number;
  readonly total: number;
  /** Model names, in the order of every per-model array. */
  readonly models: readonly string[];
  /** Each model's non-default make_examples parameters, "name value". */
  readonly params: readonly (readonly string[])[];
  readonly crossRun?: readonly (readonly CrossRunCellView[])[];
  readonly verdict?: { readonly kind: 'inputs' | 'weights' | 'both' | 'none'; readonly text: string; readonly inputShift: number; readonly weightShift: number };
  /** Per model: the genotype class it called on its own images (what ΔP is about). */
  readonly called?: readonly (string | null)[];
  readonly overlays?: readonly ExplainOverlayView[];
  /** The colour scale of the overlays: RGBA of legendWidth × 1 pixels, from −scale (left) to +scale. */
  readonly legend?: Uint8Array;
  readonly curves?: readonly ExplainCurveView[];
  readonly channels?: readonly ExplainAttributionView[];
  readonly bands?: readonly ExplainAttributionView[];
  /** The reads with the largest |ΔP| for any model (at most 8). */
  readonly reads?: readonly ExplainAttributionView[];
  readonly readCount?: number;
  readonly partial?: boolean;
  readonly problems?: readonly string[];
}

/** Width of ExplanationView.legend in pixels. */
export const EXPLAIN_LEGEND_WIDTH = 101;
