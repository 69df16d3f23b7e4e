/** A CLI sub-command. Each lives in src/cli/commands/<name>.ts and is listed in src/cli/main.ts. */
export interface CliContext {
  /** Fires on Ctrl-C; every long operation takes it. */
  readonly signal: AbortSignal;
  /** Progress/status lines go to stderr so stdout stays machine-readable. */
  progress(line: string): void;
  out(text: string): void;
}

export interface CliCommand {
  readonly name: string;
  /** One line for `variant-lens --help`. */
  readonly summary: string;
  /** Full usage text. */
  readonly usage: string;
  run(argv: string[], ctx: CliContext): Promise<number>;
}
