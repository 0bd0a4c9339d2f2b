// Connections for the webview tests and benchmarks: a real Session over the scripted FakeSocket
// and FakeClock (so the record, the stats and the drop analyzer are the real ones), and an
// imported session holding one event of every type.

import { sessionDiagnosis } from '../../../src/core/diagnosis/dropAnalyzer.js';
import { makeEndpoint, type EndpointConfig, type HeartbeatConfig } from '../../../src/core/model/endpoint.js';
import { DEFAULT_SESSION_OPTIONS, Session, type SessionOptions } from '../../../src/core/engine/session.js';
import type { DiagnosisEvent, SessionEvent } from '../../../src/core/model/sessionEvents.js';
import { Connection } from '../../../src/extension/model/connection.js';
import { FakeClock } from '../../unit/fakes/fakeClock.js';
import { FakeSocketFactory, type FakeSocket } from '../../unit/fakes/fakeSocket.js';

/** 2026-11-26 09:12:00.000 UTC, the README's example morning. */
export const START_T = Date.UTC(2026, 10, 26, 9, 12, 0);

export interface LiveFixture {
  clock: FakeClock;
  sockets: FakeSocketFactory;
  session: Session;
  connection: Connection;
  endpoint: EndpointConfig;
  /** The socket in use now. */
  socket(): FakeSocket;
  dispose(): void;
}

export function liveFixture(
  options: {
    heartbeat?: Partial<HeartbeatConfig>;
    session?: Partial<SessionOptions>;
    name?: string;
    url?: string;
  } = {},
): LiveFixture {
  const clock = new FakeClock(START_T);
  const sockets = new FakeSocketFactory();
  const endpoint = makeEndpoint(options.url ?? 'wss://app.example.test/ws?token=s3cr3t', {
    name: options.name ?? 'prices',
    headers: { Authorization: 'Bearer s3cr3t-token', 'X-Client': 'ws-inspector tests' },
    heartbeat: { mode: 'off', ...options.heartbeat },
    reconnect: { jitter: 0 },
  });
  const session = new Session(
    endpoint,
    { ...DEFAULT_SESSION_OPTIONS, ...options.session },
    { clock, createSocket: sockets.create, random: () => 0.5, observer: sessionDiagnosis(endpoint) },
  );
  const connection = Connection.live('adhoc', session, endpoint);
  return {
    clock,
    sockets,
    session,
    connection,
    endpoint,
    socket: () => sockets.last,
    dispose: () => connection.dispose(),
  };
}

const REQUEST_HEADERS = {
  Host: 'app.example.test',
  Upgrade: 'websocket',
  Connection: 'Upgrade',
  'Sec-WebSocket-Version': '13',
  'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
  Authorization: 'Bearer s3cr3t-token',
};
const RESPONSE_HEADERS = {
  Server: 'nginx/1.22.1',
  Upgrade: 'websocket',
  Connection: 'upgrade',
  'Sec-WebSocket-Accept': 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=',
};

export const HELLO_JSON =
  '{"type":"hello","user":{"id":42,"name":"Ada","roles":["admin","ops"]},"ok":true,"quota":null}';
export const BINARY_BYTES = Uint8Array.from({ length: 40 }, (_, i) => (i * 7 + 0x20) & 0xff);

/** Opens the current attempt with realistic handshake headers. */
export function openSocket(fixture: LiveFixture): void {
  fixture.clock.advance(12);
  fixture.socket().open({
    protocol: '',
    extensions: 'permessage-deflate',
    requestHeaders: REQUEST_HEADERS,
    responseHeaders: RESPONSE_HEADERS,
  });
}

/**
 * A connection behind a proxy with an idle timeout (90 s unless told): some traffic, then three
 * silent cuts after that long without a frame, and the session's own analyzer records the diagnosis. Ends open
 * (the fourth connection) unless `endOpen` is false.
 */
export function proxyDropFixture(options: { endOpen?: boolean; idleMs?: number } = {}): LiveFixture {
  const idleMs = options.idleMs ?? 90_000;
  const fixture = liveFixture();
  const { clock, session } = fixture;
  session.start();
  openSocket(fixture);
  clock.advance(40);
  fixture.socket().receiveText(HELLO_JSON);
  clock.advance(5);
  session.send('subscribe:prices');
  clock.advance(20);
  fixture.socket().receiveText('price EURUSD 1.0842');
  clock.advance(3);
  fixture.socket().receiveBinary(BINARY_BYTES);
  clock.advance(10);
  fixture.socket().receivePing('are-you-there');
  for (let drop = 0; drop < 3; drop++) {
    clock.advance(idleMs);
    fixture.socket().end(1006, '');
    // The reconnect backoff (1 s, then 2 s, 4 s; no jitter).
    clock.advance(1000 * 2 ** drop);
    openSocket(fixture);
    clock.advance(30);
    fixture.socket().receiveText(`{"type":"hello","attempt":${drop + 1}}`);
  }
  if (options.endOpen === false) {
    clock.advance(idleMs);
    fixture.socket().end(1006, '');
  }
  return fixture;
}

/**
 * A Socket.IO-like session (the fake module of fakeProtocol.ts, which the harness's feed must be
 * given: `feed: { protocols: [fakeSocketIo] }`), found by its URL: the open packet, pings and
 * pongs, events and a connect error. Ends open.
 */
export function socketIoFixture(url = 'wss://app.example.test/fake.io/?EIO=4&transport=websocket'): LiveFixture {
  const fixture = liveFixture({ name: 'chat (Socket.IO)', url });
  const { clock, session } = fixture;
  session.start();
  openSocket(fixture);
  const receive = (text: string, afterMs = 40) => {
    clock.advance(afterMs);
    fixture.socket().receiveText(text);
  };
  receive('0{"sid":"Xk2mQ","upgrades":[],"pingInterval":25000,"pingTimeout":20000}');
  clock.advance(5);
  session.send('40');
  receive('40{"sid":"aB3dE"}');
  receive('42["tick",{"n":1}]', 1000);
  receive('2', 400);
  clock.advance(2);
  session.send('3');
  receive('42["tick",{"n":2}]', 600);
  receive('42["chat",{"user":"ada","text":"hello, world"}]', 300);
  receive('44{"message":"not authorized for /admin"}', 200);
  receive('42["tick",{"n":3}]', 400);
  return fixture;
}

/** The newest active diagnosis in a record. */
export function latestDiagnosis(session: Session): DiagnosisEvent | null {
  let found: DiagnosisEvent | null = null;
  for (const event of session.record) if (event.type === 'diagnosis' && event.confidence > 0) found = event;
  return found;
}

/** One event of every type, realistic values, as an imported (read-only) connection. */
export function everyEventTypeConnection(extra: SessionEvent[] = []): {
  connection: Connection;
  events: SessionEvent[];
} {
  let seq = 0;
  let t = START_T;
  const at = (ms: number) => ({ seq: ++seq, t: (t += ms) });
  const events: SessionEvent[] = [
    { ...at(0), type: 'connecting', attempt: 0, url: 'wss://app.example.test/ws', protocols: ['chat.v2'] },
    {
      ...at(14),
      type: 'open',
      handshakeMs: 14,
      protocol: 'chat.v2',
      extensions: '',
      requestHeaders: REQUEST_HEADERS,
      responseHeaders: RESPONSE_HEADERS,
    },
    {
      ...at(30),
      type: 'message',
      direction: 'in',
      opcode: 'text',
      size: HELLO_JSON.length,
      data: HELLO_JSON,
      truncated: false,
    },
    {
      ...at(5),
      type: 'message',
      direction: 'out',
      opcode: 'text',
      size: 16,
      data: 'subscribe:prices',
      truncated: false,
    },
    {
      ...at(7),
      type: 'message',
      direction: 'in',
      opcode: 'binary',
      size: 40,
      data: Buffer.from(BINARY_BYTES).toString('base64'),
      truncated: false,
    },
    { ...at(30_000), type: 'ping', direction: 'out', data: 'wsi', encoding: 'utf8' },
    { ...at(23), type: 'pong', direction: 'in', data: 'wsi', encoding: 'utf8', rttMs: 23 },
    { ...at(9_000), type: 'idle-gap', durationMs: 9_000, startT: t - 9_000 },
    {
      ...at(1),
      type: 'message',
      direction: 'in',
      opcode: 'text',
      size: 200_000,
      data: 'x'.repeat(1000),
      truncated: true,
    },
    { ...at(40_000), type: 'heartbeat-timeout', mode: 'ping', waitedMs: 10_000 },
    {
      ...at(1),
      type: 'error',
      message: 'Invalid WebSocket frame: RSV1 must be clear',
      code: 'WS_ERR_UNEXPECTED_RSV_1',
    },
    {
      ...at(1),
      type: 'close',
      code: 1006,
      reason: '',
      wasClean: false,
      initiator: 'none',
      idleMs: 50_001,
      ageMs: 79_082,
    },
    { ...at(0), type: 'reconnect-scheduled', attempt: 1, delayMs: 1000 },
    { ...at(1000), type: 'connecting', attempt: 1, url: 'wss://app.example.test/ws', protocols: ['chat.v2'] },
    {
      ...at(35),
      type: 'handshake-failed',
      status: 502,
      statusText: 'Bad Gateway',
      requestHeaders: REQUEST_HEADERS,
      responseHeaders: { Server: 'nginx/1.22.1', 'Content-Type': 'text/html' },
      body: '<html><body><h1>502 Bad Gateway</h1></body></html>',
      errorCode: null,
      message: 'Unexpected server response: 502',
      handshakeMs: 35,
    },
    { ...at(0), type: 'overflow', droppedEvents: 1, capacity: 100_000 },
    {
      ...at(0),
      type: 'diagnosis',
      findingId: 'idle-timeout@90000',
      kind: 'idle-timeout',
      intervalMs: 90_000,
      occurrences: 3,
      confidence: 0.9,
      summary:
        'Dropped 3 times after 90.0 s without traffic — matches an idle timeout: nginx proxy_read_timeout (default 60 s)?',
      candidates: [
        {
          id: 'nginx-proxy-read-timeout',
          component: 'nginx',
          setting: 'proxy_read_timeout',
          defaultSeconds: 60,
          kind: 'idle',
          fix: {
            config:
              'location /ws {\n    proxy_pass http://backend;\n    proxy_http_version 1.1;\n    proxy_set_header Upgrade $http_upgrade;\n    proxy_set_header Connection "upgrade";\n    proxy_read_timeout 3600s;\n}',
          },
          source: 'nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_read_timeout',
          unconfirmed: false,
        },
      ],
      advice: 'Send a heartbeat every 45 s or less, or raise the timeout.',
      recommendedHeartbeatMs: 45_000,
      evidence: [12],
    },
    { ...at(0), type: 'stopped', reason: 'user' },
    // Last, so that the seqs above (a diagnosis's evidence, the tests' selections) stay as they were.
    {
      ...at(0),
      type: 'protocol',
      protocol: 'socket.io',
      label: 'Socket.IO',
      by: 'frames',
      reason: "the server's first frame is an Engine.IO open packet",
    },
    ...extra,
  ];
  const connection = Connection.imported({
    name: 'imported session',
    endpoint: makeEndpoint('wss://app.example.test/ws'),
    events,
    fileName: 'session.json',
    format: 'session-log',
    producer: 'WebSocket Inspector session log',
    redacted: true,
    droppedEvents: 0,
  });
  return { connection, events };
}
