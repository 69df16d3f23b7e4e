/**
 * The Python/numpy/printf behaviours postprocess relies on, checked against the real thing:
 * the expected values are printed by python3 (round, numpy.around, '%g') in the test.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { formatPercentG, pythonRound, roundHalfEven } from '../../../src/core/model/pythonNumerics';

const PY = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

// Exact ties (0.125, 2.5, 2^-8), near-ties, QUAL-like phred values, tiny and large numbers.
const VALUES = [0.125, 0.375, 2.5, 3.5, -2.5, 0.00390625, 1.00000005, 36.912345678, 99.03089987, 0.0049999999,
  1e-12, 123456.78901234, 0.5, 1.5, 46.49999999, 46.5, 47.5, 0.545454545, 0.1 + 0.2, 1 / 3, 2 / 3, 1e-5, 0.000123456789];

function python(code: string): string[] {
  return execFileSync(PY, ['-c', code], { encoding: 'utf8' }).trim().split('\n');
}

test('pythonRound matches CPython round(x, n) for n = 0, 2, 7, 10', () => {
  const list = `[${VALUES.map((v) => v.toPrecision(17)).join(',')}]`;
  for (const n of [0, 2, 7, 10]) {
    const expected = python(`for v in ${list}: print(repr(float(round(v, ${n}))))`).map(Number);
    VALUES.forEach((v, i) => assert.equal(pythonRound(v, n), expected[i], `round(${v}, ${n})`));
  }
});

test('roundHalfEven matches numpy.around', () => {
  const list = `[${VALUES.map((v) => (v * 10).toPrecision(17)).join(',')}, 0.5, 1.5, 2.5, 44.5, 45.5]`;
  const inputs = [...VALUES.map((v) => Number((v * 10).toPrecision(17))), 0.5, 1.5, 2.5, 44.5, 45.5];
  const expected = python(`import numpy as np\nfor v in ${list}: print(repr(float(np.around(v))))`).map(Number);
  inputs.forEach((v, i) => assert.equal(roundHalfEven(v), expected[i], `np.around(${v})`));
});

test("formatPercentG matches printf '%g' (and float32 QUAL/VAF values)", () => {
  const inputs = [...VALUES, Math.fround(36.9), Math.fround(0.135135), 1, 0, 48, 99, 1e6, 123456, 1234567, -0.5];
  const list = `[${inputs.map((v) => v.toPrecision(17)).join(',')}]`;
  const expected = python(`for v in ${list}: print('%g' % v)`);
  inputs.forEach((v, i) => assert.equal(formatPercentG(v), expected[i], `%g of ${v}`));
});
