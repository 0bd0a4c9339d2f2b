// npm run bench:regex — the worst case of one regex test that the guard in
// src/core/common/regexSafety.ts lets through: accepted patterns built to backtrack as much as
// they can (polynomially), each run on a hostile text of the longest length it is run on.
// Target: every test well under 0.1 s, so that a search slice (which checks the clock after
// each event it materialises) never holds the extension host for long.
//
// For contrast it also times one refused pattern on a 27-byte message, unguarded.

import { analyzeRegexSource, compileSearchRegex } from '../src/core/common/regexSafety.js';

const ACCEPTED = [
  '.*x', // one unbounded quantifier: n² on a text without x
  '\\w+\\s?\\w+x',
  '.*.*x', // two: n³
  'a*a*a*b', // three: n⁴
  '.*.*.*x',
  '(a|a)(a|a)(a|a)(a|a)(a|a)(a|a)(a|a)(a|a)(a|a)(a|a)b', // 1024 ways
  '(a|a)(a|a)(a|a)(a|a)(a|a)(a|a).*x', // 64 ways times n²
];

function timeOne(test: (text: string) => boolean, text: string): number {
  test(text); // warm up the regex
  let worst = 0;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    test(text);
    worst = Math.max(worst, performance.now() - started);
  }
  return worst;
}

let slowest = 0;
for (const source of ACCEPTED) {
  const compiled = compileSearchRegex(source, false);
  if (compiled.error !== null) throw new Error(`${source} was refused: ${compiled.error}`);
  const analysis = analyzeRegexSource(source);
  // 'a' defeats every pattern above at every start; the text is far longer than the limit.
  const ms = timeOne(compiled.test, `${'a'.repeat(100_000)}!`);
  slowest = Math.max(slowest, ms);
  console.log(
    `${source.padEnd(56)} k=${analysis.unboundedQuantifiers} ways=${String(analysis.ways).padEnd(5)} limit=${String(compiled.inputLimit).padEnd(5)} ${ms.toFixed(1)} ms`,
  );
}
console.log(`slowest accepted test: ${slowest.toFixed(1)} ms (target < 100 ms)`);

const refused = '(\\w+\\s?)+$';
console.log(`refused: ${refused} → ${compileSearchRegex(refused, false).error}`);
const started = performance.now();
new RegExp(refused).test(`${'a'.repeat(24)}!`);
console.log(`unguarded, on a 25-byte message: ${(performance.now() - started).toFixed(0)} ms (doubling per byte)`);
