// The pure side of the tap (core/engine/tapSession.ts): what a TapSession records of the
// relay's reports, and how TapSessions groups connections into sessions. The relay itself is
// tested against real servers in test/integration/tapRelay.test.ts.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tapDiagnosis } from '../../src/core/diagnosis/dropAnalyzer.js';
import { TapSession, TapSessions } from '../../src/core/engine/tapSession.js';
import type { SessionEvent } from '../../src/core/model/sessionEvents.js';
import type { EventOf } from '../helpers/testScope.js';
import { FakeClock } from './fakes/fakeClock.js';

const TARGET = 'ws://server.test/live';
const bytes = (text: string) => new TextEncoder().encode(text);

function recordedSession(clock = new FakeClock(), withAnalyzer = false) {
  const session = new TapSession(
    'tap-1',
    { address: '127.0.0.1', path: '/live' },
    {
      clock,
      ...(withAnalyzer ? { observer: tapDiagnosis() } : {}),
    },
  );
  const events: SessionEvent[] = [];
  session.onEvent((event) => events.push(event));
  return { session, events, clock };
}

const OPEN = { protocol: '', extensions: '', requestHeaders: {}, responseHeaders: {} };

test("a tap session records the app's frames as out and the server's as in, with the events of any session", () => {
  const { session, events, clock } = recordedSession();
  session.connecting(TARGET, ['chat']);
  clock.advance(30);
  session.opened({ ...OPEN, protocol: 'chat' });
  session.message('out', bytes('hello'), false);
  session.message('in', bytes('hi'), false);
  session.ping('out', bytes('hb'));
  session.pong('in', bytes('hb'));
  session.message('in', new Uint8Array([1, 2]), true);
  clock.advance(100);
  session.closed({ code: 4000, reason: 'bye', by: 'server', abrupt: false });

  assert.deepEqual(
    events.map((e) => e.type),
    ['connecting', 'open', 'message', 'message', 'ping', 'pong', 'message', 'close'],
  );
  assert.equal((events[1] as EventOf<'open'>).handshakeMs, 30);
  const messages = events.filter((e): e is EventOf<'message'> => e.type === 'message');
  assert.deepEqual(
    messages.map((m) => [m.direction, m.opcode, m.data]),
    [
      ['out', 'text', 'hello'],
      ['in', 'text', 'hi'],
      ['in', 'binary', 'AQI='],
    ],
  );
  const close = events.at(-1) as EventOf<'close'>;
  assert.deepEqual(
    [close.code, close.reason, close.initiator, close.wasClean, close.idleMs, close.ageMs],
    [4000, 'bye', 'remote', true, 100, 100],
  );
  // The record holds the same events, seq by seq.
  assert.deepEqual(
    session.record.toArray().map((e) => e.seq),
    events.map((e) => e.seq),
  );
  assert.equal(session.getStats().messagesOut, 1);
  assert.equal(session.getStats().messagesIn, 2);
});

test('a close is recorded once, as the app closing (local), the server closing (remote) or a lost connection (none, 1006)', () => {
  const cases = [
    [{ code: 1000, reason: '', by: 'app', abrupt: false }, 1000, 'local', true],
    [{ code: 1001, reason: 'going', by: 'server', abrupt: false }, 1001, 'remote', true],
    [{ code: 1006, reason: '', by: 'server', abrupt: true }, 1006, 'none', false],
  ] as const;
  for (const [report, code, initiator, wasClean] of cases) {
    const { session, events } = recordedSession();
    session.connecting(TARGET, []);
    session.opened(OPEN);
    session.closed(report);
    // The other side's end, reported after the first: not a second close.
    session.closed({ code: 1006, reason: '', by: report.by === 'app' ? 'server' : 'app', abrupt: true });
    const closes = events.filter((e): e is EventOf<'close'> => e.type === 'close');
    assert.equal(closes.length, 1);
    assert.deepEqual([closes[0]!.code, closes[0]!.initiator, closes[0]!.wasClean], [code, initiator, wasClean]);
    assert.equal(session.busy, false);
  }
});

test('a long payload is recorded cut to the cap, with its size on the wire', () => {
  const clock = new FakeClock();
  const session = new TapSession(
    'tap-1',
    { address: 'a', path: '/' },
    { clock, options: { idleGapMs: 5000, maxEvents: 100, maxRecordBytes: 1 << 20, maxRecordedPayloadBytes: 4 } },
  );
  session.connecting(TARGET, []);
  session.opened(OPEN);
  session.message('out', bytes('abcdefgh'), false);
  const message = session.record.toArray().find((e): e is EventOf<'message'> => e.type === 'message')!;
  assert.deepEqual([message.data, message.size, message.truncated], ['abcd', 8, true]);
});

test('a silence longer than the idle-gap threshold is recorded as an idle gap when the next frame passes', () => {
  const { session, events, clock } = recordedSession();
  session.connecting(TARGET, []);
  session.opened(OPEN);
  clock.advance(6000);
  session.message('in', bytes('late'), false);
  const gap = events.find((e): e is EventOf<'idle-gap'> => e.type === 'idle-gap')!;
  assert.equal(gap.durationMs, 6000);
});

test('the analyzer diagnoses the app reconnecting after the same silence each time, live, in the same session', () => {
  const { session, events, clock } = recordedSession(new FakeClock(), true);
  for (let attempt = 0; attempt < 3; attempt++) {
    session.connecting(TARGET, []);
    clock.advance(5);
    session.opened(OPEN);
    session.message('out', bytes('subscribe'), false);
    session.message('in', bytes('ok'), false);
    clock.advance(60_000);
    session.closed({ code: 1006, reason: '', by: 'server', abrupt: true });
    clock.advance(1000);
  }
  const idle = events.filter((e): e is EventOf<'diagnosis'> => e.type === 'diagnosis' && e.kind === 'idle-timeout');
  assert.ok(idle.length > 0, 'an idle-timeout diagnosis');
  assert.equal(idle.at(-1)!.intervalMs, 60_000);
  // As Session's: the first connection is attempt 0 ("connecting", not a reconnect), and each
  // attempt after an opened one starts the count again.
  const attempts = events.filter((e): e is EventOf<'connecting'> => e.type === 'connecting').map((e) => e.attempt);
  assert.deepEqual(attempts, [0, 1, 1]);
});

test('handshake failures count consecutive attempts and leave the session free for the next one', () => {
  const { session, events } = recordedSession();
  session.connecting(TARGET, []);
  session.handshakeFailed({
    status: 403,
    statusText: 'Forbidden',
    requestHeaders: {},
    responseHeaders: {},
    body: 'no',
    errorCode: null,
    message: 'refused',
  });
  assert.equal(session.busy, false);
  session.connecting(TARGET, []);
  const attempts = events.filter((e): e is EventOf<'connecting'> => e.type === 'connecting').map((e) => e.attempt);
  assert.deepEqual(attempts, [0, 1]);
  assert.equal(session.busy, true);
});

test('TapSessions: the same client reconnecting to the same path is one session; concurrent connections, other paths and other clients are not', () => {
  const clock = new FakeClock();
  const created: string[] = [];
  const sessions = new TapSessions((id, client) => new TapSession(id, client, { clock }));
  sessions.onSession((session) => created.push(`${session.id} ${session.client.address} ${session.client.path}`));

  const first = sessions.sessionFor('10.0.0.1', '/live');
  first.connecting(TARGET, []);
  first.opened(OPEN);
  // A second tab of the same app while the first is open: a session of its own.
  const second = sessions.sessionFor('10.0.0.1', '/live');
  assert.notEqual(second, first);
  second.connecting(TARGET, []);
  // Other paths and other clients: their own.
  const otherPath = sessions.sessionFor('10.0.0.1', '/admin');
  const otherClient = sessions.sessionFor('10.0.0.2', '/live');
  assert.notEqual(otherPath, first);
  assert.notEqual(otherClient, first);

  // The first drops and reconnects: the same session's next attempt.
  first.closed({ code: 1006, reason: '', by: 'server', abrupt: true });
  assert.equal(sessions.sessionFor('10.0.0.1', '/live'), first);
  assert.deepEqual(created, [
    'tap-1 10.0.0.1 /live',
    'tap-2 10.0.0.1 /live',
    'tap-3 10.0.0.1 /admin',
    'tap-4 10.0.0.2 /live',
  ]);
  assert.equal(sessions.all().length, 4);
});

test('TapSessions.remove: a busy session stays; an ended one goes, is disposed, and its id is never reused', () => {
  const clock = new FakeClock();
  const sessions = new TapSessions((id, client) => new TapSession(id, client, { clock }));
  const removed: string[] = [];
  sessions.onSessionRemoved((session) => removed.push(session.id));

  const first = sessions.sessionFor('10.0.0.1', '/live');
  first.connecting(TARGET, []);
  first.opened(OPEN);
  assert.equal(sessions.remove(first), false, 'an open connection keeps its session');
  assert.deepEqual(removed, []);

  first.closed({ code: 1000, reason: 'bye', by: 'app', abrupt: false });
  let eventsAfterRemoval = 0;
  first.onEvent(() => eventsAfterRemoval++);
  assert.equal(sessions.remove(first), true);
  assert.equal(sessions.remove(first), false, 'removed once');
  assert.deepEqual(removed, ['tap-1']);
  assert.deepEqual(sessions.all(), []);

  // The same client reconnecting after the removal starts a new session with a new id.
  const next = sessions.sessionFor('10.0.0.1', '/live');
  assert.notEqual(next, first);
  assert.equal(next.id, 'tap-2');
  next.connecting(TARGET, []);
  assert.equal(eventsAfterRemoval, 0, 'the removed session hears nothing more');
  sessions.dispose();
});

// ---- advice about the app's own heartbeat ---------------------------------------------

const NGINX_DEFAULT_MS = 60_000;

/** One connection of the app: opens, sends `subscribe`, then `during` runs, then silence until the cut. */
function appConnection(
  session: TapSession,
  clock: FakeClock,
  during: () => void = () => undefined,
  silenceMs = NGINX_DEFAULT_MS,
): void {
  session.connecting(TARGET, []);
  clock.advance(5);
  session.opened(OPEN);
  session.message('out', bytes('subscribe'), false);
  during();
  clock.advance(silenceMs);
  session.closed({ code: 1006, reason: '', by: 'server', abrupt: true });
  clock.advance(1000);
}

function latestIdleFinding(events: readonly SessionEvent[]): EventOf<'diagnosis'> {
  const idle = events.filter((e): e is EventOf<'diagnosis'> => e.type === 'diagnosis' && e.kind === 'idle-timeout');
  assert.ok(idle.length > 0, `an idle-timeout diagnosis; got ${events.filter((e) => e.type === 'diagnosis').length}`);
  return idle.at(-1)!;
}

/** A tap finding speaks of the app, never of a heartbeat setting of ours or its command. */
function assertAboutTheApp(finding: EventOf<'diagnosis'>): void {
  assert.equal(finding.heartbeatOf, 'app');
  assert.match(finding.summary, /^Your app's connection dropped /);
  const text = `${finding.summary}\n${finding.advice}`;
  assert.doesNotMatch(text, /Your heartbeat|heartbeat is (set|off)|Apply Recommended Heartbeat|--heartbeat/);
}

test("tap advice: the app's own heartbeat, seen while the server kept a connection busy, is too slow for the idle timeout", () => {
  const { session, events, clock } = recordedSession(new FakeClock(), true);
  // The first connection lives while the server talks every 30 s; the app's "ping" every 100 s
  // shows three times. Then the server falls silent and the cut comes 60 s after the last frame.
  appConnection(session, clock, () => {
    for (let second = 30; second <= 300; second += 10) {
      clock.advance(10_000);
      if (second % 100 === 0) session.message('out', bytes('ping'), false);
      else if (second % 30 === 0) session.message('in', bytes('tick'), false);
    }
  });
  appConnection(session, clock);
  appConnection(session, clock);

  const finding = latestIdleFinding(events);
  assertAboutTheApp(finding);
  assert.equal(finding.intervalMs, NGINX_DEFAULT_MS);
  assert.equal(finding.occurrences, 3);
  assert.match(
    finding.summary,
    /^Your app's connection dropped 3 times after 60\.0 s without traffic; its own heartbeat every 100 s cannot keep it open — /,
  );
  assert.match(finding.advice, /Your app's own heartbeat: "ping" from the application every 100 s\./);
  assert.match(finding.advice, /send one at most every 30 s/);
  assert.equal(finding.recommendedHeartbeatMs, 30_000);
});

test('tap advice: an app that sends nothing while idle is told to add a heartbeat', () => {
  const { session, events, clock } = recordedSession(new FakeClock(), true);
  for (let attempt = 0; attempt < 3; attempt++) appConnection(session, clock);

  const finding = latestIdleFinding(events);
  assertAboutTheApp(finding);
  assert.match(finding.summary, /dropped 3 times after 60\.0 s without traffic; it sends no heartbeat while idle — /);
  assert.match(finding.advice, /Your app sent nothing for 60 s before each drop: it sends no heartbeat while idle/);
  assert.match(finding.advice, /Add one every 30 s/);
});

test('tap advice: an app whose own ping frames keep its connection open gets no finding', () => {
  const { session, events, clock } = recordedSession(new FakeClock(), true);
  session.connecting(TARGET, []);
  clock.advance(5);
  session.opened(OPEN);
  session.message('out', bytes('subscribe'), false);
  // Ten minutes of the app's ping frames every 20 s, each answered by the server.
  for (let beat = 0; beat < 30; beat++) {
    clock.advance(20_000);
    session.ping('out', bytes(''));
    session.pong('in', bytes(''));
  }
  session.closed({ code: 1000, reason: 'done', by: 'app', abrupt: false });

  assert.deepEqual(
    events.filter((e) => e.type === 'diagnosis'),
    [],
  );
});

test('tap advice: one drop is said to be one, with what would confirm it', () => {
  const { session, events, clock } = recordedSession(new FakeClock(), true);
  appConnection(session, clock);

  const finding = latestIdleFinding(events);
  assertAboutTheApp(finding);
  assert.equal(finding.occurrences, 1);
  assert.match(
    finding.summary,
    /dropped once after 60\.0 s without traffic; it sends no heartbeat while idle — may be /,
  );
  assert.match(
    finding.advice,
    /Only one drop so far: if the next one also comes after 60 s of silence, this is confirmed\./,
  );
});

test('TapSessions keeps at most the cap of ended sessions: those that ended longest ago go, a live one never', () => {
  const clock = new FakeClock();
  const sessions = new TapSessions((id, client) => new TapSession(id, client, { clock }), 2);
  const removed: string[] = [];
  sessions.onSessionRemoved((session) => removed.push(session.id));

  // tap-1 stays connected throughout; it began first, so it is the oldest.
  const live = sessions.sessionFor('10.0.0.1', '/live');
  live.connecting(TARGET, []);
  live.opened(OPEN);
  // Short-lived clients, each from its own address; tap-3 ends before tap-2.
  const short = ['10.0.0.2', '10.0.0.3'].map((address) => {
    const session = sessions.sessionFor(address, '/live');
    session.connecting(TARGET, []);
    session.opened(OPEN);
    return session;
  });
  clock.advance(10);
  short[1]!.closed({ code: 1000, reason: '', by: 'app', abrupt: false });
  clock.advance(10);
  short[0]!.closed({ code: 1000, reason: '', by: 'app', abrupt: false });
  // A failed handshake ends a session too.
  clock.advance(10);
  const refused = sessions.sessionFor('10.0.0.4', '/live');
  refused.connecting(TARGET, []);
  refused.handshakeFailed({
    status: 403,
    statusText: 'Forbidden',
    requestHeaders: {},
    responseHeaders: {},
    body: '',
    errorCode: null,
    message: 'refused',
  });
  assert.deepEqual(removed, [], 'three ended so far, but only two beyond the newest');

  // A new client: three sessions have ended, one more than the cap; the one that ended first goes.
  clock.advance(10);
  const next = sessions.sessionFor('10.0.0.5', '/live');
  assert.deepEqual(removed, ['tap-3']);
  assert.deepEqual(
    sessions.all().map((s) => s.id),
    ['tap-1', 'tap-2', 'tap-4', 'tap-5'],
  );

  // Many more short-lived clients: the count stays bounded, and the live session stays.
  next.connecting(TARGET, []);
  next.closed({ code: 1006, reason: '', by: 'server', abrupt: true });
  for (let client = 6; client < 50; client++) {
    clock.advance(10);
    const session = sessions.sessionFor(`10.0.1.${client}`, '/live');
    session.connecting(TARGET, []);
    session.opened(OPEN);
    session.closed({ code: 1000, reason: '', by: 'app', abrupt: false });
  }
  assert.ok(sessions.all().includes(live));
  assert.ok(sessions.all().length <= 2 + 2, `${sessions.all().length} sessions kept`);
  assert.equal(live.busy, true);
  assert.equal(sessions.all().at(-1)!.id, 'tap-49');
  sessions.dispose();
});

test('TapSession.onLifecycleEvent: every event but messages, pings and pongs, heard before onEvent hears it', () => {
  const clock = new FakeClock();
  const session = new TapSession('tap-1', { address: '127.0.0.1', path: '/' }, { clock });
  const heard: string[] = [];
  // Subscribed in the opposite order: the lifecycle listener must still come first.
  session.onEvent((event) => heard.push(`all ${event.type}`));
  session.onLifecycleEvent((event) => heard.push(`lifecycle ${event.type}`));
  session.connecting(TARGET, []);
  session.opened(OPEN);
  session.message('out', new TextEncoder().encode('hi'), false);
  session.ping('out', new Uint8Array());
  session.pong('in', new Uint8Array());
  session.closed({ code: 1000, reason: '', by: 'app', abrupt: false });
  assert.deepEqual(heard, [
    'lifecycle connecting',
    'all connecting',
    'lifecycle open',
    'all open',
    'all message',
    'all ping',
    'all pong',
    'lifecycle close',
    'all close',
  ]);
  session.dispose();
});
