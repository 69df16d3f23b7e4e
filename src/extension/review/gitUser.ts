/**
 * The reviewer name when `variantLens.reviewer` is empty (its description: "the git
 * user.name, else the OS user name"): `git config user.name` run in the workspace folder (so
 * a repository's own user.name wins over the global one). Asked once per folder, without a
 * shell and with a short timeout; no git, no name, or an error → undefined (the caller falls
 * back to the OS user). No `vscode` import: unit-tested in Node against git itself.
 */
import { execFile } from 'node:child_process';

/** `git config user.name` in `cwd`, trimmed; undefined when git is missing, fails or has none. */
export function gitUserName(cwd: string | undefined, timeoutMs = 3000): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', ['config', '--get', 'user.name'], { ...(cwd ? { cwd } : {}), timeout: timeoutMs, windowsHide: true, encoding: 'utf8' }, (err, stdout) => {
      const name = typeof stdout === 'string' ? stdout.trim() : '';
      resolve(!err && name !== '' ? name : undefined);
    });
  });
}
