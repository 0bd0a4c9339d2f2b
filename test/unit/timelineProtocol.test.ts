// The host⇄webview protocol validators: every well-formed message passes unchanged, and a
// message of the wrong shape is rejected with a ProtocolError naming the offending field.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SessionStats } from '../../src/core/model/stats.js';
import {
  DEFAULT_QUERY,
  eventKindOf,
  MAX_LANE_BUCKETS,
  MAX_ROWS_PER_MESSAGE,
  MAX_SEARCH_CHARS,
  MAX_SEND_CHARS,
  parseHostMessage,
  parseWebviewMessage,
  ProtocolError,
  TIMELINE_PROTOCOL_VERSION,
  type HostMessage,
  type TimelineRow,
  type TimelineStatus,
  type WebviewMessage,
} from '../../src/shared/timelineProtocol.js';

const row: TimelineRow = { seq: 3, t: 1_790_000_000_000, type: 'message', direction: 'in', size: 5, preview: 'hello' };
const fullRow: TimelineRow = {
  seq: 4,
  t: 1_790_000_000_001,
  type: 'idle-gap',
  direction: null,
  size: null,
  preview: 'no frames for 90 s',
  binary: false,
  heartbeat: 'pong',
  rttMs: 1.5,
  code: 1006,
  durationMs: 90_000,
  startT: 1_789_999_910_001,
  confidence: 0.9,
  warn: true,
};
const status: TimelineStatus = {
  state: 'open',
  stateText: 'open · 2 drops',
  displayUrl: 'ws://a.test/',
  stats: new SessionStats().snapshot(0),
  diagnoses: [],
  eventCount: 10,
  droppedEvents: 0,
  firstT: 1,
  lastT: 2,
  now: 3,
  reconnectAt: null,
  provenance: 'imported from chrome.har · Chrome DevTools (WebInspector 537.36; Chrome 131)',
  heartbeatMs: 4000,
};

const hostMessages: HostMessage[] = [
  {
    type: 'init',
    version: TIMELINE_PROTOCOL_VERSION,
    connectionId: 'c1',
    title: 'API',
    origin: 'settings',
    readOnly: false,
    status,
    queryId: 1,
    query: DEFAULT_QUERY,
    total: 2,
    tail: [row, fullRow],
    focusSeq: null,
  },
  {
    type: 'init',
    version: 1,
    connectionId: 'c2',
    title: 'file',
    origin: 'imported',
    readOnly: true,
    status: {
      ...status,
      firstT: null,
      lastT: null,
      reconnectAt: 5,
      route: 'via HTTP proxy http://127.0.0.1:3128 (http.proxy), tinyproxy/1.11.1; TLSv1.3',
    },
    queryId: 0,
    query: { ...DEFAULT_QUERY, search: { text: 'x', regex: true, caseSensitive: true } },
    total: 0,
    tail: [],
    focusSeq: 7,
  },
  { type: 'status', status },
  { type: 'appended', queryId: 1, total: 3, removedFromStart: 1, rows: [row] },
  {
    type: 'query-result',
    queryId: 2,
    total: 0,
    done: true,
    error: 'invalid regular expression: /(/: Unterminated group',
  },
  { type: 'query-result', queryId: 2, total: 10, done: false, error: null },
  { type: 'rows', requestId: 1, queryId: 1, start: 0, rows: Array.from({ length: MAX_ROWS_PER_MESSAGE }, () => row) },
  {
    type: 'lane',
    requestId: 2,
    fromT: 0,
    toT: 1000,
    bucketMs: 0.25,
    messagesIn: [0, 1],
    messagesOut: [2, 0],
    marks: [fullRow],
    messagesIncluded: false,
    lifetimes: [
      { openT: 0, closeT: 10, closeCode: 1006 },
      { openT: 20, closeT: null, closeCode: null },
    ],
  },
  { type: 'detail', requestId: 3, seq: 4, event: { seq: 4, t: 1, type: 'stopped', reason: 'user' } },
  { type: 'detail', requestId: 3, seq: 4, event: null },
  { type: 'reveal', requestId: null, queryId: 1, seq: 4, index: 3 },
  { type: 'reveal', requestId: 8, queryId: 1, seq: 4, index: null },
  { type: 'send-result', requestId: 9, ok: false, error: 'not connected' },
  { type: 'reset', reason: 'cleared' },
];

const webviewMessages: WebviewMessage[] = [
  { type: 'ready', version: 1, lastSeenSeq: null, query: null },
  { type: 'ready', version: 1, lastSeenSeq: 42, query: { ...DEFAULT_QUERY, hidePingPong: true } },
  {
    type: 'set-query',
    queryId: 3,
    query: { ...DEFAULT_QUERY, search: { text: 'a'.repeat(MAX_SEARCH_CHARS), regex: false, caseSensitive: false } },
  },
  { type: 'get-rows', requestId: 1, queryId: 3, start: 0, count: MAX_ROWS_PER_MESSAGE },
  { type: 'get-lane', requestId: 2, fromT: 0.5, toT: 10, buckets: MAX_LANE_BUCKETS },
  { type: 'get-detail', requestId: 3, seq: 0 },
  { type: 'locate', requestId: 4, queryId: 3, seq: 9 },
  { type: 'send', requestId: 5, format: 'json', text: '{}' },
  { type: 'send', requestId: 5, format: 'text', text: 'x'.repeat(MAX_SEND_CHARS) },
  { type: 'copy', text: 'snippet' },
  { type: 'command', command: 'export' },
  { type: 'command', command: 'clear' },
];

/** Asserts a ProtocolError whose path is exactly `path`. */
function rejects(parse: (value: unknown) => unknown, value: unknown, path: string, message?: RegExp): void {
  assert.throws(
    () => parse(value),
    (error: unknown) => {
      assert.ok(error instanceof ProtocolError, `not a ProtocolError: ${String(error)}`);
      assert.equal(error.path, path);
      if (message) assert.match(error.message, message);
      return true;
    },
  );
}

describe('timeline protocol: host messages', () => {
  it('accepts every well-formed host message as it is', () => {
    for (const message of hostMessages) assert.equal(parseHostMessage(message), message, message.type);
    const types = new Set(hostMessages.map((m) => m.type));
    assert.equal(types.size, 10, 'every host message type is covered');
  });

  it('rejects wrong shapes, naming the field', () => {
    const init = hostMessages[0] as Extract<HostMessage, { type: 'init' }>;
    rejects(parseHostMessage, 'init', 'message', /expected an object/);
    rejects(parseHostMessage, { type: 'explode' }, 'message.type', /not a host message type/);
    rejects(
      parseHostMessage,
      { type: 'ready', version: 1, lastSeenSeq: null, query: null },
      'message.type',
      /not a host message type/,
    );
    rejects(parseHostMessage, { ...init, readOnly: 'no' }, 'message(init).readOnly', /boolean/);
    rejects(parseHostMessage, { ...init, origin: 'remote' }, 'message(init).origin', /one of/);
    rejects(parseHostMessage, { ...init, tail: [{ ...row, seq: -1 }] }, 'message(init).tail[0].seq', /integer/);
    rejects(
      parseHostMessage,
      { ...init, tail: [{ ...row, html: '<b>' }] },
      'message(init).tail[0].html',
      /unexpected field/,
    );
    rejects(
      parseHostMessage,
      { ...init, status: { ...status, route: { proxy: 'http://p:1' } } },
      'message(init).status.route',
      /expected a string/,
    );
    rejects(
      parseHostMessage,
      { ...init, status: { ...status, firstT: 'yesterday' } },
      'message(init).status.firstT',
      /finite number/,
    );
    rejects(
      parseHostMessage,
      { ...init, query: { ...DEFAULT_QUERY, kinds: { messages: true, control: true } } },
      'message(init).query.kinds.lifecycle',
      /boolean/,
    );
    rejects(
      parseHostMessage,
      {
        type: 'appended',
        queryId: 1,
        total: 1,
        removedFromStart: 0,
        rows: Array.from({ length: MAX_ROWS_PER_MESSAGE + 1 }, () => row),
      },
      'message(appended).rows',
      /more than 500/,
    );
    rejects(
      parseHostMessage,
      { type: 'appended', queryId: 1, total: 1, rows: [] },
      'message(appended).removedFromStart',
      /integer/,
    );
    rejects(
      parseHostMessage,
      { type: 'lane', ...(hostMessages[7] as object), type2: 1 },
      'message(lane).type2',
      /unexpected field/,
    );
    rejects(
      parseHostMessage,
      { ...(hostMessages[7] as object), lifetimes: [{ openT: 0, closeT: null }] },
      'message(lane).lifetimes[0].closeCode',
      /integer/,
    );
    rejects(
      parseHostMessage,
      { ...(hostMessages[7] as object), bucketMs: Infinity },
      'message(lane).bucketMs',
      /finite/,
    );
    rejects(
      parseHostMessage,
      { type: 'detail', requestId: 1, seq: 1, event: 'text' },
      'message(detail).event',
      /object/,
    );
    rejects(
      parseHostMessage,
      { type: 'reveal', requestId: null, queryId: 1, seq: 1, index: 1.5 },
      'message(reveal).index',
      /integer/,
    );
    rejects(parseHostMessage, { type: 'reset', reason: 'overflow' }, 'message(reset).reason', /one of/);
    rejects(
      parseHostMessage,
      { type: 'send-result', requestId: 1, ok: 1, error: null },
      'message(send-result).ok',
      /boolean/,
    );
  });
});

describe('timeline protocol: webview messages', () => {
  it('accepts every well-formed webview message as it is', () => {
    for (const message of webviewMessages) assert.equal(parseWebviewMessage(message), message, message.type);
    assert.equal(new Set(webviewMessages.map((m) => m.type)).size, 9, 'every webview message type is covered');
  });

  it('rejects wrong shapes, naming the field', () => {
    rejects(parseWebviewMessage, null, 'message', /expected an object/);
    rejects(parseWebviewMessage, [], 'message', /expected an object/);
    rejects(parseWebviewMessage, { type: 'init' }, 'message.type', /not a webview message type/);
    rejects(parseWebviewMessage, { type: 'toString' }, 'message.type', /not a webview message type/);
    rejects(parseWebviewMessage, { type: 'ready', version: 1, lastSeenSeq: null }, 'message(ready).query', /object/);
    rejects(
      parseWebviewMessage,
      { type: 'ready', version: 1, lastSeenSeq: 'x', query: null },
      'message(ready).lastSeenSeq',
      /integer/,
    );
    rejects(
      parseWebviewMessage,
      { type: 'get-rows', requestId: 1, queryId: 1, start: 0, count: 0 },
      'message(get-rows).count',
      /\[1, 500\]/,
    );
    rejects(
      parseWebviewMessage,
      { type: 'get-rows', requestId: 1, queryId: 1, start: 0, count: MAX_ROWS_PER_MESSAGE + 1 },
      'message(get-rows).count',
      /\[1, 500\]/,
    );
    rejects(
      parseWebviewMessage,
      { type: 'get-lane', requestId: 1, fromT: 0, toT: NaN, buckets: 1 },
      'message(get-lane).toT',
      /finite/,
    );
    rejects(
      parseWebviewMessage,
      { type: 'get-lane', requestId: 1, fromT: 0, toT: 1, buckets: MAX_LANE_BUCKETS + 1 },
      'message(get-lane).buckets',
      /integer/,
    );
    rejects(
      parseWebviewMessage,
      {
        type: 'set-query',
        queryId: 1,
        query: {
          ...DEFAULT_QUERY,
          search: { text: 'x'.repeat(MAX_SEARCH_CHARS + 1), regex: false, caseSensitive: false },
        },
      },
      'message(set-query).query.search.text',
      /longer than 1000/,
    );
    rejects(
      parseWebviewMessage,
      { type: 'set-query', queryId: 1, query: { ...DEFAULT_QUERY, directions: { in: true, out: 'yes' } } },
      'message(set-query).query.directions.out',
      /boolean/,
    );
    rejects(
      parseWebviewMessage,
      { type: 'send', requestId: 1, format: 'xml', text: '' },
      'message(send).format',
      /one of "text", "json"/,
    );
    rejects(
      parseWebviewMessage,
      { type: 'send', requestId: 1, format: 'text', text: 'x'.repeat(MAX_SEND_CHARS + 1) },
      'message(send).text',
      /longer than/,
    );
    // Clear is the palette's command (one confirmation, in the host), no longer a message of its own.
    rejects(parseWebviewMessage, { type: 'clear' }, 'message.type', /not a webview message type/);
    rejects(parseWebviewMessage, { type: 'copy', text: 'x', now: true }, 'message(copy).now', /unexpected field/);
    rejects(parseWebviewMessage, { type: 'copy', text: 42 }, 'message(copy).text', /string/);
    rejects(
      parseWebviewMessage,
      { type: 'command', command: 'workbench.action.terminal.new' },
      'message(command).command',
      /one of/,
    );
    rejects(
      parseWebviewMessage,
      { type: 'get-detail', requestId: 1.5, seq: 1 },
      'message(get-detail).requestId',
      /integer/,
    );
  });
});

describe('timeline protocol: event kinds', () => {
  it('groups messages, control frames and lifecycle events', () => {
    assert.equal(eventKindOf('message'), 'messages');
    for (const type of ['ping', 'pong', 'close'] as const) assert.equal(eventKindOf(type), 'control');
    for (const type of ['connecting', 'open', 'idle-gap', 'diagnosis', 'overflow'] as const) {
      assert.equal(eventKindOf(type), 'lifecycle');
    }
  });
});
