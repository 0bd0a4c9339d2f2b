// Regular expressions typed by the user and run on text a server chose: the heartbeat's
// `--expect` reply matcher and the timeline's regex search. Both share this one guard.
//
// JavaScript gives no sound way to stop a slow match once it has started: a RegExp call
// cannot be interrupted, V8 has no match timeout, and its linear-time engine is behind a V8
// flag an extension host cannot set. The options were:
// - refusing patterns statically: necessary (no input limit bounds `(a+)+$`, seconds on 30
//   characters) but never complete on its own (`.*.*x` is quadratic, cubic, … on any text);
// - limiting the input each test runs on: sound for what the static check lets through;
// - a worker with a deadline: sound, but every searched message (redacted first) would be
//   copied to another thread, the scan would become asynchronous, and the heartbeat, which
//   matches each reply inline in core, could not use it;
// - a non-backtracking engine (re2, re2js): sound and linear, but a new dependency (a native
//   module, or a large JS port) without lookarounds or backreferences.
// So we do the first two together: the static check refuses what backtracks exponentially;
// what it lets through costs at most about ways·n^(k+1) steps for k unbounded quantifiers on
// n characters, and `regexInputLimit` picks an n that keeps this small (bench/regexSearch.ts:
// tens of milliseconds per test at worst). The static check is conservative (it refuses some
// harmless patterns); the input limit is what bounds everything it lets through.

/** The outcome of looking at a regex's source. */
export interface RegexAnalysis {
  /** Why the pattern is refused (a phrase to follow its name), or null. */
  problem: string | null;
  /** Unbounded quantifiers: `*`, `+`, `{n,}`, and `{n,m}` with m − n > 16. */
  unboundedQuantifiers: number;
  /** Roughly how many ways its bounded choices (`?`, `{n,m}`, `a|b`) can match the same text. */
  ways: number;
}

/** Most unbounded quantifiers (`*`, `+`, `{n,}`) a regex run on a server's text may have. */
export const MAX_UNBOUNDED_QUANTIFIERS = 3;

/** Most ways a pattern's bounded choices may match the same text; `(a|a){10}` has 1024. */
export const MAX_REGEX_WAYS = 1024;

/**
 * The longest text a regex with this many unbounded quantifiers (and ways of matching the
 * same text) is run on. Backtracking over k quantifiers costs up to about ways·n^(k+1) steps:
 * n is at most 4096 characters (512 for two quantifiers, 128 for three), and shorter when the
 * pattern's ways would take the steps past what that length allows with one way (at least
 * 2^24). Measured by bench/regexSearch.ts: under 30 ms per test on a hostile text.
 */
export function regexInputLimit(unboundedQuantifiers: number, ways = 1): number {
  const cap = unboundedQuantifiers <= 1 ? 4096 : unboundedQuantifiers === 2 ? 512 : 128;
  const exponent = unboundedQuantifiers + 1;
  const budget = Math.max(2 ** 24, cap ** exponent);
  const length = Math.floor((budget / Math.max(1, ways)) ** (1 / exponent) + 1e-9);
  return Math.max(1, Math.min(cap, length));
}

/**
 * A conservative look at a regex's source for catastrophic backtracking: a repeated group
 * that itself contains an unbounded quantifier (`(a+)+`, `(\w*x)*`, `(a+){2,9}`), an unbounded
 * repeat of a quantified body (`(\w{1,3})*`, `(a?b?)+`) or of alternatives (`(a|aa)+`), bounded
 * choices that multiply past MAX_REGEX_WAYS (`(a|a){16}`, `a?a?…a?` twenty times), and
 * backreferences are refused; unbounded quantifiers and ways of matching are counted.
 * `inputs` names what the regex runs on, for the messages ("replies", "messages").
 */
export function analyzeRegexSource(source: string, inputs = 'replies'): RegexAnalysis {
  interface Frame {
    start: number;
    unbounded: boolean;
    quantified: boolean;
    alternation: boolean;
    /** Ways of the alternatives closed so far, and of the current one. */
    closedWays: number;
    branchWays: number;
  }
  const frame = (start: number): Frame => ({
    start,
    unbounded: false,
    quantified: false,
    alternation: false,
    closedWays: 0,
    branchWays: 1,
  });
  const groups: Frame[] = [];
  let top = frame(0);
  let count = 0;
  let problem: string | null = null;
  let i = 0;
  const exponential = `which can take exponential time on some ${inputs}`;
  /** Multiplies the current alternative's ways, refusing once they pass the limit. */
  const multiply = (factor: number, what: () => string) => {
    top.branchWays = Math.min(top.branchWays * factor, Number.MAX_SAFE_INTEGER);
    if (top.branchWays + top.closedWays > MAX_REGEX_WAYS && !problem) {
      problem = `${what()} can match the same text in more than ${MAX_REGEX_WAYS} ways, ${exponential}; simplify the pattern`;
    }
  };
  /** Reads a quantifier at i, if any: whether it repeats, without bound (or widely), and its range. */
  const quantifier = (): { repeats: boolean; unbounded: boolean; min: number; max: number } | null => {
    const ch = source[i];
    let result: { repeats: boolean; unbounded: boolean; min: number; max: number } | null = null;
    if (ch === '*' || ch === '+') {
      i++;
      result = { repeats: true, unbounded: true, min: ch === '*' ? 0 : 1, max: Infinity };
    } else if (ch === '?') {
      i++;
      result = { repeats: false, unbounded: false, min: 0, max: 1 };
    } else if (ch === '{') {
      const match = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i));
      if (match) {
        i += match[0].length;
        const min = Number(match[1]);
        const max = match[2] === undefined ? min : match[3] === '' ? Infinity : Number(match[3]);
        result = { repeats: max > 1, unbounded: max === Infinity || max - min > 16, min, max };
      }
    }
    if (result && source[i] === '?') i++; // lazy: the same cost
    return result;
  };
  while (i < source.length && !problem) {
    const ch = source[i]!;
    const atomStart = i;
    if (ch === '\\') {
      const next = source[i + 1] ?? '';
      if (/[1-9]/.test(next) || (next === 'k' && source[i + 2] === '<')) {
        problem = `uses a backreference (\\${next}…), ${exponential}; match without it`;
      }
      i += 2;
      // \p{…}, \u{…}: the braces are part of the escape, not a quantifier.
      if ((next === 'p' || next === 'P' || next === 'u') && source[i] === '{') {
        i = source.indexOf('}', i) + 1 || source.length;
      }
    } else if (ch === '[') {
      i++;
      while (i < source.length && source[i] !== ']') i += source[i] === '\\' ? 2 : 1;
      i++;
    } else if (ch === '(') {
      groups.push(top);
      top = frame(i);
      i++;
      continue; // a group is not an atom a quantifier follows
    } else if (ch === ')') {
      const inner = top;
      top = groups.pop() ?? frame(0);
      i++;
      const q = quantifier();
      const group = () => `"${source.slice(inner.start, i)}"`;
      // (a+)+, (a+){2,9}, and also (\w{1,3})* or (a?b?)*: a repeat over a quantified body has
      // exponentially many ways to split a long reply.
      if ((q?.repeats && inner.unbounded) || (q?.unbounded && inner.quantified)) {
        problem = `has a repeated group with a quantifier inside (${group()}), ${exponential}; simplify the pattern`;
      }
      // (a|aa)+: overlapping alternatives under a repeat backtrack exponentially too.
      if (q?.unbounded && inner.alternation && !problem) {
        problem = `repeats a group of alternatives (${group()}), ${exponential}; repeat a character class instead, or drop the repeat`;
      }
      if (q?.unbounded) count++;
      if (inner.unbounded || q?.unbounded) top.unbounded = true;
      if (inner.quantified || q) top.quantified = true;
      // The group's ways, repeated: (x|y){2,3} has 2² + 2³ ways; an unbounded repeat (of a
      // body without choices, or it was refused above) adds none, its cost is in the count.
      const innerWays = inner.closedWays + inner.branchWays;
      let factor = innerWays;
      if (q && !q.unbounded) {
        factor = 0;
        for (let r = q.min; r <= q.max && factor <= MAX_REGEX_WAYS; r++) factor += innerWays ** r;
      }
      multiply(factor, () => `has a group (${group()}) that`);
      continue;
    } else if (ch === '|') {
      top.alternation = true;
      top.closedWays += top.branchWays;
      top.branchWays = 1;
      i++;
      continue;
    } else {
      i++;
    }
    const q = quantifier();
    if (q) top.quantified = true;
    if (q?.unbounded) {
      count++;
      top.unbounded = true;
    } else if (q) {
      multiply(q.max - q.min + 1, () => `has optional or ranged parts (up to "${source.slice(atomStart, i)}") that`);
    }
  }
  return { problem, unboundedQuantifiers: count, ways: top.closedWays + top.branchWays };
}

/**
 * Why a regex source may not run on a server's text, or null: the analysis and the limit on
 * unbounded quantifiers. The message is a phrase to follow the pattern's name.
 */
export function regexSafetyProblem(source: string, inputs: string, purpose: string): string | null {
  const analysis = analyzeRegexSource(source, inputs);
  if (analysis.problem) return analysis.problem;
  if (analysis.unboundedQuantifiers > MAX_UNBOUNDED_QUANTIFIERS) {
    return `has ${analysis.unboundedQuantifiers} unbounded quantifiers (*, + or {n,}); at most ${MAX_UNBOUNDED_QUANTIFIERS} are allowed, so that ${purpose} stays fast`;
  }
  return null;
}

/** A search regex ready to run on a server's text, or why it cannot run. */
export type SearchRegex =
  | { error: null; test: (text: string) => boolean; inputLimit: number }
  | {
      /** The whole message: "invalid regular expression: …" or "regex refused: it …". */
      error: string;
      /** Whether the pattern does not parse at all (else it parses but is refused), and why. */
      invalid: boolean;
      reason: string;
      test: null;
      inputLimit: 0;
    };

/**
 * Compiles the timeline's regex search, the same in the webview (to show the error as the
 * user types) and the host (which runs it). An invalid or refused pattern gives an error
 * saying why. An accepted one runs on at most `inputLimit` characters of each text (its
 * first ones), which is what bounds a test whatever the server sent.
 */
export function compileSearchRegex(text: string, caseSensitive: boolean): SearchRegex {
  let regex: RegExp;
  try {
    regex = new RegExp(text, caseSensitive ? 'u' : 'iu');
  } catch (error) {
    const message = (error as Error).message.replace(/^Invalid regular expression: /, '');
    return {
      error: `invalid regular expression: ${message}`,
      invalid: true,
      reason: message,
      test: null,
      inputLimit: 0,
    };
  }
  const problem = regexSafetyProblem(text, 'messages', "searching a server's messages");
  if (problem) {
    return { error: `regex refused: it ${problem}`, invalid: false, reason: problem, test: null, inputLimit: 0 };
  }
  const analysis = analyzeRegexSource(text);
  const inputLimit = regexInputLimit(analysis.unboundedQuantifiers, analysis.ways);
  return {
    error: null,
    inputLimit,
    test: (haystack) => regex.test(haystack.length <= inputLimit ? haystack : haystack.slice(0, inputLimit)),
  };
}
