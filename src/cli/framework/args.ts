/**
 * Minimal, strict argument parsing for the CLI: `--name value`, `--flag`, repeated
 * options, and positionals. Unknown options are an error (a typo must not be ignored).
 */
import { VariantLensError } from '../../core/errors';

export interface OptionSpec {
  /** Takes a value (`--out X`) or is a boolean flag (`--json`). */
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
}

export interface ParsedArgs {
  readonly positionals: string[];
  string(name: string): string | undefined;
  required(name: string): string;
  all(name: string): string[];
  flag(name: string): boolean;
  number(name: string, fallback: number): number;
}

export function parseArgs(argv: readonly string[], spec: Readonly<Record<string, OptionSpec>>, usage: string): ParsedArgs {
  const values = new Map<string, string[]>();
  const flags = new Set<string>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { positionals.push(...argv.slice(i + 1)); break; }
    if (!a.startsWith('--')) { positionals.push(a); continue; }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    const s = spec[name];
    if (!s) throw new VariantLensError('invalid-argument', `unknown option --${name}\n${usage}`);
    if (s.type === 'boolean') { flags.add(name); continue; }
    const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (v === undefined) throw new VariantLensError('invalid-argument', `--${name} needs a value\n${usage}`);
    const list = values.get(name) ?? [];
    if (list.length > 0 && !s.multiple) throw new VariantLensError('invalid-argument', `--${name} given twice\n${usage}`);
    list.push(v);
    values.set(name, list);
  }
  return {
    positionals,
    string: (n) => values.get(n)?.[0],
    required: (n) => {
      const v = values.get(n)?.[0];
      if (v === undefined) throw new VariantLensError('invalid-argument', `--${n} is required\n${usage}`);
      return v;
    },
    all: (n) => values.get(n) ?? [],
    flag: (n) => flags.has(n),
    number: (n, fallback) => {
      const v = values.get(n)?.[0];
      if (v === undefined) return fallback;
      const x = Number(v);
      if (!Number.isFinite(x)) throw new VariantLensError('invalid-argument', `--${n} must be a number, got "${v}"`);
      return x;
    },
  };
}
