// Servers that break RFC 6455 after a proper 101 handshake, with frames written by hand on a
// raw socket: each violation closes the connection with the code the RFC asks for (sent in
// our close frame and recorded on the close event), records an error naming what was wrong,
// keeps what came before, never takes memory for a message it refuses, and reconnects.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_SESSION_OPTIONS } from '../../src/core/engine/session.js';
import { encodeFrame, OPCODE_BINARY, OPCODE_TEXT, startFrameServer, type FrameSpec } from '../helpers/rawServers.js';
import { startRecordedSession } from '../helpers/sessionRecorder.js';
import { cleanups } from '../helpers/testScope.js';
import { startWsServer } from '../helpers/wsServers.js';

const MiB = 1024 * 1024;

interface Violation {
  name: string;
  frame: FrameSpec;
  closeCode: number;
  errorCode: string;
  /** What the recorded error message must say. */
  message: RegExp;
  maxMessageBytes?: number;
}

const VIOLATIONS: Violation[] = [
  {
    name: 'a text frame with invalid UTF-8',
    frame: { opcode: OPCODE_TEXT, payload: Buffer.from([0x68, 0x69, 0xff, 0xfe, 0x21]) },
    closeCode: 1007,
    errorCode: 'WS_ERR_INVALID_UTF8',
    message: /invalid UTF-8/,
  },
  {
    name: 'a frame with RSV2 set',
    frame: { opcode: OPCODE_TEXT, payload: 'x', rsv2: true },
    closeCode: 1002,
    errorCode: 'WS_ERR_UNEXPECTED_RSV_2_3',
    message: /RSV2 and RSV3 must be clear/,
  },
  {
    name: 'a frame with RSV3 set',
    frame: { opcode: OPCODE_BINARY, payload: 'x', rsv3: true },
    closeCode: 1002,
    errorCode: 'WS_ERR_UNEXPECTED_RSV_2_3',
    message: /RSV2 and RSV3 must be clear/,
  },
  {
    // RSV1 marks a compressed message (RFC 7692); the server did not accept permessage-deflate.
    name: 'a compressed (RSV1) frame when permessage-deflate was not negotiated',
    frame: { opcode: OPCODE_TEXT, payload: Buffer.from([0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]), rsv1: true },
    closeCode: 1002,
    errorCode: 'WS_ERR_UNEXPECTED_RSV_1',
    message: /RSV1 must be clear/,
  },
  {
    // A header announcing a 1 TiB message at the default 64 MiB limit: refused on the header,
    // before any of it is buffered (only 16 bytes of it are ever sent).
    name: 'a frame header declaring 1 TiB at the default 64 MiB limit',
    frame: { opcode: OPCODE_BINARY, payload: Buffer.alloc(16), declaredLength: 2 ** 40 },
    closeCode: 1009,
    errorCode: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH',
    message: /larger than the 67108864-byte limit/,
  },
  {
    name: 'a frame header declaring 64 MiB + 1 byte at the default limit',
    frame: { opcode: OPCODE_BINARY, payload: Buffer.alloc(16), declaredLength: 64 * MiB + 1 },
    closeCode: 1009,
    errorCode: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH',
    message: /larger than the 67108864-byte limit/,
  },
  {
    name: 'a complete 1 MiB + 1 byte message with a 1 MiB limit',
    frame: { opcode: OPCODE_BINARY, payload: Buffer.alloc(MiB + 1, 0x61) },
    closeCode: 1009,
    errorCode: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH',
    message: /larger than the 1048576-byte limit/,
    maxMessageBytes: MiB,
  },
];

for (const violation of VIOLATIONS) {
  test(`${violation.name}: error recorded, close ${violation.closeCode} sent and recorded, then a reconnect`, async (t) => {
    const defer = cleanups(t);
    // A valid message first: what came before the violation is kept.
    const server = await startFrameServer([
      encodeFrame({ opcode: OPCODE_TEXT, payload: 'before' }),
      encodeFrame(violation.frame),
    ]);
    defer(() => server.close());
    const heapBefore = process.memoryUsage().heapUsed;
    const { rec } = startRecordedSession(defer, server.url, {
      options: { maxMessageBytes: violation.maxMessageBytes ?? DEFAULT_SESSION_OPTIONS.maxMessageBytes },
    });

    const { event: open } = await rec.waitFor('open');
    assert.equal(open.extensions, '', 'no extension was negotiated');
    assert.match(
      open.requestHeaders['Sec-WebSocket-Extensions'] ?? '',
      /permessage-deflate/,
      'although the client offered permessage-deflate',
    );
    const { event: error, index: errorIndex } = await rec.waitFor('error');
    assert.equal(error.code, violation.errorCode);
    assert.match(error.message, violation.message);
    assert.match(error.message, new RegExp(`closing the connection with ${violation.closeCode}$`));
    const { event: close, index: closeIndex } = await rec.waitFor('close', { from: errorIndex });
    assert.equal(close.code, violation.closeCode);
    assert.equal(close.initiator, 'local', 'closed by our side, not lost and not by the server');
    assert.equal(rec.events[closeIndex + 1]?.type, 'reconnect-scheduled');
    // The server got our close frame with that code.
    assert.deepEqual(server.closeFramesReceived()[0], { code: violation.closeCode, reason: '' });

    const received = rec.ofType('message').filter((m) => m.direction === 'in');
    assert.deepEqual(
      received.map((m) => m.data),
      ['before'],
      'the message before the violation is recorded, the violating one is not',
    );
    // The session carries on: it reconnects, and the server misbehaves the same way again.
    const { index: reopenIndex } = await rec.waitFor('open', { from: closeIndex });
    await rec.waitFor('close', { from: reopenIndex, where: (c) => c.code === violation.closeCode });
    const heapGrowthMiB = (process.memoryUsage().heapUsed - heapBefore) / MiB;
    t.diagnostic(`heap growth over two violating connections: ${heapGrowthMiB.toFixed(1)} MiB`);
    // The declared sizes are 64 MiB and 1 TiB; none of it may be allocated.
    assert.ok(heapGrowthMiB < 32, `heap grew by ${heapGrowthMiB.toFixed(1)} MiB`);
  });
}

test('a real ws server sending a 2 MiB message to a session with a 1 MiB limit: it sees our close 1009, the session records it and reconnects', async (t) => {
  const defer = cleanups(t);
  const serverSawCodes: number[] = [];
  const server = await startWsServer((ws, { setTimeout }) => {
    ws.on('close', (code: number) => serverSawCodes.push(code));
    setTimeout(() => ws.send('small'), 10);
    setTimeout(() => ws.send(Buffer.alloc(2 * MiB, 0x62)), 20);
  });
  defer(() => server.close());
  const { rec } = startRecordedSession(defer, server.url, { options: { maxMessageBytes: MiB } });

  const { event: close, index } = await rec.waitFor('close');
  assert.equal(close.code, 1009);
  assert.equal(close.initiator, 'local');
  assert.ok(rec.ofType('error').some((e) => e.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH'));
  assert.deepEqual(
    rec.ofType('message').map((m) => [m.direction, m.data]),
    [['in', 'small']],
  );
  await rec.waitFor('open', { from: index });
  // The server's side of the first connection closed with our code.
  const deadline = Date.now() + 2000;
  while (serverSawCodes.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(serverSawCodes[0], 1009);
});
