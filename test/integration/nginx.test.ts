// The seed scenario through a real nginx with proxy_read_timeout 2s: without a heartbeat the
// proxy cuts the idle connection every 2 s; with a ping or text heartbeat it never does.
// Needs nginx: skipped with an install hint outside CI, a failure in CI (CI=true).

import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { HeartbeatConfig } from '../../src/core/model/endpoint.js';
import { DEFAULT_SESSION_OPTIONS } from '../../src/core/engine/session.js';
import { awaitIdleCutCycles, delay, startLiveSession } from '../helpers/liveSession.js';
import { behindNginx, cleanups, type EventOf } from '../helpers/testScope.js';
import { startEchoServer, startTextPingServer, type TestWsServer } from '../helpers/wsServers.js';

const PROXY_READ_TIMEOUT_MS = 2000;

/** A session on `url` that watches idle gaps from 5 s (above the 2 s proxy timeout). */
function startSession(defer: (fn: () => unknown) => void, url: string, heartbeat: Partial<HeartbeatConfig>) {
  return startLiveSession(defer, url, { heartbeat, sessionOptions: { ...DEFAULT_SESSION_OPTIONS, idleGapMs: 5000 } });
}

test(
  'heartbeat off through nginx (proxy_read_timeout 2s): the idle connection is cut every ~2 s, each cut followed by a reconnect and a new open',
  { timeout: 20_000 },
  async (t) => {
    const defer = cleanups(t);
    const setup = await behindNginx(t, defer, startEchoServer, `${PROXY_READ_TIMEOUT_MS / 1000}s`);
    if (!setup) return;
    // The CLI's default reconnect policy (1 s, jitter 0.2): the seed scenario as a user sees it.
    const live = startSession(defer, setup.nginx.url, { mode: 'off' });
    const { events, at, ofType } = live;

    const windowMs = 9500;
    const closes = await awaitIdleCutCycles(t, live, {
      cycles: 3,
      windowMs,
      idleTimeoutMs: PROXY_READ_TIMEOUT_MS,
    });
    for (const index of closes.slice(0, 3)) {
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
