// The pure side of the tap (core/engine/tapSession.ts): what a TapSession records of the
// relay's reports, and how TapSessions groups connections into sessions. The relay itself is
// tested against real servers in test/integration/tapRelay.test.ts.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sessionDiagnosis } from '../../src/core/diagnosis/dropAnalyzer.js';
import { TapSession, TapSessions } from '../../src/core/engine/tapSession.js';
import { makeEndpoint } from '../../src/core/model/endpoint.js';
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
      ...(withAnalyzer ? { observer: sessionDiagnosis(makeEndpoint(TARGET, { heartbeat: { mode: 'off' } })) } : {}),
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
  // Each attempt after an opened one starts the count again, as Session's do.
  const attempts = events.filter((e): e is EventOf<'connecting'> => e.type === 'connecting').map((e) => e.attempt);
  assert.deepEqual(attempts, [1, 1, 1]);
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
  assert.deepEqual(attempts, [1, 2]);
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
