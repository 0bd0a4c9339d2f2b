// The timeline webview's pure parts for a finding's life cycle and the heartbeat's normal quiet:
// which findings the banner shows and its Apply label, how the lane styles and describes an
// expected idle gap and a resolved diagnosis.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DiagnosisEvent } from '../../src/core/model/sessionEvents.js';
import type { TimelineRow } from '../../src/shared/timelineProtocol.js';
import { applyHeartbeatLabel, bannerText, diagnosisStateText, pickFinding } from '../../src/webview/findingText.js';
import { describeMark, markStyle } from '../../src/webview/lane/laneMarks.js';

const T0 = Date.UTC(2026, 10, 26, 9, 12, 0);
const UTC = (): number => 0;

const row = (fields: Partial<TimelineRow> & Pick<TimelineRow, 'seq' | 'type'>): TimelineRow => ({
  t: T0 + fields.seq * 1000,
  direction: null,
  size: null,
  preview: '',
  ...fields,
});

const diagnosis = (fields: Partial<DiagnosisEvent> & Pick<DiagnosisEvent, 'seq' | 'findingId'>): DiagnosisEvent => ({
  t: T0 + fields.seq * 1000,
  type: 'diagnosis',
  kind: 'idle-timeout',
  intervalMs: 8_000,
  occurrences: 3,
  confidence: 0.8,
  summary: 'Dropped 3 times after 8.0 s without traffic.',
  candidates: [],
  advice: 'Send a heartbeat every 4 s.',
  recommendedHeartbeatMs: 4_000,
  evidence: [],
  ...fields,
});

describe('the banner picks active findings only', () => {
  it('leaves resolved and withdrawn findings out', () => {
    const active = diagnosis({ seq: 1, findingId: 'a', confidence: 0.5 });
    const resolved = diagnosis({
      seq: 2,
      findingId: 'b',
      confidence: 0.9,
      resolved: { sinceT: T0, fix: 'heartbeat every 4 s', heldMs: 16_000 },
    });
    const withdrawn = diagnosis({ seq: 3, findingId: 'c', confidence: 0 });
    assert.deepEqual(pickFinding([active, resolved, withdrawn]), { top: active, active: [active] });
    assert.deepEqual(pickFinding([resolved]), { top: null, active: [] }, 'the only finding resolved: no banner');
  });

  it('says the fix is in place once the connection runs the recommended heartbeat, and what to do before', () => {
    const finding = diagnosis({ seq: 1, findingId: 'a' });
    assert.match(bannerText(finding, null), /Send a heartbeat every ≤ 4 s, or raise the proxy timeout\.$/);
    assert.match(bannerText(finding, 30_000), /Send a heartbeat every ≤ 4 s/);
    const inPlace = bannerText(finding, 1_000);
    assert.match(inPlace, /A heartbeat every 1 s now runs: the finding is resolved once the connection stays open/);
    assert.doesNotMatch(inPlace, /Send a heartbeat/);
  });

  it('labels Apply with the recommended interval as the advice words it', () => {
    assert.equal(applyHeartbeatLabel(4_000), 'Apply heartbeat (4 s)');
    assert.equal(applyHeartbeatLabel(45_000), 'Apply heartbeat (45 s)');
    assert.equal(applyHeartbeatLabel(1_500), 'Apply heartbeat (1.5 s)');
  });
});

describe("a finding's state in the detail pane", () => {
  it('says what fixed a resolved finding and since when, in local clock time', () => {
    const sinceT = T0 + 4_000;
    const date = new Date(sinceT);
    const clock = [date.getHours(), date.getMinutes(), date.getSeconds()]
      .map((n) => String(n).padStart(2, '0'))
      .join(':');
    const resolved = { sinceT, fix: 'heartbeat every 4 s', heldMs: 16_000 };
    assert.equal(
      diagnosisStateText({ kind: 'idle-timeout', confidence: 0.8, resolved }),
      `Resolved: heartbeat every 4 s, no drops since ${clock}`,
    );
    assert.equal(
      diagnosisStateText({ kind: 'handshake', confidence: 0.8, resolved: { ...resolved, fix: 'a connection opened' } }),
      `Resolved: a connection opened, no failed handshakes since ${clock}`,
    );
  });

  it('says a withdrawn finding is withdrawn, and nothing for an active one', () => {
    assert.match(diagnosisStateText({ kind: 'idle-timeout', confidence: 0 }) ?? '', /^Withdrawn: /);
    assert.equal(diagnosisStateText({ kind: 'idle-timeout', confidence: 0.8 }), null);
  });
});

describe('the lane: normal quiet and resolved findings', () => {
  it('draws an expected idle gap neutral, labelled quiet, and says it is normal', () => {
    const silence = row({ seq: 4, type: 'idle-gap', durationMs: 9_000, startT: T0 });
    const quiet = row({ seq: 5, type: 'idle-gap', durationMs: 4_000, startT: T0, expected: true });
    assert.equal(markStyle(silence).colour, 'idle');
    assert.equal(markStyle(quiet).colour, 'quiet');
    assert.equal(markStyle(quiet).label, 'quiet 4.0 s');
    assert.ok(markStyle(quiet).labelPriority < markStyle(silence).labelPriority, 'real silences win the label space');
    assert.doesNotMatch(describeMark(silence, UTC), /normal quiet/);
    assert.match(describeMark(quiet, UTC), /\nnormal quiet between heartbeats\n/);
  });

  it('draws resolved findings muted like withdrawn ones, and says "resolved"', () => {
    const active = row({ seq: 6, type: 'diagnosis', confidence: 0.8, warn: true });
    const resolved = row({ seq: 7, type: 'diagnosis', confidence: 0.8, resolved: true });
    const withdrawn = row({ seq: 8, type: 'diagnosis', confidence: 0 });
    assert.equal(markStyle(active).colour, 'warn');
    assert.equal(markStyle(resolved).colour, 'muted');
    assert.equal(markStyle(withdrawn).colour, 'muted');
    assert.match(describeMark(active, UTC), /\nconfidence 80 %/);
    assert.match(describeMark(resolved, UTC), /\nresolved(\n|$)/);
    assert.match(describeMark(withdrawn, UTC), /\nwithdrawn(\n|$)/);
  });
});
