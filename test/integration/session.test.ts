// The session engine over real sockets: the ws adapter, the system clock and real ws servers
// on 127.0.0.1 random ports. No fakes; every test tears down what it started.

import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { sessionDiagnosis } from '../../src/core/diagnosis/dropAnalyzer.js';
import { makeEndpoint } from '../../src/core/model/endpoint.js';
import { DEFAULT_SESSION_OPTIONS, Session } from '../../src/core/engine/session.js';
import { systemClock } from '../../src/node/systemClock.js';
import { freePort } from '../../support/ports.js';
import { startTcpProxy } from '../helpers/tcpProxy.js';
import { countingSocketFactory, startRecordedSession } from '../helpers/sessionRecorder.js';
import { cleanups } from '../helpers/testScope.js';
import {
  startClosingServer,
  startDestroyingServer,
  startEchoServer,
  startHandshakeStatusServer,
  startSilentServer,
  startTextPingServer,
} from '../helpers/wsServers.js';

// ---- utilities -------------------------------------------------------------------------------

/** A started session with the real ws adapter and clock; disposed by the test's cleanups. */
const startSession = startRecordedSession;

function header(headers: Record<string, string> | null, name: string): string | undefined {
  if (!headers) return undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : headers[key];
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const ticks = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

function countResources(names: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  for (const resource of process.getActiveResourcesInfo()) if (resource in counts) counts[resource]!++;
  return counts;
}

// ---- open, messages, pings -------------------------------------------------------------------

test('echo server: open carries handshake time and headers; text and binary are recorded both ways; ping heartbeat records pong RTTs', async (t) => {
  const defer = cleanups(t);
  const server = await startEchoServer();
  defer(() => server.close());
  const { session, rec } = startSession(defer, server.url, {
    heartbeat: { mode: 'ping', intervalMs: 100, timeoutMs: 1000 },
  });

  const { event: open } = await rec.waitFor('open');
  assert.deepEqual(rec.types(), ['connecting', 'open']);
  assert.equal(typeof open.handshakeMs, 'number');
  assert.ok(open.handshakeMs >= 0 && open.handshakeMs < 3000, `handshakeMs ${open.handshakeMs}`);
  assert.match(header(open.responseHeaders, 'Upgrade') ?? '', /^websocket$/i);
  assert.ok(header(open.responseHeaders, 'Sec-WebSocket-Accept'), 'response has Sec-WebSocket-Accept');
  assert.ok(
    header(open.requestHeaders, 'Sec-WebSocket-Key'),
    `request headers: ${JSON.stringify(open.requestHeaders)}`,
  );
  assert.equal(header(open.requestHeaders, 'Sec-WebSocket-Version'), '13');
  assert.match(header(open.requestHeaders, 'Upgrade') ?? '', /^websocket$/i);
  assert.equal(header(open.requestHeaders, 'Host'), `127.0.0.1:${server.port}`);

  assert.deepEqual(session.send('héllo'), { ok: true });
  assert.deepEqual(session.send(new Uint8Array([1, 2, 3])), { ok: true });
  await rec.waitFor('message', { where: (m) => m.direction === 'in' && m.opcode === 'binary' });
  const messages = rec.ofType('message').map((m) => [m.direction, m.opcode, m.size, m.data, m.truncated]);
  assert.deepEqual(messages, [
    ['out', 'text', 6, 'héllo', false],
    ['out', 'binary', 3, 'AQID', false],
    ['in', 'text', 6, 'héllo', false],
    ['in', 'binary', 3, 'AQID', false],
  ]);

  // Three heartbeat pongs at 100 ms intervals.
  await rec.waitFor('pong', { where: (p) => p.direction === 'in' && p.data === 'wsi-3', timeoutMs: 2000 });
  const pongs = rec.ofType('pong').filter((p) => p.direction === 'in');
  const pings = rec.ofType('ping').filter((p) => p.direction === 'out');
  assert.ok(pongs.length >= 3);
  for (const pong of pongs) {
    assert.equal(typeof pong.rttMs, 'number', `pong ${pong.data} has an RTT`);
    assert.ok(pong.rttMs! >= 0 && pong.rttMs! < 1000, `rtt ${pong.rttMs} ms on loopback`);
    assert.ok(
      pings.some((ping) => ping.data === pong.data && ping.seq < pong.seq),
      `pong ${pong.data} answers an earlier ping`,
    );
  }
  const stats = session.getStats();
  assert.equal(stats.messagesOut, 2);
  assert.equal(stats.messagesIn, 2);
  assert.equal(stats.bytesOut, 9);
  assert.ok(stats.rtt && stats.rtt.count >= 3);
  assert.equal(rec.ofType('close').length, 0);
  for (let i = 1; i < rec.events.length; i++) assert.ok(rec.events[i]!.seq > rec.events[i - 1]!.seq);
});

test('silent server: a ping heartbeat times out, the socket is closed locally and the session reconnects', async (t) => {
  const defer = cleanups(t);
  const server = await startSilentServer();
  defer(() => server.close());
  const { rec } = startSession(defer, server.url, { heartbeat: { mode: 'ping', intervalMs: 200, timeoutMs: 300 } });

  const { index: openIndex } = await rec.waitFor('open');
  const { event: timeout, index: timeoutIndex } = await rec.waitFor('heartbeat-timeout', {
    from: openIndex,
    timeoutMs: 2000,
  });
  assert.equal(timeout.mode, 'ping');
  assert.ok(timeout.waitedMs >= 295 && timeout.waitedMs < 450, `waited ${timeout.waitedMs} ms`);
  const sinceOpen = rec.at[timeoutIndex]! - rec.at[openIndex]!;
  assert.ok(sinceOpen >= 490 && sinceOpen < 800, `dead after ${sinceOpen.toFixed(0)} ms (interval 200 + timeout 300)`);

  const { index: reopenIndex } = await rec.waitFor('open', { from: timeoutIndex, timeoutMs: 2000 });
  // The analyzer explains the drop once the session has reacted to it.
  assert.deepEqual(
    rec.types(openIndex + 1, reopenIndex + 1).filter((type) => type !== 'ping'),
    ['heartbeat-timeout', 'close', 'reconnect-scheduled', 'diagnosis', 'connecting', 'open'],
  );
  assert.equal(rec.ofType('diagnosis')[0]!.kind, 'heartbeat-timeout');
  const close = rec.ofType('close')[0]!;
  assert.equal(close.initiator, 'local');
  assert.equal(close.code, 1006);
  assert.equal(close.wasClean, false);
  const connecting = rec.ofType('connecting');
  assert.equal(connecting.length, 2);
  assert.equal(connecting[1]!.attempt, 1);
  assert.equal(rec.ofType('pong').length, 0);
  assert.equal(server.connectionCount(), 2);
});

// ---- closes ----------------------------------------------------------------------------------

for (const [code, reason] of [
  [1011, 'internal error'],
  [1001, 'going away'],
  [4000, 'application close'],
] as const) {
  test(`server closes with ${code}: close is clean, remote, with code and reason, then a reconnect is scheduled`, async (t) => {
    const defer = cleanups(t);
    const server = await startClosingServer(code, reason, 50);
    defer(() => server.close());
    const { rec } = startSession(defer, server.url);

    const { event: close, index } = await rec.waitFor('close');
    assert.equal(close.code, code);
    assert.equal(close.reason, reason);
    assert.equal(close.wasClean, true);
    assert.equal(close.initiator, 'remote');
    assert.ok(close.ageMs !== null && close.ageMs >= 30 && close.ageMs < 1000, `ageMs ${close.ageMs}`);
    assert.equal(rec.events[index + 1]?.type, 'reconnect-scheduled');
    await rec.waitFor('open', { from: index });
  });
}

test('server destroys the TCP socket: close 1006, not clean, initiator none, then a reconnect', async (t) => {
  const defer = cleanups(t);
  const server = await startDestroyingServer(50);
  defer(() => server.close());
  const { rec } = startSession(defer, server.url);

  const { event: close, index } = await rec.waitFor('close');
  assert.equal(close.code, 1006);
  assert.equal(close.wasClean, false);
  assert.equal(close.initiator, 'none');
  assert.equal(rec.events[index + 1]?.type, 'reconnect-scheduled');
  await rec.waitFor('connecting', { from: index });
  await rec.waitFor('open', { from: index });
});

// ---- failed handshakes -----------------------------------------------------------------------

for (const [status, body, extraHeaders] of [
  [403, 'forbidden: bad token\n', { 'X-Reason': 'auth' }],
  [426, 'Upgrade Required\n', { 'Sec-WebSocket-Version': '13' }],
  // Longer than the 2 KiB the adapter keeps: the event carries the first bytes only.
  [500, 'E'.repeat(1000) + 'F'.repeat(4000), { 'X-Reason': 'boom' }],
] as const) {
  test(`handshake answered with HTTP ${status}: handshake-failed with status, headers and body, then a reconnect; no open, no close`, async (t) => {
    const defer = cleanups(t);
    const server = await startHandshakeStatusServer(status, body, extraHeaders);
    defer(() => server.close());
    const { rec } = startSession(defer, server.url);

    const { event: failed, index } = await rec.waitFor('handshake-failed');
    assert.equal(failed.status, status);
    assert.ok(failed.statusText && failed.statusText.length > 0);
    assert.equal(failed.errorCode, null);
    assert.match(failed.message, new RegExp(`HTTP ${status}`));
    for (const [name, value] of Object.entries(extraHeaders)) assert.equal(header(failed.responseHeaders, name), value);
    assert.equal(header(failed.responseHeaders, 'Content-Length'), String(body.length));
    assert.ok(header(failed.requestHeaders, 'Sec-WebSocket-Key'), 'request headers are kept');
    if (body.length <= 2048) assert.equal(failed.body, body);
    else assert.equal(failed.body, body.slice(0, 2048));
    assert.equal(typeof failed.handshakeMs, 'number');

    assert.equal(rec.events[index + 1]?.type, 'reconnect-scheduled');
    // The reconnect fails the same way.
    await rec.waitFor('handshake-failed', { from: index + 1 });
    assert.equal(rec.ofType('open').length, 0);
    assert.equal(rec.ofType('close').length, 0);
    assert.equal(rec.ofType('error').length, 0);
  });
}

test('nothing listening: handshake-failed with errorCode ECONNREFUSED, then a reconnect', async (t) => {
  const defer = cleanups(t);
  const port = await freePort();
  const { rec } = startSession(defer, `ws://127.0.0.1:${port}/`);

  const { event: failed, index } = await rec.waitFor('handshake-failed');
  assert.equal(failed.errorCode, 'ECONNREFUSED');
  assert.equal(failed.status, null);
  assert.equal(failed.responseHeaders, null);
  assert.match(failed.message, /ECONNREFUSED/);
  assert.equal(rec.events[index + 1]?.type, 'reconnect-scheduled');
  assert.equal(rec.ofType('open').length, 0);
  assert.equal(rec.ofType('close').length, 0);
});

// ---- text heartbeat --------------------------------------------------------------------------

test('text heartbeat: the "ping" message goes out marked as heartbeat and the "pong" reply comes back with an RTT', async (t) => {
  const defer = cleanups(t);
  const server = await startTextPingServer();
  defer(() => server.close());
  const { rec } = startSession(defer, server.url, {
    heartbeat: { mode: 'text', intervalMs: 100, timeoutMs: 1000, payload: 'ping', expect: 'pong' },
  });

  await rec.waitFor('message', { where: (m) => m.direction === 'in' && m.heartbeat === 'pong', timeoutMs: 2000 });
  const { event: second } = await rec.waitFor('message', {
    from: rec.events.length,
    where: (m) => m.direction === 'in' && m.heartbeat === 'pong',
    timeoutMs: 2000,
  });
  const out = rec.ofType('message').filter((m) => m.direction === 'out');
  assert.ok(out.length >= 2);
  for (const m of out) assert.deepEqual([m.opcode, m.data, m.heartbeat], ['text', 'ping', 'ping']);
  const replies = rec.ofType('message').filter((m) => m.direction === 'in');
  for (const m of replies) {
    assert.deepEqual([m.opcode, m.data, m.heartbeat], ['text', 'pong', 'pong']);
    assert.equal(typeof m.rttMs, 'number');
    assert.ok(m.rttMs! >= 0 && m.rttMs! < 1000, `rtt ${m.rttMs}`);
  }
  assert.equal(typeof second.rttMs, 'number');
  assert.equal(rec.ofType('heartbeat-timeout').length, 0);
  assert.equal(rec.ofType('close').length, 0);
});

// ---- half-open link --------------------------------------------------------------------------

test('half-open link through a TCP proxy: the heartbeat detects it within (interval + timeout) x 1.1, and the session reconnects after resume', async (t) => {
  const defer = cleanups(t);
  const echo = await startEchoServer();
  defer(() => echo.close());
  const proxy = await startTcpProxy({ targetPort: echo.port });
  defer(() => proxy.close());
  const intervalMs = 300;
  const timeoutMs = 300;
  const { rec } = startSession(defer, proxy.url, { heartbeat: { mode: 'ping', intervalMs, timeoutMs } });

  const { index: openIndex } = await rec.waitFor('open');
  // Blackhole right after a pong: the link is proven alive, so detection takes the next
  // ping (at most one interval away) plus its timeout.
  const { index: pongIndex } = await rec.waitFor('pong', {
    from: openIndex,
    where: (p) => p.direction === 'in',
    timeoutMs: 2000,
  });
  proxy.blackhole();
  const blackholedAt = performance.now();

  const { event: timeout, index: timeoutIndex } = await rec.waitFor('heartbeat-timeout', {
    from: pongIndex,
    timeoutMs: 3000,
  });
  const detectionMs = rec.at[timeoutIndex]! - blackholedAt;
  // The bound is (interval + timeout) x 1.1 = 660 ms plus a scheduling allowance of 50 ms:
  // two timers (interval, then deadline) fire on a loaded event loop, each a little late.
  const boundMs = (intervalMs + timeoutMs) * 1.1 + 50;
  t.diagnostic(
    `half-open detected ${detectionMs.toFixed(1)} ms after blackhole() (bound ${boundMs} ms, waitedMs ${timeout.waitedMs})`,
  );
  assert.ok(detectionMs <= boundMs, `detected after ${detectionMs.toFixed(1)} ms, bound ${boundMs} ms`);
  assert.ok(detectionMs >= timeoutMs - 5, `cannot be detected before one timeout (${detectionMs.toFixed(1)} ms)`);
  assert.ok(timeout.waitedMs >= timeoutMs - 5 && timeout.waitedMs <= timeoutMs + 60, `waitedMs ${timeout.waitedMs}`);

  const { event: close, index: closeIndex } = await rec.waitFor('close', { from: timeoutIndex });
  assert.equal(close.initiator, 'local');
  assert.equal(close.wasClean, false);
  assert.equal(rec.events[closeIndex + 1]?.type, 'reconnect-scheduled');
  // While the proxy is blackholed the new attempt's handshake cannot complete.
  const { index: connectingIndex } = await rec.waitFor('connecting', { from: closeIndex });
  await delay(200);
  assert.equal(rec.ofType('open').length, 1, 'no second open while blackholed');

  proxy.resume();
  const { event: reopened } = await rec.waitFor('open', { from: connectingIndex, timeoutMs: 3000 });
  assert.ok(reopened.handshakeMs >= 150, `the handshake waited for the resume (${reopened.handshakeMs} ms)`);
  // And the new connection is healthy: the heartbeat gets pongs again.
  await rec.waitFor('pong', {
    from: rec.events.indexOf(reopened),
    where: (p) => p.direction === 'in',
    timeoutMs: 2000,
  });
});

// ---- user stop -------------------------------------------------------------------------------

test('user stop: close 1000 initiated locally, stopped(user), the server sees the close, and nothing reconnects', async (t) => {
  const defer = cleanups(t);
  const server = await startEchoServer();
  defer(() => server.close());
  const serverSaw = new Promise<{ code: number; reason: string }>((resolve) => {
    server.server.on('connection', (ws) =>
      ws.on('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString('utf8') })),
    );
  });
  const { session, rec } = startSession(defer, server.url, {
    heartbeat: { mode: 'ping', intervalMs: 100, timeoutMs: 1000 },
  });
  await rec.waitFor('open');
  assert.equal(server.liveSockets(), 1);

  await session.stop();
  assert.equal(session.state, 'stopped');
  const tail = rec.types().filter((type) => type !== 'ping' && type !== 'pong');
  assert.deepEqual(tail.slice(-2), ['close', 'stopped']);
  const close = rec.ofType('close')[0]!;
  assert.equal(close.code, 1000);
  assert.equal(close.reason, 'user disconnect');
  assert.equal(close.initiator, 'local');
  assert.equal(close.wasClean, true);
  assert.equal(rec.ofType('stopped')[0]!.reason, 'user');

  let timer: NodeJS.Timeout | undefined;
  const seen = await Promise.race([
    serverSaw,
    new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), 1000))),
  ]);
  clearTimeout(timer);
  assert.deepEqual(seen, { code: 1000, reason: 'user disconnect' });
  await delay(300);
  assert.equal(server.liveSockets(), 0);
  assert.equal(rec.ofType('connecting').length, 1);
  assert.equal(rec.ofType('reconnect-scheduled').length, 0);
  assert.equal(server.connectionCount(), 1);
});

// ---- single flight ---------------------------------------------------------------------------

test(
  'single flight with real sockets: ~200 drop/reconnect cycles never hold two connections, and nothing leaks',
  { timeout: 40_000 },
  async (t) => {
    const watched = ['TCPSocketWrap', 'TCPServerWrap', 'Timeout'] as const;
    await ticks(2);
    const before = countResources(watched);

    const server = await startDestroyingServer(20);
    const httpServer = server.server.options.server!;
    // TCP level: every socket that reached the server, handshake or not.
    let tcpOpen = 0;
    let tcpMax = 0;
    const onTcp = (socket: Socket) => {
      tcpOpen++;
      tcpMax = Math.max(tcpMax, tcpOpen);
      socket.once('close', () => tcpOpen--);
    };
    httpServer.on('connection', onTcp);
    // WebSocket level: connections that completed the handshake.
    let wsMax = 0;
    server.server.on('connection', (_ws, _request: IncomingMessage) => {
      wsMax = Math.max(wsMax, server.liveSockets());
    });
    // Client side: adapter sockets created and not yet closed or disposed.
    const sockets = countingSocketFactory();
    const { createSocket } = sockets;

    const endpoint = makeEndpoint(server.url, {
      heartbeat: { mode: 'off' },
      reconnect: { initialDelayMs: 5, maxDelayMs: 20 },
    });
    const session = new Session(endpoint, DEFAULT_SESSION_OPTIONS, {
      clock: systemClock,
      createSocket,
      observer: sessionDiagnosis(endpoint),
    });
    const cycles = 200;
    const capMs = 20_000;
    let opens = 0;
    let closes = 0;
    const started = performance.now();
    const probe: { during: Record<string, number> | null } = { during: null };
    const done = new Promise<void>((resolve) => {
      const cap = setTimeout(resolve, capMs);
      session.onEvent((event) => {
        if (event.type === 'open') opens++;
        // Proof that the probe sees these resources at all: client and server sockets, listener, timers.
        if (event.type === 'open' && opens === 1) probe.during = countResources(watched);
        if (event.type === 'close') closes++;
        if (opens >= cycles && event.type === 'close') {
          clearTimeout(cap);
          resolve();
        }
      });
    });
    try {
      session.start();
      await done;
    } finally {
      session.dispose();
      await server.close();
    }
    const elapsed = performance.now() - started;
    await ticks(2);
    await delay(20);
    await ticks(2);
    const after = countResources(watched);
    t.diagnostic(
      `${opens} opens / ${closes} closes in ${elapsed.toFixed(0)} ms; max simultaneous: tcp ${tcpMax}, ws ${wsMax}, client sockets ${sockets.max()}; ` +
        `resources before ${JSON.stringify(before)}, during the first open ${JSON.stringify(probe.during)}, after ${JSON.stringify(after)}`,
    );

    assert.ok(opens >= cycles, `${opens} cycles within ${capMs} ms`);
    assert.equal(tcpMax, 1, 'the server never saw two TCP connections at once');
    assert.equal(wsMax, 1, 'the server never had two WebSocket connections at once');
    assert.equal(sockets.max(), 1, 'the session never held two sockets at once');
    assert.equal(sockets.live(), 0);
    assert.equal(session.getStats().connections, opens);
    const during = probe.during;
    assert.ok(during !== null, 'the probe ran');
    assert.ok(
      during['TCPSocketWrap']! >= before['TCPSocketWrap']! + 2,
      `while open the probe sees the client and server sockets: ${JSON.stringify(during)}`,
    );
    assert.ok(during['TCPServerWrap']! >= before['TCPServerWrap']! + 1, 'and the listening server');
    // Slack of 1 per kind: node:test and tsx may start or finish one internal timer (the
    // runner's own bookkeeping) between the two snapshots; a leak of the session would show as
    // one socket or timer per cycle, i.e. hundreds, not one.
    for (const name of watched) {
      assert.ok(after[name]! <= before[name]! + 1, `${name}: ${before[name]} before, ${after[name]} after`);
    }
  },
);
