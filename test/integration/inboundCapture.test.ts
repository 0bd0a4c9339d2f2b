// Inbound payloads kept from the raw stream (InboundCapture) with the real ws adapter: frames
// that arrive in the same read as the 101 response, large and fragmented messages mixed with
// small ones, and a compressed connection, where capture must stand aside. Sessions here have
// no per-event listener, so messages take the batched path a busy session takes.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebSocketServer } from 'ws';
import type { InboundCapture } from '../../src/core/engine/inboundCapture.js';
import { DEFAULT_SESSION_OPTIONS, type Session } from '../../src/core/engine/session.js';
import type { SessionEvent } from '../../src/core/model/sessionEvents.js';
import { listenOnLoopback } from '../../support/ports.js';
import {
  encodeFrame,
  OPCODE_BINARY,
  OPCODE_TEXT,
  startRawServer,
  switchingProtocolsResponse,
} from '../helpers/rawServers.js';
import { createSession } from '../helpers/sessionRecorder.js';
import { cleanups } from '../helpers/testScope.js';

/** A started session with no per-event listener (a Recorder would turn batching off). */
function startSession(defer: (fn: () => unknown) => void, url: string): Session {
  const session = createSession(defer, url, {
    heartbeat: { mode: 'ping', intervalMs: 200, timeoutMs: 5000 },
    reconnect: { enabled: false },
  });
  session.start();
  return session;
}

async function waitForMessages(session: Session, count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (session.getStats().messagesIn < count) {
    if (Date.now() > deadline) throw new Error(`only ${session.getStats().messagesIn} of ${count} messages arrived`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function inboundMessages(session: Session): Array<Extract<SessionEvent, { type: 'message' }>> {
  return session.record
    .toArray()
    .filter(
      (event): event is Extract<SessionEvent, { type: 'message' }> =>
        event.type === 'message' && event.direction === 'in',
    );
}

function captureOf(session: Session): InboundCapture | null {
  return (session as unknown as { capture: InboundCapture | null }).capture;
}

test('frames sent in the same write as the 101, then a mixed stream: every payload recorded intact, most without a per-message copy', async (t) => {
  const defer = cleanups(t);
  const payloads: Array<{ data: Buffer; binary: boolean }> = [];
  for (let k = 0; k < 3000; k++) {
    const size = k % 500 === 7 ? 70_000 : k % 97 === 3 ? 3000 : 20 + (k % 90);
    const binary = k % 5 === 0;
    payloads.push({ data: binary ? Buffer.alloc(size, k % 256) : Buffer.from(`${k}:`.padEnd(size, 'é')), binary });
  }
  const frames = payloads.map(({ data, binary }, k) =>
    k % 400 === 11
      ? // Fragmented: the parser joins it, so it is copied.
        Buffer.concat([
          encodeFrame({ opcode: binary ? OPCODE_BINARY : OPCODE_TEXT, payload: data.subarray(0, 5), fin: false }),
          encodeFrame({ opcode: 0, payload: data.subarray(5) }),
        ])
      : encodeFrame({ opcode: binary ? OPCODE_BINARY : OPCODE_TEXT, payload: data }),
  );
  const server = await startRawServer({
    echoClose: true,
    onRequest(connection) {
      // One write: the first frames travel in the same TCP read as the handshake answer.
      connection.write(
        Buffer.concat([Buffer.from(switchingProtocolsResponse(connection.request), 'latin1'), ...frames]),
      );
    },
  });
  defer(() => server.close());
  const session = startSession(defer, server.url);
  let stored = 0;
  const appendStored = session.record.appendStoredMessage.bind(session.record);
  session.record.appendStoredMessage = (...args) => {
    stored++;
    return appendStored(...args);
  };
  await waitForMessages(session, payloads.length);
  const capture = captureOf(session);
  assert.equal(capture?.isCapturing, true, `capture stopped: ${capture?.stopReason}`);
  const recorded = inboundMessages(session);
  assert.equal(recorded.length, payloads.length);
  const cap = DEFAULT_SESSION_OPTIONS.maxRecordedPayloadBytes;
  recorded.forEach((event, k) => {
    const { data, binary } = payloads[k]!;
    assert.equal(event.size, data.length, `message ${k}: size`);
    assert.equal(event.opcode, binary ? 'binary' : 'text');
    const kept = data.subarray(0, cap);
    const bytes = binary ? Buffer.from(event.data, 'base64') : Buffer.from(event.data, 'utf8');
    // A text cut at the cap may drop a split character; compare what both hold.
    assert.equal(event.truncated, data.length > cap, `message ${k}: truncated`);
    assert.equal(kept.subarray(0, bytes.length).equals(bytes), true, `message ${k}: payload differs`);
    if (!event.truncated) assert.equal(bytes.length, data.length);
  });
  assert.ok(stored > payloads.length * 0.9, `${stored} of ${payloads.length} messages were recorded without a copy`);
});

test('a compressed connection: capture stands aside and every message is recorded from what ws inflated', async (t) => {
  const defer = cleanups(t);
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: { threshold: 0 } });
  const { createServer } = await import('node:http');
  const http = createServer();
  http.on('upgrade', (request, socket, head) => {
    wss.handleUpgrade(request, socket, head, (ws) => {
      for (let k = 0; k < 500; k++) ws.send(k % 2 ? `message ${k} `.repeat(20) : Buffer.alloc(300, k));
    });
  });
  const port = await listenOnLoopback(http);
  defer(
    () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        http.close(() => resolve());
      }),
  );
  const session = startSession(defer, `ws://127.0.0.1:${port}/`);
  await waitForMessages(session, 500);
  assert.match(captureOf(session)?.stopReason ?? '', /permessage-deflate/);
  const recorded = inboundMessages(session);
  assert.equal(recorded.length, 500);
  recorded.forEach((event, k) => {
    if (k % 2) assert.equal(event.data, `message ${k} `.repeat(20));
    else assert.equal(Buffer.from(event.data, 'base64').equals(Buffer.alloc(300, k)), true);
  });
});
