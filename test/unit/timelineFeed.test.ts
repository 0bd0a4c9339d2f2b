// The timeline feed against a live Session over fake sockets and a fake clock, and over
// imported sessions: the ready handshake, live batching, paging, queries and search, the
// lane, redaction of everything posted, the composer, read-only imports and disposal.
// Every posted message is checked with the webview's own validator.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sessionDiagnosis } from '../../src/core/diagnosis/dropAnalyzer.js';
import { makeEndpoint } from '../../src/core/model/endpoint.js';
import { DEFAULT_SESSION_OPTIONS, Session, type SessionOptions } from '../../src/core/engine/session.js';
import type { SessionEvent } from '../../src/core/model/sessionEvents.js';
import { Connection } from '../../src/extension/model/connection.js';
import {
  APPENDED_ROWS,
  DEFAULT_FLUSH_INTERVAL_MS,
  STATUS_INTERVAL_MS,
  TimelineFeed,
  type TimelineFeedOptions,
} from '../../src/extension/model/timelineFeed.js';
import {
  DEFAULT_QUERY,
  MAX_LANE_MARKS,
  MAX_ROWS_PER_MESSAGE,
  parseHostMessage,
  TIMELINE_PROTOCOL_VERSION,
  type HostMessage,
  type HostMessageOf,
  type TimelineCommand,
  type TimelineQuery,
} from '../../src/shared/timelineProtocol.js';
import { FakeClock } from './fakes/fakeClock.js';
import { FakeSocketFactory } from './fakes/fakeSocket.js';

const AUTH = 'Bearer sekrit-auth-value';
const SECRET = 'key-s3cret-value';
const URL_TOKEN = 'tok-in-url-123';
const LEAKS = ['sekrit-auth-value', SECRET, URL_TOKEN, 'cookie-value-42'];

const ready = (query: TimelineQuery | null = null, lastSeenSeq: number | null = null) => ({
  type: 'ready',
  version: TIMELINE_PROTOCOL_VERSION,
  lastSeenSeq,
  query,
});
const query = (overrides: Partial<TimelineQuery>): TimelineQuery => ({
  ...structuredClone(DEFAULT_QUERY),
  ...overrides,
});

interface Harness {
  clock: FakeClock;
  sockets: FakeSocketFactory;
  session: Session;
  connection: Connection;
  feed: TimelineFeed;
  posted: HostMessage[];
  logs: string[];
  commands: TimelineCommand[];
  copied: string[];
  /** Messages of one type posted since the last take(). */
  take<T extends HostMessage['type']>(type: T): Array<HostMessageOf<T>>;
  /** Every message posted since the last take(), then forgets them. */
  drain(): HostMessage[];
  receive(message: unknown): void;
}

function live(
  options: {
    sessionOptions?: Partial<SessionOptions>;
    feedOptions?: Partial<TimelineFeedOptions>;
    open?: boolean;
  } = {},
): Harness {
  const clock = new FakeClock(Date.UTC(2026, 10, 26, 9, 0, 0));
  const sockets = new FakeSocketFactory();
  const endpoint = makeEndpoint(`ws://api.test/socket?token=${URL_TOKEN}`, {
    name: 'API',
    headers: { Authorization: AUTH, 'X-Api-Key': SECRET },
    heartbeat: { mode: 'off' },
    reconnect: { enabled: false },
  });
  const session = new Session(
    endpoint,
    { ...DEFAULT_SESSION_OPTIONS, idleGapMs: 1000, ...options.sessionOptions },
    { clock, createSocket: sockets.create, random: () => 0.5, observer: sessionDiagnosis(endpoint) },
  );
  const connection = Connection.live('settings', session, endpoint, 'user');
  connection.secretValues = [SECRET];
  if (options.open !== false) {
    session.start();
    sockets.last.open({
      requestHeaders: { Authorization: AUTH, 'X-Api-Key': SECRET, Cookie: 'session=cookie-value-42' },
      responseHeaders: { 'Set-Cookie': 'id=cookie-value-42' },
    });
  }
  return harness(clock, connection, options.feedOptions, sockets, session);
}

function imported(events: SessionEvent[], feedOptions: Partial<TimelineFeedOptions> = {}): Harness {
  const clock = new FakeClock(Date.UTC(2026, 10, 26, 10, 0, 0));
  const connection = Connection.imported({
    name: 'Recorded',
    endpoint: makeEndpoint('ws://recorded.test/'),
    events,
    fileName: 'recorded.json',
    format: 'session-log',
    producer: 'WebSocket Inspector session log',
    redacted: true,
    droppedEvents: 0,
  });
  return harness(clock, connection, feedOptions, new FakeSocketFactory(), null);
}

function harness(
  clock: FakeClock,
  connection: Connection,
  feedOptions: Partial<TimelineFeedOptions> = {},
  sockets: FakeSocketFactory,
  session: Session | null,
): Harness {
  const posted: HostMessage[] = [];
  const logs: string[] = [];
  const commands: TimelineCommand[] = [];
  const copied: string[] = [];
  let taken = 0;
  const feed = new TimelineFeed(connection, {
    clock,
    // What the webview would get: a structured copy, validated as the webview validates it.
    post: (message) => posted.push(parseHostMessage(JSON.parse(JSON.stringify(message)))),
    log: (line) => logs.push(line),
    runCommand: (command) => commands.push(command),
    copy: (text) => copied.push(text),
    ...feedOptions,
  });
  return {
    clock,
    sockets,
    session: session!,
    connection,
    feed,
    posted,
    logs,
    commands,
    copied,
    take<T extends HostMessage['type']>(type: T) {
      const fresh = posted.slice(taken);
      taken = posted.length;
      return fresh.filter((m): m is HostMessageOf<T> => m.type === type);
    },
    drain() {
      const fresh = posted.slice(taken);
      taken = posted.length;
      return fresh;
    },
    receive: (message) => feed.receive(message),
  };
}

const texts = (h: Harness, count: number, prefix = 'm') => {
  for (let i = 0; i < count; i++) h.sockets.last.receiveText(`${prefix}${i}`);
};

/** The newest seq in the record. */
const lastSeq = (h: Harness) => h.session.record.lastSeq;

describe('TimelineFeed: ready handshake', () => {
  it('posts nothing before ready, then an init with status, default query, total and the newest rows', () => {
    const h = live();
    texts(h, 10);
    h.clock.advance(5000);
    assert.equal(h.posted.length, 0, 'nothing before ready');
    h.receive(ready());
    const [init, ...rest] = h.drain();
    assert.equal(init?.type, 'init');
    if (init?.type !== 'init') return;
    assert.equal(rest.length, 0, 'init only (no focus)');
    assert.equal(init.version, TIMELINE_PROTOCOL_VERSION);
    assert.equal(init.connectionId, h.connection.id);
    assert.equal(init.title, 'API');
    assert.equal(init.origin, 'settings');
    assert.equal(init.readOnly, false);
    assert.deepEqual(init.query, DEFAULT_QUERY);
    assert.equal(init.total, 12, 'connecting, open and 10 messages');
    assert.deepEqual(
      init.tail.map((r) => r.seq),
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
    assert.equal(init.status.state, 'open');
    assert.equal(init.status.stateText, 'open');
    assert.equal(init.status.eventCount, 12);
    assert.equal(init.status.stats.messagesIn, 10);
    assert.equal(init.status.firstT, Date.UTC(2026, 10, 26, 9, 0, 0));
    assert.equal(init.focusSeq, null);
    const message = init.tail[11]!;
    assert.deepEqual(message, { seq: 12, t: message.t, type: 'message', direction: 'in', size: 2, preview: 'm9' });
  });

  it('sends at most MAX_ROWS_PER_MESSAGE rows in the init tail, the newest ones', () => {
    const h = live();
    texts(h, 700);
    h.receive(ready());
    const [init] = h.take('init');
    assert.equal(init!.total, 702);
    assert.equal(init!.tail.length, MAX_ROWS_PER_MESSAGE);
    assert.equal(init!.tail[0]!.seq, 702 - MAX_ROWS_PER_MESSAGE + 1);
    assert.equal(init!.tail.at(-1)!.seq, 702);
  });

  it('uses the query the webview persisted, and resyncs with a fresh init on every ready', () => {
    const h = live();
    texts(h, 5);
    const messagesOnly = query({ kinds: { messages: true, control: false, lifecycle: false } });
    h.receive(ready(messagesOnly));
    const [first] = h.take('init');
    assert.deepEqual(first!.query, messagesOnly);
    assert.equal(first!.total, 5);
    // Hidden: the webview is torn down; nothing is posted and no timer runs for it.
    h.feed.setVisible(false);
    const timersWhileHidden = h.clock.pendingTimers;
    texts(h, 3, 'late');
    h.clock.advance(10_000);
    assert.equal(h.drain().length, 0, 'nothing posted while hidden');
    assert.equal(timersWhileHidden, 0);
    h.feed.setVisible(true);
    h.clock.advance(1000);
    assert.equal(h.drain().length, 0, 'shown again: waits for the reloaded webview');
    h.receive(ready(messagesOnly, 5));
    const [second] = h.take('init');
    assert.equal(second!.total, 8);
    assert.deepEqual(
      second!.tail.map((r) => r.preview),
      ['m0', 'm1', 'm2', 'm3', 'm4', 'late0', 'late1', 'late2'],
    );
    assert.equal(second!.queryId, first!.queryId, 'same query, same id');
  });

  it("answers a reloaded webview's ready that comes before the view-state event saying it is shown", () => {
    const h = live();
    texts(h, 4);
    h.receive(ready());
    h.drain();
    h.feed.setVisible(false);
    texts(h, 2, 'late');
    // The new webview says ready before the view-state event: only a shown webview can.
    h.receive(ready(null, 4));
    const [init] = h.take('init');
    h.feed.setVisible(true);
    assert.equal(h.take('init').length, 0, 'the view-state event that follows asks for no second init');
    assert.equal(init!.total, 8, 'the two events of the live() fixture, 4 texts and 2 late ones');
    texts(h, 1, 'after');
    h.clock.advance(1000);
    assert.ok(h.take('appended').length > 0, 'live rows flow again');
  });

  it('ignores requests that come before ready', () => {
    const h = live();
    h.receive({ type: 'get-rows', requestId: 1, queryId: 1, start: 0, count: 10 });
    assert.equal(h.posted.length, 0);
    assert.match(h.logs.join('\n'), /before its "ready"/);
  });
});

describe('TimelineFeed: live batching', () => {
  it('batches a burst into one appended post with the newest rows, after the flush interval', () => {
    const h = live();
    h.receive(ready());
    h.drain();
    texts(h, 1000);
    assert.equal(h.take('appended').length, 0, 'not per message');
    h.clock.advance(33);
    const appended = h.take('appended');
    assert.equal(appended.length, 1);
    assert.equal(appended[0]!.total, 1002);
    assert.equal(appended[0]!.removedFromStart, 0);
    assert.equal(appended[0]!.rows.length, APPENDED_ROWS);
    assert.equal(appended[0]!.rows.at(-1)!.seq, 1002);
    assert.equal(appended[0]!.rows[0]!.seq, 1002 - APPENDED_ROWS + 1);
  });

  it('posts at most ~30 appended a second through a steady flood, and nothing when idle', () => {
    const h = live();
    h.receive(ready());
    h.drain();
    for (let ms = 0; ms < 10_000; ms++) {
      h.sockets.last.receiveText(`f${ms}`);
      h.sockets.last.receiveText(`g${ms}`);
      h.clock.advance(1);
    }
    h.clock.advance(33);
    const appended = h.take('appended');
    assert.ok(appended.length <= 10 * 31, `${appended.length} posts in 10 s`);
    assert.ok(appended.length >= 10 * 25, `${appended.length} posts in 10 s: batches should flow`);
    assert.equal(appended.at(-1)!.total, 20_002);
    assert.ok(appended.every((m) => m.rows.length <= APPENDED_ROWS));
    // Every event was announced exactly once: the totals grow by the rows each batch covers.
    h.clock.advance(5000);
    assert.equal(h.take('appended').length, 0, 'idle: no appended');
  });

  it('says how many rows left the front when the ring buffer evicts', () => {
    const h = live({ sessionOptions: { maxEvents: 100 } });
    texts(h, 50);
    h.receive(ready());
    const [init] = h.take('init');
    assert.equal(init!.total, 52);
    texts(h, 80);
    h.clock.advance(33);
    const [appended] = h.take('appended');
    // The record holds 100 events (the overflow notice included); 32 of the webview's rows are gone.
    assert.equal(appended!.total, 100);
    assert.equal(appended!.removedFromStart, 52 - (100 - 81));
    assert.equal(appended!.rows.at(-1)!.seq, lastSeq(h));
    const rows = pageAll(h, appended!.queryId, appended!.total);
    assert.equal(rows.length, 100);
    assert.equal(rows[0]!.seq, h.session.record.firstSeq);
  });

  it('shifts a filtered result by the matching rows that were evicted, only', () => {
    const h = live({ sessionOptions: { maxEvents: 100 } });
    h.receive(ready(query({ kinds: { messages: false, control: false, lifecycle: true } })));
    const [init] = h.take('init');
    assert.equal(init!.total, 2, 'connecting, open');
    texts(h, 150);
    h.clock.advance(33);
    const [appended] = h.take('appended');
    assert.equal(appended!.removedFromStart, 2, 'connecting and open were evicted');
    assert.deepEqual(
      appended!.rows.map((r) => r.type),
      ['overflow'],
    );
    assert.equal(appended!.total, 1);
  });
});

/** Pages through a query's whole result with get-rows. */
function pageAll(h: Harness, queryId: number, total: number) {
  const rows: Array<HostMessageOf<'rows'>['rows'][number]> = [];
  for (let start = 0, requestId = 100; start < total; start += MAX_ROWS_PER_MESSAGE, requestId++) {
    h.receive({ type: 'get-rows', requestId, queryId, start, count: MAX_ROWS_PER_MESSAGE });
    const [answer] = h.take('rows');
    assert.equal(answer!.requestId, requestId);
    rows.push(...answer!.rows);
  }
  return rows;
}

describe('TimelineFeed: paging', () => {
  it('answers get-rows by position, clamped to the result', () => {
    const h = live();
    texts(h, 30);
    h.receive(ready());
    const [init] = h.take('init');
    h.receive({ type: 'get-rows', requestId: 1, queryId: init!.queryId, start: 5, count: 3 });
    const [page] = h.take('rows');
    assert.deepEqual([page!.requestId, page!.queryId, page!.start], [1, init!.queryId, 5]);
    assert.deepEqual(
      page!.rows.map((r) => r.seq),
      [6, 7, 8],
    );
    h.receive({ type: 'get-rows', requestId: 2, queryId: init!.queryId, start: 30, count: 10 });
    assert.deepEqual(
      h.take('rows')[0]!.rows.map((r) => r.seq),
      [31, 32],
      'clamped at the end',
    );
    h.receive({ type: 'get-rows', requestId: 3, queryId: init!.queryId, start: 1000, count: 10 });
    const beyond = h.take('rows')[0]!;
    assert.deepEqual([beyond.start, beyond.rows.length], [32, 0]);
    h.receive({ type: 'get-rows', requestId: 4, queryId: init!.queryId + 7, start: 0, count: 10 });
    assert.deepEqual(h.take('rows')[0]!.rows, [], 'an old query gets no rows');
  });

  it('does not show rows the webview has not been told about yet', () => {
    const h = live();
    h.receive(ready());
    const [init] = h.take('init');
    texts(h, 5);
    h.receive({ type: 'get-rows', requestId: 1, queryId: init!.queryId, start: 0, count: 100 });
    assert.equal(h.take('rows')[0]!.rows.length, 2, 'the 5 new ones come with the next appended');
  });
});

describe('TimelineFeed: queries and search', () => {
  function mixed() {
    const h = live();
    const socket = h.sockets.last;
    socket.receiveText('{"type":"hello","user":"Ada"}');
    h.session.send('subscribe ticker');
    socket.receivePing('are you there');
    socket.receiveText('price 42');
    socket.receiveBinary(new Uint8Array([0xde, 0xad, 0xbe, 0xef]));
    h.clock.advance(2000);
    socket.receiveText('after the silence'); // idle gap first
    return h;
  }

  const run = (h: Harness, q: TimelineQuery, queryId = 5) => {
    h.receive({ type: 'set-query', queryId, query: q });
    const results = h.take('query-result');
    const last = results.at(-1)!;
    assert.equal(last.queryId, queryId);
    return { result: last, rows: last.done && !last.error ? pageAll(h, queryId, last.total) : [] };
  };

  it('filters by kind, direction and heartbeat without a search', () => {
    const h = mixed();
    h.receive(ready());
    h.drain();
    const types = (q: TimelineQuery) => run(h, q).rows.map((r) => `${r.type}${r.direction ? `:${r.direction}` : ''}`);
    assert.deepEqual(types(DEFAULT_QUERY), [
      'connecting',
      'open',
      'message:in',
      'message:out',
      'ping:in',
      'pong:out',
      'message:in',
      'message:in',
      'idle-gap',
      'message:in',
    ]);
    assert.deepEqual(types(query({ kinds: { messages: true, control: false, lifecycle: false } })), [
      'message:in',
      'message:out',
      'message:in',
      'message:in',
      'message:in',
    ]);
    assert.deepEqual(types(query({ kinds: { messages: false, control: true, lifecycle: false } })), [
      'ping:in',
      'pong:out',
    ]);
    assert.deepEqual(
      types(query({ directions: { in: false, out: true } })),
      ['connecting', 'open', 'message:out', 'pong:out', 'idle-gap'],
      'events without a direction stay',
    );
    assert.deepEqual(types(query({ hidePingPong: true, kinds: { messages: true, control: true, lifecycle: false } })), [
      'message:in',
      'message:out',
      'message:in',
      'message:in',
      'message:in',
    ]);
  });

  it('searches payloads as text (case-insensitive by default, or sensitive) and as a regex', () => {
    const h = mixed();
    h.receive(ready());
    h.drain();
    const search = (text: string, regex = false, caseSensitive = false) =>
      run(h, query({ search: { text, regex, caseSensitive } })).rows.map((r) => r.preview);
    assert.deepEqual(search('ADA'), ['{"type":"hello","user":"Ada"}']);
    assert.deepEqual(search('ADA', false, true), []);
    assert.deepEqual(search('^price \\d+$', true), ['price 42']);
    assert.deepEqual(search('are you'), ['are you there', 'are you there'], 'the ping and our pong');
    assert.deepEqual(search('de ad be ef'), ['de ad be ef'], 'binary by its hex');
    assert.deepEqual(search('silence', false), ['after the silence']);
    const all = run(h, query({ search: { text: '', regex: false, caseSensitive: false } }));
    assert.equal(all.result.total, 10, 'an empty search is no search');
  });

  it('answers an invalid regex with an error that names the problem', () => {
    const h = mixed();
    h.receive(ready());
    h.drain();
    const { result } = run(h, query({ search: { text: 'price (', regex: true, caseSensitive: false } }));
    assert.equal(result.total, 0);
    assert.equal(result.done, true);
    assert.match(result.error ?? '', /invalid regular expression: .*(unterminated group|Unterminated group)/i);
    h.receive({ type: 'get-rows', requestId: 1, queryId: 5, start: 0, count: 10 });
    assert.deepEqual(h.take('rows')[0]!.rows, []);
  });

  it('refuses a regex that backtracks exponentially, with the reason, before running it on hostile messages', () => {
    const h = live();
    // (\w+\s?)+$ takes seconds on each of these in a backtracking engine.
    for (let i = 0; i < 200; i++) h.sockets.last.receiveText(`${'ab '.repeat(9)}!${i}`);
    h.receive(ready());
    h.drain();
    for (const text of ['(\\w+\\s?)+$', '(a|aa)+$', '(.*a){12}', '(a|a){16}b']) {
      const { result } = run(h, query({ search: { text, regex: true, caseSensitive: false } }));
      assert.equal(result.done, true, text);
      assert.equal(result.total, 0, text);
      assert.match(result.error ?? '', /^regex refused: it .*exponential time on some messages/, text);
    }
    h.receive({ type: 'get-rows', requestId: 1, queryId: 5, start: 0, count: 10 });
    assert.deepEqual(h.take('rows')[0]!.rows, []);
  });

  it('runs an accepted regex on a bounded prefix of each message, so a huge one cannot hold the host', () => {
    const h = live();
    const socket = h.sockets.last;
    socket.receiveText(`${'a'.repeat(100)}x`);
    socket.receiveText(`${'a'.repeat(50_000)}x`); // the x is beyond what .*.*.*x is run on
    socket.receiveText('a'.repeat(50_000));
    h.receive(ready());
    h.drain();
    const { result, rows } = run(h, query({ search: { text: '^.*.*.*x', regex: true, caseSensitive: false } }));
    assert.equal(result.error, null);
    assert.equal(result.done, true);
    assert.deepEqual(
      rows.map((r) => r.preview.length),
      [101],
      'only the match within the first 128 characters',
    );
    // Plain text search still sees the whole message.
    assert.equal(run(h, query({ search: { text: 'ax', regex: false, caseSensitive: false } })).result.total, 2);
  });

  it('searches a long history in slices on the clock, with progress, and a newer query cancels it', () => {
    const h = live({ feedOptions: { scanSliceEvents: 1000 } });
    for (let i = 0; i < 4500; i++) h.sockets.last.receiveText(i % 3 === 0 ? `needle ${i}` : `hay ${i}`);
    h.receive(ready());
    h.drain();
    h.receive({
      type: 'set-query',
      queryId: 2,
      query: query({ search: { text: 'needle', regex: false, caseSensitive: false } }),
    });
    const first = h.take('query-result');
    assert.deepEqual(
      first.map((m) => [m.queryId, m.done]),
      [[2, false]],
      'one slice, then it yields to the event loop',
    );
    assert.ok(first[0]!.total > 0 && first[0]!.total < 1500);
    // A newer query replaces it before it is done.
    h.receive({
      type: 'set-query',
      queryId: 3,
      query: query({ search: { text: 'hay 44', regex: false, caseSensitive: false } }),
    });
    h.clock.advance(100);
    const later = h.take('query-result');
    assert.ok(
      later.every((m) => m.queryId === 3),
      'nothing more for query 2',
    );
    assert.deepEqual(
      later.map((m) => m.done),
      [false, false, false, false, true],
      'five slices of 1000 events',
    );
    assert.ok(
      later.every((m, i) => i === 0 || m.total >= later[i - 1]!.total),
      'the total only grows',
    );
    let expected = 0;
    for (let i = 0; i < 4500; i++) if (i % 3 !== 0 && `hay ${i}`.includes('hay 44')) expected++;
    assert.equal(later.at(-1)!.total, expected);
  });

  it('keeps a search result up to date as matching events arrive', () => {
    const h = live();
    h.receive(ready(query({ search: { text: 'alert', regex: false, caseSensitive: false } })));
    const [init] = h.take('init');
    assert.equal(init!.total, 0);
    h.sockets.last.receiveText('ALERT: disk full');
    h.sockets.last.receiveText('all fine');
    h.clock.advance(33);
    const [appended] = h.take('appended');
    assert.equal(appended!.total, 1);
    assert.deepEqual(
      appended!.rows.map((r) => r.preview),
      ['ALERT: disk full'],
    );
  });

  it('answers a locate that arrives mid-scan once the scan is done, with the index in the final result', () => {
    const h = live({ feedOptions: { scanSliceEvents: 1000 } });
    for (let i = 0; i < 4500; i++) h.sockets.last.receiveText(i % 3 === 0 ? `needle ${i}` : `hay ${i}`);
    h.receive(ready());
    h.drain();
    h.receive({
      type: 'set-query',
      queryId: 2,
      query: query({ search: { text: 'needle', regex: false, caseSensitive: false } }),
    });
    // Message i has seq i + 3 (after connecting and open). Needle 4200 lies beyond the first
    // slice, so a partial index does not hold it yet; needle 3 is already indexed.
    const lateSeq = 4200 + 3;
    const earlySeq = 3 + 3;
    h.receive({ type: 'locate', requestId: 1, queryId: 2, seq: lateSeq });
    h.receive({ type: 'locate', requestId: 2, queryId: 2, seq: earlySeq });
    const whileScanning = h.drain();
    assert.deepEqual(
      whileScanning.map((m) => m.type),
      ['query-result'],
      'no reveal while the search is running',
    );
    assert.equal((whileScanning[0] as HostMessageOf<'query-result'>).done, false);
    h.clock.advance(100);
    const rest = h.drain();
    const finalAt = rest.findIndex((m) => m.type === 'query-result' && m.done);
    assert.ok(finalAt >= 0, 'the scan finished');
    assert.ok(
      rest.slice(0, finalAt).every((m) => m.type !== 'reveal'),
      'no reveal before the result is complete',
    );
    const reveals = rest.filter((m): m is HostMessageOf<'reveal'> => m.type === 'reveal');
    assert.deepEqual(
      reveals.map((m) => [m.requestId, m.queryId, m.seq, m.index]),
      [
        [1, 2, lateSeq, 4200 / 3],
        [2, 2, earlySeq, 1],
      ],
      'answered once, in order, with the index in the final result',
    );
    assert.ok(rest.indexOf(reveals[0]!) > finalAt);
    h.receive({ type: 'get-rows', requestId: 9, queryId: 2, start: 4200 / 3, count: 1 });
    assert.deepEqual(
      h.take('rows')[0]!.rows.map((r) => r.seq),
      [lateSeq],
      'the index points at the event',
    );
  });

  it('locates an event in the current query, or says it is not there', () => {
    const h = mixed();
    h.receive(ready());
    h.drain();
    run(h, query({ kinds: { messages: true, control: false, lifecycle: false } }), 9);
    h.receive({ type: 'locate', requestId: 1, queryId: 9, seq: 7 });
    h.receive({ type: 'locate', requestId: 2, queryId: 9, seq: 5 });
    h.receive({ type: 'locate', requestId: 3, queryId: 9, seq: 99_999 });
    assert.deepEqual(
      h.take('reveal').map((m) => [m.requestId, m.seq, m.index]),
      [
        [1, 7, 2],
        [2, 5, null],
        [3, 99_999, null],
      ],
    );
  });
});

describe('TimelineFeed: reveal', () => {
  it('a reveal before the webview is ready becomes the init focus plus a reveal with its index', () => {
    const h = live();
    texts(h, 5);
    h.feed.reveal(4);
    assert.equal(h.posted.length, 0);
    h.receive(ready());
    const messages = h.drain();
    assert.deepEqual(
      messages.map((m) => m.type),
      ['init', 'reveal'],
    );
    assert.equal((messages[0] as HostMessageOf<'init'>).focusSeq, 4);
    assert.deepEqual(messages[1], {
      type: 'reveal',
      requestId: null,
      queryId: (messages[0] as HostMessageOf<'init'>).queryId,
      seq: 4,
      index: 3,
    });
    h.receive(ready());
    assert.equal(h.take('init')[0]!.focusSeq, null, 'only once');
  });

  it('a reveal while shown is posted at once', () => {
    const h = live();
    h.receive(ready());
    h.drain();
    h.feed.reveal(2);
    assert.deepEqual(
      h.take('reveal').map((m) => [m.seq, m.index]),
      [[2, 1]],
    );
  });
});

describe('TimelineFeed: lane', () => {
  it('counts messages per bucket and direction, marks every other event, and includes messages when few', () => {
    const h = live();
    const t0 = h.clock.now();
    h.sockets.last.receiveText('a');
    h.clock.advance(100);
    h.session.send('b');
    h.sockets.last.receivePing('p');
    h.clock.advance(1500); // an idle gap of 1.5 s (threshold 1 s)
    h.sockets.last.receiveText('c');
    h.sockets.last.end(1006);
    h.receive(ready());
    h.drain();
    h.receive({ type: 'get-lane', requestId: 7, fromT: t0, toT: t0 + 2000, buckets: 4 });
    const [lane] = h.take('lane');
    assert.equal(lane!.requestId, 7);
    assert.equal(lane!.bucketMs, 500);
    assert.deepEqual(lane!.messagesIn, [1, 0, 0, 1]);
    assert.deepEqual(lane!.messagesOut, [1, 0, 0, 0]);
    assert.equal(lane!.messagesIncluded, true);
    assert.deepEqual(
      lane!.marks.map((m) => m.type),
      ['connecting', 'open', 'message', 'message', 'ping', 'pong', 'idle-gap', 'message', 'close', 'stopped'],
    );
    const gap = lane!.marks.find((m) => m.type === 'idle-gap')!;
    assert.deepEqual([gap.startT, gap.durationMs], [t0 + 100, 1500]);
    const close = lane!.marks.find((m) => m.type === 'close')!;
    assert.deepEqual([close.code, close.warn], [1006, true]);
    assert.deepEqual(lane!.lifetimes, [{ openT: t0, closeT: t0 + 1600, closeCode: 1006 }]);
  });

  it('leaves messages out of the marks when the range holds more than MAX_LANE_MARKS events, and shows an open lifetime', () => {
    const h = live();
    const t0 = h.clock.now();
    for (let i = 0; i < MAX_LANE_MARKS + 10; i++) {
      h.sockets.last.receiveText(`x${i}`);
      if (i % 100 === 0) h.sockets.last.receivePing('p');
    }
    h.receive(ready());
    h.drain();
    h.receive({ type: 'get-lane', requestId: 1, fromT: t0, toT: t0 + 1, buckets: 1 });
    const [lane] = h.take('lane');
    assert.equal(lane!.messagesIncluded, false);
    assert.deepEqual(lane!.messagesIn, [MAX_LANE_MARKS + 10]);
    assert.ok(lane!.marks.every((m) => m.type !== 'message'));
    assert.equal(lane!.marks.filter((m) => m.type === 'ping').length, 31);
    assert.deepEqual(lane!.lifetimes, [{ openT: t0, closeT: null, closeCode: null }]);
  });

  it('shows an idle gap that covers the range though it was recorded after it', () => {
    const h = live();
    const t0 = h.clock.now();
    h.clock.advance(10_000);
    h.sockets.last.receiveText('wake');
    h.receive(ready());
    h.drain();
    h.receive({ type: 'get-lane', requestId: 1, fromT: t0 + 4000, toT: t0 + 5000, buckets: 10 });
    const [lane] = h.take('lane');
    assert.deepEqual(
      lane!.marks.map((m) => m.type),
      ['idle-gap'],
    );
    h.receive({ type: 'get-lane', requestId: 2, fromT: t0 + 5000, toT: t0 + 4000, buckets: 10 });
    assert.deepEqual(h.take('lane')[0]!.marks, [], 'an empty range');
  });
});

describe('TimelineFeed: redaction', () => {
  it('never lets Authorization, cookies, a ${secret:…} value or a URL token reach the webview', () => {
    const h = live();
    h.sockets.last.receiveText(`echo ${SECRET} back`);
    h.session.send(`my key is ${SECRET}`);
    h.sockets.last.error(`write failed for ${SECRET}`);
    h.sockets.last.end(4000, `bye ${SECRET}`);
    h.receive(ready());
    h.receive({ type: 'set-query', queryId: 2, query: DEFAULT_QUERY });
    h.receive({ type: 'get-rows', requestId: 1, queryId: 2, start: 0, count: 50 });
    for (let seq = 1; seq <= lastSeq(h); seq++) h.receive({ type: 'get-detail', requestId: seq, seq });
    h.receive({ type: 'get-lane', requestId: 1, fromT: 0, toT: h.clock.now() + 1, buckets: 10 });
    h.receive({ type: 'locate', requestId: 1, queryId: 2, seq: 3 });
    h.receive({
      type: 'set-query',
      queryId: 3,
      query: query({ search: { text: SECRET, regex: false, caseSensitive: false } }),
    });
    h.clock.advance(2000);
    const all = JSON.stringify(h.posted);
    for (const leak of LEAKS) assert.ok(!all.includes(leak), `${leak} leaked`);
    const types = new Set(h.posted.map((m) => m.type));
    for (const type of ['init', 'query-result', 'rows', 'detail', 'lane', 'reveal']) {
      assert.ok(types.has(type as HostMessage['type']), type);
    }
    // The details still say what was there.
    const open = h.posted.find(
      (m): m is HostMessageOf<'detail'> => m.type === 'detail' && m.event?.type === 'open',
    )!.event!;
    assert.ok(open.type === 'open');
    assert.equal(open.requestHeaders['Authorization'], '[redacted]');
    assert.equal(open.requestHeaders['X-Api-Key'], '[redacted]');
    assert.match(all, /my key is \[redacted\]/);
    const searched = h.posted
      .filter((m): m is HostMessageOf<'query-result'> => m.type === 'query-result' && m.queryId === 3)
      .at(-1)!;
    assert.equal(searched.total, 0, 'searching for the secret finds nothing');
    const init = h.posted.find((m): m is HostMessageOf<'init'> => m.type === 'init')!;
    assert.match(init.status.displayUrl, /token=%5Bredacted%5D|token=\[redacted\]/);
  });

  it('redacts live batches and status updates too', () => {
    const h = live();
    h.receive(ready());
    h.clock.advance(1000);
    h.sockets.last.receiveText(`late ${SECRET}`);
    h.sockets.last.end(1011, `reason ${SECRET}`);
    h.clock.advance(2000);
    const types = new Set(h.posted.map((m) => m.type));
    assert.ok(types.has('appended') && types.has('status'));
    const all = JSON.stringify(h.posted);
    for (const leak of LEAKS) assert.ok(!all.includes(leak), `${leak} leaked`);
  });
});

describe('TimelineFeed: status', () => {
  it("shows the latest attempt's route in the header: proxy and TLS facts, never credentials", () => {
    const h = live({ open: false });
    h.receive(ready());
    assert.equal(h.take('init')[0]!.status.route, undefined, 'nothing before an attempt');
    h.session.start();
    h.sockets.last.open({
      route: {
        proxy: {
          // A route that kept a credential it should not have: the status still hides it.
          url: `http://alice:${SECRET}@127.0.0.1:3128`,
          scheme: 'http',
          source: 'vscode',
          from: 'http.proxy',
          authenticated: true,
          connectHeaders: { 'Proxy-agent': 'tinyproxy/1.11.1' },
        },
        tls: { protocol: 'TLSv1.3', issuer: 'CN=Test CA' },
      },
    });
    h.clock.advance(1100);
    const route = h.take('status').at(-1)!.status.route!;
    assert.match(
      route,
      /^via HTTP proxy http:\/\/\S*127\.0\.0\.1:3128\/? \(http\.proxy\), with credentials, tinyproxy\/1\.11\.1/,
    );
    assert.match(route, /; TLSv1\.3 · issued by CN=Test CA$/);
    assert.doesNotMatch(route, new RegExp(SECRET));
  });

  it('posts status on change, at most about once a second, and not when nothing changes', () => {
    const h = live({ sessionOptions: {} });
    h.receive(ready());
    h.drain();
    for (let i = 0; i < 100; i++) {
      h.sockets.last.receiveText('tick');
      h.clock.advance(50);
    }
    const statuses = h.take('status');
    assert.ok(statuses.length >= 4 && statuses.length <= 6, `${statuses.length} statuses in 5 s`);
    assert.ok(statuses.at(-1)!.status.stats.messagesIn >= 80, 'counts are current');
    h.sockets.last.end(1006);
    h.clock.advance(200);
    const [closed] = h.take('status');
    assert.equal(closed!.status.state, 'stopped', 'a state change shows within a flush or two');
    h.clock.advance(10_000);
    assert.equal(h.take('status').length, 0, 'stopped and idle: nothing new to say');
  });

  it('shows a state change within ~100 ms, while other changes wait a second after the last status', () => {
    const h = live();
    const t0 = h.clock.now();
    h.receive(ready()); // the init carries the status as of t0
    h.drain();
    h.sockets.last.receiveText('count me');
    h.clock.advance(STATUS_INTERVAL_MS + 100);
    const counted = h.take('status');
    assert.equal(counted.length, 1, 'one status for the new count');
    const countedAt = counted[0]!.status.now;
    assert.ok(countedAt - t0 >= STATUS_INTERVAL_MS, `a count change waited ${countedAt - t0} ms after the init`);
    assert.equal(counted[0]!.status.state, 'open');
    // The connection drops well within a second of that status.
    const closedAt = h.clock.now();
    assert.ok(closedAt - countedAt < 200);
    h.sockets.last.end(1006);
    h.clock.advance(150);
    const [changed, ...more] = h.take('status');
    assert.equal(changed?.status.state, 'stopped', 'the state change is shown without waiting a second');
    assert.equal(more.length, 0);
    assert.ok(
      changed.status.now - closedAt <= 100 + DEFAULT_FLUSH_INTERVAL_MS,
      `shown ${changed.status.now - closedAt} ms after the close`,
    );
    assert.ok(changed.status.now - countedAt >= 100, 'but not sooner than 100 ms after the previous status');
  });

  it('carries the diagnoses and the retained span', () => {
    const h = live({ sessionOptions: { maxEvents: 10 } });
    texts(h, 20);
    h.receive(ready());
    const [init] = h.take('init');
    assert.equal(init!.status.eventCount, 10);
    assert.ok(init!.status.droppedEvents >= 12);
    assert.equal(init!.status.firstT, h.session.record.timeOf(h.session.record.firstSeq));
    assert.deepEqual(init!.status.diagnoses, []);
  });
});

describe('TimelineFeed: composer, clear, copy and commands', () => {
  it('sends text on an open connection and shows it at once', () => {
    const h = live();
    h.receive(ready());
    h.drain();
    h.receive({ type: 'send', requestId: 1, format: 'text', text: 'hello' });
    assert.deepEqual(h.take('send-result'), [{ type: 'send-result', requestId: 1, ok: true, error: null }]);
    assert.deepEqual(h.sockets.last.sent, ['hello']);
    h.clock.advance(0);
    assert.deepEqual(
      h.take('appended').flatMap((m) => m.rows.map((r) => [r.direction, r.preview])),
      [['out', 'hello']],
    );
  });

  it('validates JSON on the host and says where it is broken', () => {
    const h = live();
    h.receive(ready());
    h.receive({ type: 'send', requestId: 1, format: 'json', text: '{\n  "a": 1,\n  "b": }' });
    h.receive({ type: 'send', requestId: 2, format: 'json', text: '{"a": [1, 2]}' });
    const results = h.take('send-result');
    assert.equal(results[0]!.ok, false);
    assert.match(results[0]!.error ?? '', /line 3, column 8/);
    assert.deepEqual(results[1], { type: 'send-result', requestId: 2, ok: true, error: null });
    assert.deepEqual(h.sockets.last.sent, ['{"a": [1, 2]}']);
  });

  it('refuses to send when the connection is not open', () => {
    const h = live();
    h.receive(ready());
    h.sockets.last.end(1006);
    h.receive({ type: 'send', requestId: 3, format: 'text', text: 'x' });
    const [result] = h.take('send-result');
    assert.equal(result!.ok, false);
    assert.match(result!.error ?? '', /not connected/);
  });

  it('the Clear button runs Clear Session, which confirms; the record cleared from anywhere starts the webview over with reset counters', () => {
    const h = live();
    texts(h, 10);
    h.receive(ready());
    h.drain();
    h.receive({ type: 'command', command: 'clear' });
    assert.deepEqual(h.commands, ['clear'], 'the palette command asks first; the feed clears nothing itself');
    assert.equal(h.session.record.size, 12, 'connecting, open and the 10 messages are still there');
    h.clock.advance(33);
    assert.deepEqual(h.take('reset'), []);
    h.connection.clearRecord(); // what wsInspector.clearSession does once confirmed
    h.clock.advance(33);
    const messages = h.drain();
    assert.deepEqual(
      messages.map((m) => m.type),
      ['reset', 'init'],
    );
    const init = messages[1] as HostMessageOf<'init'>;
    assert.equal(init.total, 0);
    assert.equal(init.status.eventCount, 0);
    assert.equal(init.status.stats.messagesIn, 0, 'the header counts from the clear');
    assert.equal(init.status.state, 'open', 'the connection itself is untouched');
    texts(h, 3);
    h.clock.advance(33);
    assert.equal(h.take('appended')[0]!.total, 3);
    h.connection.clearRecord();
    h.clock.advance(33);
    assert.deepEqual(
      h.drain().map((m) => m.type),
      ['reset', 'init'],
    );
  });

  it('forgets connection lifetimes from before a clear', () => {
    const h = live();
    const t0 = h.clock.now();
    const wholeLane = (requestId: number) => {
      h.receive({ type: 'get-lane', requestId, fromT: t0 - 1, toT: h.clock.now() + 1, buckets: 4 });
      return h.take('lane')[0]!.lifetimes;
    };
    h.clock.advance(500);
    h.sockets.last.end(1006);
    h.receive(ready());
    h.drain();
    assert.deepEqual(wholeLane(1), [{ openT: t0, closeT: t0 + 500, closeCode: 1006 }]);
    h.connection.clearRecord();
    h.clock.advance(33);
    h.drain();
    assert.deepEqual(wholeLane(2), [], 'the first connection is gone');
    // A second connection, then a third that is still open when Clear Session runs.
    h.clock.advance(100);
    h.session.start();
    h.sockets.last.open();
    const secondOpenT = h.clock.now();
    h.clock.advance(200);
    h.sockets.last.end(1011);
    assert.deepEqual(wholeLane(3), [{ openT: secondOpenT, closeT: secondOpenT + 200, closeCode: 1011 }]);
    h.clock.advance(100);
    h.session.start();
    h.sockets.last.open();
    const thirdOpenT = h.clock.now();
    h.clock.advance(300);
    h.connection.clearRecord();
    h.clock.advance(33);
    assert.equal(h.take('reset').length, 1, 'the webview starts over, then asks for its lane');
    assert.deepEqual(
      wholeLane(4),
      [{ openT: thirdOpenT, closeT: null, closeCode: null }],
      'Clear Session: only the connection still open remains',
    );
  });

  it('passes copy and header commands to the glue', () => {
    const h = live();
    h.receive(ready());
    h.receive({ type: 'copy', text: 'proxy_read_timeout 3600s;' });
    h.receive({ type: 'command', command: 'reconnect' });
    assert.deepEqual(h.copied, ['proxy_read_timeout 3600s;']);
    assert.deepEqual(h.commands, ['reconnect']);
  });
});

describe('TimelineFeed: imported sessions', () => {
  const t = Date.UTC(2026, 10, 26, 8, 0, 0);
  const events: SessionEvent[] = [
    { seq: 3, t, type: 'connecting', attempt: 0, url: 'ws://recorded.test/', protocols: [] },
    {
      seq: 4,
      t: t + 5,
      type: 'open',
      handshakeMs: 5,
      protocol: '',
      extensions: '',
      requestHeaders: { Authorization: AUTH },
      responseHeaders: {},
    },
    { seq: 7, t: t + 10, type: 'message', direction: 'in', opcode: 'text', size: 5, data: 'hello', truncated: false },
    { seq: 9, t: t + 20, type: 'message', direction: 'out', opcode: 'text', size: 3, data: 'bye', truncated: false },
    {
      seq: 10,
      t: t + 90_000,
      type: 'close',
      code: 1006,
      reason: '',
      wasClean: false,
      initiator: 'none',
      idleMs: 89_980,
      ageMs: 89_995,
    },
  ];

  it('serves rows, details and lane from the file, read-only, with no timer running', () => {
    const h = imported(events);
    h.receive(ready());
    const [init] = h.take('init');
    assert.equal(init!.readOnly, true);
    assert.equal(init!.origin, 'imported');
    assert.equal(init!.status.state, 'imported');
    assert.deepEqual(
      init!.tail.map((r) => r.seq),
      [3, 4, 7, 9, 10],
    );
    assert.equal(h.clock.pendingTimers, 0, 'an imported session never changes: no polling');
    h.receive({ type: 'get-rows', requestId: 1, queryId: init!.queryId, start: 2, count: 2 });
    assert.deepEqual(
      h.take('rows')[0]!.rows.map((r) => r.seq),
      [7, 9],
    );
    h.receive({ type: 'get-detail', requestId: 1, seq: 4 });
    h.receive({ type: 'get-detail', requestId: 2, seq: 5 });
    const details = h.take('detail');
    assert.equal(details[0]!.event?.type === 'open' && details[0]!.event.requestHeaders['Authorization'], '[redacted]');
    assert.equal(details[1]!.event, null, 'a seq not in the file');
    h.receive({ type: 'locate', requestId: 1, queryId: init!.queryId, seq: 9 });
    assert.equal(h.take('reveal')[0]!.index, 3);
    h.receive({
      type: 'set-query',
      queryId: 4,
      query: query({
        directions: { in: false, out: true },
        kinds: { messages: true, control: false, lifecycle: false },
      }),
    });
    assert.deepEqual(
      h.take('query-result').map((m) => [m.total, m.done]),
      [[1, true]],
    );
    h.receive({ type: 'locate', requestId: 2, queryId: 4, seq: 9 });
    assert.equal(h.take('reveal')[0]!.index, 0);
    h.receive({ type: 'get-lane', requestId: 1, fromT: t, toT: t + 100_000, buckets: 2 });
    const [lane] = h.take('lane');
    assert.deepEqual(lane!.lifetimes, [{ openT: t + 5, closeT: t + 90_000, closeCode: 1006 }]);
    assert.deepEqual(
      [lane!.messagesIn, lane!.messagesOut],
      [
        [1, 0],
        [1, 0],
      ],
    );
    assert.ok(!JSON.stringify(h.posted).includes('sekrit-auth-value'));
  });

  it('answers send with an error and ignores live-only commands, Clear among them', () => {
    const h = imported(events);
    h.receive(ready());
    h.drain();
    h.receive({ type: 'send', requestId: 1, format: 'text', text: 'x' });
    assert.match(h.take('send-result')[0]!.error ?? '', /read-only/);
    h.receive({ type: 'command', command: 'clear' });
    h.receive({ type: 'command', command: 'reconnect' });
    h.receive({ type: 'command', command: 'export' });
    assert.deepEqual(h.drain(), []);
    assert.deepEqual(h.commands, ['export']);
    assert.match(h.logs.join('\n'), /"clear" ignored.*read-only/);
  });
});

describe('TimelineFeed: untrusted input and disposal', () => {
  it('logs and drops invalid messages from the webview, never throws', () => {
    const h = live();
    h.receive(ready());
    h.drain();
    const bad: unknown[] = [
      null,
      'ready',
      { type: 'nope' },
      { type: 'get-rows', requestId: -1, queryId: 1, start: 0, count: 10 },
      { type: 'get-rows', requestId: 1, queryId: 1, start: 0, count: MAX_ROWS_PER_MESSAGE + 1 },
      { type: 'send', requestId: 1, format: 'html', text: '<b>' },
      { type: 'command', command: 'rm -rf' },
      { type: 'ready', version: 1, lastSeenSeq: null, query: null, extra: true },
      {
        type: 'set-query',
        queryId: 1,
        query: { ...DEFAULT_QUERY, search: { text: 'x'.repeat(5000), regex: false, caseSensitive: false } },
      },
    ];
    for (const message of bad) assert.doesNotThrow(() => h.receive(message));
    assert.equal(h.drain().length, 0);
    assert.equal(h.logs.length, bad.length);
    assert.match(h.logs[3]!, /requestId/);
    assert.match(h.logs[6]!, /command/);
    assert.deepEqual(h.commands, []);
    assert.deepEqual(h.sockets.last.sent, []);
  });

  it('dispose removes its timers and its session listener, and posts nothing after', () => {
    const h = live();
    const lifecycleListeners = () =>
      (h.session as unknown as { _onLifecycleEvent: { listenerCount: number } })._onLifecycleEvent.listenerCount;
    const before = lifecycleListeners();
    const baselineTimers = h.clock.pendingTimers;
    const feed = new TimelineFeed(h.connection, { clock: h.clock, post: () => assert.fail('posted after dispose') });
    assert.equal(lifecycleListeners(), before + 1);
    let posts = 0;
    const counting = new TimelineFeed(h.connection, { clock: h.clock, post: () => posts++ });
    counting.receive(ready(query({ search: { text: 'x', regex: false, caseSensitive: false } })));
    counting.reveal(1);
    assert.ok(h.clock.pendingTimers > baselineTimers, 'polling while shown');
    counting.dispose();
    feed.dispose();
    assert.equal(h.clock.pendingTimers, baselineTimers);
    assert.equal(lifecycleListeners(), before - 0);
    const afterDispose = posts;
    texts(h, 5);
    h.clock.advance(1000);
    counting.receive(ready());
    assert.equal(posts, afterDispose);
    h.feed.dispose();
    assert.equal(lifecycleListeners(), before - 1);
  });
});
