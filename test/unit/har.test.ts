import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sessionDiagnosis } from '../../src/core/diagnosis/dropAnalyzer.js';
import { makeEndpoint } from '../../src/core/model/endpoint.js';
import { OPCODE, type HarWebSocketMessage } from '../../src/core/files/harFormat.js';
import { HarError } from '../../src/core/files/harEntries.js';
import { readHar } from '../../src/core/files/harReader.js';
import { serializeHar } from '../../src/core/files/harWriter.js';
import { redactEvent, redactionPolicyFor, type RedactionPolicy } from '../../src/core/model/redaction.js';
import { DEFAULT_SESSION_OPTIONS, Session } from '../../src/core/engine/session.js';
import type { SessionEvent } from '../../src/core/model/sessionEvents.js';
import { chromeImportProblems } from './fakes/chromeHarImport.js';
import { FakeClock } from './fakes/fakeClock.js';
import { FakeSocketFactory } from './fakes/fakeSocket.js';

const ENDPOINT = makeEndpoint('wss://example.test/socket?token=abc123&room=1', {
  name: 'Example',
  headers: { Authorization: 'Bearer s3cret' },
  heartbeat: { mode: 'ping', intervalMs: 1000, timeoutMs: 500 },
  reconnect: { jitter: 0, initialDelayMs: 100 },
});

/** A session with text, binary, ping and pong frames in both directions, a drop and a reconnect. */
function recordedSession(): { session: Session; events: SessionEvent[] } {
  const clock = new FakeClock(Date.UTC(2026, 10, 26, 9, 0, 0));
  const sockets = new FakeSocketFactory();
  const session = new Session(ENDPOINT, DEFAULT_SESSION_OPTIONS, {
    clock,
    createSocket: sockets.create,
    random: () => 0.5,
    observer: sessionDiagnosis(ENDPOINT),
  });
  session.start();
  clock.advance(12);
  sockets.last.open({
    protocol: '',
    requestHeaders: { Host: 'example.test', Authorization: 'Bearer s3cret', 'Sec-WebSocket-Key': 'k3y==' },
    responseHeaders: { Upgrade: 'websocket', 'Sec-WebSocket-Accept': 'acc3pt=' },
  });
  session.send('héllo');
  clock.advance(3);
  sockets.last.receiveText('{"ok":true}');
  session.send(new Uint8Array([1, 2, 3]));
  sockets.last.receiveBinary(new Uint8Array([255, 0, 128]));
  sockets.last.receivePing('server-ping'); // answered with a pong out
  clock.advance(1000); // heartbeat ping out
  const payload = sockets.last.pings[sockets.last.pings.length - 1]!;
  clock.advance(7);
  sockets.last.receivePong(payload); // pong in with rtt
  sockets.last._onPing.fire(new Uint8Array([0xff, 0xfe])); // a binary ping payload
  clock.advance(200);
  sockets.last.end(1006); // dropped
  clock.advance(100); // reconnect
  sockets.last.open();
  sockets.last.receiveText('again');
  return { session, events: session.record.toArray() };
}

/** The session's events as our HAR export writes them. */
function exportHar(session: Session, events: SessionEvent[], policy: RedactionPolicy, creator: string): string {
  return serializeHar({
    endpoint: session.endpoint,
    events,
    stats: session.getStats(),
    droppedEvents: 0,
    exportedAt: new Date(0),
    policy,
    creator: { name: creator, version: '1' },
  });
}

describe('HAR writer', () => {
  it('writes Chrome DevTools HAR: one websocket entry per attempt, messages as {type, time, opcode, data}', () => {
    const { session, events } = recordedSession();
    const har = JSON.parse(exportHar(session, events, redactionPolicyFor(ENDPOINT), 'test')) as {
      log: { version: string; creator: unknown; entries: Array<Record<string, unknown>> };
    };
    assert.equal(har.log.version, '1.2');
    assert.deepEqual(har.log.creator, { name: 'test', version: '1' });
    assert.equal(har.log.entries.length, 2);
    for (const entry of har.log.entries) {
      assert.equal(entry['_resourceType'], 'websocket');
      assert.equal(typeof entry['time'], 'number');
      assert.ok(!Number.isNaN(Date.parse(entry['startedDateTime'] as string)));
      const request = entry['request'] as Record<string, unknown>;
      const response = entry['response'] as Record<string, unknown>;
      for (const field of [
        'method',
        'url',
        'httpVersion',
        'cookies',
        'headers',
        'queryString',
        'headersSize',
        'bodySize',
      ]) {
        assert.ok(field in request, `request.${field}`);
      }
      for (const field of [
        'status',
        'statusText',
        'httpVersion',
        'cookies',
        'headers',
        'content',
        'redirectURL',
        'headersSize',
        'bodySize',
      ]) {
        assert.ok(field in response, `response.${field}`);
      }
      assert.equal(response['status'], 101);
      assert.ok('timings' in entry && 'cache' in entry);
      // What Chrome's importer requires of every message.
      for (const message of entry['_webSocketMessages'] as HarWebSocketMessage[]) {
        assert.ok(message.type === 'send' || message.type === 'receive');
        assert.equal(typeof message.time, 'number');
        assert.equal(typeof message.opcode, 'number');
        assert.equal(typeof message.data, 'string');
      }
    }
    const messages = har.log.entries[0]!['_webSocketMessages'] as HarWebSocketMessage[];
    const t0 = Date.UTC(2026, 10, 26, 9, 0, 0) / 1000;
    assert.deepEqual(
      messages.map((m) => [m.type, m.opcode, m.data]),
      [
        ['send', OPCODE.text, 'héllo'],
        ['receive', OPCODE.text, '{"ok":true}'],
        ['send', OPCODE.binary, 'AQID'],
        ['receive', OPCODE.binary, '/wCA'],
        ['receive', OPCODE.ping, Buffer.from('server-ping').toString('base64')],
        ['send', OPCODE.pong, Buffer.from('server-ping').toString('base64')],
        ['send', OPCODE.ping, Buffer.from(messages[6]!.data, 'base64').toString('base64')],
        ['receive', OPCODE.pong, messages[6]!.data],
        ['receive', OPCODE.ping, '//4='],
        ['send', OPCODE.pong, '//4='],
      ],
    );
    // Epoch seconds, as a float.
    assert.equal(messages[0]!.time, t0 + 0.012);
    assert.equal(messages[7]!._rttMs, 10); // ping at 1012 ms, pong at 1022 ms
    assert.equal(har.log.entries[0]!['_closeCode'], 1006);
    assert.deepEqual(har.log.entries[1]!['_webSocketMessages'] as unknown[], [
      {
        type: 'receive',
        time: (messages[8]!.time * 1000 + 300) / 1000,
        opcode: 1,
        data: 'again',
        _seq: events[events.length - 1]!.seq,
        _size: 5,
      },
    ]);
  });

  it('redacts secrets by default: headers, URL tokens, resolved secret values', () => {
    const { session, events } = recordedSession();
    const text = serializeHar({
      endpoint: session.endpoint,
      events,
      stats: null,
      droppedEvents: 0,
      exportedAt: new Date(0),
      policy: redactionPolicyFor(ENDPOINT, { secretValues: ['s3cret'] }),
      creator: { name: 'test', version: '1' },
    });
    for (const secret of ['s3cret', 'abc123', 'k3y==', 'acc3pt=']) {
      assert.ok(!text.includes(secret), `${secret} leaked`);
    }
    const entry = (
      JSON.parse(text) as {
        log: { entries: Array<{ request: { url: string; headers: Array<{ name: string; value: string }> } }> };
      }
    ).log.entries[0]!;
    assert.match(entry.request.url, /token=%5Bredacted%5D/);
    assert.deepEqual(
      entry.request.headers.find((h) => h.name === 'Authorization'),
      { name: 'Authorization', value: '[redacted]' },
    );
  });
});

describe('HAR reader', () => {
  const policyKeep = redactionPolicyFor(ENDPOINT, { keepSecrets: true });

  it('round-trips our own HAR exactly: text, binary, ping and pong frames, lifecycle events', () => {
    const { session, events } = recordedSession();
    const text = serializeHar({
      endpoint: session.endpoint,
      events,
      stats: session.getStats(),
      droppedEvents: 0,
      exportedAt: new Date(0),
      policy: policyKeep,
      creator: { name: 't', version: '1' },
    });
    const result = readHar(text, { idleGapMs: 5000 });
    assert.equal(result.sessions.length, 1);
    const imported = result.sessions[0]!;
    assert.equal(imported.source, 'ws-inspector');
    assert.deepEqual(imported.events, JSON.parse(JSON.stringify(events)));
    assert.equal(imported.endpoint.name, 'Example');
  });

  it('round-trips a redacted HAR to the redacted events', () => {
    const { session, events } = recordedSession();
    const policy = redactionPolicyFor(ENDPOINT);
    const text = serializeHar({
      endpoint: session.endpoint,
      events,
      stats: null,
      droppedEvents: 0,
      exportedAt: new Date(0),
      policy,
      creator: { name: 't', version: '1' },
    });
    const imported = readHar(text, { idleGapMs: 5000 }).sessions[0]!;
    assert.deepEqual(imported.events, JSON.parse(JSON.stringify(events.map((e) => redactEvent(e, policy)))));
    assert.equal(imported.redacted, true);
  });

  it('reads a Chrome DevTools HAR: skips plain HTTP, merges attempts to one URL, finds idle gaps', () => {
    const t = Date.UTC(2026, 10, 26, 9, 0, 0);
    const chrome = {
      log: {
        version: '1.2',
        creator: { name: 'WebInspector', version: '537.36' },
        pages: [],
        entries: [
          {
            startedDateTime: new Date(t - 1000).toISOString(),
            time: 30,
            request: { method: 'GET', url: 'https://example.test/', headers: [] },
            response: { status: 200, headers: [] },
          },
          {
            _resourceType: 'websocket',
            startedDateTime: new Date(t).toISOString(),
            time: 21.5,
            request: {
              method: 'GET',
              url: 'wss://example.test/ws',
              httpVersion: 'HTTP/1.1',
              headers: [
                { name: 'Origin', value: 'https://example.test' },
                { name: 'Sec-WebSocket-Key', value: 'x' },
              ],
            },
            response: {
              status: 101,
              statusText: 'Switching Protocols',
              headers: [{ name: 'Sec-WebSocket-Protocol', value: 'chat' }],
            },
            _webSocketMessages: [
              { type: 'send', time: t / 1000 + 0.1, opcode: 1, data: 'hi' },
              { type: 'receive', time: t / 1000 + 0.2, opcode: 1, data: 'hello' },
              { type: 'receive', time: t / 1000 + 20.2, opcode: 2, data: 'AAEC/w==' },
              {
                type: 'receive',
                time: t / 1000 + 21,
                opcode: 8,
                data: Buffer.from([0x03, 0xe9, 0x62, 0x79, 0x65]).toString('base64'),
              },
            ],
          },
          {
            _resourceType: 'websocket',
            startedDateTime: new Date(t + 30_000).toISOString(),
            time: 10,
            request: { method: 'GET', url: 'wss://example.test/ws', headers: [] },
            response: { status: 101, statusText: 'Switching Protocols', headers: [] },
            _webSocketMessages: [{ type: 'error', time: t / 1000 + 31, opcode: -1, data: 'net::ERR_CONNECTION_RESET' }],
          },
        ],
      },
    };
    const result = readHar(JSON.stringify(chrome), { idleGapMs: 5000 });
    assert.equal(result.sessions.length, 1);
    assert.match(result.notes.join(), /1 non-WebSocket entry was skipped/);
    const session = result.sessions[0]!;
    assert.equal(session.source, 'har');
    assert.equal(session.url, 'wss://example.test/ws');
    assert.deepEqual(session.endpoint.headers, { Origin: 'https://example.test' });
    const summary = session.events.map((e) => {
      switch (e.type) {
        case 'message':
          return `${e.type} ${e.direction} ${e.opcode} ${e.size} ${e.data}`;
        case 'close':
          return `close ${e.code} ${e.reason} ${e.initiator}`;
        case 'idle-gap':
          return `idle-gap ${e.durationMs}`;
        case 'connecting':
          return `connecting ${e.attempt}`;
        case 'open':
          return `open ${e.handshakeMs} ${e.protocol}`;
        case 'error':
          return `error ${e.message}`;
        default:
          return e.type;
      }
    });
    assert.deepEqual(summary, [
      'connecting 0',
      'open 21.5 chat',
      'message out text 2 hi',
      'message in text 5 hello',
      'idle-gap 20000',
      'message in binary 4 AAEC/w==',
      'close 1001 bye remote',
      'connecting 1',
      'open 10 ',
      'error net::ERR_CONNECTION_RESET',
    ]);
    assert.deepEqual(
      session.events.map((e) => e.seq),
      session.events.map((_, i) => i + 1),
    );
  });

  it('says where a broken HAR is broken: line and column for syntax, the JSON path otherwise', () => {
    assert.throws(
      () => readHar('{\n "log": {\n  "entries": [,]\n }\n}', { idleGapMs: 5000 }),
      (error: unknown) =>
        error instanceof HarError &&
        error.line === 3 &&
        error.column === 15 &&
        error.message === 'line 3, column 15: not valid JSON: unexpected ","',
    );
    assert.throws(() => readHar('{"log": {"entries": []', { idleGapMs: 5000 }), {
      message:
        'line 1, column 23: not valid JSON: expected "," or "}" after a property value, found the end of the text',
    });
    assert.throws(
      () => readHar('{"log": {"entries": "a\nb"}}'.replace('\\n', '\n'), { idleGapMs: 5000 }),
      /line 1, column 23: not valid JSON: a control character inside a string/,
    );
    assert.throws(() => readHar('', { idleGapMs: 5000 }), {
      message: 'line 1, column 1: not valid JSON: unexpected end of the text',
    });
    const bad = {
      log: {
        entries: [
          {
            _resourceType: 'websocket',
            startedDateTime: new Date(0).toISOString(),
            request: { url: 'wss://x.test/' },
            _webSocketMessages: [
              { type: 'send', time: 1, opcode: 1, data: 'a' },
              { type: 'send', time: 1, opcode: 'x', data: 'b' },
            ],
          },
        ],
      },
    };
    assert.throws(() => readHar(JSON.stringify(bad), { idleGapMs: 5000 }), {
      name: 'HarError',
      message: 'log.entries[0]._webSocketMessages[1].opcode: expected a number, got "x"',
    });
    const noWs = {
      log: { entries: [{ startedDateTime: new Date(0).toISOString(), request: { url: 'https://x.test/' } }] },
    };
    assert.throws(
      () => readHar(JSON.stringify(noWs), { idleGapMs: 5000 }),
      /log\.entries: no WebSocket entries found \(1 entries/,
    );
    assert.throws(() => readHar('{"log": {}}', { idleGapMs: 5000 }), {
      message: 'log.entries: expected an array of entries, got nothing',
    });
    const badType = {
      log: {
        entries: [
          {
            _resourceType: 'websocket',
            startedDateTime: new Date(0).toISOString(),
            request: { url: 'wss://x.test/' },
            _webSocketMessages: [{ type: 'sent', time: 1, opcode: 1, data: 'a' }],
          },
        ],
      },
    };
    assert.throws(
      () => readHar(JSON.stringify(badType), { idleGapMs: 5000 }),
      /_webSocketMessages\[0\]\.type: expected "send", "receive" or "error", got "sent"/,
    );
  });

  it('writes a partial entry when the record starts mid-attempt', () => {
    const { session, events } = recordedSession();
    const tail = events.slice(4); // no connecting/open at the start
    const text = serializeHar({
      endpoint: session.endpoint,
      events: tail,
      stats: null,
      droppedEvents: 4,
      exportedAt: new Date(0),
      policy: policyKeep,
      creator: { name: 't', version: '1' },
    });
    const entry = (JSON.parse(text) as { log: { entries: Array<Record<string, unknown>> } }).log.entries[0]!;
    assert.deepEqual((entry['_wsInspector'] as { partial: boolean }).partial, true);
    assert.equal((entry['response'] as { status: number }).status, 0);
    assert.deepEqual(readHar(text, { idleGapMs: 5000 }).sessions[0]!.events, JSON.parse(JSON.stringify(tail)));
  });
});

describe('HAR round trip through Chrome', () => {
  const exported = (events: SessionEvent[], session: Session) =>
    exportHar(session, events, redactionPolicyFor(ENDPOINT, { keepSecrets: true }), 'WebSocket Inspector');

  it("passes Chrome's importer checks and reads back to the same events", () => {
    const { session, events } = recordedSession();
    const text = exported(events, session);
    assert.deepEqual(chromeImportProblems(JSON.parse(text)), { problems: [], skippedFrames: 0 });
    assert.deepEqual(readHar(text, { idleGapMs: 5000 }).sessions[0]!.events, JSON.parse(JSON.stringify(events)));
    // The checks can fail: the importer throws without timings.wait.
    const broken = JSON.parse(text) as { log: { entries: Array<{ timings: Record<string, unknown> }> } };
    delete broken.log.entries[0]!.timings['wait'];
    assert.deepEqual(chromeImportProblems(broken).problems, ['log.entries[0].timings.wait']);
  });

  it("writes time and timings as Chrome does, so Chrome's reading of them gives the socket's real life", () => {
    const { session, events } = recordedSession();
    const text = exported(events, session);
    const entries = (JSON.parse(text) as { log: { entries: Array<Record<string, unknown>> } }).log.entries;
    const close = events.find((e) => e.type === 'close')!;
    const frames = events.filter((e) => e.type === 'message' || e.type === 'ping' || e.type === 'pong');
    const firstAttemptFrames = frames.filter((e) => e.t <= close.t);
    const start = Date.parse(entries[0]!['startedDateTime'] as string);
    const timings = entries[0]!['timings'] as { wait: number; receive: number };
    // wait ends at the last frame, receive runs on to the close, time is their sum.
    assert.equal(start + timings.wait, firstAttemptFrames[firstAttemptFrames.length - 1]!.t);
    assert.equal(start + timings.wait + timings.receive, close.t);
    assert.equal(entries[0]!['time'], timings.wait + timings.receive);
    // The reconnected attempt is still open: receive 0, as Chrome writes an open socket.
    assert.equal((entries[1]!['timings'] as { receive: number }).receive, 0);

    // Without our extension fields, as Chrome itself would have written it: Chrome's rules
    // put the close where it happened and every frame inside the open connection.
    const asChrome = JSON.parse(text, (key, value: unknown) => (key === '_wsInspector' ? undefined : value)) as {
      log: { creator: unknown; entries: Array<Record<string, unknown>> };
    };
    asChrome.log.creator = { name: 'WebInspector', version: '537.36' };
    const read = readHar(JSON.stringify(asChrome), { idleGapMs: 60_000 });
    assert.equal(read.producer?.id, 'chrome');
    const chromeEvents = read.sessions[0]!.events;
    const readClose = chromeEvents.find((e) => e.type === 'close')!;
    assert.ok(Math.abs(readClose.t - close.t) <= 1, `${readClose.t} vs ${close.t}`);
    assert.deepEqual(
      chromeEvents.filter((e) => e.type === 'message' || e.type === 'ping' || e.type === 'pong').map((e) => e.t),
      frames.map((e) => e.t),
    );
    const open = chromeEvents.find((e) => e.type === 'open')!;
    assert.ok(open.t <= frames[0]!.t);
  });
});
