// A finding's life cycle (findingLifecycle.ts): active → resolved only when the events show
// the fix working, active again when such a drop returns; the advice of a finding whose fix
// is in place says so instead of reading like a new problem. Then the session's side: idle
// gaps within the heartbeat's own rhythm are `expected`, and the timeline rows map both.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DropAnalyzer, sessionDiagnosis, type DiagnosisFinding } from '../../src/core/diagnosis/dropAnalyzer.js';
import { DEFAULT_SESSION_OPTIONS, Session } from '../../src/core/engine/session.js';
import { makeEndpoint, type HeartbeatConfig, type HeartbeatSetting } from '../../src/core/model/endpoint.js';
import { findingStateOf, type DiagnosisEvent, type SessionEvent } from '../../src/core/model/sessionEvents.js';
import { redactionPolicyFor } from '../../src/core/model/redaction.js';
import { readHar } from '../../src/core/files/harReader.js';
import { serializeHar } from '../../src/core/files/harWriter.js';
import { parseSessionLog, serializeSessionLog } from '../../src/core/files/sessionLog.js';
import { toRow } from '../../src/extension/model/timelineRows.js';
import { Script } from './fakes/eventScript.js';
import { FakeClock } from './fakes/fakeClock.js';
import { FakeSocketFactory } from './fakes/fakeSocket.js';

const PING_4S: HeartbeatSetting = { mode: 'ping', intervalMs: 4_000 };
const TEXT_4S: HeartbeatSetting = { mode: 'text', intervalMs: 4_000 };
const IDLE_8S = 'idle-timeout@8000';

/** Feeds the script's events from `from` on; returns what the analyzer emitted after each. */
function feed(analyzer: DropAnalyzer, events: readonly SessionEvent[], from = 0) {
  const emitted: Array<{ after: SessionEvent; finding: DiagnosisFinding }> = [];
  for (const event of events.slice(from)) {
    for (const finding of analyzer.observe(event)) emitted.push({ after: event, finding });
  }
  return emitted;
}

/** Two connections cut after 8 s of silence: an idle timeout of 8 s (no known default). */
function twoIdleDrops(script = new Script()): Script {
  return script.silentDrop(8_010).silentDrop(8_010);
}

/** Our text heartbeat (a message marked heartbeat ping) and its reply. */
function textHeartbeat(script: Script): void {
  script.events.push({
    seq: script.events.length + 1,
    t: script.t,
    type: 'message',
    direction: 'out',
    opcode: 'text',
    size: 4,
    data: 'ping',
    truncated: false,
    heartbeat: 'ping',
  });
  script.wait(5).message('in', 'pong');
}

function idleFinding(analyzer: DropAnalyzer): DiagnosisFinding {
  const finding = analyzer.findings().find((f) => f.findingId === IDLE_8S);
  assert.ok(finding, `no ${IDLE_8S}: ${JSON.stringify(analyzer.findings().map((f) => f.findingId))}`);
  return finding;
}

describe('finding life cycle: an idle timeout', () => {
  it('resolves once the recommended heartbeat has kept a connection open for twice the timeout', () => {
    const script = twoIdleDrops();
    const analyzer = new DropAnalyzer();
    feed(analyzer, script.events);
    assert.equal(idleFinding(analyzer).recommendedHeartbeatMs, 4_000);
    assert.equal(findingStateOf(idleFinding(analyzer)), 'active');

    analyzer.setHeartbeat(PING_4S);
    const from = script.events.length;
    script.connect();
    const openT = script.t;
    // Our heartbeat's pings every 4 s: after 12 s, not yet twice the timeout.
    for (let i = 0; i < 3; i++) script.wait(4_000).pingPong();
    const early = feed(analyzer, script.events, from);
    assert.equal(early.filter((e) => e.finding.resolved).length, 0, 'not resolved after 12 s');
    assert.equal(findingStateOf(idleFinding(analyzer)), 'active');

    const next = script.events.length;
    script.wait(4_000).pingPong();
    const resolved = feed(analyzer, script.events, next).filter((e) => e.finding.findingId === IDLE_8S);
    assert.equal(resolved.length, 1, 'one update records the resolution');
    const finding = resolved[0]!.finding;
    assert.equal(findingStateOf(finding), 'resolved');
    assert.equal(finding.resolved?.fix, 'heartbeat every 4 s');
    assert.ok(finding.resolved.heldMs >= 16_000, `held ${finding.resolved.heldMs} ms`);
    assert.ok(finding.resolved.sinceT < openT, 'since the last drop (before this connection opened)');
    assert.match(finding.summary, /^Fixed: heartbeat every 4 s, no drops for 16 s \(idle timeout ≈ 8 s\)$/);
    assert.doesNotMatch(finding.advice, /not running/);
    assert.equal(finding.occurrences, 2);
    // Said once: more heartbeats record nothing more.
    const more = script.events.length;
    for (let i = 0; i < 3; i++) script.wait(4_000).pingPong();
    assert.deepEqual(feed(analyzer, script.events, more), []);
  });

  it('is not resolved by a connection kept open by chatty traffic without the fix', () => {
    const script = twoIdleDrops();
    const analyzer = new DropAnalyzer({ heartbeat: { mode: 'off', intervalMs: 30_000 } });
    feed(analyzer, script.events);
    const from = script.events.length;
    script.connect();
    for (let i = 0; i < 30; i++) script.wait(2_000).message('in', 'tick');
    const emitted = feed(analyzer, script.events, from);
    assert.equal(emitted.filter((e) => e.finding.resolved).length, 0);
    assert.equal(findingStateOf(idleFinding(analyzer)), 'active');

    // A heartbeat that fits is set (as a recorded file's endpoint may say), but none of its
    // frames is on the connection: nothing shows that it ran.
    const setOnly = new DropAnalyzer({ heartbeat: PING_4S });
    feed(setOnly, script.events);
    assert.equal(findingStateOf(idleFinding(setOnly)), 'active');
  });

  it('counts from the heartbeat change when it is applied on an open connection', () => {
    const script = twoIdleDrops();
    const analyzer = new DropAnalyzer();
    feed(analyzer, script.events);
    let from = script.events.length;
    // Open for 12 s, kept busy by the application, before the heartbeat is applied.
    script.connect();
    for (let i = 0; i < 6; i++) script.wait(2_000).message('in', 'tick');
    feed(analyzer, script.events, from);
    analyzer.setHeartbeat(PING_4S, script.t);
    from = script.events.length;
    for (let i = 0; i < 3; i++) script.wait(4_000).pingPong();
    feed(analyzer, script.events, from);
    assert.equal(findingStateOf(idleFinding(analyzer)), 'active', 'open 24 s, but only 12 s since the change');
    from = script.events.length;
    script.wait(4_000).pingPong();
    feed(analyzer, script.events, from);
    assert.equal(findingStateOf(idleFinding(analyzer)), 'resolved');
  });

  it('is not resolved when the heartbeat is slower than the timeout, however long the connection holds', () => {
    const script = twoIdleDrops();
    const analyzer = new DropAnalyzer();
    feed(analyzer, script.events);
    analyzer.setHeartbeat({ mode: 'ping', intervalMs: 10_000 });
    const from = script.events.length;
    script.connect();
    // Messages keep it open; the (too slow) heartbeat's pings flow too.
    for (let i = 0; i < 20; i++) {
      script.wait(2_000).message('in', 'tick');
      if (i % 5 === 4) script.pingPong();
    }
    feed(analyzer, script.events, from);
    assert.equal(findingStateOf(idleFinding(analyzer)), 'active');
  });

  it('becomes active again when such a drop happens after the resolution', () => {
    const script = twoIdleDrops();
    const analyzer = new DropAnalyzer();
    feed(analyzer, script.events);
    analyzer.setHeartbeat(PING_4S);
    let from = script.events.length;
    script.connect();
    for (let i = 0; i < 6; i++) script.wait(4_000).pingPong();
    script.close(1000, 'local').wait(1_000);
    feed(analyzer, script.events, from);
    assert.equal(findingStateOf(idleFinding(analyzer)), 'resolved');

    // The heartbeat stopped running (a sleeping laptop): cut after 8 s of silence again.
    from = script.events.length;
    script.silentDrop(8_010);
    const emitted = feed(analyzer, script.events, from).filter((e) => e.finding.findingId === IDLE_8S);
    assert.equal(emitted.length, 1);
    const again = emitted[0]!.finding;
    assert.equal(findingStateOf(again), 'active');
    assert.equal(again.resolved, undefined);
    assert.equal(again.occurrences, 3);
    assert.match(again.summary, /^Dropped 3 times after 8\.0 s without traffic/);
  });

  it('is active again when the heartbeat that fixed it is turned off', () => {
    const script = twoIdleDrops();
    const analyzer = new DropAnalyzer();
    feed(analyzer, script.events);
    analyzer.setHeartbeat(PING_4S);
    const from = script.events.length;
    script.connect();
    for (let i = 0; i < 6; i++) script.wait(4_000).pingPong();
    feed(analyzer, script.events, from);
    assert.equal(findingStateOf(idleFinding(analyzer)), 'resolved');
    const updates = analyzer.setHeartbeat({ mode: 'off', intervalMs: 4_000 });
    const update = updates.find((f) => f.findingId === IDLE_8S);
    assert.ok(update, 'turning the fix off records the finding again');
    assert.equal(findingStateOf(update), 'active');
  });

  it('advice before the proof says the fix is in place and what confirms it, not a new problem', () => {
    const script = twoIdleDrops();
    const analyzer = new DropAnalyzer({ heartbeat: { mode: 'off', intervalMs: 30_000 } });
    feed(analyzer, script.events);
    const updates = analyzer.setHeartbeat(PING_4S);
    const update = updates.find((f) => f.findingId === IDLE_8S);
    assert.ok(update, 'the advice changed with the heartbeat');
    assert.equal(findingStateOf(update), 'active');
    const first = update.advice.split('\n\n')[0]!;
    assert.doesNotMatch(update.advice, /it was not running then/);
    assert.match(first, /heartbeat every 4 s \(set after these drops\)/);
    assert.match(first, /the fix is in place/);
    assert.match(first, /stays open for 16 s \(twice the timeout\) without such a drop/);
  });
});

describe('finding life cycle: what resets the timer', () => {
  /** Cut after 8 s without a message while our pings flowed every 2 s: a timer that counts messages only. */
  function messageIdleDrops(script: Script): void {
    for (const beforeMessage of [3_000, 5_000]) {
      // A message a different time after opening each time, so the age at the cut differs.
      script.connect().wait(beforeMessage).message('out', 'hello');
      for (let i = 0; i < 4; i++) script.wait(2_000).pingPong(1);
      script.wait(6).drop();
    }
  }

  it('a timeout that ping frames do not reset needs a text heartbeat: pings alone never resolve it', () => {
    const script = new Script();
    messageIdleDrops(script);
    const analyzer = new DropAnalyzer();
    feed(analyzer, script.events);
    const finding = analyzer.findings().find((f) => f.kind === 'idle-timeout');
    assert.ok(finding, JSON.stringify(analyzer.findings().map((f) => f.findingId)));
    assert.equal(finding.resetBy, 'messages');
    const id = finding.findingId;

    // Ping heartbeat every 4 s, the application chatting every 2 s: the pings prove nothing.
    const pingUpdates = analyzer.setHeartbeat(PING_4S);
    assert.ok(!pingUpdates.some((f) => f.findingId === id && /fix is in place/.test(f.advice)));
    let from = script.events.length;
    script.connect();
    for (let i = 0; i < 15; i++) {
      script.wait(2_000).message('in', 'tick');
      if (i % 2 === 1) script.pingPong(1);
    }
    feed(analyzer, script.events, from);
    assert.equal(findingStateOf(analyzer.findings().find((f) => f.findingId === id)!), 'active');

    // A text heartbeat every 4 s on a new connection: resolved after twice the timeout.
    analyzer.setHeartbeat(TEXT_4S);
    script.close(1000, 'local').wait(500);
    from = script.events.length - 1;
    script.connect();
    for (let i = 0; i < 6; i++) {
      script.wait(4_000);
      textHeartbeat(script);
    }
    const emitted = feed(analyzer, script.events, from).filter((e) => e.finding.findingId === id);
    const resolved = emitted.find((e) => e.finding.resolved);
    assert.ok(resolved, 'resolved by the text heartbeat');
    assert.equal(resolved.finding.resolved?.fix, 'text heartbeat every 4 s');
  });
});

describe('finding life cycle: handshakes and findings that never resolve', () => {
  it('a handshake finding resolves when a later attempt opens, and is active again on the next failure', () => {
    const script = new Script();
    for (let i = 0; i < 3; i++) script.handshakeFailed({ errorCode: 'ECONNREFUSED', message: 'connect ECONNREFUSED' });
    const analyzer = new DropAnalyzer();
    feed(analyzer, script.events);
    const failing = analyzer.findings().find((f) => f.kind === 'handshake');
    assert.ok(failing);
    assert.equal(findingStateOf(failing), 'active');

    let from = script.events.length;
    script.connect();
    const opened = feed(analyzer, script.events, from).find((e) => e.finding.kind === 'handshake');
    assert.ok(opened, 'the open records the resolution at once');
    assert.equal(opened.after.type, 'open');
    assert.equal(opened.finding.resolved?.fix, 'a connection opened');
    assert.equal(opened.finding.resolved.sinceT, opened.after.t);
    assert.match(opened.finding.summary, /^Fixed: a connection opened \(was: Handshake failed 3 times: /);

    script.close(1000, 'local').wait(1_000);
    from = script.events.length;
    script.handshakeFailed({ errorCode: 'ECONNREFUSED', message: 'connect ECONNREFUSED' });
    const again = feed(analyzer, script.events, from).find((e) => e.finding.kind === 'handshake');
    assert.ok(again);
    assert.equal(findingStateOf(again.finding), 'active');
    assert.equal(again.finding.occurrences, 4);
  });

  it('a lifetime cap is not resolved by a heartbeat: it stays active until a connection outlives it', () => {
    const script = new Script();
    // Traffic every 2 s, cut 30 s after opening each time.
    for (let n = 0; n < 3; n++) {
      script.connect();
      for (let i = 0; i < 15; i++) script.wait(2_000).message('in', 'tick');
      script.wait(10).drop();
    }
    const analyzer = new DropAnalyzer({ heartbeat: PING_4S });
    feed(analyzer, script.events);
    const cap = analyzer.findings().find((f) => f.kind === 'lifetime-cap');
    assert.ok(cap, JSON.stringify(analyzer.findings().map((f) => f.findingId)));
    const from = script.events.length;
    script.connect();
    for (let i = 0; i < 7; i++) script.wait(4_000).pingPong();
    const emitted = feed(analyzer, script.events, from).filter((e) => e.finding.findingId === cap.findingId);
    assert.equal(emitted.filter((e) => e.finding.resolved).length, 0);
  });
});

// ---- the session ----------------------------------------------------------------------

function sessionSetup(heartbeat: Partial<HeartbeatConfig>, idleGapMs = 5_000) {
  const clock = new FakeClock();
  const sockets = new FakeSocketFactory();
  const endpoint = makeEndpoint('ws://example.test/socket', { heartbeat, reconnect: { jitter: 0 } });
  const session = new Session(
    endpoint,
    { ...DEFAULT_SESSION_OPTIONS, idleGapMs },
    { clock, createSocket: sockets.create, random: () => 0.5, observer: sessionDiagnosis(endpoint) },
  );
  const events: SessionEvent[] = [];
  session.onEvent((event) => events.push(event));
  return { clock, sockets, session, events };
}

/**
 * A proxy that cuts after 8 s without a frame, in front of a server that answers pings: the
 * clock runs in 100 ms steps, each new socket opens, and each ping gets its pong at once.
 */
function runBehindProxy(s: ReturnType<typeof sessionSetup>, ms: number): void {
  const answered = new WeakMap<object, number>();
  const opened = new WeakSet<object>();
  let lastFrameT = s.clock.now();
  for (let elapsed = 0; elapsed < ms; elapsed += 100) {
    s.clock.advance(100);
    const socket = s.sockets.sockets[s.sockets.sockets.length - 1];
    if (!socket || socket.closed) continue;
    if (!opened.has(socket)) {
      opened.add(socket);
      socket.open();
      lastFrameT = s.clock.now();
      continue;
    }
    const pings = socket.pings.length;
    if (pings > (answered.get(socket) ?? 0)) {
      answered.set(socket, pings);
      socket.receivePong(socket.pings[pings - 1]!);
      lastFrameT = s.clock.now();
    }
    if (s.clock.now() - lastFrameT >= 8_000) socket.end(1006);
  }
}

describe('the session: a finding resolved by Apply Recommended Heartbeat', () => {
  it('records the resolution as a diagnosis update, seen through the heartbeat frames alone (no timer)', () => {
    const s = sessionSetup({ mode: 'off' });
    s.session.start();
    runBehindProxy(s, 20_000);
    const diagnoses = () => s.events.filter((e): e is DiagnosisEvent => e.type === 'diagnosis');
    const finding = diagnoses().find((d) => d.findingId === IDLE_8S);
    assert.ok(finding, JSON.stringify(diagnoses().map((d) => d.findingId)));
    assert.equal(finding.recommendedHeartbeatMs, 4_000);

    s.session.updateEndpoint({
      ...s.session.endpoint,
      heartbeat: { ...s.session.endpoint.heartbeat, mode: 'ping', intervalMs: 4_000 },
    });
    const applied = diagnoses().at(-1)!;
    assert.equal(applied.findingId, IDLE_8S);
    assert.match(applied.advice, /the fix is in place/);
    const dropsBefore = s.events.filter((e) => e.type === 'close').length;
    runBehindProxy(s, 40_000);
    assert.equal(s.events.filter((e) => e.type === 'close').length, dropsBefore, 'the heartbeat keeps it open');
    const latest = diagnoses()
      .filter((d) => d.findingId === IDLE_8S)
      .at(-1)!;
    assert.equal(findingStateOf(latest), 'resolved');
    assert.equal(latest.resolved?.fix, 'heartbeat every 4 s');
    assert.equal(s.events.at(-1)?.type === 'ping' || s.events.at(-1)?.type === 'pong', true, 'nothing else recorded');
  });
});

describe('the session: idle gaps judged against the heartbeat', () => {
  function gapsAfter(heartbeat: Partial<HeartbeatConfig>, run: (s: ReturnType<typeof sessionSetup>) => void) {
    const s = sessionSetup(heartbeat);
    s.session.start();
    s.sockets.last.open();
    run(s);
    return s.events.filter((e) => e.type === 'idle-gap');
  }

  it('the silence between heartbeats is expected', () => {
    const gaps = gapsAfter({ mode: 'ping', intervalMs: 30_000, timeoutMs: 10_000 }, (s) => {
      for (let i = 0; i < 3; i++) {
        s.clock.advance(30_000);
        s.sockets.last.receivePong(s.sockets.last.pings.at(-1)!);
      }
    });
    assert.ok(gaps.length >= 3, `${gaps.length} gaps`);
    for (const gap of gaps) assert.equal(gap.expected, true, JSON.stringify(gap));
  });

  it('with no heartbeat, or a silence longer than the heartbeat allows, the gap is not expected', () => {
    const off = gapsAfter({ mode: 'off' }, (s) => {
      s.clock.advance(30_000);
      s.sockets.last.receiveText('late');
    });
    assert.equal(off.length, 1);
    assert.equal(off[0]!.expected, undefined);

    // 20 s of silence, then a 4 s heartbeat is turned on: its first ping ends a 24 s silence.
    const longer = gapsAfter({ mode: 'off' }, (s) => {
      s.clock.advance(20_000);
      s.session.updateEndpoint({
        ...s.session.endpoint,
        heartbeat: { ...s.session.endpoint.heartbeat, mode: 'ping', intervalMs: 4_000, timeoutMs: 2_000 },
      });
      s.clock.advance(4_000);
    });
    assert.equal(longer.length, 1);
    assert.equal(longer[0]!.durationMs, 24_000);
    assert.equal(longer[0]!.expected, undefined);
  });
});

describe('timeline rows: resolved findings and expected gaps are not warnings', () => {
  const policy = redactionPolicyFor(makeEndpoint('ws://example.test/'));
  const base = { seq: 1, t: Date.UTC(2026, 0, 1) };

  it('maps `expected` and `resolved`, and neither is warn', () => {
    const gap = toRow(
      { ...base, type: 'idle-gap', durationMs: 30_000, startT: base.t - 30_000, expected: true },
      policy,
    );
    assert.equal(gap.expected, true);
    assert.equal(gap.warn, undefined);
    const plainGap = toRow({ ...base, type: 'idle-gap', durationMs: 30_000, startT: base.t - 30_000 }, policy);
    assert.equal(plainGap.expected, undefined);

    const diagnosis: DiagnosisEvent = {
      ...base,
      type: 'diagnosis',
      findingId: IDLE_8S,
      kind: 'idle-timeout',
      intervalMs: 8_000,
      occurrences: 2,
      confidence: 0.6,
      summary: 'Dropped twice after 8.0 s without traffic',
      candidates: [],
      advice: '',
      evidence: [3, 7],
    };
    const active = toRow(diagnosis, policy);
    assert.equal(active.warn, true);
    assert.equal(active.resolved, undefined);
    const resolved = toRow(
      { ...diagnosis, resolved: { sinceT: base.t, fix: 'heartbeat every 4 s', heldMs: 16_000 } },
      policy,
    );
    assert.equal(resolved.resolved, true);
    assert.equal(resolved.warn, undefined);
  });
});

describe('files keep `resolved` and `expected` as they are', () => {
  const endpoint = makeEndpoint('wss://app.example.test/ws');
  const policy = redactionPolicyFor(endpoint, { keepSecrets: true });

  function recorded(): SessionEvent[] {
    const script = twoIdleDrops();
    script.connect().wait(4_000);
    const t = script.t;
    script.events.push(
      { seq: script.events.length + 1, t, type: 'idle-gap', durationMs: 4_000, startT: t - 4_000, expected: true },
      {
        seq: script.events.length + 2,
        t,
        type: 'diagnosis',
        findingId: IDLE_8S,
        kind: 'idle-timeout',
        intervalMs: 8_010,
        occurrences: 2,
        confidence: 0.6,
        summary: 'Fixed: heartbeat every 4 s, no drops for 16 s (idle timeout ≈ 8 s)',
        candidates: [],
        advice: 'Resolved.',
        evidence: [3, 7],
        resolved: { sinceT: t - 20_000, fix: 'heartbeat every 4 s', heldMs: 16_000 },
      },
    );
    return script.events;
  }

  function tail(events: readonly SessionEvent[]): unknown[] {
    return events.filter((e) => e.type === 'idle-gap' || e.type === 'diagnosis');
  }

  it('the session log', () => {
    const events = recorded();
    const text = serializeSessionLog({
      endpoint,
      events,
      stats: null,
      droppedEvents: 0,
      exportedAt: new Date(0),
      policy,
    });
    assert.deepEqual(tail(parseSessionLog(text).events), tail(events));
  });

  it('our HAR', () => {
    const events = recorded();
    const text = serializeHar({
      endpoint,
      events,
      stats: null,
      droppedEvents: 0,
      exportedAt: new Date(0),
      policy,
      creator: { name: 't', version: '1' },
    });
    assert.deepEqual(tail(readHar(text, { idleGapMs: 5_000 }).sessions[0]!.events), tail(events));
  });
});
