// One valid event of every type, every optional field set: what the schema round trip and the
// type-confusion fuzzer start from. The type makes the list complete (a new event type that
// is missing here does not compile).

import type { SessionEvent, SessionEventType } from '../../src/core/model/sessionEvents.js';

type Sample<T extends SessionEventType> = Omit<Extract<SessionEvent, { type: T }>, 'seq' | 't'>;

export const SAMPLE_EVENTS: { [T in SessionEventType]: Sample<T> } = {
  connecting: { type: 'connecting', attempt: 0, url: 'ws://api.test/socket', protocols: ['chat', 'v2'] },
  open: {
    type: 'open',
    handshakeMs: 12,
    protocol: 'chat',
    extensions: 'permessage-deflate',
    requestHeaders: { 'X-Trace': 'abc' },
    responseHeaders: { Server: 'nginx' },
    path: [
      {
        component: 'nginx',
        evidence: 'Server: nginx',
        version: null,
        source: 'https://nginx.org/en/docs/http/ngx_http_core_module.html#server_tokens',
      },
    ],
    app: { protocol: 'socket.io', label: 'Socket.IO', by: 'url', reason: "the URL's path has /socket.io/" },
    route: {
      proxy: {
        url: 'http://proxy.corp.example:3128',
        scheme: 'http',
        source: 'environment',
        from: 'HTTPS_PROXY',
        authenticated: true,
        connectStatus: 200,
        connectHeaders: { 'Proxy-agent': 'tinyproxy/1.11.1' },
      },
      tls: {
        protocol: 'TLSv1.3',
        cipher: 'TLS_AES_256_GCM_SHA384',
        subject: 'CN=chat.example.com',
        issuer: 'CN=Example Test CA, O=Example',
        validFrom: '2026-01-01T00:00:00.000Z',
        validTo: '2027-01-01T00:00:00.000Z',
        clientCertificate: true,
      },
    },
  },
  protocol: {
    type: 'protocol',
    protocol: 'socket.io',
    label: 'Socket.IO',
    by: 'frames',
    reason: "the server's first frame is an Engine.IO open packet",
  },
  'handshake-failed': {
    type: 'handshake-failed',
    status: 403,
    statusText: 'Forbidden',
    requestHeaders: { 'X-Trace': 'abc' },
    responseHeaders: { 'Content-Type': 'text/plain' },
    body: 'go away',
    errorCode: null,
    message: 'server answered the handshake with HTTP 403',
    handshakeMs: 8,
    path: [
      {
        component: 'AWS ALB',
        evidence: 'Server: awselb/2.0',
        version: '2.0',
        source: 'https://hayashier.gitbook.io/article/load-balancer/clb-alb-nlb-response',
      },
    ],
    stage: 'proxy',
    route: {
      proxy: null,
      bypassed: {
        url: 'http://proxy.corp.example:3128',
        from: 'HTTPS_PROXY',
        reason: 'no-proxy',
        rule: '.example.com',
      },
      tls: { untrustedRoot: 'CN=Corp Inspection CA' },
    },
  },
  message: {
    type: 'message',
    direction: 'in',
    opcode: 'text',
    size: 4,
    data: '3',
    truncated: false,
    heartbeat: 'pong',
    rttMs: 3,
    app: {
      protocol: 'engine.io',
      kind: 'pong',
      summary: 'pong',
      heartbeat: 'pong',
      id: '1',
      error: 'none',
      name: 'pong',
      fields: { packet: 'pong', nested: { list: [1, 'two', null] } },
    },
  },
  ping: { type: 'ping', direction: 'out', data: 'wsi-1', encoding: 'utf8' },
  pong: { type: 'pong', direction: 'in', data: 'wsi-1', encoding: 'utf8', rttMs: 2 },
  'heartbeat-timeout': { type: 'heartbeat-timeout', mode: 'ping', waitedMs: 10_000 },
  'idle-gap': { type: 'idle-gap', durationMs: 6000, startT: 1_000, expected: false },
  close: {
    type: 'close',
    code: 1006,
    reason: 'gone',
    wasClean: false,
    initiator: 'none',
    idleMs: 60_000,
    ageMs: 61_000,
    inferred: true,
  },
  error: { type: 'error', message: 'write after end', code: 'EPIPE' },
  'reconnect-scheduled': { type: 'reconnect-scheduled', attempt: 1, delayMs: 1000 },
  stopped: { type: 'stopped', reason: 'user' },
  overflow: { type: 'overflow', droppedEvents: 10, capacity: 100 },
  diagnosis: {
    type: 'diagnosis',
    findingId: 'idle-timeout@60000',
    kind: 'idle-timeout',
    intervalMs: 60_000,
    occurrences: 2,
    confidence: 0.8,
    summary: 'idle for 60 s, then dropped',
    candidates: [
      {
        id: 'nginx-proxy-read-timeout',
        component: 'nginx',
        setting: 'proxy_read_timeout',
        defaultSeconds: 60,
        kind: 'idle',
        fix: { config: 'proxy_read_timeout 3600s;', heartbeat: 'ping every 30 s' },
        source: 'https://nginx.org/',
        unconfirmed: false,
      },
    ],
    advice: 'send a heartbeat',
    recommendedHeartbeatMs: 30_000,
    resetBy: 'unknown',
    alternatives: [{ kind: 'lifetime-cap', intervalMs: 60_000 }],
    evidence: [9],
    resolved: { sinceT: 2_000, fix: 'heartbeat every 30 s', heldMs: 120_000 },
    heartbeatOf: 'app',
  },
};

/**
 * A session of every event type in an order the HAR writer takes (a connecting first, the
 * frames of an open connection, a second attempt that fails), seqs 1…n, times 1 s apart.
 */
export function sampleSession(start = Date.UTC(2026, 10, 26, 9, 0, 0)): SessionEvent[] {
  const order: SessionEventType[] = [
    'connecting',
    'open',
    'message',
    'ping',
    'pong',
    'idle-gap',
    'heartbeat-timeout',
    'error',
    'close',
    'diagnosis',
    'overflow',
    'reconnect-scheduled',
    'connecting',
    'handshake-failed',
    // Found from frames after an open in practice; last here so that the seqs above stay put.
    'protocol',
    'stopped',
  ];
  return order.map((type, index) => {
    const event = structuredClone(SAMPLE_EVENTS[type]) as SessionEvent;
    event.seq = index + 1;
    event.t = start + index * 1000;
    if (event.type === 'idle-gap') event.startT = event.t - event.durationMs;
    if (event.type === 'connecting' && index > 0) event.attempt = 1;
    return event;
  });
}
