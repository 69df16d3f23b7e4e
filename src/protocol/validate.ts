/**
 * Runtime validation of messages arriving at the extension host. The webview renders
 * untrusted file content (VCF text, read names), so the host treats every message as hostile
 * input: shape, types, integer ranges and string lengths are checked before any handler runs.
 *
 * A tiny combinator set instead of a schema library: the protocol is small, and the bundle
 * stays dependency-free. A validator returns an error path/description or undefined.
 */
import type {
  AnyMessage, PanelProtocol, WebviewToHost, TableProtocol, InspectorProtocol, DiffProtocol,
} from './protocol';
import { FORWARDED_LIST_KEYS, MAX_COPY_ROWS, MAX_NOTE, MAX_PAGE_ROWS, MAX_TEXT, type ReviewRequests } from './protocol';

/** Rows per table page when the host does not say (package.json's variantLens.table.pageSize default). */
export const DEFAULT_PAGE_ROWS = 200;

/**
 * The table's page size from table.init (`pageSize`, the host's variantLens.table.pageSize):
 * an integer in [1, MAX_PAGE_ROWS] (a larger page would be refused by the table.rows check
 * below), else DEFAULT_PAGE_ROWS.
 */
export function tablePageRows(v: unknown): number {
  return int(1, MAX_PAGE_ROWS)(v, 'pageSize') === undefined ? (v as number) : DEFAULT_PAGE_ROWS;
}

export type Check = (v: unknown, path: string) => string | undefined;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export const int = (min = 0, max = Number.MAX_SAFE_INTEGER): Check => (v, p) =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? undefined : `${p}: expected an integer in [${min}, ${max}]`;

export const num = (): Check => (v, p) => (typeof v === 'number' && Number.isFinite(v) ? undefined : `${p}: expected a finite number`);

export const bool = (): Check => (v, p) => (typeof v === 'boolean' ? undefined : `${p}: expected a boolean`);

export const str = (maxLen = MAX_TEXT, pattern?: RegExp): Check => (v, p) => {
  if (typeof v !== 'string') return `${p}: expected a string`;
  if (v.length > maxLen) return `${p}: longer than ${maxLen} characters`;
  if (pattern && !pattern.test(v)) return `${p}: does not match ${pattern}`;
  return undefined;
};

export const literal = (...values: readonly string[]): Check => (v, p) =>
  typeof v === 'string' && values.includes(v) ? undefined : `${p}: expected one of ${values.join(', ')}`;

export const arr = (item: Check, maxLen: number): Check => (v, p) => {
  if (!Array.isArray(v)) return `${p}: expected an array`;
  if (v.length > maxLen) return `${p}: more than ${maxLen} items`;
  for (let i = 0; i < v.length; i++) {
    const e = item(v[i], `${p}[${i}]`);
    if (e) return e;
  }
  return undefined;
};

/** An object with exactly these keys (optional ones marked with `opt`); unknown keys are rejected. */
export const obj = (fields: Record<string, Check>, optional: readonly string[] = []): Check => (v, p) => {
  if (!isObj(v)) return `${p}: expected an object`;
  for (const k of Object.keys(v)) if (!(k in fields)) return `${p}: unexpected field "${k}"`;
  for (const [k, check] of Object.entries(fields)) {
    if (!(k in v) || v[k] === undefined) {
      if (optional.includes(k)) continue;
      return `${p}.${k}: missing`;
    }
    const e = check(v[k], `${p}.${k}`);
    if (e) return e;
  }
  return undefined;
};

const empty = obj({});

const sortColumn: Check = str(16, /^(file|chrom|pos|id|ref|alt|qual|filter|(gq|dp|vaf|gt):\d{1,4})$/);

export const sortSpec: Check = obj({ column: sortColumn, descending: bool() });

export const filterSpec: Check = obj(
  {
    filters: arr(str(200), 1000),
    qualMin: num(),
    qualMax: num(),
    genotypes: arr(str(50), 100),
    sample: int(0, 100_000),
    kinds: arr(literal('SNP', 'INDEL', 'REF'), 3),
    region: str(MAX_TEXT),
    text: str(MAX_TEXT),
    formatTerms: arr(obj({ field: literal('GQ', 'DP', 'VAF'), op: literal('<', '<=', '>', '>=', '=', '!='), value: num() }), 30),
  },
  ['filters', 'qualMin', 'qualMax', 'genotypes', 'sample', 'kinds', 'region', 'text', 'formatTerms'],
);

/** A list's column layout (columnsChanged): bounded keys, widths and counts. */
const columnKey = str(32, /^[a-z][a-z0-9_]*$/);
export const columnLayout: Check = (v, p) => {
  const shape = obj({ widths: (w, q) => {
    if (typeof w !== 'object' || w === null || Array.isArray(w)) return `${q}: expected an object`;
    const entries = Object.entries(w);
    if (entries.length > 200) return `${q}: more than 200 columns`;
    for (const [k, x] of entries) {
      const e = columnKey(k, `${q} key`) ?? int(24, 2000)(x, `${q}.${k}`);
      if (e) return e;
    }
    return undefined;
  }, hidden: arr(columnKey, 200), shown: arr(columnKey, 200) }, ['shown'])(v, p);
  return shape;
};

/** The table's remembered view (viewStateChanged). */
export const tableViewState: Check = obj({ filterText: str(MAX_TEXT), sort: sortSpec, selected: int(-1), first: int() }, ['sort']);

type RequestChecks<P extends PanelProtocol> = { [M in keyof P['requests']]: Check };
type EventChecks<P extends PanelProtocol> = { [N in keyof P['webviewEvents']]: Check };

export interface PanelSchema<P extends PanelProtocol> {
  readonly requests: RequestChecks<P>;
  readonly events: EventChecks<P>;
}

const ping = obj({ sentAt: num() });

// ---- Review requests (engineer L), shared by the table, inspector and diff schemas ------------

/** A verdict or tag id as the review file allows it (reviewFormat.ts): no control characters. */
const reviewLabel = str(200, /^[^\u0000-\u001f]+$/);
const reviewTarget: Check = obj({ row: int(), viewId: int(), index: int() }, ['row', 'viewId', 'index']);

export const reviewRequestChecks: { [M in keyof ReviewRequests]: Check } = {
  'review.init': empty,
  'review.site': empty,
  'review.annotate': obj(
    { target: reviewTarget, verdict: reviewLabel, shortcut: str(1, /^[1-9]$/), tags: arr(reviewLabel, 100), note: str(MAX_NOTE), interactive: bool() },
    ['target', 'verdict', 'shortcut', 'tags', 'note', 'interactive'],
  ),
  'review.undo': empty,
  'review.resolve': obj({ target: reviewTarget }, ['target']),
};

export const tableSchema: PanelSchema<TableProtocol> = {
  requests: {
    'table.init': empty,
    'table.rows': (v, p) => {
      const e = obj({ viewId: int(), from: int(), to: int() })(v, p);
      if (e) return e;
      const { from, to } = v as { from: number; to: number };
      if (to < from) return `${p}: to < from`;
      if (to - from > MAX_PAGE_ROWS) return `${p}: more than ${MAX_PAGE_ROWS} rows requested`;
      return undefined;
    },
    'table.setView': obj({ sort: sortSpec, filter: filterSpec }, ['sort', 'filter']),
    'table.findLocus': obj({ viewId: int(), text: str(200) }),
    'table.info': obj({ row: int() }),
    'table.copyRows': obj({ rows: arr(int(), MAX_COPY_ROWS) }),
    'table.ping': ping,
    ...reviewRequestChecks,
  },
  events: {
    ready: empty,
    siteSelected: obj({ row: int(), index: int(), open: bool() }),
    columnsChanged: columnLayout,
    viewStateChanged: tableViewState,
  },
};

export const inspectorSchema: PanelSchema<InspectorProtocol> = {
  requests: {
    'inspector.init': empty,
    'inspector.ping': ping,
    'inspector.hover': obj({ generation: int(), tensor: int(0, 1000), row: int(0, 10_000), col: int(0, 10_000) }),
    'inspector.showModelCards': empty,
    'inspector.explain': obj({ generation: int() }),
    'inspector.layers': obj({ generation: int(), tensor: int(0, 1000) }),
    'inspector.realign': obj({ generation: int() }),
    ...reviewRequestChecks,
  },
  events: {
    ready: empty,
    listKey: obj({ key: str(1, FORWARDED_LIST_KEYS) }),
  },
};

// ---- Diff panel (engineer K) -----------------------------------------------------------------

const DIFF_CLASS_NAMES = ['same', 'gt-change', 'only-A', 'only-B', 'filter-change', 'qual-change', 'same-haplotypes'] as const;

/** A stratum name is free text from the engine (BED names, FILTER values, GTs): bounded, no control characters. */
export const diffStratum: Check = obj({ group: literal('bed', 'contigs', 'filter', 'gt', 'mid'), name: str(200, /^[^\u0000-\u001f]*$/) });

export const diffViewSpec: Check = obj(
  {
    classes: arr(literal(...DIFF_CLASS_NAMES), DIFF_CLASS_NAMES.length),
    kinds: arr(literal('SNP', 'INDEL', 'MNP'), 3),
    strata: arr(diffStratum, 1000),
    text: str(MAX_TEXT),
    sortBy: literal('position', 'qualA', 'qualB', 'qualDelta', 'gqA', 'gqB', 'classes', 'kind', 'dispute'),
    descending: bool(),
    scope: literal('disputes', 'qual-only'),
  },
  ['classes', 'kinds', 'strata', 'text', 'sortBy', 'descending', 'scope'],
);

/** A path from the page's saved state (bounded, no control characters). */
const filePath = str(4096, /^[^\u0000-\u001f]+$/);

/** What a diff compares (DiffComparison): kept by the page and in the workspace state. */
export const diffComparison: Check = obj({ fileA: filePath, fileB: filePath, truth: literal('A', 'B'), truthFile: filePath }, ['truth', 'truthFile']);

/** The diff page's saved state (DiffPageState), read back by the panel serializer after a reload. */
export const diffPageState: Check = obj({ comparison: diffComparison, view: diffViewSpec, selected: int(-1), first: int() });

/** A metric of hap.py's summary: a fraction, or null when undefined (no calls). */
const metric: Check = (v, p) => (v === null ? undefined : typeof v === 'number' && v >= 0 && v <= 1 ? undefined : `${p}: expected null or a number in [0, 1]`);

/** One row of hap.py's summary (DiffHappyRow): counts are non-negative integers, metrics fractions or null. */
const diffHappyRow: Check = obj({
  type: literal('INDEL', 'SNP'), filter: literal('ALL', 'PASS'),
  truthTotal: int(), truthTp: int(), truthFn: int(), queryTotal: int(), queryTp: int(), queryFp: int(), queryUnk: int(), fpGt: int(), fpAl: int(),
  recall: metric, precision: metric, fracNa: metric, f1: metric,
});

/**
 * The hap.py summaries the diff page shows with a truth VCF and a reference (DiffTruthVs.happy,
 * in diff.init's result): checked by the page before it renders them, so a malformed payload
 * is reported instead of drawn as wrong numbers. Four rows per side (INDEL/SNP × ALL/PASS).
 */
export const diffHappySummaries: Check = obj({ a: arr(diffHappyRow, 4), b: arr(diffHappyRow, 4) });

export const diffSchema: PanelSchema<DiffProtocol> = {
  requests: {
    'diff.init': empty,
    'diff.rows': (v, p) => tableSchema.requests['table.rows'](v, p),
    'diff.setView': diffViewSpec,
    'diff.ping': ping,
    ...reviewRequestChecks,
  },
  events: {
    ready: empty,
    siteSelected: obj({ viewId: int(), index: int(), open: bool() }),
    cancelRun: empty,
    columnsChanged: columnLayout,
    pageState: diffPageState,
  },
};

export type ValidationResult<P extends PanelProtocol> =
  | { readonly ok: true; readonly message: WebviewToHost<P> }
  /** `messageId` is set when the bad message was a request we can still answer with an error. */
  | { readonly ok: false; readonly error: string; readonly messageId?: number };

/** Validates one message from a webview of the panel described by `schema`. */
export function validateWebviewMessage<P extends PanelProtocol>(schema: PanelSchema<P>, raw: unknown): ValidationResult<P> {
  if (!isObj(raw)) return { ok: false, error: 'message: expected an object' };
  const type = raw.type;
  if (type === 'request') {
    const idErr = int(0)(raw.messageId, 'messageId');
    if (idErr) return { ok: false, error: idErr };
    const messageId = raw.messageId as number;
    const shape = obj({ type: literal('request'), messageId: int(0), method: str(64), params: () => undefined })(raw, 'message');
    if (shape) return { ok: false, error: shape, messageId };
    const method = raw.method as string;
    const check = Object.prototype.hasOwnProperty.call(schema.requests, method) ? (schema.requests as Record<string, Check>)[method] : undefined;
    if (!check) return { ok: false, error: `unknown method "${method.slice(0, 64)}"`, messageId };
    const e = check(raw.params, `${method}.params`);
    if (e) return { ok: false, error: e, messageId };
    return { ok: true, message: raw as unknown as WebviewToHost<P> };
  }
  if (type === 'cancel') {
    const e = obj({ type: literal('cancel'), target: int(0) })(raw, 'cancel');
    return e ? { ok: false, error: e } : { ok: true, message: raw as unknown as WebviewToHost<P> };
  }
  if (type === 'event') {
    const shape = obj({ type: literal('event'), name: str(64), payload: () => undefined })(raw, 'event');
    if (shape) return { ok: false, error: shape };
    const name = raw.name as string;
    const check = Object.prototype.hasOwnProperty.call(schema.events, name) ? (schema.events as Record<string, Check>)[name] : undefined;
    if (!check) return { ok: false, error: `unknown event "${name.slice(0, 64)}"` };
    const e = check(raw.payload, `${name}.payload`);
    return e ? { ok: false, error: e } : { ok: true, message: raw as unknown as WebviewToHost<P> };
  }
  return { ok: false, error: `message.type: expected request, cancel or event` };
}

/** Light structural check for messages arriving in the webview from the host (trusted, but typed). */
export function isHostMessage(raw: unknown): raw is AnyMessage {
  if (!isObj(raw)) return false;
  return raw.type === 'response' || raw.type === 'progress' || raw.type === 'event';
}

