// npm run bench:diagnosis [-- --sessions N --seed S] — how well the drop analyzer names the
// cause of a session's drops, over seeded synthetic sessions (bench/diagnosisSessions.ts) whose
// cause is known: proxy idle timeouts (reset by any frame, or by messages only), lifetime caps,
// the application's closes (at random times or after its own idle time), random cuts, our
// heartbeat declaring a black-holed link dead, and proxy cuts mixed with application closes.
//
// Each session's events go through analyzeSessionEvents with default options. Its verdict is
// the most confident finding (or none). A proxy claim is an idle-timeout or lifetime-cap finding.
// Targets: false claims (a proxy claim with confidence ≥ 0.5 on a session whose drops no proxy
// caused) ≤ 1 %; hits (the most confident proxy claim has the right kind and an interval
// within ±10 % of the true timeout) ≥ 95 % once three proxy drops are seen.

import { parseArgs } from 'node:util';
import { seededRandom } from '../support/seededRandom.js';
import { analyzeSessionEvents, type DiagnosisFinding } from '../src/core/diagnosis/dropAnalyzer.js';
import {
  AMBIGUOUS_VARIANT,
  CAUSES,
  generateSession,
  PROXY_CAUSES,
  type GeneratedSession,
} from './diagnosisSessions.js';

const FALSE_CLAIM_TARGET = 0.01;
const HIT_TARGET = 0.95;
const CLAIM_CONFIDENCE = 0.5;
const INTERVAL_TOLERANCE = 0.1;

const { values } = parseArgs({
  options: { sessions: { type: 'string', default: '2400' }, seed: { type: 'string', default: '1' } },
});
const sessionCount = Number(values.sessions);
const seed = Number(values.seed);
if (!Number.isInteger(sessionCount) || sessionCount < 1) throw new Error(`--sessions must be a positive integer`);
if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer`);

const VERDICTS = ['idle-timeout', 'lifetime-cap', 'server-close', 'heartbeat-timeout', 'handshake', 'none'] as const;
type Verdict = (typeof VERDICTS)[number];

const isProxyClaim = (f: DiagnosisFinding): boolean => f.kind === 'idle-timeout' || f.kind === 'lifetime-cap';

interface Judged {
  /** Without its events, which are not kept. */
  session: Omit<GeneratedSession, 'events'>;
  verdict: Verdict;
  /** The most confident proxy claim. */
  claim: DiagnosisFinding | undefined;
  /** The right kind (named first, or as the alternative the finding lists) at the true timeout. */
  hit: boolean;
  /** A hit only through the finding's alternatives. */
  hitAsAlternative: boolean;
  /** A proxy claim at the true timeout, of either kind. */
  rightInterval: boolean;
}

function judge({ events: _events, ...session }: GeneratedSession, findings: DiagnosisFinding[]): Judged {
  // findings() lists the most confident first.
  const verdict: Verdict = findings[0]?.kind ?? 'none';
  const claim = findings.find(isProxyClaim);
  const T = session.timeoutMs;
  const rightInterval =
    claim !== undefined &&
    T !== null &&
    claim.intervalMs !== null &&
    Math.abs(claim.intervalMs - T) <= INTERVAL_TOLERANCE * T;
  // A finding that names the true cause as the alternative the drops fit as well (with no
  // message since open, a lifetime cap and an idle timeout that ignores pings look alike)
  // says what is true: it counts as a hit, and is also counted apart.
  const named = rightInterval && claim?.kind === session.proxyKind;
  const asAlternative =
    !named &&
    rightInterval &&
    (claim?.alternatives ?? []).some(
      (a) => a.kind === session.proxyKind && Math.abs(a.intervalMs - T!) <= INTERVAL_TOLERANCE * T!,
    );
  return { session, verdict, claim, hit: named || asAlternative, hitAsAlternative: asAlternative, rightInterval };
}

// ---- run ----------------------------------------------------------------------------------

const rng = seededRandom(seed);
const judged: Judged[] = [];
let eventCount = 0;
let generateMs = 0;
let analyzeMs = 0;
const started = performance.now();
for (let i = 0; i < sessionCount; i++) {
  const t0 = performance.now();
  const session = generateSession(rng);
  const t1 = performance.now();
  const findings = analyzeSessionEvents(session.events);
  analyzeMs += performance.now() - t1;
  generateMs += t1 - t0;
  eventCount += session.events.length;
  judged.push(judge(session, findings));
}
const wallMs = performance.now() - started;

// ---- report -------------------------------------------------------------------------------

const pct = (n: number, d: number): string => (d === 0 ? '    –' : `${((100 * n) / d).toFixed(1).padStart(5)} %`);
const ratio = (n: number, d: number): string => `${pct(n, d)} (${n}/${d})`;
const mark = (ok: boolean): string => (ok ? 'ok' : 'MISSED');

console.log(
  `${sessionCount} sessions, seed ${seed}, ${eventCount.toLocaleString('en')} events, ` +
    `${judged.reduce((s, j) => s + j.session.drops, 0)} drops`,
);

// Confusion matrix: true cause × main verdict.
const width = 13;
console.log(`\nconfusion matrix (rows: true cause; columns: the most confident finding)`);
console.log(`${'true cause'.padEnd(20)}${VERDICTS.map((v) => v.padStart(width)).join('')}${'sessions'.padStart(10)}`);
for (const cause of CAUSES) {
  const rows = judged.filter((j) => j.session.cause === cause);
  const cells = VERDICTS.map((v) => String(rows.filter((j) => j.verdict === v).length).padStart(width));
  console.log(`${cause.padEnd(20)}${cells.join('')}${String(rows.length).padStart(10)}`);
}

// False claims.
const innocent = judged.filter((j) => !PROXY_CAUSES.has(j.session.cause));
const claimedAt = (j: Judged, min: number): boolean => j.claim !== undefined && j.claim.confidence >= min;
const falseClaims = innocent.filter((j) => claimedAt(j, CLAIM_CONFIDENCE));
const falseClaimsAny = innocent.filter((j) => claimedAt(j, 0));
const falseClaimRate = falseClaims.length / Math.max(1, innocent.length);
console.log(`\nfalse claims (a proxy claim on a session no proxy cut)`);
console.log(`  confidence ≥ ${CLAIM_CONFIDENCE}: ${ratio(falseClaims.length, innocent.length)}`);
console.log(`  any confidence:   ${ratio(falseClaimsAny.length, innocent.length)}`);
for (const cause of CAUSES.filter((c) => !PROXY_CAUSES.has(c))) {
  const rows = innocent.filter((j) => j.session.cause === cause);
  const high = rows.filter((j) => claimedAt(j, CLAIM_CONFIDENCE)).length;
  const any = rows.filter((j) => claimedAt(j, 0)).length;
  console.log(
    `    ${cause.padEnd(18)} ≥ ${CLAIM_CONFIDENCE}: ${ratio(high, rows.length).padEnd(18)} any: ${ratio(any, rows.length)}`,
  );
}
// The application's own idle close with 1001 is what an intermediary closing politely looks
// like too (the analyzer's advice names both): the rate without those, for information.
const politeIdle = falseClaims.filter((j) => j.session.cause === 'app-idle-close' && j.session.codes.includes(1001));
console.log(
  `  of those, 1001s after the application's own idle time: ${politeIdle.length}; without them ` +
    `${pct(falseClaims.length - politeIdle.length, innocent.length)}`,
);
// What the false claims look like: the application's own 1001 after a fixed idle time is the
// reading the analyzer knowingly offers (with its confidence lowered), so it is told apart.
const describe = (j: Judged): string => {
  const codes = [...new Set(j.session.codes)].join('/') || '–';
  return `${j.session.cause}/${j.session.variant} codes ${codes} drops ${j.session.drops} → ${j.claim!.findingId} (${j.claim!.confidence})`;
};
const examples = new Map<string, number>();
for (const j of falseClaims) {
  const key = describe(j).replace(/ drops \d+ → (\S+?)@\S+ \(.*\)/, ' → $1');
  examples.set(key, (examples.get(key) ?? 0) + 1);
}
for (const [key, n] of [...examples].sort((a, b) => b[1] - a[1]).slice(0, 8)) {
  console.log(`    ${String(n).padStart(3)} × ${key}`);
}

// Hits.
const proxy = judged.filter((j) => PROXY_CAUSES.has(j.session.cause));
const bucket = (j: Judged): string => (j.session.proxyDrops >= 3 ? '≥3' : String(j.session.proxyDrops));
const hitLine = (label: string, rows: Judged[]): string => {
  const hits = rows.filter((j) => j.hit).length;
  const confident = rows.filter((j) => j.hit && j.claim!.confidence >= CLAIM_CONFIDENCE).length;
  return `  ${label.padEnd(34)} ${ratio(hits, rows.length).padEnd(20)} confidence ≥ ${CLAIM_CONFIDENCE}: ${pct(confident, rows.length)}`;
};
console.log(
  `\nhits (right kind, interval within ±${INTERVAL_TOLERANCE * 100} % of the true timeout), by proxy drops seen`,
);
for (const b of ['1', '2', '≥3']) {
  console.log(
    hitLine(
      `${b} drops`,
      proxy.filter((j) => bucket(j) === b),
    ),
  );
}
const three = proxy.filter((j) => bucket(j) === '≥3');
const hitRate = three.filter((j) => j.hit).length / Math.max(1, three.length);
console.log(`  ≥3 drops, by true cause and traffic:`);
for (const cause of CAUSES.filter((c) => PROXY_CAUSES.has(c))) {
  const rows = three.filter((j) => j.session.cause === cause);
  console.log(hitLine(`  ${cause}`, rows));
  const variants = [...new Set(rows.map((j) => j.session.variant))].sort();
  for (const v of variants) {
    console.log(
      hitLine(
        `    ${v}`,
        rows.filter((j) => j.session.variant === v),
      ),
    );
  }
}
// Pings and no message after the opening: a lifetime cap and a message-idle timeout look alike.
const isAmbiguous = (j: Judged): boolean => j.session.variant.endsWith(AMBIGUOUS_VARIANT);
const clear = three.filter((j) => !isAmbiguous(j));
const ambiguous = three.filter(isAmbiguous);
console.log(hitLine('≥3 drops, without heartbeat-only', clear));
console.log(
  `  hits only through the finding's alternatives (≥3 drops): ${three.filter((j) => j.hitAsAlternative).length}`,
);
console.log(
  `  heartbeat-only (≥3 drops; a lifetime cap and an idle timeout pings do not reset look alike): ` +
    `right kind ${ratio(ambiguous.filter((j) => j.hit).length, ambiguous.length)}, ` +
    `either kind at T ${ratio(ambiguous.filter((j) => j.rightInterval).length, ambiguous.length)}`,
);
const none = proxy.filter((j) => j.session.proxyDrops === 0).length;
if (none > 0) console.log(`  (${none} mixed sessions had no proxy drop at all; not counted)`);

// Misses among ≥3 drops: what the analyzer said instead.
const misses = new Map<string, number>();
for (const j of three.filter((x) => !x.hit)) {
  const said = j.claim
    ? `${j.claim.kind} at ${((j.claim.intervalMs ?? 0) / j.session.timeoutMs!).toFixed(1)} × T`
    : 'no proxy claim';
  const key = `${j.session.cause}/${j.session.variant}: ${said}`;
  misses.set(key, (misses.get(key) ?? 0) + 1);
}
if (misses.size > 0) console.log(`  misses at ≥3 drops:`);
for (const [key, n] of [...misses].sort((a, b) => b[1] - a[1]).slice(0, 10)) {
  console.log(`    ${String(n).padStart(3)} × ${key}`);
}

// resetBy, once findings carry it.
const messagesRows = three.filter((j) => j.session.resetBy !== null && j.claim?.kind === 'idle-timeout');
const withField = messagesRows.filter((j) => 'resetBy' in j.claim!);
if (withField.length === 0) {
  console.log(`\nresetBy: the findings carry no resetBy field yet`);
} else {
  const right = withField.filter((j) => {
    const said = String((j.claim as unknown as { resetBy: unknown }).resetBy).toLowerCase();
    return said.includes('message') === (j.session.resetBy === 'messages');
  });
  console.log(`\nresetBy on idle-timeout claims (≥3 drops): right ${ratio(right.length, withField.length)}`);
  for (const truth of ['any-frame', 'messages'] as const) {
    const tally = new Map<string, number>();
    for (const j of withField.filter((x) => x.session.resetBy === truth)) {
      const said = String((j.claim as unknown as { resetBy: unknown }).resetBy);
      tally.set(said, (tally.get(said) ?? 0) + 1);
    }
    console.log(`  true ${truth}: ${[...tally].map(([k, n]) => `${k} ${n}`).join(', ') || '–'}`);
  }
}

console.log(
  `\nfalse claims (confidence ≥ ${CLAIM_CONFIDENCE}): ${pct(falseClaims.length, innocent.length)} (target ≤ ${FALSE_CLAIM_TARGET * 100} %) ${mark(falseClaimRate <= FALSE_CLAIM_TARGET)}`,
);
console.log(
  `hits at ≥3 proxy drops:        ${pct(three.filter((j) => j.hit).length, three.length)} (target ≥ ${HIT_TARGET * 100} %) ${mark(hitRate >= HIT_TARGET)}`,
);
const clearRate = clear.filter((j) => j.hit).length / Math.max(1, clear.length);
console.log(
  `  without heartbeat-only:      ${pct(clear.filter((j) => j.hit).length, clear.length)} (target ≥ ${HIT_TARGET * 100} %) ${mark(clearRate >= HIT_TARGET)}`,
);
console.log(
  `wall time ${(wallMs / 1000).toFixed(1)} s (generating ${(generateMs / 1000).toFixed(1)} s, analyzing ${(analyzeMs / 1000).toFixed(1)} s)`,
);
