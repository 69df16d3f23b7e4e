/**
 * The review form of the site inspector: verdict buttons (keys 1–9 set the verdict of the
 * shown site and save at once), tags, a note (`n` focuses it, Ctrl/Cmd+Enter saves the
 * form), Undo (Ctrl/Cmd+Z outside text fields) and, for a conflicted site, "Resolve…".
 * The host (reviewController.ts) knows which review file the site belongs to and snapshots
 * each model's GT/GQ/QUAL. Text from files is set with textContent only.
 */
import type { ReviewInit, ReviewSiteState, ReviewVocabularyPayload } from '../../src/protocol/protocol';
import { isTextField, type ReviewClient } from '../common/reviewUi';
import { el } from '../common/dom';

export function mountReviewForm(client: ReviewClient, box: HTMLElement): void {
  box.className = 'review-form';
  box.hidden = true;
  box.setAttribute('aria-label', 'Review this site');
  let vocab: ReviewVocabularyPayload | undefined;
  let state: ReviewSiteState | null = null;
  let verdict: string | undefined;
  const tags = new Set<string>();
  const siteId = (s: ReviewSiteState | null): string => (s ? `${s.reviewFile}\t${s.site.contig}\t${s.site.pos}\t${s.site.ref}\t${s.site.alt}` : '');

  const head = el('div', 'review-head');
  const verdictRow = el('div', 'review-verdicts');
  verdictRow.setAttribute('role', 'group');
  verdictRow.setAttribute('aria-label', 'Verdict (keys 1–9)');
  const versionsEl = el('div', 'review-versions');
  const tagRow = el('div', 'review-tags');
  tagRow.setAttribute('role', 'group');
  tagRow.setAttribute('aria-label', 'Tags');
  // Tags in a dropdown (19 checkboxes would take five lines), the note behind a toggle: one line.
  const tagMenu = el('details', 'review-tags-menu');
  const tagSummary = el('summary', 'review-tags-summary', 'Tags');
  tagMenu.append(tagSummary, tagRow);
  const noteToggle = el('button', 'review-note-toggle', 'Note');
  noteToggle.type = 'button';
  noteToggle.title = 'Show the note (n)';
  noteToggle.setAttribute('aria-expanded', 'false');
  const note = el('textarea', 'review-note-input');
  note.placeholder = 'Note (n to focus, Ctrl+Enter to save)';
  note.setAttribute('aria-label', 'Note');
  const actions = el('div', 'review-actions');
  const save = el('button', 'review-save', 'Save');
  save.title = 'Save the verdict, tags and note (Ctrl+Enter)';
  const undo = el('button', 'review-undo', 'Undo');
  undo.title = 'Undo the last annotation (Ctrl+Z outside the note)';
  const resolve = el('button', 'review-resolve', 'Resolve…');
  resolve.hidden = true;
  const status = el('span', 'review-status');
  status.setAttribute('role', 'status');
  status.setAttribute('aria-live', 'polite');
  actions.append(save, undo, resolve, status);
  const line = el('div', 'review-line');
  line.append(head, verdictRow, tagMenu, noteToggle, actions);
  note.hidden = true;
  box.append(line, versionsEl, note);
  const showNote = (open: boolean): void => {
    note.hidden = !open;
    noteToggle.setAttribute('aria-expanded', String(open));
    noteToggle.classList.toggle('has-note', note.value !== '');
  };
  noteToggle.addEventListener('click', () => {
    showNote(note.hidden);
    if (!note.hidden) note.focus();
  });
  const paintTags = (): void => {
    tagSummary.textContent = tags.size ? `Tags (${tags.size}): ${[...tags].join(', ')}` : 'Tags';
  };

  const setStatus = (text: string, isError = false): void => {
    status.textContent = text;
    status.classList.toggle('error', isError);
  };
  const fail = (e: unknown): void => setStatus(e instanceof Error ? e.message : String(e), true);

  function paintVerdicts(): void {
    for (const b of verdictRow.querySelectorAll<HTMLButtonElement>('button')) b.setAttribute('aria-pressed', String(b.dataset.verdict === verdict));
    box.dataset.selected = verdict ?? '';
  }

  function render(next: ReviewSiteState | null): void {
    const sameSite = siteId(next) === siteId(state);
    state = next;
    box.hidden = !next || !vocab;
    if (!next || !vocab) return;
    const cell = next.cell;
    box.dataset.site = `${next.site.contig}:${next.site.pos}`;
    box.dataset.verdict = cell?.verdict ?? '';
    box.dataset.conflict = String(cell?.conflict === true);
    head.replaceChildren(
      el('span', 'review-current', cell ? `${cell.conflict ? `⚠ ${cell.versions} versions — latest ` : ''}${cell.verdict} — ${cell.reviewer}` : 'not reviewed'),
    );
    head.title = `Review file: ${next.reviewFile}`;
    head.dataset.file = next.reviewFileName;
    verdict = cell?.verdict;
    if (!sameSite || !isTextField(document.activeElement)) {
      tags.clear();
      for (const t of cell?.tags ?? []) tags.add(t);
      note.value = cell?.note ?? '';
      showNote(!sameSite ? false : !note.hidden);
    }
    paintTags();
    verdictRow.replaceChildren(...vocab.verdicts.map((l) => {
      const b = el('button');
      b.type = 'button';
      b.dataset.verdict = l.id;
      // The id is the short name ("dv-base-correct", "both-wrong"); the title and description are the tooltip.
      b.title = `${l.title}: ${l.description}`;
      if (l.shortcut) b.append(el('span', 'key', l.shortcut));
      b.append(document.createTextNode(l.id));
      return b;
    }));
    // A verdict from another vocabulary (a colleague's settings) still shows as selected.
    if (cell && !vocab.verdicts.some((l) => l.id === cell.verdict)) {
      const b = el('button', undefined, cell.verdict);
      b.type = 'button';
      b.dataset.verdict = cell.verdict;
      verdictRow.append(b);
    }
    paintVerdicts();
    tagRow.replaceChildren(...vocab.tags.map((t) => {
      const label = el('label');
      label.title = t.description;
      const cb = el('input');
      cb.type = 'checkbox';
      cb.value = t.id;
      cb.checked = tags.has(t.id);
      label.append(cb, document.createTextNode(t.id));
      return label;
    }));
    versionsEl.hidden = !cell?.conflict;
    versionsEl.textContent = cell?.conflict ? next.versions.map((v) => `${v.verdict} (${v.reviewer})`).join(' vs ') : '';
    resolve.hidden = !cell?.conflict;
    undo.disabled = !next.canUndo;
  }

  function annotate(params: { shortcut?: string; verdict?: string }): void {
    if (!state) return;
    const p = { ...params, tags: [...tags], note: note.value };
    setStatus('saving…');
    void client.request('review.annotate', p).then((r) => setStatus(r.cell ? `saved: ${r.cell.verdict}` : 'not saved'), fail);
  }

  verdictRow.addEventListener('click', (e) => {
    const b = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-verdict]');
    if (!b) return;
    verdict = b.dataset.verdict;
    paintVerdicts();
  });
  tagRow.addEventListener('change', (e) => {
    const cb = e.target as HTMLInputElement;
    if (cb.checked) tags.add(cb.value);
    else tags.delete(cb.value);
    paintTags();
  });
  const saveForm = (): void => {
    if (!verdict) {
      setStatus('pick a verdict first (1–9)', true);
      return;
    }
    annotate({ verdict });
  };
  save.addEventListener('click', saveForm);
  undo.addEventListener('click', () => void client.request('review.undo', {}).then((r) => setStatus(r.undone ? 'undone' : 'nothing to undo'), fail));
  resolve.addEventListener('click', () => void client.request('review.resolve', {}).then((r) => setStatus(r.resolved ? 'resolved' : ''), fail));

  document.addEventListener('keydown', (e) => {
    if (!state || box.hidden) return;
    const mod = e.ctrlKey || e.metaKey;
    if (mod && e.key === 'Enter') {
      e.preventDefault();
      saveForm();
      return;
    }
    if (isTextField(e.target)) {
      if (e.key === 'Escape') (e.target as HTMLElement).blur();
      return;
    }
    if (mod && !e.shiftKey && !e.altKey && (e.key === 'z' || e.key === 'Z')) {
      e.preventDefault();
      undo.click();
      return;
    }
    if (mod || e.altKey) return;
    if (/^[1-9]$/.test(e.key)) {
      const label = vocab?.verdicts.find((l) => l.shortcut === e.key);
      if (!label) return;
      e.preventDefault();
      verdict = label.id;
      paintVerdicts();
      annotate({ shortcut: e.key });
    } else if (e.key === 'n') {
      e.preventDefault();
      showNote(true);
      note.focus();
    }
  });

  client.on('reviewSite', render);
  // After the page's own `ready` and `inspector.init` (sent synchronously when the module
  // finishes), so the review pull never delays or reorders the inspector's start.
  queueMicrotask(() => {
    void client.request('review.init', {}).then((i: ReviewInit) => {
      vocab = i.vocabulary;
      return client.request('review.site', {});
    }).then(render, fail);
  });
}
