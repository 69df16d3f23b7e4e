/**
 * What a panel needs to come back after a browser refresh, kept by the extension host itself in
 * a small JSON file of the workspace storage folder, written at once on every change.
 *
 * Why not only VS Code's own record: the workbench keeps its open editors and each webview's
 * `setState` in its storage, and a browser refresh (code-server, vscode.dev) gives it no time to
 * write them — the page only starts a flush it cannot wait for
 * (vs/workbench/services/lifecycle/browser/lifecycleService.ts: "The browser does not guarantee
 * that this is being executed"); otherwise it writes every few seconds when idle. After a refresh
 * a panel opened or changed just before may come back without its state or not at all.
 * "Developer: Reload Window" waits for that flush, which is why it always restored.
 *
 * `previous` is what the last extension host of this workspace left. Once the extension host is
 * going away (`freeze`), panels it disposes were not closed by the user: the record stays.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export class PanelRecord<T> {
  private frozen = false;
  /** The record the previous extension host left, if it still checks (else undefined). */
  readonly previous: T | undefined;

  constructor(private readonly file: string, check: (v: unknown) => T | undefined, private readonly warn: (m: string) => void) {
    let previous: T | undefined;
    try {
      previous = check(JSON.parse(readFileSync(file, 'utf8')) as unknown);
    } catch (e) {
      if ((e as { code?: string }).code !== 'ENOENT') warn(`${file}: not a usable panel record (${e instanceof Error ? e.message : String(e)}); ignored`);
    }
    this.previous = previous;
  }

  /** Replaces the record (undefined: nothing to bring back). Ignored once frozen. */
  write(value: T | undefined): void {
    if (this.frozen) return;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(value ?? null));
      renameSync(tmp, this.file);
    } catch (e) {
      this.warn(`${this.file}: could not write the panel record (${e instanceof Error ? e.message : String(e)})`);
    }
  }

  /** The extension host is shutting down: keep the record as it is for the next one. */
  freeze(): void {
    this.frozen = true;
  }
}
