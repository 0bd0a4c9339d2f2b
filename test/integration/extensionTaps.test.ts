// The extension's taps (src/extension/tapManager.ts) with a real TapRelay on 127.0.0.1 and a
// real `ws` server and app: a tap on a configured endpoint resolves its `${secret:NAME}` header
// as a connection would, the app's session becomes a read-only connection the timeline and the
// tree read (its rows and tooltip hiding the endpoint's secret and the app's own token), ended
// sessions are cleared, Stop Tap closes the port, autoStart waits for a trusted workspace, and
// shutdown leaves nothing listening.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import WebSocket from 'ws';
import { redactEvent } from '../../src/core/model/redaction.js';
import { systemClock } from '../../src/node/systemClock.js';
import { ConnectionManager } from '../../src/extension/model/connectionManager.js';
import { connectionItem } from '../../src/extension/model/connectionView.js';
import { exportChunks } from '../../src/extension/model/sessionFiles.js';
import { parseSettings } from '../../src/extension/model/settings.js';
import { tapItem, tapSessionItem } from '../../src/extension/model/tapView.js';
import { TapManager } from '../../src/extension/tapManager.js';
import { freePort } from '../../support/ports.js';
import { until } from '../helpers/tap.js';
import { cleanups } from '../helpers/testScope.js';
import { startWsServer } from '../helpers/wsServers.js';

const ENDPOINT_SECRET = 'endpoint-secret-5f2a9c';
const APP_TOKEN = 'app-token-8e1d77';

async function setup(defer: (fn: () => unknown) => void, settingsTaps: unknown[] = []) {
  const handshakes: Array<{ url: string; authorization: string | undefined }> = [];
  const server = await startWsServer((ws, { request }) => {
    handshakes.push({ url: request.url ?? '', authorization: request.headers.authorization });
    ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
  });
  defer(() => server.close());
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
    getSecret: (name) => Promise.resolve(name === 'API_TOKEN' ? ENDPOINT_SECRET : undefined),
    log,
  });
  defer(() => manager.dispose());
  const settings = parseSettings({
    endpoints: {
      user: [{ name: 'API', url: server.url, headers: { Authorization: 'Bearer ${secret:API_TOKEN}' } }],
    },
    values: {},
    taps: { workspace: settingsTaps },
  });
  assert.deepEqual(settings.problems, []);
  await manager.applySettings(settings, true);
  const taps = new TapManager({ manager, network: () => ({ env: {} }), log });
  defer(() => taps.shutdown());
  return { server, handshakes, manager, taps, settings, logLines };
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
    if (format === 'json') assert.match(file, /"name": "127\.0\.0\.1:\d+ \(tap-1, 127\.0\.0\.1\)"/);
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
