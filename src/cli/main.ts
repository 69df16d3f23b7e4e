/**
 * `variant-lens` — the headless command line over src/core. Thin: parse arguments, call
 * core, print. Errors a user can cause are VariantLensErrors: printed as one line, exit 1.
 */
import { VariantLensError, isCancelled } from '../core/errors';
import type { CliContext } from './framework/command';
import { commands } from './framework/registry';
import { systemErrorLine } from './framework/systemErrors';
import './commands/index';

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length), 8);
  return [
    'variant-lens — review DeepVariant-style variant calls from the command line',
    '',
    'usage: variant-lens <command> [options]   (variant-lens <command> --help for details)',
    '',
    ...commands.sort((a, b) => a.name.localeCompare(b.name)).map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help() + '\n');
    return name ? 0 : 2;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`variant-lens: unknown command "${name}"\n\n${help()}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(cmd.usage + '\n');
    return 0;
  }
  const controller = new AbortController();
  const onSigint = (): void => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\ncancelling… (Ctrl-C again to force)\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  const ctx: CliContext = {
    signal: controller.signal,
    progress: (line) => process.stderr.write(line + '\n'),
    out: (text) => process.stdout.write(text),
  };
  try {
    return await cmd.run(rest, ctx);
  } catch (e) {
    if (isCancelled(e)) {
      process.stderr.write('variant-lens: cancelled\n');
      return 130;
    }
    if (e instanceof VariantLensError) {
      process.stderr.write(`variant-lens ${name}: ${e.message}\n`);
      return 1;
    }
    // A path that is a directory, a missing folder, no permission: one line naming the path.
    const sys = systemErrorLine(e);
    if (sys !== undefined) {
      process.stderr.write(`variant-lens ${name}: ${sys}\n`);
      return 1;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (e: unknown) => {
      process.stderr.write(`variant-lens: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
      process.exitCode = 70;
    },
  );
}
