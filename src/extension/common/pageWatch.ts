/**
 * Loads a webview's page again when it has not said "ready" in time. VS Code for the web
 * (code-server) has a race in its webview service worker: after a browser refresh, when
 * several webviews are restored at once, the resource requests of one of them are sometimes not
 * served by the worker (they go to the `vscode-resource.vscode-cdn.net` host name and fail:
 * microsoft/vscode#326544, coder/code-server#7892), so its script never runs and the panel stays
 * blank. A second load, once the worker is up, is served. Checked 6 s after the page was set,
 * then 12 and 24 s after each new load, while the webview is visible (a hidden one is checked
 * again 6 s later); three loads at most. A page that is only slow is loaded once more, which
 * does no harm.
 */
export class PageWatch {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private tries = 0;
  private done = false;

  constructor(private readonly reload: () => void, private readonly visible: () => boolean, private readonly warn: (m: string) => void, private readonly what: string) {
    this.schedule();
  }

  /** The page said "ready". */
  ready(): void {
    this.dispose();
  }

  dispose(): void {
    this.done = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(): void {
    this.timer = setTimeout(() => this.check(), 6000 * 2 ** this.tries);
  }

  private check(): void {
    if (this.done) return;
    if (this.visible()) {
      if (this.tries === 3) {
        this.warn(`${this.what}: the page did not load after ${this.tries} more tries; close and reopen it`);
        return;
      }
      this.tries++;
      this.warn(`${this.what}: the page has not loaded yet (try ${this.tries} of 3); loading it again`);
      this.reload();
    }
    this.schedule();
  }
}
