// When `watch` prints a finding's advice under its verdict (AdviceShown): the first time its
// id appears, then only when its candidates or advice read differently.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AdviceShown, adviceLines, formatFinding, resolutionLine } from '../../src/cli/findingText.js';
import type { DiagnosisFinding } from '../../src/core/diagnosis/dropAnalyzer.js';
import type { DiagnosisCandidate } from '../../src/core/model/sessionEvents.js';

const NGINX: DiagnosisCandidate = {
  id: 'nginx-proxy-read-timeout',
  component: 'nginx',
  setting: 'proxy_read_timeout',
  defaultSeconds: 60,
  kind: 'idle',
  fix: { config: 'proxy_read_timeout 3600s;' },
  source: 'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_read_timeout',
  unconfirmed: false,
};

function finding(overrides: Partial<DiagnosisFinding> = {}): DiagnosisFinding {
  return {
    type: 'diagnosis',
    findingId: 'idle-timeout@60000',
    kind: 'idle-timeout',
    intervalMs: 60_000,
    occurrences: 2,
    confidence: 0.6,
    summary: 'Dropped twice after 60.0 s without traffic',
    candidates: [NGINX],
    advice: 'Send a heartbeat every 30 s.\n\nOr raise the limit:\n    proxy_read_timeout 3600s;',
    evidence: [4, 9],
    ...overrides,
  };
}

test('adviceLines: the candidates and the advice, indented as analyze prints them', () => {
  assert.deepEqual(adviceLines(finding()), [
    '  Candidates:',
    '    1. nginx proxy_read_timeout (idle, default 60 s)',
    '  Advice:',
    '    Send a heartbeat every 30 s.',
    '',
    '    Or raise the limit:',
    '        proxy_read_timeout 3600s;',
  ]);
  assert.deepEqual(adviceLines(finding({ candidates: [], advice: '' })), []);
  // analyze's block is the headline and summary, these lines, then the evidence.
  assert.equal(
    formatFinding(finding()),
    [
      'idle-timeout · confidence 60 % · 2 occurrences · interval 60.0 s',
      '  Dropped twice after 60.0 s without traffic',
      ...adviceLines(finding()),
      '  Evidence: seq 4, 9',
    ].join('\n'),
  );
});

test('AdviceShown: first appearance prints, more occurrences or confidence alone do not, changed text does', () => {
  const shown = new AdviceShown();
  assert.deepEqual(shown.linesFor(finding()), adviceLines(finding()), 'first appearance');
  assert.deepEqual(shown.linesFor(finding({ occurrences: 5, confidence: 0.8, evidence: [4, 9, 14] })), []);
  const newAdvice = finding({ occurrences: 6, advice: 'Send a heartbeat every 30 s.\n\nSome closes came with 1001.' });
  assert.deepEqual(shown.linesFor(newAdvice), adviceLines(newAdvice), 'the advice changed');
  assert.deepEqual(shown.linesFor(newAdvice), []);
  const fewerCandidates = finding({ advice: newAdvice.advice, candidates: [] });
  assert.deepEqual(shown.linesFor(fewerCandidates), adviceLines(fewerCandidates), 'the candidates changed');
  // Another finding is tracked on its own.
  const other = finding({ findingId: 'server-close@4000', kind: 'server-close', advice: 'Fix the app.' });
  assert.deepEqual(shown.linesFor(other), adviceLines(other));
  assert.deepEqual(shown.linesFor(fewerCandidates), []);
});

test('AdviceShown: a withdrawal prints no advice, and a finding that returns after it is new again', () => {
  const shown = new AdviceShown();
  assert.notDeepEqual(shown.linesFor(finding()), []);
  assert.deepEqual(shown.linesFor(finding({ confidence: 0, candidates: [], advice: 'No longer supported.' })), []);
  assert.deepEqual(shown.linesFor(finding()), adviceLines(finding()));
});

const RESOLVED = {
  summary: 'Fixed: heartbeat every 30 s, no drops for 120 s (idle timeout ≈ 60 s)',
  advice: 'Resolved: with a heartbeat every 30 s, a connection has stayed open.',
  resolved: { sinceT: Date.UTC(2026, 0, 1, 7, 2, 4), fix: 'heartbeat every 30 s', heldMs: 120_000 },
};

test('formatFinding: a resolved finding says so in its headline and prints its resolution', () => {
  const text = formatFinding(finding(RESOLVED));
  const lines = text.split('\n');
  assert.equal(lines[0], 'idle-timeout · resolved · confidence 60 % · 2 occurrences · interval 60.0 s');
  assert.equal(lines[1], '  Fixed: heartbeat every 30 s, no drops for 120 s (idle timeout ≈ 60 s)');
  assert.equal(lines[2], '  ✓ resolved: heartbeat every 30 s, no such drop since 2026-01-01T07:02:04.000Z (held 2 m)');
  assert.equal(resolutionLine(finding()), null, 'an active finding has none');
  assert.equal(resolutionLine(finding({ ...RESOLVED, confidence: 0 })), null, 'nor a withdrawn one');
  assert.doesNotMatch(formatFinding(finding()), /resolved/);
});

test('AdviceShown: a resolution prints once instead of advice; active again, the advice prints again', () => {
  const shown = new AdviceShown((t) => `@${t}`);
  assert.deepEqual(shown.linesFor(finding()), adviceLines(finding()));
  const resolved = finding(RESOLVED);
  assert.deepEqual(shown.linesFor(resolved), [
    `  ✓ resolved: heartbeat every 30 s, no such drop since @${RESOLVED.resolved.sinceT} (held 2 m)`,
  ]);
  assert.deepEqual(shown.linesFor(resolved), [], 'printed once');
  assert.deepEqual(shown.linesFor(finding({ occurrences: 3 })), adviceLines(finding()), 'active again');
});
