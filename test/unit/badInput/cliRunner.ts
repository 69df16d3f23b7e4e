/**
 * Runs `variant-lens` commands in one process for cliBadInput.test.ts: argv lists as JSON on
 * the command line, results (exit code, stdout, stderr) as one JSON line on fd 3... printed
 * after a marker on stdout, so the test's own reporter output stays untouched.
 */
import { main } from '../../../src/cli/main';

async function run(): Promise<void> {
  const cases = JSON.parse(process.argv[2]!) as string[][];
  const out: { code: number | string; stdout: string; stderr: string }[] = [];
  const ew = process.stderr.write.bind(process.stderr);
  const ow = process.stdout.write.bind(process.stdout);
  for (const argv of cases) {
    let stderr = '';
    let stdout = '';
    process.stderr.write = ((s: string | Uint8Array) => { stderr += String(s); return true; }) as typeof process.stderr.write;
    process.stdout.write = ((s: string | Uint8Array) => { stdout += String(s); return true; }) as typeof process.stdout.write;
    let code: number | string;
    try {
      code = await main(argv);
    } catch (e) {
      code = 'threw';
      stderr += `variant-lens: internal error: ${e instanceof Error ? e.stack : String(e)}`;
    } finally {
      process.stderr.write = ew;
      process.stdout.write = ow;
    }
    out.push({ code, stdout, stderr });
  }
  ow('\nCLI_RESULTS ' + JSON.stringify(out) + '\n');
}

void run();
