// The connection manager against fake sockets: settings applied live, workspace trust,
// ${secret:NAME} resolution, redacted lifecycle logging and graceful shutdown.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConnectionManager } from '../../src/extension/model/connectionManager.js';
import { parseSettings, type RawSettings } from '../../src/extension/model/settings.js';
import type { DiagnosisEvent } from '../../src/core/model/sessionEvents.js';
import { FakeClock } from './fakes/fakeClock.js';
import { FakeSocketFactory } from './fakes/fakeSocket.js';

function setup(secrets: Record<string, string> = {}) {
  const clock = new FakeClock();
  const sockets = new FakeSocketFactory();
  const lines: string[] = [];
  const log = {
    info: (m: string) => lines.push(`info ${m}`),
    warn: (m: string) => lines.push(`warn ${m}`),
    error: (m: string) => lines.push(`error ${m}`),
  };
  const store = { ...secrets };
  const manager = new ConnectionManager({
    clock,
    createSocket: sockets.create,
    getSecret: async (name) => store[name],
    log,
    random: () => 0.5,
  });
  const apply = (endpoints: RawSettings['endpoints'], trusted = true, values: RawSettings['values'] = {}) =>
    manager.applySettings(parseSettings({ endpoints, values }), trusted);
  const named = (name: string) => manager.list().find((c) => c.name === name)!;
  return { clock, sockets, lines, store, manager, apply, named };
}

describe('ConnectionManager: settings', () => {
  it('lists settings endpoints without connecting them, and auto-connects those that ask', async () => {
    const { manager, sockets, apply, named } = setup();
    await apply({
      user: [
        { name: 'A', url: 'ws://a.test/' },
        { name: 'B', url: 'ws://b.test/', autoConnect: true },
      ],
    });
    assert.deepEqual(
      manager.list().map((c) => [c.name, c.state]),
      [
        ['A', 'idle'],
        ['B', 'connecting'],
      ],
    );
    assert.equal(sockets.sockets.length, 1);
    assert.equal(sockets.last.options.url, 'ws://b.test/');
    assert.equal(named('B').scope, 'user');
  });

  it('never auto-connects workspace endpoints in an untrusted workspace; does once trust is granted', async () => {
    const { manager, sockets, apply, named } = setup();
    const endpoints = {
      user: [{ name: 'Mine', url: 'ws://mine.test/', autoConnect: true }],
      workspace: [{ name: 'Theirs', url: 'ws://theirs.test/', autoConnect: true }],
    };
    await apply(endpoints, false);
    assert.deepEqual(
      manager.list().map((c) => [c.name, c.state, c.untrusted]),
      [
        ['Mine', 'connecting', false],
        ['Theirs', 'idle', true],
      ],
    );
    assert.deepEqual(
      sockets.sockets.map((s) => s.options.url),
      ['ws://mine.test/'],
    );
    await apply(endpoints, true);
    assert.equal(named('Theirs').untrusted, false);
    assert.equal(named('Theirs').state, 'connecting');
  });

  it('refuses to resolve secrets for workspace endpoints of an untrusted workspace', async () => {
    const { manager, sockets, apply, named } = setup({ TOKEN: 'tok-123' });
    await apply(
      { workspace: [{ name: 'Theirs', url: 'ws://evil.test/', headers: { Authorization: 'Bearer ${secret:TOKEN}' } }] },
      false,
    );
    const result = await manager.connect(named('Theirs'));
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : result.reason, /untrusted workspace and references secrets/);
    assert.equal(sockets.sockets.length, 0, 'no socket, so nothing could be sent');
    // A workspace endpoint without secrets connects only with the user's confirmation
    // (test/unit/untrustedWorkspace.test.ts); without a way to ask, never.
    await apply({ workspace: [{ name: 'Plain', url: 'ws://plain.test/' }] }, false);
    const plain = await manager.connect(named('Plain'));
    assert.match(plain.ok ? '' : plain.reason, /needs your confirmation/);
    assert.equal(sockets.sockets.length, 0);
  });

  it('applies changes live: heartbeat in place, a new URL reconnects, removed endpoints close, new ones appear', async () => {
    const { manager, sockets, apply, named } = setup();
    await apply({
      user: [
        { name: 'A', url: 'ws://a.test/', autoConnect: true },
        { name: 'Gone', url: 'ws://gone.test/', autoConnect: true },
      ],
    });
    for (const socket of sockets.sockets) socket.open();
    const a = named('A');
    const gone = named('Gone');
    await apply({
      user: [
        { name: 'A', url: 'ws://a.test/', autoConnect: true, heartbeat: { intervalMs: 5000 } },
        { name: 'New', url: 'ws://new.test/' },
      ],
    });
    assert.equal(a.session!.endpoint.heartbeat.intervalMs, 5000);
    assert.equal(sockets.sockets.length, 2, 'a heartbeat change does not reconnect');
    assert.deepEqual(
      manager.list().map((c) => c.name),
      ['A', 'New'],
    );
    assert.ok(sockets.sockets[1]!.closeRequested, 'the removed endpoint closes gracefully');
    sockets.sockets[1]!.end(1000);
    assert.equal(gone.state, 'stopped');
    await apply({
      user: [
        { name: 'A', url: 'ws://a2.test/', autoConnect: true },
        { name: 'New', url: 'ws://new.test/' },
      ],
    });
    assert.equal(sockets.sockets[0]!.closeRequested?.code, 1000);
    sockets.sockets[0]!.end(1000);
    assert.equal(sockets.last.options.url, 'ws://a2.test/');
    assert.equal(a.state, 'connecting');
  });

  it('keeps loading the good endpoints when one is malformed', async () => {
    const { manager, apply } = setup();
    await apply({
      user: [
        { name: 'Good', url: 'ws://a.test/' },
        { name: 'Bad', url: 'http://b.test/' },
      ],
    });
    assert.deepEqual(
      manager.list().map((c) => c.name),
      ['Good'],
    );
  });

  it('applies a new idle-gap threshold to live sessions', async () => {
    const { apply, named } = setup();
    await apply({ user: [{ name: 'A', url: 'ws://a.test/' }] });
    await apply({ user: [{ name: 'A', url: 'ws://a.test/' }] }, true, { idleGapMs: 1234 });
    assert.equal(named('A').session!.options.idleGapMs, 1234);
  });

  it("records a live session's diagnosis again with the user's known timeouts when they change", async () => {
    const { clock, sockets, apply, named } = setup();
    const endpoints = { user: [{ name: 'A', url: 'ws://a.test/', autoConnect: true, heartbeat: { mode: 'off' } }] };
    await apply(endpoints);
    const session = named('A').session!;
    const idleTimeouts: DiagnosisEvent[] = [];
    session.onLifecycleEvent((event) => {
      if (event.type === 'diagnosis' && event.kind === 'idle-timeout') idleTimeouts.push(event);
    });
    for (let i = 0; i < 2; i++) {
      sockets.last.open();
      clock.advance(2_000);
      sockets.last.end(1006);
      clock.advance(1_000); // the reconnect delay
    }
    const before = idleTimeouts.at(-1);
    assert.ok(before, 'an idle-timeout diagnosis after two drops');
    assert.ok(!before.candidates.some((c) => c.component === 'team gateway'));
    await apply(endpoints, true, {
      knownTimeouts: [{ component: 'team gateway', setting: 'idle_timeout', defaultSeconds: 2, kind: 'idle' }],
    });
    const after = idleTimeouts.at(-1)!;
    assert.notEqual(after, before, 'the change was recorded');
    assert.equal(after.findingId, before.findingId);
    assert.equal(after.candidates[0]?.component, 'team gateway');
  });
});

describe('ConnectionManager: secrets', () => {
  const endpoints = {
    user: [
      {
        name: 'API',
        url: 'ws://api.test/',
        headers: { Authorization: 'Bearer ${secret:TOKEN}', 'X-Plain': 'visible' },
      },
    ],
  };

  it('says which secret is missing instead of connecting without it', async () => {
    const { manager, sockets, apply, named, lines } = setup();
    await apply(endpoints);
    const result = await manager.connect(named('API'));
    assert.deepEqual(result, {
      ok: false,
      reason: 'secret "TOKEN" is not set; run "WebSocket Inspector: Set Secret…"',
    });
    assert.equal(named('API').problem, result.ok ? null : result.reason);
    assert.equal(sockets.sockets.length, 0);
    assert.match(lines.join('\n'), /warn \[API\] cannot connect: secret "TOKEN" is not set/);
  });

  it('substitutes the secret into the handshake, marks the header secret, and never logs the value', async () => {
    const { manager, sockets, apply, named, lines } = setup({ TOKEN: 'tok-s3cret' });
    await apply(endpoints);
    const api = named('API');
    assert.deepEqual(await manager.connect(api), { ok: true });
    assert.equal(sockets.last.options.headers['Authorization'], 'Bearer tok-s3cret');
    assert.deepEqual(api.secretValues, ['tok-s3cret']);
    assert.ok(api.endpoint.secretHeaders.includes('Authorization'));
    // The template keeps the reference: settings never see the value.
    assert.equal(api.template.headers['Authorization'], 'Bearer ${secret:TOKEN}');
    sockets.last.failHandshake({
      status: 401,
      statusText: 'Unauthorized',
      body: 'token tok-s3cret rejected',
      message: 'HTTP 401 for tok-s3cret',
      errorCode: null,
    });
    sockets.last.end(1006);
    assert.ok(lines.length > 0);
    assert.ok(!lines.join('\n').includes('tok-s3cret'), lines.join('\n'));
    assert.match(lines.join('\n'), /\[redacted\]/);
  });

  it("hides every connection's secrets and URL credentials in text meant for the log", async () => {
    const { manager, apply, named } = setup({ TOKEN: 'tok-s3cret' });
    await apply(endpoints);
    assert.deepEqual(await manager.connect(named('API')), { ok: true });
    const logged = manager.redactForLog(
      'Error: send failed for tok-s3cret\n    at wss://bob:hunter22@api.test/?access_token=abc123 (x.js:1:1)',
    );
    assert.ok(!logged.includes('tok-s3cret'), logged);
    assert.ok(!logged.includes('hunter22'), logged);
    assert.ok(!logged.includes('abc123'), logged);
    assert.match(logged, /send failed for \[redacted\]/);
  });

  it('connects an auto-connect endpoint once its missing secret is set', async () => {
    const { manager, sockets, apply, named, store } = setup();
    await apply({ user: [{ ...endpoints.user[0]!, autoConnect: true }] });
    assert.equal(named('API').state, 'idle');
    assert.match(named('API').problem ?? '', /secret "TOKEN" is not set/);
    store['TOKEN'] = 'now-set';
    await manager.secretsChanged(['TOKEN']);
    assert.equal(named('API').state, 'connecting');
    assert.equal(named('API').problem, null);
    assert.equal(sockets.last.options.headers['Authorization'], 'Bearer now-set');
  });

  it('reconnects live connections with the new value when a secret changes', async () => {
    const { manager, sockets, apply, named, store } = setup({ TOKEN: 'old' });
    await apply(endpoints);
    await manager.connect(named('API'));
    sockets.last.open();
    store['TOKEN'] = 'new';
    await manager.secretsChanged(['TOKEN']);
    assert.equal(sockets.last.closeRequested?.reason, 'reconnect');
    sockets.last.end(1000);
    assert.equal(sockets.last.options.headers['Authorization'], 'Bearer new');
    assert.deepEqual(named('API').secretValues, ['new']);
  });
});

describe('ConnectionManager: ad-hoc, imported, shutdown', () => {
  it('connects a typed URL as an ad-hoc connection with the default settings, and reuses it', async () => {
    const { manager, sockets, apply } = setup();
    await apply({}, true, { 'heartbeat.intervalMs': 2500 });
    const first = await manager.connectUrl('wss://echo.test/path?token=abc');
    assert.deepEqual(first.result, { ok: true });
    assert.equal(first.connection.origin, 'adhoc');
    assert.equal(first.connection.name, 'echo.test/path');
    assert.equal(first.connection.endpoint.heartbeat.intervalMs, 2500);
    const again = await manager.connectUrl('wss://echo.test/path?token=abc');
    assert.equal(again.connection, first.connection);
    assert.equal(sockets.sockets.length, 1);
  });

  it('keeps a heartbeat applied to an ad-hoc connection when the default settings change', async () => {
    const { manager, apply } = setup();
    await apply({}, true, { 'heartbeat.intervalMs': 2500 });
    const { connection } = await manager.connectUrl('ws://echo.test/');
    const applied = { ...connection.endpoint.heartbeat, mode: 'ping' as const, intervalMs: 800 };
    await manager.setAdHocHeartbeat(connection, applied);
    assert.equal(connection.session?.endpoint.heartbeat.intervalMs, 800);
    await apply({}, true, { 'heartbeat.intervalMs': 4000, 'reconnect.maxDelayMs': 9000 });
    assert.deepEqual(connection.session?.endpoint.heartbeat, applied);
    assert.equal(connection.session?.endpoint.reconnect.maxDelayMs, 9000, 'the rest still follows the defaults');
    const other = await manager.connectUrl('ws://other.test/');
    assert.equal(other.connection.endpoint.heartbeat.intervalMs, 4000, 'other ad-hoc URLs keep the default');
  });

  it('refuses an ad-hoc heartbeat for an endpoint from settings', async () => {
    const { manager, apply, named } = setup();
    await apply({ user: [{ name: 'A', url: 'ws://a.test/' }] });
    await assert.rejects(manager.setAdHocHeartbeat(named('A'), named('A').endpoint.heartbeat), /settings entry/);
  });

  it('adds and removes imported sessions; they cannot connect', async () => {
    const { manager } = setup();
    const imported = manager.addImported({
      name: 'file',
      endpoint: parseSettings({ endpoints: { user: [{ url: 'ws://x.test/' }] }, values: {} }).endpoints[0]!.endpoint,
      events: [],
      fileName: 'f.json',
      format: 'session-log',
      producer: 'WebSocket Inspector session log',
      redacted: true,
      droppedEvents: 0,
    });
    assert.equal(imported.state, 'imported');
    assert.equal((await manager.connect(imported)).ok, false);
    await manager.remove(imported);
    assert.equal(manager.list().length, 0);
  });

  it('closes every socket with a close frame on shutdown, and gives up after the timeout', async () => {
    const { manager, sockets, apply, clock } = setup();
    await apply({
      user: [
        { name: 'A', url: 'ws://a.test/', autoConnect: true },
        { name: 'B', url: 'ws://b.test/', autoConnect: true },
      ],
    });
    for (const socket of sockets.sockets) socket.open();
    let done = false;
    const shutdown = manager.shutdown(2000).then(() => (done = true));
    assert.deepEqual(
      sockets.sockets.map((s) => s.closeRequested?.code),
      [1000, 1000],
    );
    sockets.sockets[0]!.end(1000); // A answers; B never does
    await Promise.resolve();
    assert.equal(done, false);
    clock.advance(2000);
    await shutdown;
    assert.equal(done, true);
    assert.ok(sockets.sockets.every((s) => s.disposed || s.terminated));
    assert.equal(manager.list().length, 0);
  });
});
