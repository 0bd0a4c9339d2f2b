// Abrupt ends and handshake trouble against real servers on loopback (a killed server
// process, resets and a half-open link through a real nginx, servers that never answer, answer
// slowly or answer with garbage): each is recorded with a clear message and followed by a
// reconnect. A server that destroys its socket, and a half-open link through a bare TCP proxy,
// are in session.test.ts.

import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { startChildWsServer } from '../helpers/childWsServer.js';
import { findNginx, NGINX_MISSING_MESSAGE, startNginx } from '../helpers/nginx.js';
import {
  SWITCHING_PROTOCOLS_LENGTH,
  startRawServer,
  startSilentHandshakeServer,
  startTricklingHandshakeServer,
} from '../helpers/rawServers.js';
import { skipOrFail } from '../helpers/requireComponent.js';
import { startRecordedSession } from '../helpers/sessionRecorder.js';
import { startTcpProxy } from '../helpers/tcpProxy.js';
import { cleanups } from '../helpers/testScope.js';
import { startWsServer } from '../helpers/wsServers.js';

/** Sends `tick N` every tickMs to each connection and answers pings (ws's autoPong). */
function startTickerServer(tickMs: number) {
  return startWsServer((ws) => {
    let n = 0;
    const timer = setInterval(() => ws.send(`tick ${++n}`), tickMs);
    ws.on('close', () => clearInterval(timer));
  });
}

// ---- abrupt ends -------------------------------------------------------------------------------

test(
  'server process killed mid-stream (SIGKILL): close 1006 recorded, reconnects fail while it is down, and succeed once it is back on the same port',
  { timeout: 30_000 },
  async (t) => {
    const defer = cleanups(t);
    let server = await startChildWsServer(0, 5);
    defer(() => server.kill());
    const port = server.port;
    const { rec } = startRecordedSession(defer, server.url, { reconnect: { initialDelayMs: 50, maxDelayMs: 100 } });

    await rec.waitFor('open');
    await rec.waitFor('message', { where: (m) => m.data === 'tick 20', timeoutMs: 5000 });
    const killedAt = performance.now();
    await server.kill();
    const { event: close, index: closeIndex } = await rec.waitFor('close');
    t.diagnostic(
      `close recorded ${(rec.at[closeIndex]! - killedAt).toFixed(1)} ms after the SIGKILL; ${rec.ofType('message').length} ticks recorded before it`,
    );
    assert.equal(close.code, 1006);
    assert.equal(close.wasClean, false);
    assert.equal(close.initiator, 'none');
    assert.equal(rec.events[closeIndex + 1]?.type, 'reconnect-scheduled');
    // Every tick up to the last one recorded, in order, none lost or duplicated.
    const ticks = rec.ofType('message').map((m) => Number(m.data!.slice(5)));
    assert.deepEqual(
      ticks,
      ticks.map((_, i) => i + 1),
    );

    // While the process is down, reconnects are refused.
    const { event: refused } = await rec.waitFor('handshake-failed', { from: closeIndex });
    assert.equal(refused.errorCode, 'ECONNREFUSED');
    server = await startChildWsServer(port, 5);
    const { index: reopenIndex } = await rec.waitFor('open', { from: closeIndex, timeoutMs: 5000 });
    await rec.waitFor('message', { from: reopenIndex, where: (m) => m.data === 'tick 3', timeoutMs: 5000 });
    assert.equal(rec.ofType('open').length, 2);
  },
);

test('TCP reset (RST) between client and server: close 1006 recorded, then a reconnect that opens', async (t) => {
  const defer = cleanups(t);
  const upstream = await startTickerServer(10);
  defer(() => upstream.close());
  const proxy = await startTcpProxy({ targetPort: upstream.port });
  defer(() => proxy.close());
  const { rec } = startRecordedSession(defer, proxy.url);

  const { index: openIndex } = await rec.waitFor('open');
  await rec.waitFor('message', { from: openIndex, where: (m) => m.data === 'tick 5' });
  proxy.cutAll();
  const { event: close, index: closeIndex } = await rec.waitFor('close');
  assert.equal(close.code, 1006);
  assert.equal(close.wasClean, false);
  assert.equal(close.initiator, 'none');
  // A reset may also surface as an ECONNRESET error; either way it comes before the close.
  for (const error of rec.ofType('error')) {
    assert.ok(rec.events.indexOf(error) < closeIndex, `error ${error.message} after the close`);
  }
  assert.equal(rec.events[closeIndex + 1]?.type, 'reconnect-scheduled');
  const { index: reopenIndex } = await rec.waitFor('open', { from: closeIndex });
  await rec.waitFor('message', { from: reopenIndex, where: (m) => m.data === 'tick 2' });
  assert.equal(proxy.totalConnections(), 2);
});

test(
  'through nginx: an upstream reset reaches the client as a close, and a half-open upstream link is found by the heartbeat within (interval + timeout) x 1.1',
  { timeout: 30_000 },
  async (t) => {
    const nginxPath = findNginx();
    if (nginxPath === null) return skipOrFail(t, NGINX_MISSING_MESSAGE);
    const defer = cleanups(t);
    // client → nginx → TCP proxy (where the faults happen) → ticker server.
    const upstream = await startTickerServer(50);
    defer(() => upstream.close());
    const link = await startTcpProxy({ targetPort: upstream.port });
    defer(() => link.close());
    // A long read timeout: nginx itself must not be what notices anything.
    const nginx = await startNginx({ upstreamPort: link.port, proxyReadTimeout: '60s', nginxPath });
    defer(() => nginx.stop());
    // Long enough that the 10 % margin (200 ms) dwarfs timer lateness on a busy machine.
    const intervalMs = 1000;
    const timeoutMs = 1000;
    const { rec } = startRecordedSession(defer, nginx.url, { heartbeat: { mode: 'ping', intervalMs, timeoutMs } });

    // 1. A reset behind nginx: nginx closes our connection, which is recorded and reconnected.
    const { index: openIndex } = await rec.waitFor('open');
    await rec.waitFor('message', { from: openIndex, where: (m) => m.data === 'tick 3' });
    link.cutAll();
    const { event: resetClose, index: resetIndex } = await rec.waitFor('close', { from: openIndex });
    assert.equal(resetClose.code, 1006);
    assert.equal(resetClose.initiator, 'none');
    assert.equal(rec.events[resetIndex + 1]?.type, 'reconnect-scheduled');
    const { index: reopenIndex } = await rec.waitFor('open', { from: resetIndex });

    // 2. Half-open: nothing is closed anywhere, the upstream link just stops forwarding.
    const { index: pongIndex } = await rec.waitFor('pong', {
      from: reopenIndex,
      where: (p) => p.direction === 'in',
      timeoutMs: 3000,
    });
    link.blackhole();
    const blackholedAt = performance.now();
    const { event: timeout, index: timeoutIndex } = await rec.waitFor('heartbeat-timeout', {
      from: pongIndex,
      timeoutMs: 5000,
    });
    const detectionMs = rec.at[timeoutIndex]! - blackholedAt;
    const boundMs = (intervalMs + timeoutMs) * 1.1;
    t.diagnostic(
      `half-open behind nginx detected ${detectionMs.toFixed(1)} ms after blackhole() (bound ${boundMs} ms; waitedMs ${timeout.waitedMs})`,
    );
    assert.ok(detectionMs <= boundMs, `detected after ${detectionMs.toFixed(1)} ms, bound ${boundMs} ms`);
    assert.ok(timeout.waitedMs >= timeoutMs - 5, `waitedMs ${timeout.waitedMs}`);
    // Nothing but the heartbeat noticed: no close arrived before the timeout.
    assert.equal(rec.types(reopenIndex, timeoutIndex).includes('close'), false);
    const { event: close, index: closeIndex } = await rec.waitFor('close', { from: timeoutIndex });
    assert.equal(close.initiator, 'local');
    assert.equal(rec.events[closeIndex + 1]?.type, 'reconnect-scheduled');

    // While the link is blackholed nginx cannot reach the upstream: the new handshake waits.
    link.resume();
    const { index: healedIndex } = await rec.waitFor('open', { from: closeIndex, timeoutMs: 5000 });
    await rec.waitFor('pong', { from: healedIndex, where: (p) => p.direction === 'in', timeoutMs: 3000 });
  },
);

// ---- handshake trouble -------------------------------------------------------------------------

test('a handshake that is never answered: the handshake timeout fires with an error naming it, then a reconnect', async (t) => {
  const defer = cleanups(t);
  const server = await startSilentHandshakeServer();
  defer(() => server.close());
  const handshakeTimeoutMs = 500;
  const { rec } = startRecordedSession(defer, server.url, { endpoint: { handshakeTimeoutMs } });

  const { event: failed, index } = await rec.waitFor('handshake-failed');
  t.diagnostic(`handshake-failed after ${failed.handshakeMs} ms (timeout ${handshakeTimeoutMs} ms): ${failed.message}`);
  assert.equal(failed.errorCode, 'ETIMEDOUT');
  assert.match(failed.message, /handshake has timed out after 500 ms/);
  assert.match(failed.message, /handshakeTimeoutMs/);
  assert.match(failed.message, /--handshake-timeout/);
  assert.ok(
    failed.handshakeMs >= handshakeTimeoutMs - 5 && failed.handshakeMs < handshakeTimeoutMs + 250,
    `handshakeMs ${failed.handshakeMs}`,
  );
  assert.equal(server.connectionCount(), 1, 'the server accepted the TCP connection');
  assert.equal(rec.events[index + 1]?.type, 'reconnect-scheduled');
  const diagnosis = await rec.waitFor('diagnosis', { from: index });
  assert.equal(diagnosis.event.kind, 'handshake');
  assert.match(JSON.stringify(diagnosis.event), /Handshake timed out/);
  await rec.waitFor('connecting', { from: index + 1, where: (c) => c.attempt === 1 });
  assert.equal(rec.ofType('open').length, 0);
});

test('a 101 response that trickles in over ~1.3 s opens when it beats the handshake timeout, and times out when it does not', async (t) => {
  const defer = cleanups(t);
  // 8 bytes every 80 ms.
  const server = await startTricklingHandshakeServer(8, 80);
  defer(() => server.close());
  const expectedMs = Math.ceil(SWITCHING_PROTOCOLS_LENGTH / 8 - 1) * 80;

  const fast = startRecordedSession(defer, server.url, { endpoint: { handshakeTimeoutMs: 4000 } });
  const { event: open } = await fast.rec.waitFor('open', { timeoutMs: 6000 });
  t.diagnostic(
    `trickled 101 (${SWITCHING_PROTOCOLS_LENGTH} bytes) opened after ${open.handshakeMs} ms (${expectedMs} ms of trickling)`,
  );
  assert.ok(open.handshakeMs >= expectedMs - 20, `handshakeMs ${open.handshakeMs}: the response really trickled`);
  assert.equal(fast.rec.ofType('handshake-failed').length, 0);
  fast.session.dispose();

  const slow = startRecordedSession(defer, server.url, {
    endpoint: { handshakeTimeoutMs: 600 },
    reconnect: { enabled: false },
  });
  const { event: failed } = await slow.rec.waitFor('handshake-failed', { timeoutMs: 3000 });
  assert.equal(failed.errorCode, 'ETIMEDOUT');
  assert.match(failed.message, /timed out after 600 ms/);
  await slow.rec.waitFor('stopped');
  assert.equal(slow.rec.ofType('open').length, 0);
});

for (const [what, speaksFirst, garbage] of [
  ['an SSH banner, sent before any request', true, 'SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n'],
  [
    'random binary bytes after the request',
    false,
    Buffer.from(Array.from({ length: 256 }, (_, i) => (i * 97 + 13) % 256)),
  ],
] as const) {
  test(`TCP accepted, then garbage instead of HTTP (${what}): a handshake failure saying so, then a reconnect`, async (t) => {
    const defer = cleanups(t);
    const server = await startRawServer(
      speaksFirst
        ? { onConnection: (connection) => connection.write(garbage) }
        : { onRequest: (connection) => connection.socket.end(garbage) },
    );
    defer(() => server.close());
    const { rec } = startRecordedSession(defer, server.url);

    const { event: failed, index } = await rec.waitFor('handshake-failed');
    t.diagnostic(`${failed.errorCode}: ${failed.message}`);
    assert.match(failed.errorCode ?? '', /^HPE_/);
    assert.match(failed.message, /did not answer the handshake with HTTP/);
    assert.equal(failed.status, null);
    assert.equal(rec.events[index + 1]?.type, 'reconnect-scheduled');
    // The next attempt meets the same garbage, and is recorded the same way.
    await rec.waitFor('handshake-failed', { from: index + 1 });
    assert.equal(rec.ofType('open').length, 0);
    assert.equal(rec.ofType('close').length, 0);
  });
}
