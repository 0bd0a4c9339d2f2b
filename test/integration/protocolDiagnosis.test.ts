// Diagnosis knows the protocols, against real Socket.IO servers (the `socket.io` package, v4,
// and `socket.io-v2` for Engine.IO v3) with short pingInterval/pingTimeout: with the protocol
// set to none the inspector answers no Engine.IO ping, the server closes each connection at its
// heartbeat deadline, and the diagnosis says so ("this looks like Socket.IO: … no Engine.IO
// pong arrived within pingTimeout") instead of blaming a proxy or advising a faster heartbeat.

import assert from 'node:assert/strict';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import type { DiagnosisEvent, SessionEvent } from '../../src/core/model/sessionEvents.js';
import { QUICK_RECONNECT, startLiveSession } from '../helpers/liveSession.js';
import { cleanups } from '../helpers/testScope.js';

const require = createRequire(__filename);

const PING_INTERVAL_MS = 1_000;
const PING_TIMEOUT_MS = 1_000;

interface SocketIoServer {
  close(): void;
}

/** A Socket.IO server on a loopback port; its URL for the websocket transport with `eio`. */
async function startSocketIo(
  packageName: 'socket.io' | 'socket.io-v2',
): Promise<{ url: string; close: () => Promise<void> }> {
  const http: HttpServer = createServer();
  const options = { pingInterval: PING_INTERVAL_MS, pingTimeout: PING_TIMEOUT_MS, transports: ['websocket'] };
  const loaded = require(packageName) as
    | { Server: new (http: HttpServer, options: object) => SocketIoServer }
    | ((http: HttpServer, options: object) => SocketIoServer);
  const io = typeof loaded === 'function' ? loaded(http, options) : new loaded.Server(http, options);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  const eio = packageName === 'socket.io' ? 4 : 3;
  return {
    url: `ws://127.0.0.1:${port}/socket.io/?EIO=${eio}&transport=websocket`,
    close: async () => {
      io.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

async function watchUntilCloses(defer: (fn: () => unknown) => void, url: string, count: number) {
  let closes = 0;
  let finish = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const { session, events } = startLiveSession(defer, url, {
    heartbeat: { mode: 'off' },
    reconnect: QUICK_RECONNECT,
    protocol: 'none',
    onEvent: (event) => {
      if (event.type === 'close' && ++closes >= count) finish();
    },
  });
  await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, 20_000))]);
  await session.stop();
  return events;
}

function latestDiagnoses(events: readonly SessionEvent[]): DiagnosisEvent[] {
  const latest = new Map<string, DiagnosisEvent>();
  for (const event of events) if (event.type === 'diagnosis') latest.set(event.findingId, event);
  return [...latest.values()].filter((d) => d.confidence > 0);
}

for (const [packageName, missed] of [
  ['socket.io', /because no Engine\.IO pong arrived within pingTimeout \(1(\.\d)? s\)$/],
  ['socket.io-v2', /because no Engine\.IO ping arrived from us within pingInterval \+ pingTimeout \(2(\.\d)? s\)$/],
] as const) {
  test(
    `${packageName}: the server's ping-timeout closes are explained as Engine.IO's heartbeat`,
    { timeout: 40_000 },
    async (t) => {
      const defer = cleanups(t);
      const server = await startSocketIo(packageName);
      defer(() => server.close());
      const events = await watchUntilCloses(defer, server.url, 3);
      const closes = events.filter((e) => e.type === 'close');
      t.diagnostic(closes.map((c) => `close ${c.code} idle ${c.idleMs} age ${c.ageMs}`).join('; '));
      assert.ok(closes.length >= 3, `3 closes, got ${closes.length}`);

      const diagnoses = latestDiagnoses(events);
      t.diagnostic(diagnoses.map((d) => `${d.findingId}: ${d.summary}`).join(' | '));
      const heartbeat = diagnoses.find((d) => d.findingId === 'protocol-heartbeat@socket.io');
      assert.ok(heartbeat, `a Socket.IO heartbeat finding: ${diagnoses.map((d) => d.findingId).join(', ')}`);
      assert.match(heartbeat.summary, /^This looks like Socket\.IO \(.*\): the server closed/);
      assert.match(heartbeat.summary, missed);
      assert.match(heartbeat.advice, /let the inspector speak Socket\.IO \(protocol: auto or socket\.io\)/);
      for (const d of diagnoses) {
        assert.ok(d.kind !== 'idle-timeout' && d.kind !== 'lifetime-cap', `no proxy blamed: ${d.summary}`);
        assert.doesNotMatch(d.advice, /heartbeat more often/);
      }
    },
  );
}
