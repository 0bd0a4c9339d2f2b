// The one guard for regexes run on a server's text (core/common/regexSafety.ts), shared by the
// heartbeat's --expect and the timeline's regex search: what it refuses, what it accepts, and
// how long a text an accepted pattern is run on.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  analyzeRegexSource,
  compileSearchRegex,
  MAX_REGEX_WAYS,
  regexInputLimit,
  regexSafetyProblem,
} from '../../src/core/common/regexSafety.js';
import { checkExpectPattern } from '../../src/core/model/endpoint.js';

const CATASTROPHIC = [
  '(a+)+$',
  '(\\w+\\s?)+$',
  '(a|a)*$',
  '(a|aa)+$',
  '(.*a){12}',
  '(a|b+)*c', // nested quantifier with alternation
  '^(\\w+|\\s)*$',
  '((ab)*|c)+d',
  '(x+x+)+y',
  '(\\d+)*$',
  '(.*){1,32}$',
  '(a{1,16}){1,16}b', // bounded, but 16^16 ways
  '(a|a){16}b',
  '((a|a){4}){4}',
  `${'a?'.repeat(20)}${'a'.repeat(20)}`,
  '(a)\\1', // backreference
  '(?<x>a)\\k<x>',
  '.*.*.*.*x', // four unbounded quantifiers: n^5
];

const ORDINARY = [
  'error|warn',
  '^\\{"type":"(ping|pong)"',
  '\\d{3,}',
  '[a-z]+@[a-z]+\\.com',
  '(\\d{1,3}\\.){3}\\d{1,3}',
  '"roles":\\[".*"ops"\\]',
  '([0-9a-f]{2}:){5}[0-9a-f]{2}',
  '(?<year>\\d{4})-\\d{2}-\\d{2}',
  '\\p{L}+\\s\\p{N}+',
  '\\bfoo\\b',
  '^price \\d+$',
];

describe('regex safety: the shared guard', () => {
  it('refuses classic catastrophic patterns, saying why', () => {
    for (const source of CATASTROPHIC) {
      const problem = regexSafetyProblem(source, 'messages', "searching a server's messages");
      assert.ok(problem, `${source} should be refused`);
      assert.match(problem, /exponential time on some messages|unbounded quantifiers/, source);
      const search = compileSearchRegex(source, false);
      assert.equal(search.test, null, source);
      assert.equal(search.invalid, false, source);
      assert.match(search.error ?? '', /^regex refused: it /, source);
    }
  });

  it('accepts ordinary patterns, which then match as RegExp does', () => {
    for (const source of ORDINARY) {
      assert.equal(regexSafetyProblem(source, 'messages', 'searching'), null, source);
      assert.equal(compileSearchRegex(source, false).error, null, source);
    }
    const search = (source: string, text: string, caseSensitive = false) =>
      compileSearchRegex(source, caseSensitive).test!(text);
    assert.equal(search('error|warn', 'a WARNING'), true);
    assert.equal(search('error|warn', 'a WARNING', true), false);
    assert.equal(search('^\\{"type":"(ping|pong)"', '{"type":"pong","t":1}'), true);
    assert.equal(search('\\d{3,}', 'code 42'), false);
    assert.equal(search('[a-z]+@[a-z]+\\.com', 'mail ada@example.com now'), true);
    assert.equal(search('\\p{L}+\\s\\p{N}+', 'Ünïcode 42'), true, 'unicode mode, as the webview validates');
  });

  it('names the offending part in the message', () => {
    assert.match(
      compileSearchRegex('x(a|a){16}y', false).error!,
      new RegExp(
        `has a group \\("\\(a\\|a\\)\\{16\\}"\\) that can match the same text in more than ${MAX_REGEX_WAYS} ways`,
      ),
    );
    assert.equal(
      compileSearchRegex('(a+)+$', false).error,
      'regex refused: it has a repeated group with a quantifier inside ("(a+)+"), which can take exponential time on some messages; simplify the pattern',
    );
  });

  it('tells an invalid pattern from a refused one', () => {
    const invalid = compileSearchRegex('price (', false);
    assert.equal(invalid.test, null);
    assert.equal(invalid.invalid, true);
    assert.match(invalid.error!, /^invalid regular expression: .*Unterminated group/);
    assert.doesNotMatch(invalid.error!, /Invalid regular expression/, 'the engine prefix is not repeated');
  });

  it('the heartbeat --expect check is the same guard', () => {
    for (const source of CATASTROPHIC) assert.ok(checkExpectPattern(`/${source}/`), source);
    for (const source of ORDINARY) assert.equal(checkExpectPattern(`/${source}/`), null, source);
    assert.match(checkExpectPattern('/(a|a){16}b/')!, /^heartbeat\.expect has a group .* on some replies/);
  });

  it('runs an accepted pattern on at most a bounded prefix of each text', () => {
    assert.equal(regexInputLimit(0), 4096);
    assert.equal(regexInputLimit(1), 4096);
    assert.equal(regexInputLimit(2), 512);
    assert.equal(regexInputLimit(3), 128);
    assert.ok(regexInputLimit(1, 1024) < 4096, 'many ways shorten the text a quantified pattern sees');
    assert.equal(analyzeRegexSource('(\\d{1,3}\\.){3}\\d{1,3}').ways, 81);

    const threeQuantifiers = compileSearchRegex('^a*a*a*b', true);
    assert.equal(threeQuantifiers.inputLimit, 128);
    assert.equal(threeQuantifiers.test!(`${'a'.repeat(120)}b`), true);
    assert.equal(threeQuantifiers.test!(`${'a'.repeat(200_000)}b`), false, 'the b is beyond the prefix it runs on');
    assert.equal(threeQuantifiers.test!('a'.repeat(200_000)), false, 'and a hostile text returns');
    const literalish = compileSearchRegex('needle', true);
    assert.equal(literalish.test!(`${'x'.repeat(4090)}needle`), true, 'ends at character 4096');
    assert.equal(literalish.test!(`${'x'.repeat(4091)}needle`), false, 'ends past character 4096');
  });
});
