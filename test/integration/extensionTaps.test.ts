// The extension's taps (src/extension/tapManager.ts) with a real TapRelay on 127.0.0.1 and a
// real `ws` server and app: a tap on a configured endpoint resolves its `${secret:NAME}` header
// as a connection would, the app's session becomes a read-only connection the timeline and the
// tree read (its rows and tooltip hiding the endpoint's secret and the app's own token), ended
// sessions are cleared, Stop Tap closes the port, autoStart waits for a trusted workspace, and
// shutdown leaves nothing listening; running taps follow their settings (an entry edited
// restarts its tap, one removed stops it, one added with autoStart starts it; Start Tap…'s taps
// are left alone) and a changed secret restarts the taps that send it, unless an app is connected.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { test } from 'node:test';
import WebSocket from 'ws';
import { redactEvent } from '../../src/core/model/redaction.js';
import { systemClock } from '../../src/node/systemClock.js';
import { ConnectionManager } from '../../src/extension/model/connectionManager.js';
import { connectionItem } from '../../src/extension/model/connectionView.js';
import { exportChunks } from '../../src/extension/model/sessionFiles.js';
import { parseSettings } from '../../src/extension/model/settings.js';
import { tapItem, tapSessionItem } from '../../src/extension/model/tapView.js';
import { TapManager, type Tap } from '../../src/extension/tapManager.js';
import { freePort } from '../../support/ports.js';
import { until } from '../helpers/tap.js';
import { cleanups } from '../helpers/testScope.js';
import { startWsServer } from '../helpers/wsServers.js';

const ENDPOINT_SECRET = 'endpoint-secret-5f2a9c';
const APP_TOKEN = 'app-token-8e1d77';

async function setup(
  defer: (fn: () => unknown) => void,
  settingsTaps: unknown[] = [],
  tapOptions: { maxEndedSessions?: number } = {},
) {
  const handshakes: Array<{ url: string; authorization: string | undefined }> = [];
  const server = await startWsServer((ws, { request }) => {
    handshakes.push({ url: request.url ?? '', authorization: request.headers.authorization });
    ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
  });
  defer(() => server.close());
  const secretStore = new Map([['API_TOKEN', ENDPOINT_SECRET]]);
  const logLines: string[] = [];
  const log = {
    info: (line: string) => void logLines.push(line),
    warn: (line: string) => void logLines.push(line),
    error: (line: string) => void logLines.push(line),
  };
  const manager = new ConnectionManager({
    clock: systemClock,
    createSocket: () => {
      throw new Error('no connection of our own in this test');
    },
    getSecret: (name) => Promise.resolve(secretStore.get(name)),
    log,
  });
  defer(() => manager.dispose());
  const settingsWith = (
    taps: unknown[],
    headers: Record<string, string> = { Authorization: 'Bearer ${secret:API_TOKEN}' },
  ) => {
    const parsed = parseSettings({
      endpoints: { user: [{ name: 'API', url: server.url, headers }] },
      values: {},
      taps: { workspace: taps },
    });
    assert.deepEqual(parsed.problems, []);
    return parsed;
  };
  const settings = settingsWith(settingsTaps);
  await manager.applySettings(settings, true);
  const taps = new TapManager({ manager, network: () => ({ env: {} }), log, ...tapOptions });
  defer(() => taps.shutdown());
  return { server, handshakes, manager, taps, settings, settingsWith, secretStore, logLines };
}

async function openApp(defer: (fn: () => unknown) => void, url: string): Promise<WebSocket> {
  const app = new WebSocket(url);
  defer(() => app.terminate());
  await once(app, 'open');
  return app;
}

async function echo(app: WebSocket, text: string): Promise<string> {
  const reply = once(app, 'message');
  app.send(text);
  return String((await reply)[0]);
}

test('a tap on an endpoint: its secret reaches the server, never the tree, the log or the timeline', async (t) => {
  const defer = cleanups(t);
  const { handshakes, manager, taps, logLines } = await setup(defer);
  const started = await taps.start({
    listen: { host: '127.0.0.1', port: 0, beyondLoopback: false },
    target: { kind: 'endpoint', name: 'API' },
    keepHostAndOrigin: false,
  });
  assert.ok(started.ok, started.ok ? '' : started.reason);
  const tap = started.tap;
  assert.match(tap.address, /^ws:\/\/127\.0\.0\.1:\d+$/);
  // Named after its endpoint; a second tap on it is numbered, as commands find a tap by name.
  assert.equal(tap.name, 'API');
  const second = await taps.start({
    listen: { host: '127.0.0.1', port: 0, beyondLoopback: false },
    target: { kind: 'endpoint', name: 'API' },
    keepHostAndOrigin: false,
  });
  assert.ok(second.ok);
  assert.equal(second.tap.name, 'API (2)');
  await taps.stop(second.tap);

  const app = await openApp(defer, `${tap.address}/live?access_token=${APP_TOKEN}`);
  assert.equal(await echo(app, 'hello through the tap'), 'hello through the tap');
  assert.deepEqual(handshakes, [
    { url: `/live?access_token=${APP_TOKEN}`, authorization: `Bearer ${ENDPOINT_SECRET}` },
  ]);

  const [session] = tap.sessions();
  assert.ok(session);
  assert.equal(manager.get(session.id), session, 'the timeline and the commands find it by id');
  assert.ok(!manager.list().includes(session), 'but it is not one of our own connections');
  await until(() => [...session.events()].filter((e) => e.type === 'message').length === 2, 'both messages');
  const directions = [...session.events()].filter((e) => e.type === 'message').map((e) => e.direction);
  assert.deepEqual(directions, ['out', 'in']);

  const now = Date.now();
  const snapshot = session.snapshot(now);
  const row = tapSessionItem(snapshot, true);
  assert.equal(row.label, 'tap-1 · 127.0.0.1 /live');
  assert.match(row.description, /^open/);
  assert.match(row.contextValue, /^wsInspector\.tapSession;open;live;$/);
  const node = tapItem({
    name: tap.displayName,
    address: tap.address,
    displayTarget: tap.displayTarget,
    beyondLoopback: tap.beyondLoopback,
    sessions: 1,
    liveSessions: 1,
  });
  assert.equal(node.description, `tap ${tap.address.slice('ws://'.length)} → ${tap.displayTarget}`);
  const shown = JSON.stringify([row, node, connectionItem(snapshot), snapshot, logLines]);
  // The record keeps what passed (redaction is at the edges): the app's token is there to hide.
  assert.ok(JSON.stringify([...session.events()]).includes(APP_TOKEN));
  for (const secret of [ENDPOINT_SECRET, APP_TOKEN]) assert.ok(!shown.includes(secret), `${secret} in ${shown}`);
  // The policy the timeline and the export use hides both.
  const policy = session.redactionPolicy();
  assert.ok(policy.secretValues.includes(ENDPOINT_SECRET));
  assert.ok(policy.secretValues.includes(APP_TOKEN));
  const redacted = JSON.stringify([...session.events()].map((event) => redactEvent(event, policy)));
  for (const secret of [ENDPOINT_SECRET, APP_TOKEN]) assert.ok(!redacted.includes(secret), secret);

  // Export Session…: the same writer as for our connections, the same policy.
  for (const format of ['json', 'har'] as const) {
    const file = [
      ...exportChunks(session, {
        format,
        keepSecrets: false,
        exportedAt: new Date(),
        creator: { name: 'test', version: '0' },
      }),
    ].join('');
    assert.match(file, /hello through the tap/);
    if (format === 'json') assert.match(file, /"name": "API \(tap-1, 127\.0\.0\.1\)"/);
    for (const secret of [ENDPOINT_SECRET, APP_TOKEN]) assert.ok(!file.includes(secret), `${format}: ${secret}`);
  }

  // Clear refuses while the app is connected, then forgets the ended session.
  assert.equal(taps.removeSession(session), false);
  app.close(1000, 'bye');
  await until(() => session.state === 'stopped', 'the session to end');
  assert.match(tapSessionItem(session.snapshot(Date.now()), false).contextValue, /;stopped;ended;$/);
  assert.equal(taps.removeSession(session), true);
  assert.equal(manager.get(session.id), undefined);
  assert.deepEqual(tap.sessions(), []);
});

test('Stop Tap closes the port and removes its sessions; Clear Ended Sessions keeps the live ones', async (t) => {
  const defer = cleanups(t);
  const { manager, taps } = await setup(defer);
  const port = await freePort();
  const started = await taps.start({
    name: 'Mine',
    listen: { host: '127.0.0.1', port, beyondLoopback: false },
    target: { kind: 'url', url: 'ws://127.0.0.1:1/unreachable-is-fine-for-ended' },
    keepHostAndOrigin: false,
  });
  assert.ok(started.ok);
  const tap = started.tap;
  assert.equal(tap.name, 'Mine');
  assert.equal(tap.address, `ws://127.0.0.1:${port}`);
  // An app whose server refuses: the session ends at once (a failed upstream handshake).
  const refused = new WebSocket(`${tap.address}/x`);
  defer(() => refused.terminate());
  await once(refused, 'error').catch(() => undefined);
  await until(() => tap.sessions().length === 1 && tap.sessions()[0]!.tap?.busy === false, 'the ended session');
  const ended = tap.sessions()[0]!;
  assert.equal(taps.clearEnded(tap), 1);
  assert.equal(manager.get(ended.id), undefined);

  await taps.stop(tap);
  assert.deepEqual(taps.list(), []);
  const probe = new WebSocket(`ws://127.0.0.1:${port}/`);
  defer(() => probe.terminate());
  const [error] = (await once(probe, 'error')) as [NodeJS.ErrnoException];
  assert.equal(error.code, 'ECONNREFUSED');
});

test('autoStart taps start only in a trusted workspace, once', async (t) => {
  const defer = cleanups(t);
  const port = await freePort();
  const { taps, settings } = await setup(defer, [
    { name: 'Auto', listen: String(port), endpoint: 'API', autoStart: true },
    { name: 'Manual', listen: '0', endpoint: 'API' },
  ]);
  assert.deepEqual(await taps.applySettings(settings.taps, false), []);
  assert.deepEqual(taps.list(), []);
  assert.deepEqual(await taps.applySettings(settings.taps, true), []);
  assert.deepEqual(
    taps.list().map((tap) => [tap.name, tap.address]),
    [['Auto', `ws://127.0.0.1:${port}`]],
  );
  await taps.applySettings(settings.taps, true);
  assert.equal(taps.list().length, 1, 'a settings change does not start it twice');
});

test('a port in use is refused with the reason', async (t) => {
  const defer = cleanups(t);
  const { taps, server } = await setup(defer);
  const result = await taps.start({
    listen: { host: '127.0.0.1', port: server.port, beyondLoopback: false },
    target: { kind: 'url', url: server.url },
    keepHostAndOrigin: false,
  });
  assert.equal(result.ok, false);
  assert.match(result.ok ? '' : result.reason, /cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
  assert.deepEqual(taps.list(), []);
});

/** An app connects through the tap, is echoed and leaves; returns the Authorization the server got. */
async function roundTrip(
  defer: (fn: () => unknown) => void,
  tap: Tap,
  handshakes: ReadonlyArray<{ authorization: string | undefined }>,
  path: string,
): Promise<string | undefined> {
  const app = await openApp(defer, `${tap.address}${path}`);
  assert.equal(await echo(app, path), path);
  app.close();
  await until(() => !tap.hasLiveSessions, `the app on ${path} to leave`);
  return handshakes.at(-1)?.authorization;
}

async function refused(defer: (fn: () => unknown) => void, url: string): Promise<void> {
  const probe = new WebSocket(url);
  defer(() => probe.terminate());
  const [error] = (await once(probe, 'error')) as [NodeJS.ErrnoException];
  assert.equal(error.code, 'ECONNREFUSED', url);
}

test(
  'a settings tap follows its entry: edited restarts (sessions kept), removed stops, added starts',
  { timeout: 30_000 },
  async (t) => {
    const defer = cleanups(t);
    const [first, second] = [await freePort(), await freePort()];
    const entry = { name: 'Auto', endpoint: 'API', autoStart: true };
    const { manager, taps, settings, settingsWith, handshakes, logLines } = await setup(defer, [
      { ...entry, listen: String(first) },
    ]);
    assert.deepEqual(await taps.applySettings(settings.taps, true), []);
    const [tap] = taps.list();
    assert.ok(tap);
    const app = await openApp(defer, `${tap.address}/before?access_token=${APP_TOKEN}`);
    assert.equal(await echo(app, 'first run'), 'first run');
    const [earlier] = tap.sessions();
    assert.ok(earlier);

    // The same settings again (any other setting changed): nothing restarts, the app stays.
    assert.deepEqual(await taps.applySettings(settingsWith([{ ...entry, listen: String(first) }]).taps, true), []);
    assert.equal(app.readyState, WebSocket.OPEN);

    // Edited: the same tap (node, name) listens on the new port; the app's connection dropped.
    const appClosed = once(app, 'close');
    assert.deepEqual(await taps.applySettings(settingsWith([{ ...entry, listen: String(second) }]).taps, true), []);
    await appClosed;
    assert.deepEqual(taps.list(), [tap]);
    assert.equal(tap.address, `ws://127.0.0.1:${second}`);
    await refused(defer, `ws://127.0.0.1:${first}/`);
    // The first run's session stays readable under it, saying it is from before the restart.
    await until(() => earlier.state === 'stopped', 'the earlier session to end');
    assert.equal(manager.get(earlier.id), earlier);
    assert.equal(earlier.name, 'tap-1 · 127.0.0.1 /before · before restart');
    assert.ok([...earlier.events()].some((e) => e.type === 'message'));
    const again = await openApp(defer, `${tap.address}/after`);
    assert.equal(await echo(again, 'second run'), 'second run');
    assert.deepEqual(
      tap.sessions().map((c) => c.name),
      ['tap-1 · 127.0.0.1 /before · before restart', 'tap-1 · 127.0.0.1 /after'],
    );
    // The earlier run's app token is still hidden in its rows, as the log never had it.
    assert.ok(!JSON.stringify([earlier.snapshot(Date.now()), logLines]).includes(APP_TOKEN));

    // The endpoint it names edited (a header): it restarts too, with the new header.
    const changedHeader = settingsWith([{ ...entry, listen: String(second) }], { Authorization: 'Bearer v2' });
    await manager.applySettings(changedHeader, true);
    const againClosed = once(again, 'close');
    assert.deepEqual(await taps.applySettings(changedHeader.taps, true), []);
    await againClosed;
    assert.equal(await roundTrip(defer, tap, handshakes, '/third'), 'Bearer v2');

    // Removed: it stops listening; it and its sessions stay listed, stopped, until cleared.
    assert.deepEqual(await taps.applySettings(settingsWith([]).taps, true), []);
    await refused(defer, `ws://127.0.0.1:${second}/`);
    assert.deepEqual(taps.list(), [tap]);
    assert.equal(tap.running, false);
    assert.equal(tap.sessions().length, 3);
    assert.ok(logLines.some((line) => /tap "Auto" stopped: its entry is no longer in wsInspector\.taps/.test(line)));
    assert.equal(taps.clearEnded(tap), 3);
    assert.deepEqual(taps.list(), [], 'a stopped tap goes with its last session');
    assert.equal(manager.get(earlier.id), undefined);

    // Added again with autoStart: it starts again.
    assert.deepEqual(await taps.applySettings(settingsWith([{ ...entry, listen: String(first) }]).taps, true), []);
    assert.deepEqual(
      taps.list().map((running) => [running.name, running.address, running.running]),
      [['Auto', `ws://127.0.0.1:${first}`, true]],
    );
  },
);

test('a tap restarted again and again keeps at most its bound of ended sessions, the oldest forgotten first', async (t) => {
  const defer = cleanups(t);
  const { taps, handshakes } = await setup(defer, [], { maxEndedSessions: 3 });
  const started = await taps.start({
    listen: { host: '127.0.0.1', port: 0, beyondLoopback: false },
    target: { kind: 'endpoint', name: 'API' },
    keepHostAndOrigin: false,
  });
  assert.ok(started.ok);
  const { tap } = started;
  // Three ended sessions, the bound: a new session then keeps them all (as TapSessions does).
  await roundTrip(defer, tap, handshakes, '/one');
  await roundTrip(defer, tap, handshakes, '/two');
  assert.equal(await taps.restart(tap), null);
  await roundTrip(defer, tap, handshakes, '/three');
  await roundTrip(defer, tap, handshakes, '/four');
  const names = () => tap.sessions().map((c) => c.name.replace(' · 127.0.0.1', ''));
  assert.deepEqual(names(), [
    'tap-1 /one · before restart',
    'tap-2 /two · before restart',
    'tap-1 /three',
    'tap-2 /four',
  ]);
  // A restart counts the earlier runs' sessions against the bound: the one that ended first goes.
  assert.equal(await taps.restart(tap), null);
  assert.deepEqual(names(), [
    'tap-2 /two · before restart',
    'tap-1 /three · before restart',
    'tap-2 /four · before restart',
  ]);
  // So does a new session: four ended before it, one too many.
  await roundTrip(defer, tap, handshakes, '/five');
  await roundTrip(defer, tap, handshakes, '/six');
  assert.deepEqual(names(), [
    'tap-1 /three · before restart',
    'tap-2 /four · before restart',
    'tap-1 /five',
    'tap-2 /six',
  ]);
  assert.equal(tap.earlier.length, 1, 'a run whose sessions were all forgotten is disposed');
});

test('a tap started by Start Tap… is left alone by settings changes', { timeout: 30_000 }, async (t) => {
  const defer = cleanups(t);
  const port = await freePort();
  const { taps, settingsWith } = await setup(defer);
  const started = await taps.start({
    listen: { host: '127.0.0.1', port: 0, beyondLoopback: false },
    target: { kind: 'endpoint', name: 'API' },
    keepHostAndOrigin: false,
  });
  assert.ok(started.ok);
  const { service } = started.tap;
  const app = await openApp(defer, `${started.tap.address}/mine`);
  // Its endpoint edited, another tap added and removed: this one keeps running, the app connected.
  const edited = settingsWith([{ name: 'Other', listen: String(port), target: 'ws://127.0.0.1:1/', autoStart: true }], {
    Authorization: 'Bearer edited',
  });
  await taps.applySettings(edited.taps, true);
  await taps.applySettings(settingsWith([]).taps, true);
  assert.deepEqual(taps.list(), [started.tap]);
  assert.equal(started.tap.service, service);
  assert.equal(started.tap.running, true);
  assert.equal(await echo(app, 'still here'), 'still here');
});

test(
  'a secret changed restarts the taps that send it, or waits for the user while an app is connected',
  { timeout: 30_000 },
  async (t) => {
    const defer = cleanups(t);
    const { taps, handshakes, secretStore } = await setup(defer);
    const started = await taps.start({
      listen: { host: '127.0.0.1', port: 0, beyondLoopback: false },
      target: { kind: 'endpoint', name: 'API' },
      keepHostAndOrigin: false,
    });
    assert.ok(started.ok);
    const tap = started.tap;
    const byUrl = await taps.start({
      listen: { host: '127.0.0.1', port: 0, beyondLoopback: false },
      target: { kind: 'url', url: 'ws://127.0.0.1:1/' },
      keepHostAndOrigin: false,
    });
    assert.ok(byUrl.ok);
    assert.equal(byUrl.tap.name, `127.0.0.1:${byUrl.tap.port}`, 'a URL typed in: named by where the app connects');
    const urlService = byUrl.tap.service;

    // An app connected: not restarted (its connection would drop); the user is asked.
    const app = await openApp(defer, `${tap.address}/live`);
    await until(() => tap.hasLiveSessions, 'the app to be live');
    secretStore.set('API_TOKEN', 'rotated-1');
    assert.deepEqual(await taps.secretsChanged(['API_TOKEN']), [tap]);
    assert.equal(await echo(app, 'kept'), 'kept');
    assert.deepEqual(await taps.secretsChanged(['OTHER']), [], 'a secret it does not send changes nothing');

    // "Restart Tap": the app's connection drops; the next app is sent with the new value.
    const closed = once(app, 'close');
    assert.equal(await taps.restart(tap), null);
    await closed;
    assert.equal(tap.name, 'API', 'the same name after a restart');
    assert.equal(await roundTrip(defer, tap, handshakes, '/next'), 'Bearer rotated-1');

    // No app connected: restarted at once.
    secretStore.set('API_TOKEN', 'rotated-2');
    assert.deepEqual(await taps.secretsChanged(['API_TOKEN']), []);
    assert.equal(await roundTrip(defer, tap, handshakes, '/last'), 'Bearer rotated-2');
    assert.equal(byUrl.tap.service, urlService, 'a tap on a URL sends no secret of ours: untouched');
    for (const secret of ['rotated-1', 'rotated-2']) {
      assert.ok(!JSON.stringify(tap.sessions().map((c) => c.snapshot(Date.now()))).includes(secret), secret);
    }
  },
);

for (const asked of ['a port', 'port 0'] as const) {
  test(
    `a restart hands ${asked === 'port 0' ? 'the port chosen for port 0' : 'its port'} to the next run: an app dialling all along is never refused nor reset`,
    { timeout: 30_000 },
    async (t) => {
      const defer = cleanups(t);
      const { taps, handshakes, secretStore } = await setup(defer);
      const started = await taps.start({
        listen: { host: '127.0.0.1', port: asked === 'port 0' ? 0 : await freePort(), beyondLoopback: false },
        target: { kind: 'endpoint', name: 'API' },
        keepHostAndOrigin: false,
      });
      assert.ok(started.ok, started.ok ? '' : started.reason);
      const tap = started.tap;
      const port = tap.port;
      const app = await openApp(defer, `${tap.address}/live`);
      assert.equal(await echo(app, 'first run'), 'first run');

      // Apps that reconnect at once, as fast as they can: TCP dials one after another, four at a
      // time, through the restart. A dial may be refused (nothing listening) or reset (the
      // listener closed under it): the app would see either.
      let dialling = true;
      let accepted = 0;
      const failed: string[] = [];
      const dialLoop = async () => {
        while (dialling) {
          // A refused dial fails at once: the loop yields, or the restart itself would never run.
          await new Promise((resolve) => setImmediate(resolve));
          await new Promise<void>((resolve) => {
            const socket = connect(port, '127.0.0.1');
            socket.once('connect', () => {
              accepted += 1;
              socket.destroy();
              resolve();
            });
            socket.once('error', (error: NodeJS.ErrnoException) => {
              failed.push(error.code ?? error.message);
              resolve();
            });
          });
        }
      };
      const diallers = Array.from({ length: 4 }, dialLoop);
      await until(() => accepted > 20, 'the diallers to be under way');
      const appClosed = once(app, 'close');
      secretStore.set('API_TOKEN', 'rotated-2');
      assert.equal(await taps.restart(tap), null);
      const [code] = (await appClosed) as [number];
      const acceptedAtRestart = accepted;
      await until(() => accepted > acceptedAtRestart + 20, 'dials after the restart');
      dialling = false;
      await Promise.all(diallers);

      assert.equal(code, 1006, 'the connected app saw its connection lost, as when the tap dies');
      assert.deepEqual(failed, [], `${failed.length} of ${accepted + failed.length} dials failed`);
      assert.equal(tap.port, port, 'the same port');
      assert.equal(await roundTrip(defer, tap, handshakes, '/next'), 'Bearer rotated-2');
      assert.deepEqual(
        tap.sessions().map((c) => c.name),
        ['tap-1 · 127.0.0.1 /live · before restart', 'tap-1 · 127.0.0.1 /next'],
        'the new run records the next app under the same tap',
      );
    },
  );
}
