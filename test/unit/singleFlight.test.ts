import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sessionDiagnosis } from '../../src/core/diagnosis/dropAnalyzer.js';
import { makeEndpoint } from '../../src/core/model/endpoint.js';
import { DEFAULT_SESSION_OPTIONS, Session } from '../../src/core/engine/session.js';
import { FakeClock } from './fakes/fakeClock.js';
import { FakeSocketFactory, type FakeSocket } from './fakes/fakeSocket.js';

// The classic `lockReconnect` bug: onerror and onclose both schedule a reconnect, and two
// sockets end up alive. These tests hammer every way two triggers can coincide.

const CYCLES = 1_000;

function setup() {
  const clock = new FakeClock();
  const sockets = new FakeSocketFactory();
  const endpoint = makeEndpoint('ws://example.test/', {
    heartbeat: { mode: 'ping', intervalMs: 1_000, timeoutMs: 500 },
    reconnect: { initialDelayMs: 100, maxDelayMs: 400, jitter: 0.3 },
  });
  const session = new Session(endpoint, DEFAULT_SESSION_OPTIONS, {
    clock,
    createSocket: sockets.create,
    observer: sessionDiagnosis(endpoint),
  });
  let scheduled = 0;
  session.onEvent((e) => {
    if (e.type === 'reconnect-scheduled') scheduled++;
  });
  return { clock, sockets, session, scheduledCount: () => scheduled };
}

/** No socket the session let go of may keep listeners or stay un-disposed. */
function assertReleased(previous: FakeSocket[]): void {
  for (const socket of previous) {
    assert.equal(socket.listenerCount, 0, 'a released socket still has listeners');
    assert.equal(socket.disposed, true, 'a released socket was not disposed');
  }
}

describe('single-flight reconnect', () => {
  it(`survives ${CYCLES} cycles of error and close fired back to back, with one socket at most`, () => {
    const { clock, sockets, session, scheduledCount } = setup();
    session.start();
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const socket = sockets.last;
      if (cycle % 3 === 0) {
        // Fails during the handshake: failure, error and close together.
        socket.failHandshake();
        socket.error('connect ECONNREFUSED', 'ECONNREFUSED');
        socket.end(1006);
      } else {
        socket.open();
        clock.advance(cycle % 2 ? 10 : 1_600); // sometimes long enough for a heartbeat timeout
        socket.error('read ECONNRESET', 'ECONNRESET');
        socket.end(1006);
      }
      // A buggy adapter or a late duplicate: the same close fired again, and a stray error.
      socket._onClose.fire({ code: 1006, reason: 'duplicate' });
      socket._onError.fire({ message: 'late error', code: null });
      if (cycle % 5 === 0) session.reconnectNow(); // a user click while a reconnect is pending
      assert.ok(sockets.live <= 1, `cycle ${cycle}: ${sockets.live} live sockets`);
      assert.ok(clock.pendingTimers <= 2, `cycle ${cycle}: ${clock.pendingTimers} timers pending`);
      clock.advance(1_000);
      assert.ok(sockets.live <= 1, `cycle ${cycle}: ${sockets.live} live sockets after the backoff`);
    }
    assert.equal(sockets.maxLive, 1);
    // Exactly one new socket per cycle: no double reconnects, no lost reconnects.
    assert.equal(sockets.sockets.length, CYCLES + 1);
    assert.ok(scheduledCount() <= CYCLES);
    assertReleased(sockets.sockets.slice(0, -1));
    session.dispose();
    assertReleased(sockets.sockets);
    assert.equal(clock.pendingTimers, 0, 'timers leaked after dispose');
  });

  it('ignores events from a socket that is no longer current', () => {
    const { sockets, session } = setup();
    session.start();
    const old = sockets.last;
    old.open();
    old.end(1006);
    session.reconnectNow();
    const current = sockets.last;
    assert.notEqual(old, current);
    const before = session.record.lastSeq;
    old._onOpen.fire({ protocol: '', extensions: '', requestHeaders: {}, responseHeaders: {} });
    old.receiveMessage(Buffer.from('ghost'), false);
    assert.equal(session.record.lastSeq, before);
    assert.equal(session.state, 'connecting');
  });

  it('never schedules a second reconnect when close arrives while one is pending', () => {
    const { clock, sockets, session, scheduledCount } = setup();
    session.start();
    sockets.last.open();
    sockets.last.end(1006);
    assert.equal(scheduledCount(), 1);
    sockets.last._onClose.fire({ code: 1006, reason: 'again' });
    session.start(); // start while waiting connects once, now
    session.start();
    assert.equal(sockets.sockets.length, 2);
    clock.advance(10_000);
    assert.equal(sockets.sockets.length, 2);
  });
});
