/**
 * Review parts shared by the table and diff webviews (protocol.ts "Review"): the annotation
 * cell (verdict chip + conflict marker), and the keys — 1–9 set the verdict of the selected
 * row at once, Ctrl/Cmd+Z undoes the last annotation (only when focus is not in a text
 * field, where those keys type and undo text). The host decides which review file applies.
 * Text is set with textContent only (notes and verdicts come from a file).
 */
import type { ReviewCell, ReviewHostEvents, ReviewRequests, ReviewTarget } from '../../src/protocol/protocol';

/** The part of an RpcClient the review code uses (every panel protocol includes the Review requests). */
export interface ReviewClient {
  request<M extends keyof ReviewRequests & string>(method: M, params: ReviewRequests[M]['params'], options?: { timeoutMs?: number }): Promise<ReviewRequests[M]['result']>;
  on<N extends keyof ReviewHostEvents & string>(name: N, handler: (payload: ReviewHostEvents[N]) => void): () => void;
}

export function isTextField(t: EventTarget | null): boolean {
  const e = t as HTMLElement | null;
  if (!e || typeof e.tagName !== 'string') return false;
  return e.tagName === 'INPUT' || e.tagName === 'TEXTAREA' || e.tagName === 'SELECT' || e.isContentEditable;
}

/** What a key press means for review: a verdict shortcut, undo, or nothing. */
export function reviewKeyOf(e: KeyboardEvent): { shortcut: string } | 'undo' | undefined {
  if (isTextField(e.target)) return undefined;
  const mod = e.ctrlKey || e.metaKey;
  if (mod && !e.altKey && !e.shiftKey && (e.key === 'z' || e.key === 'Z')) return 'undo';
  if (!mod && !e.altKey && /^[1-9]$/.test(e.key)) return { shortcut: e.key };
  return undefined;
}

/** One-line description of a cell for tooltips. */
export function reviewTitle(c: ReviewCell): string {
  const lines = [`${c.title} (${c.verdict}) — ${c.reviewer}, ${c.time}`];
  if (c.tags.length) lines.push(`tags: ${c.tags.join(', ')}`);
  if (c.note) lines.push(c.note);
  if (c.conflict) lines.unshift(`${c.versions} conflicting versions — resolve with "Variant Lens: Resolve Review Conflict…"`);
  return lines.join('\n');
}

/** Fills a grid cell with the verdict chip (and ⚠ N for a conflict); rebuilt only when the cell changes. */
export function paintReviewCell(cell: HTMLElement, c: ReviewCell | undefined): void {
  const key = c ? `${c.verdict}\t${c.versions}\t${c.time}\t${c.note}\t${c.tags.join(',')}` : '';
  // Skip only when the cell still shows `key`: a loading frame (virtualList.draw) empties the
  // cell's text but leaves its data-review, and a re-fetch after a review change must redraw it.
  const drawn = key === '' ? cell.childElementCount === 0 : cell.querySelector('.review-chip') !== null;
  if (cell.dataset.review === key && drawn) return;
  cell.dataset.review = key;
  cell.replaceChildren();
  cell.title = c ? reviewTitle(c) : '';
  cell.dataset.verdict = c?.verdict ?? '';
  cell.dataset.conflict = c?.conflict ? 'true' : 'false';
  if (!c) return;
  if (c.conflict) {
    const w = document.createElement('span');
    w.className = 'review-conflict';
    w.textContent = `⚠ ${c.versions}`;
    cell.append(w);
  }
  const chip = document.createElement('span');
  chip.className = 'review-chip';
  chip.textContent = c.verdict;
  cell.append(chip);
  if (c.note) {
    const n = document.createElement('span');
    n.className = 'review-note';
    n.textContent = c.note.replace(/\s+/g, ' ');
    cell.append(n);
  }
}

export interface ReviewBinding {
  /** Handles a keydown of the grid; true when it was a review key (the caller prevents default). */
  handleKey(e: KeyboardEvent): boolean;
}

/**
 * Wires a table/diff webview: re-draws on `reviewChanged`, and turns 1–9 / Ctrl+Z into
 * review requests for the selected row (`target()`). It sends nothing until a key is pressed
 * (the host maps digits to verdicts), so the page's own `ready` / init exchange is unchanged.
 */
export function bindReview(client: ReviewClient, opts: {
  target: () => ReviewTarget | undefined;
  onChanged: () => void;
  status: (text: string, isError?: boolean) => void;
}): ReviewBinding {
  client.on('reviewChanged', () => opts.onChanged());
  const fail = (e: unknown): void => opts.status(e instanceof Error ? e.message : String(e), true);
  return {
    handleKey(e) {
      const k = reviewKeyOf(e);
      if (!k) return false;
      if (k === 'undo') {
        void client.request('review.undo', {}).then((r) => opts.status(r.undone ? 'annotation undone' : 'nothing to undo'), fail);
        return true;
      }
      const target = opts.target();
      if (!target) {
        opts.status('select a row to annotate it', true);
        return true;
      }
      void client.request('review.annotate', { target, shortcut: k.shortcut }).then((r) => {
        if (r.cell) opts.status(`${r.cell.verdict} saved`);
      }, fail);
      return true;
    },
  };
}
