// Clear Session and the drop analyzer: after Session.clearRecord the analysis starts over
// (no finding counts a drop from before, nor cites a seq the record no longer has), while
// the connection open through the clear is still read in full at its drop.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DropAnalyzer, sessionDiagnosis } from '../../src/core/diagnosis/dropAnalyzer.js';
import { DEFAULT_SESSION_OPTIONS, Session } from '../../src/core/engine/session.js';
import { makeEndpoint } from '../../src/core/model/endpoint.js';
import type { CloseEvent, DiagnosisEvent, SessionEvent } from '../../src/core/model/sessionEvents.js';
import { Script } from './fakes/eventScript.js';
import { FakeClock } from './fakes/fakeClock.js';
import { FakeSocketFactory } from './fakes/fakeSocket.js';

const IDLE_8S = 'idle-timeout@8000';
const IGNORING_PINGS = 'idle-timeout-ignoring-pings@';

function setup() {
  const clock = new FakeClock(Date.UTC(2026, 11, 5, 9, 0, 0));
  const sockets = new FakeSocketFactory();
  const endpoint = makeEndpoint('ws://api.test/socket', {
    heartbeat: { mode: 'off' },
    reconnect: { enabled: true, initialDelayMs: 100, maxDelayMs: 100, jitter: 0 },
  });
  const session = new Session(
    endpoint,
    { ...DEFAULT_SESSION_OPTIONS, idleGapMs: 60_000 },
    { clock, createSocket: sockets.create, random: () => 0.5, observer: sessionDiagnosis(endpoint) },
  );
  const events: SessionEvent[] = [];
  session.onEvent((event) => events.push(event));
  session.start();
  return { clock, sockets, session, events };
}

type Setup = ReturnType<typeof setup>;

/** Waits for the reconnect, if one is due, and opens the new socket. */
function open(s: Setup): void {
  if (s.sockets.sockets.length === 0 || s.sockets.last.closed) s.clock.advance(100);
  s.sockets.last.open();
}

/**
 * A connection cut after 8 s without a frame (no known default): one message first, after
 * `beforeMessageMs`, so that the connections' ages differ and no lifetime cap competes.
 */
function idleDrop(s: Setup, beforeMessageMs: number): void {
  open(s);
  s.clock.advance(beforeMessageMs);
  s.sockets.last.receiveText('hello');
  s.clock.advance(8_010);
  s.sockets.last.end(1006);
}

function diagnosesSince(s: Setup, index: number): DiagnosisEvent[] {
  return s.events.slice(index).filter((e): e is DiagnosisEvent => e.type === 'diagnosis');
}

/** The latest version of each finding recorded since `index`. */
function latestSince(s: Setup, index: number): Map<string, DiagnosisEvent> {
  const latest = new Map<string, DiagnosisEvent>();
  for (const d of diagnosesSince(s, index)) latest.set(d.findingId, d);
  return latest;
}

function assertEvidenceIsRecordedCloses(s: Setup, finding: DiagnosisEvent): void {
  assert.ok(finding.evidence.length > 0, 'some evidence');
  for (const seq of finding.evidence) {
    assert.equal(s.session.record.get(seq)?.type, 'close', `evidence seq ${seq} is a close in the current record`);
  }
}

describe('Clear Session starts the drop analysis over', () => {
  it('a drop after the clear does not count the drops before it', () => {
    const s = setup();
    idleDrop(s, 1_000);
    idleDrop(s, 3_000);
    assert.equal(latestSince(s, 0).get(IDLE_8S)?.occurrences, 2, 'the finding before the clear');

    s.session.clearRecord();
    const cleared = s.events.length;
    idleDrop(s, 5_000);
    s.clock.advance(100);

    const after = diagnosesSince(s, cleared);
    for (const d of after) {
      assert.ok(d.occurrences <= 1, `${d.findingId} counts ${d.occurrences} drops`);
      assert.doesNotMatch(d.summary, /\d+ times/);
      for (const seq of d.evidence) assert.ok(s.session.record.get(seq), `evidence seq ${seq} was cleared`);
    }
    assert.equal(
      after.some((d) => d.findingId === IDLE_8S),
      false,
      'one drop at 8 s (no known default) is no finding yet',
    );
  });

  it('two drops after the clear make a finding of two, citing only what the record holds', () => {
    const s = setup();
    idleDrop(s, 1_000);
    idleDrop(s, 3_000);
    s.session.clearRecord();
    const cleared = s.events.length;
    idleDrop(s, 5_000);
    idleDrop(s, 7_000);
    s.clock.advance(100);

    const finding = latestSince(s, cleared).get(IDLE_8S);
    assert.ok(finding, JSON.stringify(diagnosesSince(s, cleared).map((d) => d.findingId)));
    assert.equal(finding.occurrences, 2);
    assert.equal(finding.evidence.length, 2);
    assertEvidenceIsRecordedCloses(s, finding);
  });

  it('what connections survived before the clear no longer rules a finding out', () => {
    const s = setup();
    // A connection that outlived 30 s of silence: an 8 s idle timeout would be ruled out.
    open(s);
    s.clock.advance(30_000);
    s.sockets.last.receiveText('late');
    s.clock.advance(8_010);
    s.sockets.last.end(1006);
    s.session.clearRecord();
    const cleared = s.events.length;
    idleDrop(s, 1_000);
    idleDrop(s, 3_000);
    s.clock.advance(100);

    const finding = latestSince(s, cleared).get(IDLE_8S);
    assert.ok(finding, JSON.stringify(diagnosesSince(s, cleared).map((d) => d.findingId)));
    assert.equal(finding.occurrences, 2);
    assert.ok(finding.confidence > 0, 'not withdrawn');
  });

  it('a connection open through the clear is still read in full when it drops', () => {
    // Each connection: a message, 12 s later a ping from the server, then a cut 20 s after
    // the message. It survived 12 s without a frame, so the 8 s silence before the cut is no
    // idle timeout; the 20 s without a message is (a timer that ping frames do not reset).
    // That reading needs the time of the connection's last message, seen before the clear.
    const s = setup();
    const pingIgnoringDrop = (beforeMessageMs: number, clearAfterPing = false) => {
      open(s);
      s.clock.advance(beforeMessageMs);
      s.sockets.last.receiveText('hello');
      s.clock.advance(12_000);
      s.sockets.last.receivePing('are you there');
      s.clock.advance(2_000);
      if (clearAfterPing) s.session.clearRecord();
      s.clock.advance(6_010);
      s.sockets.last.end(1006);
    };
    pingIgnoringDrop(1_000);
    pingIgnoringDrop(3_000);
    const before = [...latestSince(s, 0).values()].find((d) => d.findingId.startsWith(IGNORING_PINGS));
    assert.equal(before?.occurrences, 2, 'the finding before the clear');

    const recordedBefore = s.events.length;
    pingIgnoringDrop(5_000, true);
    const cleared = s.events.findIndex((e, i) => i >= recordedBefore && e.seq === s.session.record.firstSeq);
    assert.ok(cleared >= 0, 'events recorded after the clear');
    const close = s.events.slice(cleared).find((e): e is CloseEvent => e.type === 'close');
    assert.ok(close, 'the drop after the clear is recorded');
    // The session measured the whole connection, the part before the clear included.
    assert.equal(close.idleMs, 8_010);
    assert.equal(close.ageMs, 5_000 + 20_010);
    pingIgnoringDrop(7_000);
    s.clock.advance(100);

    const latest = [...latestSince(s, cleared).values()];
    const finding = latest.find((d) => d.findingId.startsWith(IGNORING_PINGS));
    assert.ok(finding, JSON.stringify(latest.map((d) => [d.findingId, d.occurrences])));
    assert.equal(finding.occurrences, 2);
    assert.ok(Math.abs((finding.intervalMs ?? 0) - 20_010) <= 100, `interval ${finding.intervalMs}`);
    assert.ok(finding.evidence.includes(close.seq), 'the drop of the connection open through the clear');
    assertEvidenceIsRecordedCloses(s, finding);
    assert.equal(
      latest.some((d) => d.findingId === IDLE_8S && d.confidence > 0),
      false,
      'the 12 s the connection survived before the clear still rule out an 8 s idle timeout',
    );
  });
});

describe('DropAnalyzer.reset', () => {
  it('holds nothing of the events before it: every per-record part is fresh', () => {
    const script = new Script().silentDrop(8_010).silentDrop(8_010);
    script.connect().wait(5_000).close(1001, 'remote').wait(1_000);
    script.connect().wait(2_000).close(1011, 'remote').wait(1_000);
    script.handshakeFailed({ status: 502 });
    const analyzer = new DropAnalyzer();
    for (const event of script.events) analyzer.observe(event);
    assert.ok(analyzer.findings().length > 0);
    assert.ok(Object.values(analyzer.retainedSizes()).some((size) => size > 0));

    analyzer.reset(script.t);
    // Sizes first: judging (findings()) counts as a judgement.
    for (const [part, size] of Object.entries(analyzer.retainedSizes())) assert.equal(size, 0, part);
    assert.deepEqual(analyzer.findings(), []);
    assert.deepEqual(analyzer.classifications(), []);
    assert.equal(analyzer.closeCounts().size, 0);
  });
});
