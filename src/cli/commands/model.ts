/**
 * `variant-lens model check`: an ONNX model on DeepVariant's own examples against
 * DeepVariant's call_variants output for the same examples (core/model/modelCheck.ts).
 */
import { VariantLensError } from '../../core/errors';
import { runModelCheck } from '../../core/model/modelCheck';
import { loadModel } from '../../core/model/onnxModel';
import { parseArgs } from '../framework/args';
import type { CliContext } from '../framework/command';
import { registerCommand } from '../framework/registry';

const usage = `usage: variant-lens model check --model DIR --examples FILE --cvo FILE [--example-info J] [--json]

Runs the model on the examples and compares its probabilities with the call_variants output
(CallVariantsOutput records, TFRecord; gzip when named .gz) for the same examples:
max and p99 |Δp|, GT (argmax) agreement, and the known conversion pitfalls where they can be
detected (input fed NCHW, missing (x-128)/128 preprocessing; raw-vs-EMA weights and channel
order only as hints). Before anything runs, the model's example_info.json, the examples'
example_info.json and the records' shape must agree on shape and channel ids.
  --model DIR        model folder: model.onnx + example_info.json
  --examples FILE    make_examples output (any shard syntax)
  --cvo FILE         call_variants output for those examples
  --example-info J   the examples' example_info.json (default: found next to them)
  --json             {maxAbsDiff, p99AbsDiff, gtAgreement, examples, pitfalls, …}
Exit code 0 when max |Δp| ≤ 1e-5, else 1.`;

async function runCheck(argv: string[], ctx: CliContext): Promise<number> {
  const a = parseArgs(argv, {
    model: { type: 'string' }, examples: { type: 'string' }, cvo: { type: 'string' }, 'example-info': { type: 'string' }, json: { type: 'boolean' },
  }, usage);
  if (a.positionals.length) throw new VariantLensError('invalid-argument', `unexpected argument "${a.positionals[0]}"\n${usage}`);
  const model = await loadModel(a.required('model'), ctx.signal);
  try {
    const infoPath = a.string('example-info');
    const r = await runModelCheck({
      model, examplesPath: a.required('examples'), cvoPath: a.required('cvo'), signal: ctx.signal, progress: ctx.progress,
      ...(infoPath ? { exampleInfoPath: infoPath } : {}),
    });
    if (a.flag('json')) ctx.out(JSON.stringify(r, null, 1) + '\n');
    else {
      ctx.out(`examples ${r.examples}, matched to call_variants output ${r.matched} (${r.unmatchedCvo} CVO records and ${r.unmatchedExamples} examples unmatched)\n`);
      ctx.out(`max |Δp| ${r.maxAbsDiff.toExponential(3)}  p99 |Δp| ${r.p99AbsDiff.toExponential(3)}  GT agreement ${(100 * r.gtAgreement).toFixed(2)} %\n`);
      for (const p of r.pitfalls) ctx.out(`${p.detected ? 'PITFALL' : 'hint'}: ${p.name}: ${p.detail}\n`);
    }
    return r.maxAbsDiff <= 1e-5 ? 0 : 1;
  } finally {
    await model.dispose();
  }
}

registerCommand({
  name: 'model',
  summary: 'model check: an ONNX model on DeepVariant examples against call_variants output',
  usage,
  async run(argv, ctx) {
    const [sub, ...rest] = argv;
    if (sub === 'check') return runCheck(rest, ctx);
    throw new VariantLensError('invalid-argument', `${sub === undefined ? 'missing sub-command' : `unknown sub-command "${sub}"`}; use check\n${usage}`);
  },
});
