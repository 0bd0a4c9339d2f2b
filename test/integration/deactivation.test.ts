// Deactivation with real sockets and real timers: the connection manager over the ws adapter
// and the system clock, shut down while one connection is in a handshake that is never
// answered and another waits out a reconnect backoff. Afterwards no socket, timer or
// unhandled rejection is left (process.getActiveResourcesInfo()). The same moments with a
// fake clock, and during an export, are in test/unit/deactivation.test.ts.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConnectionManager } from '../../src/extension/model/connectionManager.js';
import { parseSettings } from '../../src/extension/model/settings.js';
import { systemClock } from '../../src/node/systemClock.js';
import { createWsSocket } from '../../src/node/wsSocket.js';
import { freePort } from '../../support/ports.js';
import { startSilentHandshakeServer } from '../helpers/rawServers.js';
import { cleanups } from '../helpers/testScope.js';

const WATCHED = ['TCPSocketWrap', 'Timeout'] as const;

function countResources(): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(WATCHED.map((name) => [name, 0]));
  for (const resource of process.getActiveResourcesInfo()) if (resource in counts) counts[resource]!++;
  return counts;
}

async function ticks(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

test('deactivation during a handshake and during a backoff, with real sockets: nothing left running, nothing rejected', async (t) => {
  const defer = cleanups(t);
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  defer(() => process.off('unhandledRejection', onUnhandled));
  const silent = await startSilentHandshakeServer();
  defer(() => silent.close());
  const refusedPort = await freePort();
  await ticks(2);
  const before = countResources();

  const manager = new ConnectionManager({
    clock: systemClock,
    createSocket: createWsSocket,
    getSecret: async () => undefined,
    log: { info: () => {}, warn: () => {}, error: () => {} },
  });
  await manager.applySettings(
    parseSettings({
      endpoints: {
        user: [
          { name: 'handshaking', url: silent.url, autoConnect: true, handshakeTimeoutMs: 60_000 },
          {
            name: 'backing off',
            url: `ws://127.0.0.1:${refusedPort}/`,
            autoConnect: true,
            reconnect: { initialDelayMs: 60_000, maxDelayMs: 60_000 },
          },
        ],
      },
      values: {},
    }),
    true,
  );
  const [handshaking, backingOff] = manager.list();
  const deadline = Date.now() + 3000;
  while ((backingOff!.state !== 'waiting' || silent.connectionCount() === 0) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.equal(handshaking!.state, 'connecting');
  assert.equal(backingOff!.state, 'waiting');
  const during = countResources();

  const started = Date.now();
  await manager.shutdown(2000);
  const shutdownMs = Date.now() - started;
  await ticks(3);
  await new Promise((resolve) => setTimeout(resolve, 20));
  await ticks(3);
  const after = countResources();
  t.diagnostic(
    `shutdown took ${shutdownMs} ms; resources before ${JSON.stringify(before)}, during ${JSON.stringify(during)}, after ${JSON.stringify(after)}`,
  );

  // The probe sees what is running: the handshake socket, the handshake deadline, the backoff.
  assert.ok(during['TCPSocketWrap']! >= before['TCPSocketWrap']! + 1, `during: ${JSON.stringify(during)}`);
  assert.ok(during['Timeout']! >= before['Timeout']! + 2, `during: ${JSON.stringify(during)}`);
  // Slack of 1 timer for the test runner's own bookkeeping; the 60 s timers would be 2 or more.
  assert.ok(
    after['TCPSocketWrap']! <= before['TCPSocketWrap']!,
    `sockets: ${JSON.stringify(before)} → ${JSON.stringify(after)}`,
  );
  assert.ok(
    after['Timeout']! <= before['Timeout']! + 1,
    `timers: ${JSON.stringify(before)} → ${JSON.stringify(after)}`,
  );
  assert.ok(shutdownMs < 2000, 'nothing had to wait for the shutdown timeout');
  assert.deepEqual(unhandled, []);
  assert.equal(manager.list().length, 0);
});
