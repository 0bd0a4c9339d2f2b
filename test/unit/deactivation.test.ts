// Deactivating the extension (ConnectionManager.shutdown, what deactivate() calls) at awkward
// moments: while a connection is connecting (also while it still waits for a secret), while a
// reconnect backoff is pending, and while an export is being written. None may leave an
// unhandled rejection, a timer that would still fire, or a socket that is not disposed.

import assert from 'node:assert/strict';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { SessionEvent } from '../../src/core/model/sessionEvents.js';
import { ConnectionManager } from '../../src/extension/model/connectionManager.js';
import { exportChunks } from '../../src/extension/model/sessionFiles.js';
import { parseSettings, type RawSettings } from '../../src/extension/model/settings.js';
import { FakeClock } from './fakes/fakeClock.js';
import { FakeSocketFactory } from './fakes/fakeSocket.js';

/** What deactivate() passes. */
const SHUTDOWN_TIMEOUT_MS = 2000;

let unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeEach(() => {
  unhandled = [];
  process.on('unhandledRejection', onUnhandled);
});
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
});

/** Unhandled rejections are reported after the microtask queue drains; give them the chance. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

function setup(getSecret: (name: string) => Promise<string | undefined> = async () => undefined) {
  const clock = new FakeClock();
  const sockets = new FakeSocketFactory();
  const log = { info: () => {}, warn: () => {}, error: () => {} };
  const manager = new ConnectionManager({ clock, createSocket: sockets.create, getSecret, log, random: () => 0.5 });
  const apply = (endpoints: RawSettings['endpoints'], values: RawSettings['values'] = {}) =>
    manager.applySettings(parseSettings({ endpoints, values }), true);
  return { clock, sockets, manager, apply };
}

/** Runs shutdown as deactivate() does, moving the fake clock past its timeout. */
async function deactivate(manager: ConnectionManager, clock: FakeClock): Promise<void> {
  const done = manager.shutdown(SHUTDOWN_TIMEOUT_MS);
  await Promise.resolve();
  clock.advance(SHUTDOWN_TIMEOUT_MS);
  await done;
}

describe('Deactivation', () => {
  it('during connect: the attempt is aborted, its socket disposed, no timer left, nothing rejected', async () => {
    const { clock, sockets, manager, apply } = setup();
    await apply({ user: [{ name: 'A', url: 'ws://a.test/', autoConnect: true }] });
    assert.equal(manager.list()[0]!.state, 'connecting');
    await deactivate(manager, clock);
    await settle();
    assert.equal(sockets.sockets.length, 1);
    assert.ok(
      sockets.last.terminated && sockets.last.disposed,
      'the socket in its handshake was terminated and disposed',
    );
    assert.equal(clock.pendingTimers, 0, 'no orphan timer');
    // The socket's late events go nowhere: it was disposed and nobody listens.
    assert.equal(sockets.last.listenerCount, 0);
    assert.deepEqual(unhandled, []);
  });

  it('during connect, while the endpoint still waits for its secret: nothing connects afterwards and nothing is rejected', async () => {
    let releaseSecret: (value: string) => void = () => {};
    const secret = new Promise<string>((resolve) => (releaseSecret = resolve));
    const { clock, sockets, manager, apply } = setup(() => secret);
    // As activate() and the settings listener do it: the promise is not awaited by anyone.
    const applied = apply({
      user: [
        { name: 'A', url: 'ws://a.test/', autoConnect: true, headers: { Authorization: 'Bearer ${secret:TOKEN}' } },
      ],
    });
    void applied;
    await settle();
    assert.equal(sockets.sockets.length, 0, 'still resolving the secret');
    await deactivate(manager, clock);
    releaseSecret('tok-123');
    await settle();
    assert.equal(sockets.sockets.length, 0, 'no socket is opened after deactivation');
    assert.equal(clock.pendingTimers, 0);
    assert.deepEqual(unhandled, [], 'the pending connect neither throws nor rejects');
  });

  it('during the reconnect backoff: the pending reconnect is cancelled, no timer left, nothing rejected', async () => {
    const { clock, sockets, manager, apply } = setup();
    await apply({ user: [{ name: 'A', url: 'ws://a.test/', autoConnect: true, reconnect: { initialDelayMs: 5000 } }] });
    sockets.last.open();
    sockets.last.end(1006);
    const connection = manager.list()[0]!;
    assert.equal(connection.state, 'waiting');
    assert.ok(clock.pendingTimers >= 1, 'the reconnect timer is pending');
    await deactivate(manager, clock);
    await settle();
    assert.equal(clock.pendingTimers, 0, 'no orphan timer');
    clock.advance(60_000);
    assert.equal(sockets.sockets.length, 1, 'the cancelled reconnect never fires');
    assert.deepEqual(unhandled, []);
  });

  it('during an export: the file is still written whole and valid, in seq order; no timer left, nothing rejected', async () => {
    const { clock, sockets, manager, apply } = setup();
    // A small ring, so the export also runs while the record drops old events.
    await apply({ user: [{ name: 'A', url: 'ws://a.test/', autoConnect: true }] }, { maxEventsPerSession: 500 });
    sockets.last.open();
    for (let i = 0; i < 2000; i++) sockets.last.receiveText(`message ${i} ${'x'.repeat(200)}`);
    const connection = manager.list()[0]!;
    const dir = mkdtempSync(join(tmpdir(), 'ws-inspector-deactivation-'));
    try {
      const path = join(dir, 'export.json');
      // The writer of sessionFileCommands.ts: chunks, honouring backpressure.
      const stream = createWriteStream(path, { encoding: 'utf8', highWaterMark: 1024 });
      let written = 0;
      let deactivation: Promise<void> | null = null;
      for (const chunk of exportChunks(connection, {
        format: 'json',
        keepSecrets: false,
        exportedAt: new Date(clock.now()),
        creator: { name: 'test', version: '0' },
      })) {
        if (!stream.write(chunk)) await once(stream, 'drain');
        // Halfway through, the extension is deactivated.
        if (++written === 250) deactivation = deactivate(manager, clock);
      }
      stream.end();
      await once(stream, 'finish');
      assert.ok(deactivation !== null, 'deactivation happened during the export');
      await deactivation;
      await settle();

      const exported = JSON.parse(readFileSync(path, 'utf8')) as { events: SessionEvent[] };
      assert.ok(exported.events.length >= 400, `${exported.events.length} events exported`);
      for (let i = 1; i < exported.events.length; i++) {
        assert.ok(exported.events[i]!.seq > exported.events[i - 1]!.seq, `seq order at ${i}`);
      }
      assert.equal(clock.pendingTimers, 0, 'no orphan timer');
      assert.ok(sockets.last.disposed);
      assert.deepEqual(unhandled, []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
