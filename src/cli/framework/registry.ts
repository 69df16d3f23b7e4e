import type { CliCommand } from './command';

/** Sub-commands register themselves here (see src/cli/commands/index.ts). */
export const commands: CliCommand[] = [];

export function registerCommand(c: CliCommand): void {
  if (commands.some((x) => x.name === c.name)) throw new Error(`duplicate CLI command ${c.name}`);
  commands.push(c);
}
