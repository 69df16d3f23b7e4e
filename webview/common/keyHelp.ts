/**
 * The `?` overlay of a list page: every key of the page, as the page lists them (one table,
 * so the overlay and the page's key handling are written side by side). Esc or `?` closes it.
 */
import { el } from './dom';

export class KeyHelp {
  readonly overlay = el('div', 'key-help');

  constructor(title: string, keys: readonly (readonly [key: string, what: string])[]) {
    this.overlay.hidden = true;
    this.overlay.setAttribute('role', 'dialog');
    this.overlay.setAttribute('aria-label', title);
    this.overlay.tabIndex = -1;
    const t = el('table');
    t.append(el('caption', undefined, `${title} (Esc closes)`));
    for (const [k, what] of keys) {
      const tr = el('tr');
      tr.append(el('th', undefined, k), el('td', undefined, what));
      t.append(tr);
    }
    this.overlay.append(t);
    this.overlay.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' || e.key === '?') {
        e.preventDefault();
        this.toggle(false);
      }
    });
  }

  get open(): boolean {
    return !this.overlay.hidden;
  }

  toggle(open = !this.open): void {
    this.overlay.hidden = !open;
  }
}
