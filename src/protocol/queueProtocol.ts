/**
 * The review queue's messages (issue #20, "Variant Lens: Review Queue"): a grid of pileup
 * tiles over the sites of a diff view or a table view, one key per verdict. Types and the
 * validation of everything the queue webview sends (the same combinators as validate.ts).
 *
 * The webview pulls `queue.init` (the queue's size, the vocabulary, the reviewed count), then
 * pages the sites' text with `queue.sites` and asks for the tiles of the sites on screen with
 * `queue.tiles`: the host makes them in batches, sends each batch as a `tiles` event, reports
 * progress on the request and stops when the request is cancelled (a `cancel` message).
 * Thumbnails travel as raw RGBA in a Uint8Array (postMessage transfers typed arrays as they
 * are). `index` is a site's position in the queue (0-based); `pos` the VCF 1-based POS.
 */
import type { PanelProtocol, ReviewCell, ReviewVocabularyPayload } from './protocol';
import { int, obj, str, type Check, type PanelSchema } from './validate';

/** Most sites one `queue.sites` request may ask for. */
export const MAX_QUEUE_PAGE = 500;
/** Most tiles one `queue.tiles` request may ask for (a screen holds < 100). */
export const MAX_TILES_PER_REQUEST = 200;

/** One model's (one VCF's) call at a site, as the VCF wrote it. */
export interface QueueCall {
  /** "A", "B", or the VCF's name for a table queue. */
  readonly label: string;
  readonly gt: string;
  readonly qual: string;
}

/** A site of the queue as its tile's text shows it. */
export interface QueueSite {
  readonly index: number;
  readonly contig: string;
  readonly pos: number;
  readonly ref: string;
  readonly alt: string;
  /** The diff classes (empty for a table queue). */
  readonly classes: readonly string[];
  readonly calls: readonly QueueCall[];
  readonly review?: ReviewCell;
}

/** One thumbnail: the pileup's RGB composite (show_examples), downscaled, as RGBA. */
export interface QueueImage {
  /** The models that saw exactly this image (empty: no models configured). */
  readonly models: readonly string[];
  readonly width: number;
  readonly height: number;
  /** width · height · 4 bytes, RGBA. */
  readonly rgba: Uint8Array;
  /**
   * An alt-aligned 'rows' image (docs/deepvariant.md §12.3): its three blocks (reference-aligned,
   * alt-1-aligned, alt-2-aligned), in the image's rows, split by grey bands; labelled beside it.
   */
  readonly blocks?: readonly QueueImageBlock[];
}

/** One block of a 'rows' tile image: its title, short label, first row and rows in the image. */
export interface QueueImageBlock {
  readonly title: string;
  readonly short: string;
  readonly top: number;
  readonly height: number;
}

/** A site's tile: one image, or one per model when the models' images differ. */
export interface QueueTile {
  readonly index: number;
  readonly images: readonly QueueImage[];
  /** Why there is no image (no reads configured, untrusted workspace, no candidate, an error). */
  readonly note?: string;
}

export interface QueueInit {
  readonly title: string;
  readonly kind: 'diff' | 'table';
  readonly count: number;
  /** Sites of the view when the queue was opened (count is capped at MAX_QUEUE_SITES). */
  readonly viewCount: number;
  /** The call labels, in tile order ("A: default.vcf.gz", …). */
  readonly callLabels: readonly string[];
  readonly reviewed: number;
  readonly vocabulary: ReviewVocabularyPayload;
  readonly reviewFileName: string;
}

export type QueueRequests = {
  'queue.init': { params: Record<string, never>; result: QueueInit };
  'queue.sites': { params: { from: number; to: number }; result: { sites: QueueSite[] } };
  /** Makes the tiles of sites [from, to) (cached ones at once), in batches (`tiles` events); cancel with `cancel`. */
  'queue.tiles': { params: { from: number; to: number }; result: { made: number; cached: number } };
  /** Sets the verdict with shortcut `shortcut` ('1'…'9', review vocabulary) on site `index`. */
  'queue.verdict': { params: { index: number; shortcut: string }; result: { cell?: ReviewCell; reviewed: number } };
  'queue.undo': { params: Record<string, never>; result: { undone: boolean } };
};

export type QueueWebviewEvents = {
  ready: Record<string, never>;
  /** Enter on a tile: open the site in the inspector. */
  open: { index: number };
};

export type QueueHostEvents = {
  tiles: { tiles: QueueTile[] };
  /** Verdicts changed (here, in another view, on disk): re-fetch the sites' cells. */
  reviewChanged: { reviewed: number };
  /** A list key pressed in the inspector opened from the queue (j/k/n/1–9). */
  forwardedKey: { key: string };
};

export interface QueueProtocol extends PanelProtocol {
  requests: QueueRequests;
  webviewEvents: QueueWebviewEvents;
  hostEvents: QueueHostEvents;
}

const empty = obj({});

const range = (max: number): Check => (v, p) => {
  const e = obj({ from: int(), to: int() })(v, p);
  if (e) return e;
  const { from, to } = v as { from: number; to: number };
  if (to < from) return `${p}: to < from`;
  if (to - from > max) return `${p}: more than ${max} sites requested`;
  return undefined;
};

export const queueSchema: PanelSchema<QueueProtocol> = {
  requests: {
    'queue.init': empty,
    'queue.sites': range(MAX_QUEUE_PAGE),
    'queue.tiles': range(MAX_TILES_PER_REQUEST),
    'queue.verdict': obj({ index: int(), shortcut: str(1, /^[1-9]$/) }),
    'queue.undo': empty,
  },
  events: {
    ready: empty,
    open: obj({ index: int() }),
  },
};
