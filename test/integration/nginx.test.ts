// The seed scenario through a real nginx with proxy_read_timeout 2s: without a heartbeat the
// proxy cuts the idle connection every 2 s; with a ping or text heartbeat it never does.
// Needs nginx: skipped with an install hint outside CI, a failure in CI (CI=true).

import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { test, type TestContext } from 'node:test';
import { sessionDiagnosis } from '../../src/core/diagnosis/dropAnalyzer.js';
import { makeEndpoint, type HeartbeatConfig, type ReconnectConfig } from '../../src/core/model/endpoint.js';
import { DEFAULT_SESSION_OPTIONS, Session } from '../../src/core/engine/session.js';
import type { SessionEvent, SessionEventType } from '../../src/core/model/sessionEvents.js';
import { systemClock } from '../../src/node/systemClock.js';
import { createWsSocket } from '../../src/node/wsSocket.js';
import { behindNginx, cleanups, type EventOf } from '../helpers/testScope.js';
import { startEchoServer, startTextPingServer, type TestWsServer } from '../helpers/wsServers.js';

const PROXY_READ_TIMEOUT_MS = 2000;

function startSession(
  defer: (fn: () => unknown) => void,
  url: string,
  heartbeat: Partial<HeartbeatConfig>,
  reconnect: Partial<ReconnectConfig> = {},
) {
  const endpoint = makeEndpoint(url, { heartbeat, reconnect });
  const session = new Session(
    endpoint,
    { ...DEFAULT_SESSION_OPTIONS, idleGapMs: 5000 },
    { clock: systemClock, createSocket: createWsSocket, observer: sessionDiagnosis(endpoint) },
  );
  defer(() => session.dispose());
  const events: SessionEvent[] = [];
  const startedAt = performance.now();
  const at: number[] = [];
  session.onEvent((event) => {
    events.push(event);
    at.push(performance.now() - startedAt);
  });
  const ofType = <T extends SessionEventType>(type: T) => events.filter((e): e is EventOf<T> => e.type === type);
  session.start();
  return { session, events, at, ofType };
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves when `ready()` holds (checked every 50 ms) or after timeoutMs, whichever is first. */
async function until(ready: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!ready() && performance.now() < deadline) await delay(50);
}

test(
  'heartbeat off through nginx (proxy_read_timeout 2s): the idle connection is cut every ~2 s, each cut followed by a reconnect and a new open',
  { timeout: 20_000 },
  async (t) => {
    const defer = cleanups(t);
    const setup = await behindNginx(t, defer, startEchoServer, `${PROXY_READ_TIMEOUT_MS / 1000}s`);
    if (!setup) return;
    // The CLI's default reconnect policy (1 s, jitter 0.2): the seed scenario as a user sees it.
    const { session, events, at, ofType } = startSession(defer, setup.nginx.url, { mode: 'off' });

    const windowMs = 9500;
    // Done once the third close has been followed by its reconnect's open.
    const thirdCycleDone = () => {
      const closes = events.flatMap((e, i) => (e.type === 'close' ? [i] : []));
      return closes.length >= 3 && events.slice(closes[2]!).some((e) => e.type === 'open');
    };
    await until(thirdCycleDone, windowMs);
    await session.stop();

    const closes = events.flatMap((e, i) => (e.type === 'close' && e.initiator !== 'local' ? [i] : []));
    const summary = closes.map((i) => {
      const c = events[i] as EventOf<'close'>;
      return `close at ${at[i]!.toFixed(0)} ms: code ${c.code}, idleMs ${c.idleMs}, ageMs ${c.ageMs}`;
    });
    t.diagnostic(summary.join('; '));
    assert.ok(
      thirdCycleDone(),
      `three cut/reconnect cycles within ${windowMs} ms; got: ${summary.join('; ') || 'no close'}; events: ${events.map((e) => e.type).join(', ')}`,
    );
    for (const index of closes.slice(0, 3)) {
      const close = events[index] as EventOf<'close'>;
      assert.ok(close.idleMs !== null, 'a live close is measured');
      assert.ok(
        Math.abs(close.idleMs - PROXY_READ_TIMEOUT_MS) <= PROXY_READ_TIMEOUT_MS * 0.1,
        `idleMs ${close.idleMs} within 10 % of ${PROXY_READ_TIMEOUT_MS}`,
      );
      assert.equal(close.wasClean, false);
      assert.equal(close.code, 1006);
      assert.equal(close.initiator, 'none');
      assert.ok(at[index]! <= windowMs);
      // The next relevant events: reconnect-scheduled, then the new attempt opening
      // (diagnoses of the drop pattern come in between; diagnosis.test.ts checks them).
      const next = events
        .slice(index + 1)
        .filter((e) => e.type !== 'error' && e.type !== 'diagnosis')
        .map((e) => e.type);
      assert.deepEqual(next.slice(0, 3), ['reconnect-scheduled', 'connecting', 'open']);
    }
    // 2 s of silence is below the 5 s idle-gap threshold: the proxy cuts before a gap is recorded.
    assert.equal(ofType('idle-gap').length, 0);
    assert.equal(ofType('handshake-failed').length, 0);
    assert.ok(setup.upstream.connectionCount() >= 4);

    // nginx names itself in the 101 (Server: nginx/…): it is recorded with each open, and the
    // diagnosis puts its proxy_read_timeout first, as a configured value, saying why.
    const headers = (ofType('open')[0] as EventOf<'open'>).responseHeaders;
    const server = Object.entries(headers).find(([name]) => name.toLowerCase() === 'server')?.[1] ?? '';
    assert.match(server, /^nginx/);
    assert.deepEqual(
      (ofType('open')[0] as EventOf<'open'>).path?.map((p) => [p.component, p.evidence]),
      [['nginx', `Server: ${server}`]],
    );
    const diagnosis = ofType('diagnosis')
      .map((e) => e as EventOf<'diagnosis'>)
      .filter((d) => d.kind === 'idle-timeout')
      .pop();
    assert.ok(diagnosis, 'an idle-timeout diagnosis');
    assert.equal(diagnosis.candidates[0]?.id, 'nginx-proxy-read-timeout');
    assert.match(
      diagnosis.summary,
      new RegExp(
        `the handshake came through nginx \\(Server: ${server.replace(/[./()]/g, '\\$&')}\\): its proxy_read_timeout is probably set to 2 s`,
      ),
    );
  },
);

/** Runs a heartbeat through nginx for 10 s, then stops: the only close must be ours. */
async function assertHeartbeatKeepsAlive(
  t: TestContext,
  startUpstream: () => Promise<TestWsServer>,
  heartbeat: Partial<HeartbeatConfig>,
) {
  const defer = cleanups(t);
  const setup = await behindNginx(t, defer, startUpstream, `${PROXY_READ_TIMEOUT_MS / 1000}s`);
  if (!setup) return null;
  const { session, events, ofType } = startSession(defer, setup.nginx.url, heartbeat);
  await delay(10_000);
  const closesBeforeStop = ofType('close').length;
  await session.stop();

  assert.equal(
    closesBeforeStop,
    0,
    `no close in 10 s; events: ${events
      .filter((e) => e.type === 'close')
      .map((e) => JSON.stringify(e))
      .join(' ')}`,
  );
  assert.equal(ofType('open').length, 1);
  assert.equal(ofType('heartbeat-timeout').length, 0);
  assert.equal(ofType('reconnect-scheduled').length, 0);
  const [close, ...more] = ofType('close');
  assert.equal(more.length, 0);
  assert.equal(close?.initiator, 'local');
  assert.equal(close?.code, 1000);
  assert.equal(ofType('stopped')[0]?.reason, 'user');
  assert.equal(setup.upstream.connectionCount(), 1);
  return ofType;
}

test(
  'ping heartbeat every 500 ms through the same nginx setup: 10 s without a close, pongs received',
  { timeout: 20_000 },
  async (t) => {
    const ofType = await assertHeartbeatKeepsAlive(t, startEchoServer, {
      mode: 'ping',
      intervalMs: 500,
      timeoutMs: 1000,
    });
    if (!ofType) return;
    const pongs = ofType('pong').filter((p) => p.direction === 'in');
    t.diagnostic(`${pongs.length} pongs, rtt ${pongs.map((p) => p.rttMs).join(', ')}`);
    assert.ok(pongs.length >= 17, `${pongs.length} pongs in 10 s`);
    for (const pong of pongs) assert.equal(typeof pong.rttMs, 'number');
  },
);

test(
  'text heartbeat every 500 ms through nginx in front of a text-ping server: 10 s without a close',
  { timeout: 20_000 },
  async (t) => {
    const ofType = await assertHeartbeatKeepsAlive(t, startTextPingServer, {
      mode: 'text',
      intervalMs: 500,
      timeoutMs: 1000,
      payload: 'ping',
      expect: 'pong',
    });
    if (!ofType) return;
    const replies = ofType('message').filter((m) => m.direction === 'in' && m.heartbeat === 'pong');
    const sent = ofType('message').filter((m) => m.direction === 'out' && m.heartbeat === 'ping');
    t.diagnostic(`${sent.length} text pings, ${replies.length} replies`);
    assert.ok(replies.length >= 17, `${replies.length} replies in 10 s`);
    for (const reply of replies) assert.equal(typeof reply.rttMs, 'number');
  },
);
