// The seed scenario on the user's own connection: an app client with no heartbeat goes
// through the tap to an echo server behind a real nginx whose proxy_read_timeout cuts idle
// connections. The app sees what it would see without the tap (echoes intact, 1006 at the
// timeout); the tap records both directions and diagnoses the idle timeout from the app's
// successive connections, which are attempts of one session.
// Needs nginx: skipped with an install hint outside CI, a failure in CI (CI=true).

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test, type TestContext } from 'node:test';
import WebSocket from 'ws';
import { main } from '../../src/cli/main.js';
import { formatSeconds } from '../../src/core/format/duration.js';
import { findingStateOf } from '../../src/core/model/sessionEvents.js';
import { freePort, waitForPort } from '../../support/ports.js';
import { startTap, until, type TestTap } from '../helpers/tap.js';
import { behindNginx, cleanups, type EventOf } from '../helpers/testScope.js';
import { startEchoServer } from '../helpers/wsServers.js';

// Above the analyzer's shortest timeout it will name (MIN_TIMEOUT_MS, 1 s in dropClusters.ts).
const PROXY_READ_TIMEOUT_MS = 2000;

/** A tap in front of nginx with an echo server behind it; null when nginx is missing (see behindNginx). */
async function tapBehindNginx(t: TestContext): Promise<{ tap: TestTap; defer: (fn: () => unknown) => void } | null> {
  const defer = cleanups(t);
  const setup = await behindNginx(t, defer, startEchoServer, `${PROXY_READ_TIMEOUT_MS / 1000}s`);
  return setup ? { tap: await startTap(defer, setup.nginx.url), defer } : null;
}

/** The app's next connection through the tap, open; terminated when the test ends. */
async function appConnects(tap: TestTap, defer: (fn: () => unknown) => void): Promise<WebSocket> {
  const app = new WebSocket(`${tap.url}/live`);
  defer(() => app.terminate());
  await once(app, 'open');
  return app;
}

test(
  'through the tap to nginx (proxy_read_timeout 2s): echoes intact, the app sees 1006 at the timeout, and the tap diagnoses an idle timeout of ~2 s from its reconnects',
  { timeout: 30_000 },
  async (t) => {
    const tapped = await tapBehindNginx(t);
    if (!tapped) return;
    const { tap, defer } = tapped;

    const drops: Array<{ code: number; lastedMs: number }> = [];
    for (let connection = 0; connection < 3; connection++) {
      const app = await appConnects(tap, defer);
      const openedAt = Date.now();
      const echoed = new Promise<string>((resolve) => app.once('message', (data: Buffer) => resolve(data.toString())));
      app.send(`hello ${connection}`);
      assert.equal(await echoed, `hello ${connection}`);
      const [code] = (await once(app, 'close')) as [number];
      drops.push({ code, lastedMs: Date.now() - openedAt });
    }
    for (const drop of drops) {
      assert.equal(drop.code, 1006, 'the app sees the connection lost, as it would without the tap');
      assert.ok(
        drop.lastedMs >= PROXY_READ_TIMEOUT_MS * 0.9 && drop.lastedMs < PROXY_READ_TIMEOUT_MS * 3,
        `${drop.lastedMs} ms`,
      );
    }

    // One client, one path, one connection at a time: one session of three attempts.
    assert.equal(tap.sessions.all().length, 1);
    await until(() => tap.eventsOf('tap-1').filter((e) => e.type === 'close').length === 3, 'three closes recorded');
    const events = tap.eventsOf('tap-1');
    const messages = events.filter((e): e is EventOf<'message'> => e.type === 'message');
    assert.deepEqual(
      messages.map((m) => `${m.direction} ${m.data}`),
      ['out hello 0', 'in hello 0', 'out hello 1', 'in hello 1', 'out hello 2', 'in hello 2'],
    );
    const closes = events.filter((e): e is EventOf<'close'> => e.type === 'close');
    for (const close of closes) {
      assert.equal(close.initiator, 'none');
      assert.ok(
        close.idleMs! >= PROXY_READ_TIMEOUT_MS * 0.9 && close.idleMs! < PROXY_READ_TIMEOUT_MS * 2,
        `idle ${close.idleMs} ms`,
      );
    }
    const idle = events.filter((e): e is EventOf<'diagnosis'> => e.type === 'diagnosis' && e.kind === 'idle-timeout');
    assert.ok(
      idle.length > 0,
      `an idle-timeout diagnosis; got ${events
        .filter((e) => e.type === 'diagnosis')
        .map((e) => (e as EventOf<'diagnosis'>).summary)
        .join(' | ')}`,
    );
    const latest = idle.at(-1)!;
    assert.ok(
      Math.abs(latest.intervalMs! - PROXY_READ_TIMEOUT_MS) <= PROXY_READ_TIMEOUT_MS * 0.2,
      `interval ${latest.intervalMs}`,
    );
    assert.ok(latest.occurrences >= 2);
    // nginx answers the upgrade, so its proxy_read_timeout is the first suspect.
    assert.match(latest.candidates[0]?.component ?? '', /nginx/i);
  },
);

test(
  'ws-inspector tap prints the idle-timeout diagnosis live, with its advice, while the app keeps reconnecting through nginx',
  { timeout: 30_000 },
  async (t) => {
    const defer = cleanups(t);
    const setup = await behindNginx(t, defer, startEchoServer, `${PROXY_READ_TIMEOUT_MS / 1000}s`);
    if (!setup) return;
    const port = await freePort();
    const stop = new AbortController();
    const out: string[] = [];
    const running = main(
      ['tap', '--listen', String(port), '--target', setup.nginx.url],
      { out: (line) => out.push(line), err: () => undefined },
      stop.signal,
    );
    defer(() => stop.abort());
    await waitForPort(port);
    let diagnosedAfter = 0;
    for (let connection = 0; connection < 4 && diagnosedAfter === 0; connection++) {
      const app = new WebSocket(`ws://127.0.0.1:${port}/live`);
      defer(() => app.terminate());
      await once(app, 'open');
      app.send('hello');
      await once(app, 'close');
      if (out.some((line) => / diagnosis /.test(line))) diagnosedAfter = connection + 1;
    }
    stop.abort();
    assert.equal(await running, 0);
    assert.ok(diagnosedAfter > 0, `a diagnosis printed while the app ran; output:\n${out.join('\n')}`);
    const verdict = out.find((line) => / diagnosis /.test(line))!;
    assert.match(verdict, /^\S+\s+tap-1\s+diagnosis\s+/);
    assert.match(verdict, /idle/i);
    assert.ok(
      out.some((line) => /proxy_read_timeout/.test(line)),
      "the advice names nginx's setting",
    );
  },
);

// The app's own heartbeat, a text `ping` every 5 s from the moment it connects, against nginx's
// 2 s: the app is busy for a while on its first connection (a message every second, which keeps
// that connection open long enough for its heartbeat to show three times), then goes quiet and is
// cut 2 s later; its next connections are cut 2 s after opening, before the next `ping` is due.
const APP_HEARTBEAT_MS = 5000;
const BUSY_MS = 11_000;

test(
  'through the tap to nginx (2s): an app with a text heartbeat every 5 s is told that its own heartbeat cannot keep the connection open, and how often to send it',
  { timeout: 60_000 },
  async (t) => {
    const tapped = await tapBehindNginx(t);
    if (!tapped) return;
    const { tap, defer } = tapped;

    for (let connection = 0; connection < 3; connection++) {
      const app = await appConnects(tap, defer);
      const timers: NodeJS.Timeout[] = [];
      const stopTimers = () => timers.forEach((timer) => clearInterval(timer));
      defer(stopTimers);
      app.send('ping');
      timers.push(setInterval(() => app.send('ping'), APP_HEARTBEAT_MS));
      if (connection === 0) {
        let sent = 0;
        const busy = setInterval(() => app.send(`data ${++sent}`), 1000);
        timers.push(busy);
        setTimeout(() => clearInterval(busy), BUSY_MS);
      }
      const [code] = (await once(app, 'close')) as [number];
      stopTimers();
      assert.equal(code, 1006);
    }

    await until(() => tap.eventsOf('tap-1').filter((e) => e.type === 'close').length === 3, 'three closes recorded');
    const diagnoses = tap.eventsOf('tap-1').filter((e): e is EventOf<'diagnosis'> => e.type === 'diagnosis');
    const latest = diagnoses.filter((d) => d.kind === 'idle-timeout').at(-1);
    assert.ok(latest, `an idle-timeout diagnosis; got ${diagnoses.map((d) => d.summary).join(' | ')}`);
    assert.ok(
      Math.abs(latest.intervalMs! - PROXY_READ_TIMEOUT_MS) <= PROXY_READ_TIMEOUT_MS * 0.2,
      `interval ${latest.intervalMs}`,
    );
    assert.equal(latest.heartbeatOf, 'app');
    assert.match(
      latest.summary,
      /^Your app's connection dropped (twice|3 times) after 2\.\d s without traffic; its own heartbeat every 5 s cannot keep it open — /,
    );
    assert.match(latest.advice, /Your app's own heartbeat: "ping" from the application every 5 s\./);
    // Half the measured timeout, rounded down: 1 s, or 900 ms when nginx cut a little early.
    assert.ok(latest.recommendedHeartbeatMs! <= 1000, `recommended ${latest.recommendedHeartbeatMs} ms`);
    assert.ok(latest.advice.includes(`send one at most every ${formatSeconds(latest.recommendedHeartbeatMs!)}`));
    assert.doesNotMatch(latest.advice, /Your heartbeat|heartbeat is off/);
  },
);

// The app's fix, seen live: after two cuts with nothing sent while idle, the app reconnects and
// sends a text `ping` every 500 ms for 8 s, past twice nginx's 2 s timeout (RESOLVE_AFTER_TIMEOUTS
// in findingLifecycle.ts). A beat that fast is traffic to the heartbeat detection (appHeartbeat.ts
// recognises one from 2 s up), so the finding resolves in the words for traffic.
const FAST_PING_MS = 500;
const KEPT_OPEN_MS = 8000;

test(
  "through the tap to nginx (2s): after two drops, the app's `ping` every 500 ms keeps its connection open and the tap's finding shows as resolved",
  { timeout: 60_000 },
  async (t) => {
    const tapped = await tapBehindNginx(t);
    if (!tapped) return;
    const { tap, defer } = tapped;

    for (let connection = 0; connection < 2; connection++) {
      const app = await appConnects(tap, defer);
      app.send(`hello ${connection}`);
      const [code] = (await once(app, 'close')) as [number];
      assert.equal(code, 1006);
    }
    await until(() => tap.eventsOf('tap-1').filter((e) => e.type === 'close').length === 2, 'two closes recorded');
    const idleFindings = () =>
      tap
        .eventsOf('tap-1')
        .filter((e): e is EventOf<'diagnosis'> => e.type === 'diagnosis' && e.kind === 'idle-timeout');
    const dropped = idleFindings().at(-1);
    assert.ok(dropped, 'an idle-timeout diagnosis after two drops');
    assert.equal(findingStateOf(dropped), 'active');

    const app = await appConnects(tap, defer);
    const heartbeat = setInterval(() => app.send('ping'), FAST_PING_MS);
    defer(() => clearInterval(heartbeat));
    let closedEarly = false;
    app.once('close', () => (closedEarly = true));
    await new Promise((resolve) => setTimeout(resolve, KEPT_OPEN_MS));
    clearInterval(heartbeat);
    assert.equal(closedEarly, false, 'the pings kept the connection open through nginx');
    app.close(1000, 'done');
    await once(app, 'close');

    await until(() => tap.eventsOf('tap-1').filter((e) => e.type === 'close').length === 3, 'the third close recorded');
    const latest = idleFindings().at(-1)!;
    assert.equal(latest.findingId, dropped.findingId);
    assert.equal(findingStateOf(latest), 'resolved', `got: ${latest.summary}`);
    assert.equal(latest.heartbeatOf, 'app');
    assert.equal(latest.resolved?.fix, "the app's traffic");
    assert.match(
      latest.summary,
      /^Your app's traffic has kept its connection open for \d+ idle timeouts \(\d(\.\d)? s each\) since its last drop; no heartbeat was recognised in it, so it holds only while the app keeps sending$/,
    );
    assert.match(latest.advice, /the tap saw no steady heartbeat from the app on it/);
    assert.ok(latest.resolved.heldMs >= 2 * latest.intervalMs!, `held ${latest.resolved.heldMs} ms`);
    t.diagnostic(`${latest.summary} — ${latest.resolved.fix}, held ${latest.resolved.heldMs} ms`);
  },
);
