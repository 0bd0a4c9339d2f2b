import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sessionDiagnosis } from '../../src/core/diagnosis/dropAnalyzer.js';
import { makeEndpoint, type HeartbeatConfig, type ReconnectConfig } from '../../src/core/model/endpoint.js';
import { DEFAULT_SESSION_OPTIONS, EndpointError, Session, type SessionOptions } from '../../src/core/engine/session.js';
import type { SessionEvent } from '../../src/core/model/sessionEvents.js';
import { FakeClock } from './fakes/fakeClock.js';
import { FakeSocketFactory } from './fakes/fakeSocket.js';

interface Setup {
  heartbeat?: Partial<HeartbeatConfig>;
  reconnect?: Partial<ReconnectConfig>;
  options?: Partial<SessionOptions>;
  onOpen?: string[];
}

function setup({ heartbeat = { mode: 'off' }, reconnect = {}, options = {}, onOpen = [] }: Setup = {}) {
  const clock = new FakeClock();
  const sockets = new FakeSocketFactory();
  const endpoint = makeEndpoint('ws://example.test/socket', {
    heartbeat,
    reconnect: { jitter: 0, ...reconnect },
    onOpen,
  });
  const session = new Session(
    endpoint,
    { ...DEFAULT_SESSION_OPTIONS, ...options },
    { clock, createSocket: sockets.create, random: () => 0.5, observer: sessionDiagnosis(endpoint) },
  );
  const events: SessionEvent[] = [];
  session.onEvent((event) => events.push(event));
  const ofType = <T extends SessionEvent['type']>(type: T) =>
    events.filter((e): e is Extract<SessionEvent, { type: T }> => e.type === type);
  return { clock, sockets, session, events, ofType };
}

describe('Session: connecting and recording', () => {
  it('records connecting and open with handshake time, and seq strictly increases', () => {
    const { clock, sockets, session, events } = setup();
    session.start();
    clock.advance(25);
    sockets.last.open({ protocol: 'chat', responseHeaders: { Upgrade: 'websocket' } });
    sockets.last.receiveText('hello');
    assert.deepEqual(
      events.map((e) => e.type),
      ['connecting', 'open', 'message'],
    );
    const open = events[1]!;
    assert.equal(open.type, 'open');
    assert.equal(open.type === 'open' && open.handshakeMs, 25);
    assert.equal(open.type === 'open' && open.protocol, 'chat');
    for (let i = 1; i < events.length; i++) assert.ok(events[i]!.seq > events[i - 1]!.seq);
    assert.equal(session.state, 'open');
  });

  it('records text and binary messages in both directions with sizes', () => {
    const { sockets, session, ofType } = setup();
    session.start();
    sockets.last.open();
    assert.deepEqual(session.send('héllo'), { ok: true });
    session.send(new Uint8Array([1, 2, 3]));
    sockets.last.receiveBinary(new Uint8Array([255, 0]));
    const messages = ofType('message');
    assert.deepEqual(
      messages.map((m) => [m.direction, m.opcode, m.size, m.data]),
      [
        ['out', 'text', 6, 'héllo'],
        ['out', 'binary', 3, 'AQID'],
        ['in', 'binary', 2, '/wA='],
      ],
    );
    const stats = session.getStats();
    assert.equal(stats.messagesOut, 2);
    assert.equal(stats.bytesOut, 9);
    assert.equal(stats.bytesIn, 2);
  });

  it('refuses to send when not connected, with the reason', () => {
    const { session } = setup();
    const result = session.send('x');
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : result.reason, /not connected/);
  });

  it('truncates payloads over the cap in the record but keeps the original size', () => {
    const { sockets, session, ofType } = setup({ options: { maxRecordedPayloadBytes: 4 } });
    session.start();
    sockets.last.open();
    sockets.last.receiveText('abcdefgh');
    const [message] = ofType('message');
    assert.equal(message!.data, 'abcd');
    assert.equal(message!.truncated, true);
    assert.equal(message!.size, 8);
  });

  it('answers server pings and records both the ping and our pong', () => {
    const { sockets, session, ofType } = setup();
    session.start();
    sockets.last.open();
    sockets.last.receivePing('are-you-there');
    assert.equal(ofType('ping')[0]!.direction, 'in');
    assert.equal(ofType('pong')[0]!.direction, 'out');
    assert.equal(ofType('pong')[0]!.data, 'are-you-there');
    assert.equal(Buffer.from(sockets.last.pongs[0]!).toString(), 'are-you-there');
  });

  it('rejects an invalid endpoint with every problem named', () => {
    assert.throws(
      () =>
        new Session(makeEndpoint('http://x', { heartbeat: { intervalMs: 0 } }), DEFAULT_SESSION_OPTIONS, {
          clock: new FakeClock(),
          createSocket: new FakeSocketFactory().create,
        }),
      (error: unknown) =>
        error instanceof EndpointError && /ws:\/\//.test(error.message) && /intervalMs/.test(error.message),
    );
  });
});

describe('Session: idle gaps and close details', () => {
  it('records an idle gap when traffic resumes after a silence longer than the threshold', () => {
    const { clock, sockets, session, ofType } = setup({ options: { idleGapMs: 5_000 } });
    session.start();
    sockets.last.open();
    clock.advance(4_000);
    sockets.last.receiveText('a'); // 4 s: below the threshold
    clock.advance(7_500);
    sockets.last.receiveText('b');
    const gaps = ofType('idle-gap');
    assert.equal(gaps.length, 1);
    assert.equal(gaps[0]!.durationMs, 7_500);
  });

  it('reports idleMs and ageMs on a dropped connection, with an idle gap before the close', () => {
    const { clock, sockets, session, events, ofType } = setup({ options: { idleGapMs: 1_000 } });
    session.start();
    sockets.last.open();
    clock.advance(500);
    sockets.last.receiveText('x');
    clock.advance(2_000);
    sockets.last.end(1006);
    const close = ofType('close')[0]!;
    assert.equal(close.idleMs, 2_000);
    assert.equal(close.ageMs, 2_500);
    assert.equal(close.wasClean, false);
    assert.equal(close.initiator, 'none');
    const types = events.map((e) => e.type);
    assert.deepEqual(types.slice(-3), ['idle-gap', 'close', 'reconnect-scheduled']);
  });

  it('marks a close frame from the server as remote and clean', () => {
    const { sockets, session, ofType } = setup();
    session.start();
    sockets.last.open();
    sockets.last.end(4000, 'custom');
    const close = ofType('close')[0]!;
    assert.deepEqual([close.code, close.reason, close.wasClean, close.initiator], [4000, 'custom', true, 'remote']);
    assert.equal(session.getStats().drops, 1);
  });

  it('records a close the adapter made for a protocol violation as ours, with the code it sent, and reconnects', () => {
    const { sockets, session, events, ofType } = setup({ options: { maxMessageBytes: 1024 } });
    session.start();
    assert.equal(sockets.last.options.maxMessageBytes, 1024, 'the limit reaches the socket');
    sockets.last.open();
    sockets.last.error(
      'the server sent a message larger than the 1024-byte limit; closing the connection with 1009',
      'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH',
    );
    // ws stops reading after a violation, so the wire gives 1006 even when the server echoes the close.
    sockets.last.closed = true;
    sockets.last._onClose.fire({ code: 1006, reason: '', protocolErrorCode: 1009 });
    const close = ofType('close')[0]!;
    assert.deepEqual([close.code, close.wasClean, close.initiator], [1009, false, 'local']);
    assert.deepEqual(events.map((e) => e.type).slice(-3), ['error', 'close', 'reconnect-scheduled']);
    assert.equal(ofType('error')[0]!.code, 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH');
    assert.equal(session.getStats().drops, 1, 'a drop the server caused');
  });
});

describe('Session: ping heartbeat', () => {
  it('pings every interval and records the RTT of each pong', () => {
    const { clock, sockets, session, ofType } = setup({
      heartbeat: { mode: 'ping', intervalMs: 1_000, timeoutMs: 500 },
    });
    session.start();
    sockets.last.open();
    clock.advance(1_000);
    assert.deepEqual(sockets.last.pings, ['wsi-1']);
    clock.advance(42);
    sockets.last.receivePong('wsi-1');
    clock.advance(958);
    assert.deepEqual(sockets.last.pings, ['wsi-1', 'wsi-2']);
    const pong = ofType('pong')[0]!;
    assert.equal(pong.rttMs, 42);
    assert.equal(session.getStats().rtt?.median, 42);
    assert.equal(ofType('heartbeat-timeout').length, 0);
  });

  it('declares the link dead after interval + timeout without a sign of life, then reconnects', () => {
    const { clock, sockets, session, events, ofType } = setup({
      heartbeat: { mode: 'ping', intervalMs: 1_000, timeoutMs: 500 },
    });
    session.start();
    const first = sockets.last;
    first.open();
    clock.advance(1_499);
    assert.equal(ofType('heartbeat-timeout').length, 0);
    clock.advance(1);
    const timeout = ofType('heartbeat-timeout')[0]!;
    assert.equal(timeout.waitedMs, 500);
    assert.equal(first.terminated, true);
    first.end(1006);
    const close = ofType('close')[0]!;
    assert.equal(close.initiator, 'local');
    // The reconnect is scheduled first; then the analyzer says what the drop was.
    assert.deepEqual(
      events.slice(-2).map((e) => e.type),
      ['reconnect-scheduled', 'diagnosis'],
    );
    assert.equal(ofType('diagnosis')[0]!.kind, 'heartbeat-timeout');
    assert.equal(session.getStats().drops, 1);
    assert.equal(session.getStats().heartbeatTimeouts, 1);
  });

  it('measures a late pong against the ping it answers, not an older one', () => {
    const { clock, sockets, session, ofType } = setup({
      heartbeat: { mode: 'ping', intervalMs: 1_000, timeoutMs: 500 },
    });
    session.start();
    sockets.last.open();
    clock.advance(1_100); // wsi-1 sent at 1000
    sockets.last.receiveText('alive'); // proves the link, so wsi-2 goes out at 2000
    clock.advance(930);
    assert.deepEqual(sockets.last.pings, ['wsi-1', 'wsi-2']);
    sockets.last.receivePong('wsi-2'); // at 2030; wsi-1 is never answered
    assert.equal(ofType('pong')[0]!.rttMs, 30);
  });

  it('counts any inbound frame as a sign of life', () => {
    const { clock, sockets, session, ofType } = setup({
      heartbeat: { mode: 'ping', intervalMs: 1_000, timeoutMs: 500 },
    });
    session.start();
    sockets.last.open();
    clock.advance(1_200); // ping sent at 1000, no pong yet
    sockets.last.receiveText('busy'); // but data flows
    clock.advance(400); // past the first ping's deadline (1500)
    assert.equal(ofType('heartbeat-timeout').length, 0);
    clock.advance(1_000); // the next ping (2000) meets silence: dead at 2500
    assert.equal(ofType('heartbeat-timeout').length, 1);
  });

  it('still destroys the socket if a dead link never reports close', () => {
    const { clock, sockets, session } = setup({
      heartbeat: { mode: 'ping', intervalMs: 100, timeoutMs: 100 },
      options: { closeTimeoutMs: 1_000 },
    });
    session.start();
    sockets.last.open();
    clock.advance(200); // dead
    assert.equal(session.state, 'open');
    clock.advance(2_000); // terminate, then forced release
    assert.equal(session.state, 'waiting');
    clock.advance(1_000);
    assert.equal(sockets.sockets.length, 2);
  });
});

describe('Session: text heartbeat', () => {
  it('sends the payload and matches the reply, with RTT', () => {
    const { clock, sockets, session, ofType } = setup({
      heartbeat: { mode: 'text', intervalMs: 1_000, timeoutMs: 500, payload: 'ping', expect: 'pong' },
    });
    session.start();
    sockets.last.open();
    clock.advance(1_000);
    assert.deepEqual(sockets.last.sent, ['ping']);
    clock.advance(7);
    sockets.last.receiveText('pong');
    sockets.last.receiveText('other');
    const [out, reply, other] = ofType('message');
    assert.equal(out!.heartbeat, 'ping');
    assert.equal(reply!.heartbeat, 'pong');
    assert.equal(reply!.rttMs, 7);
    assert.equal(other!.heartbeat, undefined);
  });

  it('accepts a /regex/ reply pattern', () => {
    const { clock, sockets, session, ofType } = setup({
      heartbeat: {
        mode: 'text',
        intervalMs: 1_000,
        timeoutMs: 500,
        payload: '{"op":"ping"}',
        expect: '/"op"\\s*:\\s*"pong"/',
      },
    });
    session.start();
    sockets.last.open();
    clock.advance(1_000);
    sockets.last.receiveText('{"op": "pong"}');
    assert.equal(ofType('message')[1]!.heartbeat, 'pong');
  });

  it('times out when nothing at all comes back', () => {
    const { clock, sockets, session, ofType } = setup({
      heartbeat: { mode: 'text', intervalMs: 1_000, timeoutMs: 500 },
    });
    session.start();
    sockets.last.open();
    clock.advance(1_500);
    assert.equal(ofType('heartbeat-timeout')[0]!.mode, 'text');
  });
});

describe('Session: heartbeat off', () => {
  it('sends nothing on an idle connection', () => {
    const { clock, sockets, session } = setup({ heartbeat: { mode: 'off' } });
    session.start();
    sockets.last.open();
    clock.advance(600_000);
    assert.equal(sockets.last.pings.length + sockets.last.sent.length, 0);
    assert.equal(session.state, 'open');
  });
});

describe('Session: reconnect policy', () => {
  it('backs off exponentially while attempts fail, capped at maxDelayMs', () => {
    const { clock, sockets, session, ofType } = setup({
      reconnect: { initialDelayMs: 1_000, multiplier: 2, maxDelayMs: 5_000 },
    });
    session.start();
    for (let i = 0; i < 5; i++) {
      sockets.last.failHandshake();
      sockets.last.end(1006);
      clock.advance(10_000);
    }
    assert.deepEqual(
      ofType('reconnect-scheduled').map((e) => e.delayMs),
      [1_000, 2_000, 4_000, 5_000, 5_000],
    );
    assert.deepEqual(
      ofType('connecting').map((e) => e.attempt),
      [0, 1, 2, 3, 4, 5],
    );
  });

  it('applies jitter downwards only, within the configured fraction', () => {
    const clock = new FakeClock();
    const sockets = new FakeSocketFactory();
    const delays: number[] = [];
    let r = 0;
    const endpoint = makeEndpoint('ws://x.test/', {
      heartbeat: { mode: 'off' },
      reconnect: { initialDelayMs: 1_000, jitter: 0.5 },
    });
    const session = new Session(endpoint, DEFAULT_SESSION_OPTIONS, {
      clock,
      createSocket: sockets.create,
      random: () => (r = (r + 0.37) % 1),
      observer: sessionDiagnosis(endpoint),
    });
    session.onEvent((e) => e.type === 'reconnect-scheduled' && e.attempt === 1 && delays.push(e.delayMs));
    for (let i = 0; i < 20; i++) {
      session.start();
      sockets.last.open();
      clock.advance(5_000);
      sockets.last.end(1006);
      clock.advance(2_000);
    }
    assert.ok(delays.length >= 10);
    assert.ok(
      delays.every((d) => d >= 500 && d <= 1_000),
      `delays out of range: ${delays.join(',')}`,
    );
    assert.ok(new Set(delays).size > 1, 'jitter produced no variation');
  });

  it('resets the backoff only after the connection stayed up for resetAfterMs', () => {
    const { clock, sockets, session, ofType } = setup({ reconnect: { initialDelayMs: 1_000, resetAfterMs: 3_000 } });
    session.start();
    sockets.last.open();
    clock.advance(500); // too short to count as healthy
    sockets.last.end(1006);
    clock.advance(1_000);
    sockets.last.open();
    clock.advance(500);
    sockets.last.end(1006);
    clock.advance(2_000);
    sockets.last.open();
    clock.advance(3_000); // healthy
    sockets.last.end(1006);
    assert.deepEqual(
      ofType('reconnect-scheduled').map((e) => e.delayMs),
      [1_000, 2_000, 1_000],
    );
  });

  it('gives up after maxAttempts consecutive failures', () => {
    const { clock, sockets, session, ofType } = setup({ reconnect: { maxAttempts: 2 } });
    session.start();
    for (let i = 0; i < 3; i++) {
      sockets.last.failHandshake();
      sockets.last.end(1006);
      clock.advance(60_000);
    }
    assert.equal(ofType('stopped')[0]!.reason, 'max-attempts');
    assert.equal(session.state, 'stopped');
    assert.equal(sockets.sockets.length, 3);
  });

  it('stops when reconnect is disabled', () => {
    const { sockets, session, ofType } = setup({ reconnect: { enabled: false } });
    session.start();
    sockets.last.open();
    sockets.last.end(1001, 'going away');
    assert.equal(ofType('stopped')[0]!.reason, 'reconnect-disabled');
    assert.equal(ofType('reconnect-scheduled').length, 0);
  });
});

describe('Session: user disconnect and reconnect', () => {
  it('closes gracefully with 1000 and stops reconnecting', async () => {
    const { clock, sockets, session, ofType } = setup();
    session.start();
    sockets.last.open();
    const stopped = session.stop();
    assert.deepEqual(sockets.last.closeRequested, { code: 1000, reason: 'user disconnect' });
    sockets.last.end(1000, 'user disconnect');
    await stopped;
    clock.advance(120_000);
    assert.equal(sockets.sockets.length, 1);
    assert.equal(ofType('close')[0]!.initiator, 'local');
    assert.equal(ofType('stopped')[0]!.reason, 'user');
    assert.equal(session.getStats().drops, 0);
    assert.equal(clock.pendingTimers, 0);
  });

  it('destroys the socket when the peer never finishes the closing handshake', async () => {
    const { clock, sockets, session } = setup({ options: { closeTimeoutMs: 3_000 } });
    session.start();
    sockets.last.open();
    const stopped = session.stop();
    clock.advance(3_000);
    assert.equal(sockets.last.terminated, true);
    sockets.last.end(1006);
    await stopped;
    assert.equal(session.state, 'stopped');
  });

  it('cancels a pending reconnect on stop', async () => {
    const { clock, sockets, session } = setup();
    session.start();
    sockets.last.open();
    sockets.last.end(1006);
    assert.equal(session.state, 'waiting');
    await session.stop();
    clock.advance(60_000);
    assert.equal(sockets.sockets.length, 1);
    assert.equal(clock.pendingTimers, 0);
  });

  it('aborts an attempt in progress on stop', async () => {
    const { sockets, session } = setup();
    session.start();
    const stopped = session.stop();
    assert.equal(sockets.last.terminated, true);
    sockets.last.end(1006);
    await stopped;
    assert.equal(session.state, 'stopped');
  });

  it('reconnectNow replaces an open connection immediately, without backoff', () => {
    const { sockets, session, ofType } = setup();
    session.start();
    sockets.last.open();
    session.reconnectNow();
    assert.deepEqual(sockets.last.closeRequested, { code: 1000, reason: 'reconnect' });
    sockets.last.end(1000);
    assert.equal(sockets.sockets.length, 2);
    assert.equal(ofType('reconnect-scheduled').length, 0);
  });

  it('reconnectNow skips the wait of a scheduled reconnect', () => {
    const { sockets, session } = setup({ reconnect: { initialDelayMs: 10_000 } });
    session.start();
    sockets.last.open();
    sockets.last.end(1006);
    session.reconnectNow();
    assert.equal(sockets.sockets.length, 2);
    assert.equal(session.state, 'connecting');
  });

  it('dispose tears everything down and leaves no timers', () => {
    const { clock, sockets, session } = setup({ heartbeat: { mode: 'ping', intervalMs: 1_000, timeoutMs: 500 } });
    session.start();
    sockets.last.open();
    session.dispose();
    assert.equal(sockets.last.terminated, true);
    assert.equal(sockets.last.listenerCount, 0);
    assert.equal(clock.pendingTimers, 0);
  });
});

describe('Session: live settings', () => {
  it('applies a heartbeat change to the open connection', () => {
    const { clock, sockets, session } = setup({ heartbeat: { mode: 'off' } });
    session.start();
    sockets.last.open();
    session.updateEndpoint(
      makeEndpoint('ws://example.test/socket', {
        heartbeat: { mode: 'ping', intervalMs: 1_000 },
        reconnect: { jitter: 0 },
      }),
    );
    clock.advance(1_000);
    assert.deepEqual(sockets.last.pings, ['wsi-1']);
  });

  it('reconnects when the URL changes', () => {
    const { sockets, session } = setup();
    session.start();
    sockets.last.open();
    session.updateEndpoint(makeEndpoint('ws://other.test/', { heartbeat: { mode: 'off' }, reconnect: { jitter: 0 } }));
    sockets.last.end(1000);
    assert.equal(sockets.last.options.url, 'ws://other.test/');
  });
});

describe('Session: record limits', () => {
  it('drops the oldest events when full and records that it did', () => {
    const { sockets, session, ofType } = setup({ options: { maxEvents: 10 } });
    session.start();
    sockets.last.open();
    for (let i = 0; i < 30; i++) sockets.last.receiveText(`m${i}`);
    assert.equal(session.record.size, 10);
    assert.ok(session.record.droppedCount > 0);
    const overflow = ofType('overflow');
    assert.ok(overflow.length >= 1);
    assert.equal(overflow[0]!.capacity, 10);
    const retained = session.record.toArray();
    for (let i = 1; i < retained.length; i++) assert.equal(retained[i]!.seq, retained[i - 1]!.seq + 1);
    // Counters are exact even though the record is not.
    assert.equal(session.getStats().messagesIn, 30);
  });
});

describe('Session: observer', () => {
  it('records diagnoses only when an observer explains the drops', () => {
    const run = (withObserver: boolean) => {
      const clock = new FakeClock();
      const sockets = new FakeSocketFactory();
      const endpoint = makeEndpoint('ws://example.test/', { heartbeat: { mode: 'off' }, reconnect: { jitter: 0 } });
      const session = new Session(endpoint, DEFAULT_SESSION_OPTIONS, {
        clock,
        createSocket: sockets.create,
        ...(withObserver ? { observer: sessionDiagnosis(endpoint) } : {}),
      });
      const types: string[] = [];
      session.onEvent((event) => types.push(event.type));
      session.start();
      for (let i = 0; i < 3; i++) {
        sockets.last.open();
        clock.advance(2_000);
        sockets.last.end(1006);
        clock.advance(1_000);
      }
      session.dispose();
      return types;
    };
    const plain = run(false);
    const diagnosed = run(true);
    assert.equal(plain.filter((t) => t === 'close').length, 3);
    assert.ok(!plain.includes('diagnosis'));
    assert.ok(diagnosed.includes('diagnosis'));
    assert.deepEqual(
      diagnosed.filter((t) => t !== 'diagnosis'),
      plain,
      'the observer changes nothing else',
    );
  });
});

describe('Session: set-up messages (onOpen)', () => {
  const INIT = '{"type":"connection_init"}';
  const SUBSCRIBE = '{"id":"1","type":"subscribe"}';
  const outTexts = (events: SessionEvent[]) =>
    events.flatMap((e) => (e.type === 'message' && e.direction === 'out' ? [e.data] : []));

  it('sends them in order right after every open, reconnects included, as ordinary sent messages', () => {
    const { clock, sockets, session, events } = setup({
      onOpen: [INIT, SUBSCRIBE],
      reconnect: { initialDelayMs: 1_000, multiplier: 1 },
    });
    session.start();
    sockets.last.open();
    const first = sockets.last;
    assert.deepEqual(first.sent, [INIT, SUBSCRIBE]);
    assert.deepEqual(
      events.map((e) => e.type),
      ['connecting', 'open', 'message', 'message'],
    );
    const [, , init] = events;
    assert.ok(init?.type === 'message');
    assert.equal(init.direction, 'out');
    assert.equal(init.opcode, 'text');
    assert.equal(init.size, INIT.length);
    assert.equal(init.heartbeat, undefined, 'not heartbeat traffic');

    // Each reconnect opens a new connection, which gets its own set-up.
    for (const code of [4408, 1006]) {
      const previous = sockets.last;
      previous.end(code);
      clock.advance(1_000);
      assert.notEqual(sockets.last, previous);
      const from = events.length;
      sockets.last.open();
      assert.deepEqual(sockets.last.sent, [INIT, SUBSCRIBE]);
      assert.deepEqual(
        events.slice(from).map((e) => e.type),
        ['open', 'message', 'message'],
      );
    }
    assert.equal(sockets.sockets.length, 3);
    assert.equal(session.getStats().messagesOut, 6);
  });

  it('goes before anything the user sends, even from a listener of open', () => {
    const { sockets, session, events } = setup({ onOpen: [INIT] });
    const results: unknown[] = [];
    session.onLifecycleEvent((event) => {
      if (event.type === 'open') results.push(session.send('from a listener'));
    });
    session.start();
    sockets.last.open();
    session.send('later');
    assert.deepEqual(results, [{ ok: true }]);
    assert.deepEqual(sockets.last.sent, [INIT, 'from a listener', 'later']);
    assert.deepEqual(outTexts(events), [INIT, 'from a listener', 'later']);
    assert.equal(events[1]!.type, 'open', 'the open event comes first');
  });

  it('are not sent when the user stopped during the handshake', async () => {
    const { sockets, session } = setup({ onOpen: [INIT] });
    session.start();
    const stopped = session.stop();
    sockets.last.open();
    assert.deepEqual(sockets.last.sent, []);
    assert.deepEqual(sockets.last.closeRequested, { code: 1000, reason: 'user disconnect' });
    sockets.last.end(1000);
    await stopped;
  });

  it('records a set-up message that cannot be sent as an error and sends none after it', () => {
    const { sockets, session, events } = setup({ onOpen: [INIT, SUBSCRIBE] });
    session.start();
    const socket = sockets.last;
    socket.send = () => {
      throw new Error('socket is not open');
    };
    socket.open();
    assert.deepEqual(
      events.map((e) => e.type),
      ['connecting', 'open', 'error'],
    );
    const error = events[2]!;
    assert.equal(error.type === 'error' && error.message, 'set-up message not sent: socket is not open');
  });

  it('starts the heartbeat after the set-up, and a new onOpen applies from the next open without reconnecting', () => {
    const { clock, sockets, session, events } = setup({
      onOpen: [INIT],
      heartbeat: { mode: 'text', intervalMs: 1_000, timeoutMs: 500, payload: 'ping' },
      reconnect: { initialDelayMs: 1_000 },
    });
    session.start();
    sockets.last.open();
    clock.advance(1_000);
    assert.deepEqual(sockets.last.sent, [INIT, 'ping']);
    session.updateEndpoint({ ...session.endpoint, onOpen: ['{"type":"connection_init","payload":{}}'] });
    assert.equal(sockets.sockets.length, 1, 'no reconnect for a new set-up');
    sockets.last.end(1006);
    clock.advance(1_000);
    sockets.last.open();
    assert.deepEqual(sockets.last.sent, ['{"type":"connection_init","payload":{}}']);
    assert.ok(outTexts(events).length >= 3);
  });

  it('refuses an onOpen that is not a list of texts', () => {
    const endpoint = { ...makeEndpoint('ws://example.test/'), onOpen: [{ type: 'connection_init' }] };
    assert.throws(
      () =>
        new Session(endpoint as never, DEFAULT_SESSION_OPTIONS, {
          clock: new FakeClock(),
          createSocket: new FakeSocketFactory().create,
        }),
      (error: unknown) => error instanceof EndpointError && /onOpen\[0\] must be a text/.test(error.message),
    );
  });
});
