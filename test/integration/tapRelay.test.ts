// The tap (src/node/tapRelay.ts) as a faithful mirror between a real `ws` app client and real
// `ws` servers on 127.0.0.1: messages, pings and pongs, closes both ways, a lost connection, a
// refused handshake, subprotocols, compression on one side only, a 10 MiB message, and what
// the tap records of it all (core/engine/tapSession.ts).

import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';
import WebSocket from 'ws';
import { cleanups, type EventOf } from '../helpers/testScope.js';
import { TAP_STOPPED_REASON } from '../../src/node/tapRelay.js';
import { startTap, until } from '../helpers/tap.js';
import { startEchoServer, startHandshakeStatusServer, startWsServer } from '../helpers/wsServers.js';

/** An app client through the tap, closed by `defer`. */
async function openApp(
  defer: (fn: () => unknown) => void,
  url: string,
  protocols: string[] = [],
  options: WebSocket.ClientOptions = {},
): Promise<WebSocket> {
  const app = new WebSocket(url, protocols, options);
  defer(() => app.terminate());
  await once(app, 'open');
  return app;
}

function nextMessage(ws: WebSocket): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((resolve) => ws.once('message', (data: Buffer, isBinary: boolean) => resolve({ data, isBinary })));
}

function closeOf(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) =>
    ws.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString('utf8') })),
  );
}

test('echoes pass through the tap intact in both directions, and the tap records out and in with their payloads', async (t) => {
  const defer = cleanups(t);
  const server = await startEchoServer();
  defer(() => server.close());
  const tap = await startTap(defer, server.url);
  const app = await openApp(defer, `${tap.url}/chat?room=1`);

  app.send('hello');
  const text = await nextMessage(app);
  assert.equal(text.data.toString('utf8'), 'hello');
  assert.equal(text.isBinary, false);
  app.send(Buffer.from([0, 1, 2, 255]));
  const binary = await nextMessage(app);
  assert.deepEqual([...binary.data], [0, 1, 2, 255]);
  assert.equal(binary.isBinary, true);

  const events = tap.eventsOf('tap-1');
  const messages = events.filter((e): e is EventOf<'message'> => e.type === 'message');
  assert.deepEqual(
    messages.map((m) => [m.direction, m.opcode, m.data]),
    [
      ['out', 'text', 'hello'],
      ['in', 'text', 'hello'],
      ['out', 'binary', 'AAEC/w=='],
      ['in', 'binary', 'AAEC/w=='],
    ],
  );
  const connecting = events.find((e): e is EventOf<'connecting'> => e.type === 'connecting')!;
  // The app's path and query are appended to a target that names none.
  assert.equal(connecting.url, `${server.url}chat?room=1`);
  assert.ok(events.some((e) => e.type === 'open'));
});

test("the app's pings reach the server and the server's pongs reach the app, unchanged; both are recorded", async (t) => {
  const defer = cleanups(t);
  const seen: string[] = [];
  const server = await startWsServer((ws) => {
    ws.on('ping', (data: Buffer) => seen.push(`server got ping ${data.toString()}`));
    ws.on('message', () => ws.ping('srv'));
  });
  defer(() => server.close());
  const tap = await startTap(defer, server.url);
  const app = await openApp(defer, tap.url);
  app.on('ping', (data: Buffer) => seen.push(`app got ping ${data.toString()}`));

  app.ping('hb-1');
  const [pong] = (await once(app, 'pong')) as [Buffer];
  assert.equal(pong.toString(), 'hb-1');
  app.send('ping me');
  await until(() => seen.includes('app got ping srv'), "the server's ping at the app");
  assert.ok(seen.includes('server got ping hb-1'));

  await until(() => tap.eventsOf('tap-1').filter((e) => e.type === 'pong').length >= 2, 'both pongs recorded');
  const control = tap
    .eventsOf('tap-1')
    .filter((e): e is EventOf<'ping'> | EventOf<'pong'> => e.type === 'ping' || e.type === 'pong')
    .map((e) => `${e.type} ${e.direction} ${e.data}`);
  // The app's own client answers the server's ping (ws's autoPong on the app): that pong is `out`.
  assert.deepEqual(control, ['ping out hb-1', 'pong in hb-1', 'ping in srv', 'pong out srv']);
});

test("the app's close code and reason reach the server, and the server's reach the app", async (t) => {
  const defer = cleanups(t);
  const serverSaw: Array<{ code: number; reason: string }> = [];
  const server = await startWsServer((ws) => {
    ws.on('close', (code: number, reason: Buffer) => serverSaw.push({ code, reason: reason.toString() }));
    ws.on('message', (data: Buffer) => {
      if (data.toString() === 'close please') ws.close(4002, 'server says bye');
    });
  });
  defer(() => server.close());
  const tap = await startTap(defer, server.url);

  const first = await openApp(defer, `${tap.url}/a`);
  const firstClosed = closeOf(first);
  first.close(4001, 'app says bye');
  assert.deepEqual(await firstClosed, { code: 4001, reason: 'app says bye' });
  await until(() => serverSaw.length === 1, 'the server to see the close');
  assert.deepEqual(serverSaw[0], { code: 4001, reason: 'app says bye' });

  const second = await openApp(defer, `${tap.url}/b`);
  const secondClosed = closeOf(second);
  second.send('close please');
  assert.deepEqual(await secondClosed, { code: 4002, reason: 'server says bye' });

  await until(() => tap.events.filter((e) => e.event.type === 'close').length === 2, 'both closes recorded');
  const closes = tap.events
    .filter((e) => e.event.type === 'close')
    .map(({ session, event }) => {
      const close = event as EventOf<'close'>;
      return [session, close.code, close.reason, close.initiator, close.wasClean];
    });
  assert.deepEqual(closes, [
    ['tap-1', 4001, 'app says bye', 'local', true],
    ['tap-2', 4002, 'server says bye', 'remote', true],
  ]);
});

test('an upstream TCP reset ends the app connection abruptly (1006), and an app that vanishes ends the upstream one the same way', async (t) => {
  const defer = cleanups(t);
  const serverCloses: number[] = [];
  const server = await startWsServer((ws, { request }) => {
    ws.on('close', (code: number) => serverCloses.push(code));
    ws.on('message', (data: Buffer) => {
      // RST, not FIN: the connection is lost without a close frame.
      if (data.toString() === 'reset') (request.socket as Socket).resetAndDestroy();
    });
  });
  defer(() => server.close());
  const tap = await startTap(defer, server.url);

  const app = await openApp(defer, tap.url);
  const closed = closeOf(app);
  app.send('reset');
  assert.equal((await closed).code, 1006);

  const vanishing = await openApp(defer, tap.url);
  vanishing.send('hi');
  await until(() => server.liveSockets() === 1, 'the second upstream connection');
  vanishing.terminate();
  await until(() => serverCloses.length === 2, 'the server to see the second connection end');
  assert.equal(serverCloses[1], 1006);

  await until(() => tap.events.filter((e) => e.event.type === 'close').length === 2, 'both closes recorded');
  const recorded = tap.events
    .filter((e) => e.event.type === 'close')
    .map((e) => [(e.event as EventOf<'close'>).code, (e.event as EventOf<'close'>).initiator]);
  assert.deepEqual(recorded, [
    [1006, 'none'],
    [1006, 'none'],
  ]);
});

test('the tap stopping ends the app connection as a lost one (1006), recorded as the tap ending it, not as a drop', async (t) => {
  const defer = cleanups(t);
  const serverCloses: number[] = [];
  const server = await startWsServer((ws) => ws.on('close', (code: number) => serverCloses.push(code)));
  defer(() => server.close());
  const tap = await startTap(defer, server.url);
  const app = await openApp(defer, tap.url);
  await until(() => server.liveSockets() === 1, 'the upstream connection');
  const closed = closeOf(app);
  await tap.relay.close();
  assert.equal((await closed).code, 1006);
  await until(() => serverCloses.length === 1, 'the server to see its connection end');
  const [session] = tap.sessions.all();
  const close = tap.eventsOf('tap-1').find((e): e is EventOf<'close'> => e.type === 'close');
  // As Disconnect on a connection of ours: the user's close, which the analyzer does not explain.
  assert.deepEqual(close && [close.code, close.initiator, close.reason], [1006, 'local', TAP_STOPPED_REASON]);
  assert.equal(session?.getStats().drops, 0);
  assert.ok(!tap.eventsOf('tap-1').some((e) => e.type === 'diagnosis'));
});

test("a refused upstream handshake (403 with a body) is answered to the app with the server's status, headers and body", async (t) => {
  const defer = cleanups(t);
  const server = await startHandshakeStatusServer(403, 'no entry for you\n', { 'X-Refused-By': 'test-server' });
  defer(() => server.close());
  const tap = await startTap(defer, server.url);

  const app = new WebSocket(tap.url);
  // ws reports the refused handshake as an error too: the test reads the response instead.
  app.on('error', () => undefined);
  defer(() => app.terminate());
  const [, response] = (await once(app, 'unexpected-response')) as [unknown, IncomingMessage];
  let body = '';
  for await (const chunk of response) body += String(chunk);
  assert.equal(response.statusCode, 403);
  assert.equal(response.statusMessage, 'Forbidden');
  assert.equal(response.headers['x-refused-by'], 'test-server');
  assert.equal(body, 'no entry for you\n');

  await until(() => tap.events.some((e) => e.event.type === 'handshake-failed'), 'the failure recorded');
  const failed = tap.events.find((e) => e.event.type === 'handshake-failed')!.event as EventOf<'handshake-failed'>;
  assert.equal(failed.status, 403);
  assert.equal(failed.body, 'no entry for you\n');
  assert.equal(failed.responseHeaders?.['X-Refused-By'], 'test-server');
});

test("subprotocols are negotiated end to end: the app's offer reaches the server, the server's choice reaches the app", async (t) => {
  const defer = cleanups(t);
  let offered: string[] = [];
  const server = await startWsServer(() => undefined, {
    handleProtocols: (protocols) => {
      offered = [...protocols];
      return 'graphql-transport-ws';
    },
  });
  defer(() => server.close());
  const tap = await startTap(defer, server.url);
  const app = await openApp(defer, tap.url, ['graphql-ws', 'graphql-transport-ws']);
  assert.equal(app.protocol, 'graphql-transport-ws');
  assert.deepEqual(offered, ['graphql-ws', 'graphql-transport-ws']);

  // A server that chooses none of the offered: the app opens with none, as it would without
  // the tap (a browser does; ws as the tap's client alone would have refused it).
  const choosy = await startWsServer(() => undefined, { handleProtocols: () => false });
  defer(() => choosy.close());
  const choosyTap = await startTap(defer, choosy.url);
  const withNone = new WebSocket(choosyTap.url, ['mqtt']);
  const outcome = await new Promise<string>((resolve) => {
    withNone.once('open', () => resolve(`open with "${withNone.protocol}"`));
    withNone.once('error', (error) => resolve(`error: ${error.message}`));
  });
  defer(() => withNone.terminate());
  // ws as the app fails it too, on its own side: the tap passed the server's answer on as it was.
  assert.equal(outcome, 'error: Server sent no subprotocol');
  const choosyOpen = choosyTap.eventsOf('tap-1').find((e): e is EventOf<'open'> => e.type === 'open');
  assert.equal(choosyOpen?.protocol, '', 'the tap itself opened upstream with no subprotocol');
  // An app that accepts no choice, as a browser does (the offer as a plain header, which ws does not check): it opens.
  const browserLike = await openApp(defer, choosyTap.url, [], { headers: { 'Sec-WebSocket-Protocol': 'mqtt' } });
  assert.equal(browserLike.protocol, '');
  const open = tap.eventsOf('tap-1').find((e): e is EventOf<'open'> => e.type === 'open')!;
  assert.equal(open.protocol, 'graphql-transport-ws');
});

test('permessage-deflate is negotiated on each side on its own: compressed towards the server, plain towards the app; the app compresses only when the server does', async (t) => {
  const defer = cleanups(t);
  const long = 'compress me '.repeat(2000);
  const compressing = await startWsServer(
    (ws) => ws.on('message', (data: Buffer, isBinary: boolean) => ws.send(data, { binary: isBinary })),
    { perMessageDeflate: { threshold: 0 } },
  );
  defer(() => compressing.close());
  const plain = await startEchoServer();
  defer(() => plain.close());

  const tapToCompressing = await startTap(defer, compressing.url);
  const plainApp = await openApp(defer, tapToCompressing.url, [], { perMessageDeflate: false });
  assert.equal(plainApp.extensions, '');
  plainApp.send(long);
  assert.equal((await nextMessage(plainApp)).data.toString(), long);
  const open = tapToCompressing.eventsOf('tap-1').find((e): e is EventOf<'open'> => e.type === 'open')!;
  assert.match(open.extensions, /permessage-deflate/);

  // An app offering compression to a server that declines it gets none, as it would directly.
  const tapToPlain = await startTap(defer, plain.url);
  const offeringApp = await openApp(defer, tapToPlain.url, [], { perMessageDeflate: { threshold: 0 } });
  assert.equal(offeringApp.extensions, '');
  offeringApp.send(long);
  assert.equal((await nextMessage(offeringApp)).data.toString(), long);
  const plainOpen = tapToPlain.eventsOf('tap-1').find((e): e is EventOf<'open'> => e.type === 'open')!;
  assert.equal(plainOpen.extensions, '');

  // Both compressing: compressed on both sides (each side's own context), plain in the record.
  const compressingApp = await openApp(defer, tapToCompressing.url, [], { perMessageDeflate: { threshold: 0 } });
  assert.match(compressingApp.extensions, /permessage-deflate/);
  compressingApp.send(long);
  assert.equal((await nextMessage(compressingApp)).data.toString(), long);

  // The records hold the plain text, whatever the wires carried (tap-2: the second app, while
  // the first is still connected).
  for (const session of ['tap-1', 'tap-2']) {
    const recorded = tapToCompressing
      .eventsOf(session)
      .filter((e): e is EventOf<'message'> => e.type === 'message')
      .map((m) => [m.direction, m.size, m.data.length]);
    assert.deepEqual(
      recorded,
      [
        ['out', long.length, long.length],
        ['in', long.length, long.length],
      ],
      session,
    );
  }
});

test(
  'a 10 MiB message passes intact both ways; the record keeps its size and a truncated payload',
  { timeout: 30_000 },
  async (t) => {
    const defer = cleanups(t);
    const server = await startEchoServer();
    defer(() => server.close());
    const tap = await startTap(defer, server.url);
    const app = await openApp(defer, tap.url);
    const big = Buffer.alloc(10 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
    app.send(big);
    const echoed = await nextMessage(app);
    assert.equal(echoed.data.length, big.length);
    assert.ok(echoed.data.equals(big), 'the echo is byte for byte the message sent');
    const messages = tap.eventsOf('tap-1').filter((e): e is EventOf<'message'> => e.type === 'message');
    assert.deepEqual(
      messages.map((m) => [m.direction, m.size, m.truncated]),
      [
        ['out', big.length, true],
        ['in', big.length, true],
      ],
    );
  },
);

test('a burst the server writes in one go reaches the app whole and in order, its last message too, and so does one more after a pause', async (t) => {
  // One TCP write of many frames: the tap reads several messages at once and holds them for a
  // single write (tapRelay.ts, coalescingWrites), which must end with the read, not wait for more.
  const defer = cleanups(t);
  const burst = Array.from({ length: 2000 }, (_, i) => `burst ${i}`);
  const textFrame = (text: string) => Buffer.concat([Buffer.from([0x81, Buffer.byteLength(text)]), Buffer.from(text)]);
  const server = await startWsServer((ws) => {
    ws.on('message', (data: Buffer) => {
      // ws keeps its TCP socket private; whole frames keep the stream valid (as bench/floodServer.mjs).
      const raw = (ws as unknown as { _socket: Socket })._socket;
      if (data.toString() === 'burst') raw.write(Buffer.concat(burst.map(textFrame)));
      else ws.send(`after ${data.toString()}`);
    });
  });
  defer(() => server.close());
  const tap = await startTap(defer, server.url);
  const app = await openApp(defer, tap.url);
  const received: string[] = [];
  app.on('message', (data: Buffer) => received.push(data.toString()));

  app.send('burst');
  await until(() => received.length === burst.length, 'the whole burst reaches the app');
  assert.deepEqual(received, burst);
  app.send('pause');
  await until(() => received.length === burst.length + 1, 'the message after the burst reaches the app');
  assert.equal(received.at(-1), 'after pause');
  const recorded = tap
    .eventsOf('tap-1')
    .filter((e): e is EventOf<'message'> => e.type === 'message' && e.direction === 'in')
    .map((m) => m.data);
  assert.deepEqual(recorded, [...burst, 'after pause']);
});

test('100 concurrent app clients: each gets its own echoes and its own session', { timeout: 30_000 }, async (t) => {
  const defer = cleanups(t);
  const server = await startEchoServer();
  defer(() => server.close());
  const tap = await startTap(defer, server.url);
  const apps = await Promise.all(Array.from({ length: 100 }, () => openApp(defer, `${tap.url}/feed`)));
  const echoes = await Promise.all(
    apps.map(async (app, index) => {
      const reply = nextMessage(app);
      app.send(`client ${index}`);
      return (await reply).data.toString();
    }),
  );
  assert.deepEqual(
    echoes,
    apps.map((_, index) => `client ${index}`),
  );
  // Same address, same path, all open at once: 100 sessions, not 100 attempts of one.
  assert.equal(tap.sessions.all().length, 100);
  await Promise.all(
    apps.map((app) => {
      const closed = closeOf(app);
      app.close(1000, 'done');
      return closed;
    }),
  );
  await until(() => server.liveSockets() === 0, 'every upstream connection closed');
  await until(() => tap.events.filter((e) => e.event.type === 'close').length === 100, 'every close recorded');
});

test("the server gets the app's headers with Host and Origin the target's, hop-by-hop ones dropped and -H added", async (t) => {
  const defer = cleanups(t);
  let seen: IncomingMessage['headers'] = {};
  const server = await startWsServer((_ws, { request }) => (seen = request.headers));
  defer(() => server.close());
  const tap = await startTap(defer, server.url, { headers: { 'X-Added': 'by -H' } });
  await openApp(defer, tap.url, [], {
    origin: 'http://localhost:3000',
    headers: { 'X-App': 'mine', 'Keep-Alive': 'timeout=5', 'Proxy-Authorization': 'Basic c2VjcmV0' },
  });
  assert.equal(seen.host, `127.0.0.1:${server.port}`);
  assert.equal(seen.origin, `http://127.0.0.1:${server.port}`);
  assert.equal(seen['x-app'], 'mine');
  assert.equal(seen['x-added'], 'by -H');
  assert.equal(seen['keep-alive'], undefined);
  assert.equal(seen['proxy-authorization'], undefined);
});

test(
  'backpressure: while the server reads nothing, the tap stops reading the app instead of buffering what it sends',
  { timeout: 60_000 },
  async (t) => {
    const defer = cleanups(t);
    let received = 0;
    let upstream: WebSocket | null = null;
    const server = await startWsServer((ws) => {
      upstream = ws;
      ws.pause();
      ws.on('message', () => received++);
    });
    defer(() => server.close());
    const tap = await startTap(defer, server.url);
    const app = await openApp(defer, tap.url, [], { perMessageDeflate: false });
    const chunk = Buffer.alloc(1024 * 1024, 7);
    const total = 64;
    for (let i = 0; i < total; i++) app.send(chunk);

    // Let the data go as far as it can: the tap stops reading more of it.
    const readByTap = () => tap.events.filter((e) => e.event.type === 'message').length;
    let last = -1;
    while (readByTap() !== last) {
      last = readByTap();
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    // What the tap read is bounded by its limit (4 MiB in flight plus a message) and the kernel's
    // socket buffers towards the server; without backpressure it would read all 64 MiB and hold it.
    assert.ok(readByTap() < 32, `the tap read ${readByTap()} of the ${total} 1 MiB messages`);
    assert.ok(app.bufferedAmount > 0, 'the rest waits at the app');
    assert.equal(received, 0);

    (upstream as WebSocket | null)!.resume();
    await until(() => received === total, 'every message at the server', 30_000);
    assert.equal(app.bufferedAmount, 0);
  },
);

test(
  'backpressure the other way: while the app reads nothing, the tap stops reading the server',
  { timeout: 60_000 },
  async (t) => {
    const defer = cleanups(t);
    const total = 64;
    const server = await startWsServer((ws) => {
      const chunk = Buffer.alloc(1024 * 1024, 9);
      for (let i = 0; i < total; i++) ws.send(chunk);
    });
    defer(() => server.close());
    const tap = await startTap(defer, server.url);
    const app = new WebSocket(tap.url, { perMessageDeflate: false });
    defer(() => app.terminate());
    let received = 0;
    app.on('message', () => received++);
    app.once('upgrade', (response: IncomingMessage) => response.socket.pause());
    // ws resumes the socket when it takes it over: pause the app after 'open' too.
    await once(app, 'open');
    app.pause();

    const readByTap = () => tap.events.filter((e) => e.event.type === 'message').length;
    let last = -1;
    while (readByTap() !== last) {
      last = readByTap();
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    assert.ok(readByTap() < 32, `the tap read ${readByTap()} of the ${total} 1 MiB messages`);
    app.resume();
    await until(() => received === total, 'every message at the app', 30_000);
  },
);

test("an app request ws refuses (a bad Sec-WebSocket-Key) gets ws's 400, and the attempt is recorded as failed, its upstream closed", async (t) => {
  const defer = cleanups(t);
  const server = await startEchoServer();
  defer(() => server.close());
  const tap = await startTap(defer, server.url);
  const port = Number(new URL(tap.url).port);
  const raw = connect(port, '127.0.0.1');
  defer(() => raw.destroy());
  await once(raw, 'connect');
  raw.write(
    'GET /bad HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: not-a-key\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  let answer = '';
  raw.on('data', (chunk: Buffer) => (answer += chunk.toString()));
  await once(raw, 'close');
  assert.match(answer, /^HTTP\/1\.1 400 /);
  await until(() => tap.events.some((e) => e.event.type === 'handshake-failed'), 'the failed attempt recorded');
  assert.equal(tap.sessions.all()[0]!.busy, false);
  await until(() => server.liveSockets() === 0, 'the upstream connection closed');
});
