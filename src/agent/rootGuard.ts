/**
 * The agent tools open only files under their roots: the `--root` folders of
 * `variant-lens mcp`, or the workspace folders of the language-model tools. A path is
 * resolved (relative to the first root), then its real path (symlinks followed) must lie
 * inside the real path of a root, so a symlink under a root that points elsewhere is refused
 * too. A file that does not exist yet (a new review file) is checked through the real path of
 * its folder. Errors name the path as given and never any of its content.
 */
import { realpathSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { ToolInputError } from './toolErrors';

export class RootGuard {
  /** Real paths of the roots, in the order given (the first one resolves relative paths). */
  readonly roots: readonly string[];

  constructor(roots: readonly string[]) {
    if (roots.length === 0) throw new ToolInputError('give at least one root folder');
    this.roots = roots.map((r) => {
      let real: string;
      try {
        real = realpathSync(path.resolve(r));
      } catch {
        throw new ToolInputError(`root ${r} does not exist`);
      }
      if (!statSync(real).isDirectory()) throw new ToolInputError(`root ${r} is not a folder`);
      return real;
    });
  }

  /** `p` made absolute against the first root (`~/` is the home folder), not yet checked. */
  absolute(p: string): string {
    const home = process.env.HOME ?? '';
    const expanded = p.startsWith('~/') ? path.join(home, p.slice(2)) : p.replace(/^\$\{workspaceFolder\}/, this.roots[0]!);
    return path.resolve(this.roots[0]!, expanded);
  }

  private inside(real: string): boolean {
    return this.roots.some((r) => {
      const rel = path.relative(r, real);
      return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
    });
  }

  /**
   * The real path of an existing file (or folder, with `folder`) under a root; `what` names
   * it in errors ("VCF a", "the reads of variantLens.reads").
   */
  existing(p: string, what: string, kind: 'file' | 'folder' = 'file'): string {
    if (typeof p !== 'string' || p.trim() === '') throw new ToolInputError(`${what}: the path is empty`);
    const abs = this.absolute(p);
    let real: string;
    try {
      real = realpathSync(abs);
    } catch {
      if (!this.inside(abs)) throw this.outside(p, what);
      throw new ToolInputError(`${what}: ${p} does not exist`);
    }
    if (!this.inside(real)) throw this.outside(p, what);
    const st = statSync(real);
    if (kind === 'file' && !st.isFile()) throw new ToolInputError(`${what}: ${p} is not a regular file`);
    if (kind === 'folder' && !st.isDirectory()) throw new ToolInputError(`${what}: ${p} is not a folder`);
    return real;
  }

  /** A file to write (it may not exist yet): its folder must exist under a root. */
  writable(p: string, what: string): string {
    if (typeof p !== 'string' || p.trim() === '') throw new ToolInputError(`${what}: the path is empty`);
    const abs = this.absolute(p);
    let real: string;
    try {
      real = realpathSync(abs);
    } catch {
      let dir: string;
      try {
        dir = realpathSync(path.dirname(abs));
      } catch {
        if (!this.inside(abs)) throw this.outside(p, what);
        throw new ToolInputError(`${what}: the folder of ${p} does not exist`);
      }
      real = path.join(dir, path.basename(abs));
    }
    if (!this.inside(real)) throw this.outside(p, what);
    try {
      if (!statSync(real).isFile()) throw new ToolInputError(`${what}: ${p} is not a regular file`);
    } catch (e) {
      if (e instanceof ToolInputError) throw e;
      // does not exist yet: created by the writer
    }
    return real;
  }

  /** The path relative to the root holding it (for output), or the path itself. */
  display(real: string): string {
    for (const r of this.roots) {
      const rel = path.relative(r, real);
      if (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)) return this.roots.length === 1 ? rel : path.join(path.basename(r), rel);
    }
    return real;
  }

  private outside(p: string, what: string): ToolInputError {
    return new ToolInputError(`${what}: ${p} is outside the allowed folders (${this.roots.join(', ')}); only files under them are opened`);
  }
}
