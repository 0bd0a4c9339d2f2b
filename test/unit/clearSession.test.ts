// Clear Session, the path the palette, the tree and the timeline's Clear button share: one
// confirmation naming the connection and the event count, then the record and every counter
// the views read (the tree's and status bar's snapshot, the timeline header) start over.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sessionDiagnosis } from '../../src/core/diagnosis/dropAnalyzer.js';
import { makeEndpoint } from '../../src/core/model/endpoint.js';
import { DEFAULT_SESSION_OPTIONS, Session } from '../../src/core/engine/session.js';
import { SessionStats } from '../../src/core/model/stats.js';
import { Connection } from '../../src/extension/model/connection.js';
import { CLEAR_BUTTON, clearConfirmation, confirmAndClear } from '../../src/extension/model/clearSession.js';
import { TimelineFeed } from '../../src/extension/model/timelineFeed.js';
import { TIMELINE_PROTOCOL_VERSION, type HostMessage } from '../../src/shared/timelineProtocol.js';
import { FakeClock } from './fakes/fakeClock.js';
import { FakeSocketFactory } from './fakes/fakeSocket.js';

function setup() {
  const clock = new FakeClock(Date.UTC(2026, 11, 5, 9, 0, 0));
  const sockets = new FakeSocketFactory();
  const endpoint = makeEndpoint('ws://api.test/socket', {
    name: 'API',
    heartbeat: { mode: 'off' },
    reconnect: { enabled: true, initialDelayMs: 100, maxDelayMs: 100 },
  });
  const session = new Session(
    endpoint,
    { ...DEFAULT_SESSION_OPTIONS, idleGapMs: 60_000 },
    { clock, createSocket: sockets.create, random: () => 0.5, observer: sessionDiagnosis(endpoint) },
  );
  const connection = Connection.live('settings', session, endpoint, 'user');
  const posted: HostMessage[] = [];
  const feed = new TimelineFeed(connection, { clock, post: (message) => posted.push(message) });
  feed.receive({ type: 'ready', version: TIMELINE_PROTOCOL_VERSION, lastSeenSeq: null, query: null });
  // Open, three messages, a drop, the reconnect open again with one more message.
  session.start();
  sockets.last.open();
  for (const text of ['a', 'b', 'c']) sockets.last.receiveText(text);
  clock.advance(1000);
  sockets.last.end(1006);
  clock.advance(100);
  sockets.last.open();
  sockets.last.receiveText('d');
  clock.advance(33);
  return { clock, sockets, session, connection, posted };
}

describe('Clear Session', () => {
  it('asks once, naming the connection and the number of events', async () => {
    const { clock, connection } = setup();
    const count = connection.eventCount;
    assert.ok(count > 5);
    const questions: Array<[string, string]> = [];
    const cleared = await confirmAndClear(connection, clock.now(), (message, button) => {
      questions.push([message, button]);
      return Promise.resolve(false);
    });
    assert.equal(cleared, false);
    assert.deepEqual(questions, [[clearConfirmation(connection, clock.now()), CLEAR_BUTTON]]);
    assert.match(questions[0]![0], new RegExp(`^Clear the ${count} recorded events of "API"\\?`));
    assert.equal(connection.eventCount, count, 'declined: nothing is cleared');
    assert.equal(connection.stats(clock.now()).messagesIn, 4);
  });

  it('once confirmed, resets the record and the counters the tree and the header read, and the timeline starts over', async () => {
    const { clock, sockets, connection, posted } = setup();
    const before = connection.snapshot(clock.now()).stats;
    assert.deepEqual([before.messagesIn, before.drops, before.connections, before.reconnects], [4, 1, 2, 1]);
    posted.length = 0;
    assert.equal(await confirmAndClear(connection, clock.now(), () => Promise.resolve(true)), true);

    // What the tree and the status bar read.
    const snapshot = connection.snapshot(clock.now());
    assert.equal(snapshot.eventCount, 0);
    assert.deepEqual(
      [snapshot.stats.messagesIn, snapshot.stats.bytesIn, snapshot.stats.drops, snapshot.stats.reconnects],
      [0, 0, 0, 0],
    );
    assert.equal(snapshot.stats.lastClose, null);
    assert.equal(snapshot.stats.connections, 1, 'the connection still open is counted');
    assert.equal(snapshot.state, 'open');

    // What the timeline header gets: the feed notices the clear and posts the reset.
    clock.advance(33);
    assert.deepEqual(
      posted.map((m) => m.type),
      ['reset', 'init'],
    );
    const init = posted[1] as Extract<HostMessage, { type: 'init' }>;
    assert.equal(init.total, 0);
    assert.equal(init.status.eventCount, 0);
    assert.equal(init.status.stats.messagesIn, 0);
    assert.equal(init.status.stats.drops, 0);

    // Counting goes on from the clear.
    sockets.last.receiveText('e');
    sockets.last.end(1006);
    const after = connection.snapshot(clock.now()).stats;
    assert.deepEqual([after.messagesIn, after.drops], [1, 1]);
  });

  it('leaves an imported session alone and asks nothing', async () => {
    const connection = Connection.imported({
      name: 'Recorded',
      endpoint: makeEndpoint('ws://recorded.test/'),
      events: [{ seq: 1, t: 1, type: 'connecting', attempt: 0, url: 'ws://recorded.test/', protocols: [] }],
      fileName: 'recorded.json',
      format: 'session-log',
      producer: '',
      redacted: true,
      droppedEvents: 0,
    });
    let asked = false;
    const cleared = await confirmAndClear(connection, 0, () => {
      asked = true;
      return Promise.resolve(true);
    });
    assert.deepEqual([cleared, asked, connection.eventCount], [false, false, 1]);
  });
});

describe('SessionStats.reset', () => {
  it('zeroes every counter, keeps the open connection running, and the next attempt is still a reconnect', () => {
    const stats = new SessionStats();
    stats.observe({ seq: 1, t: 0, type: 'connecting', attempt: 0, url: 'ws://x/', protocols: [] });
    stats.observe({
      seq: 2,
      t: 10,
      type: 'open',
      handshakeMs: 10,
      protocol: '',
      extensions: '',
      requestHeaders: {},
      responseHeaders: {},
    });
    stats.observeMessage('out', 5, 12);
    stats.observeInbound(3, 30);
    stats.reset();
    const snapshot = stats.snapshot(1010);
    assert.deepEqual(
      [snapshot.messagesIn, snapshot.messagesOut, snapshot.bytesIn, snapshot.bytesOut, snapshot.rtt],
      [0, 0, 0, 0, null],
    );
    assert.equal(snapshot.uptimeMs, 1000, 'the connection in progress keeps its uptime');
    assert.equal(snapshot.connections, 1);
    stats.observe({
      seq: 3,
      t: 1010,
      type: 'close',
      code: 1006,
      reason: '',
      wasClean: false,
      initiator: 'none',
      idleMs: 0,
      ageMs: 1000,
    });
    stats.observe({ seq: 4, t: 1020, type: 'connecting', attempt: 1, url: 'ws://x/', protocols: [] });
    const later = stats.snapshot(1020);
    assert.deepEqual([later.drops, later.reconnects, later.uptimeMs], [1, 1, 0]);
  });
});
