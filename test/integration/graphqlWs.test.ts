// The GraphQL over WebSocket and JSON-RPC modules against real servers on 127.0.0.1: the
// graphql-ws library's server (graphql-transport-ws) with a short connectionInitWaitTimeout,
// Apollo's legacy subscriptions-transport-ws server (graphql-ws, `ka` keep-alives), and a
// JSON-RPC 2.0 server written here. A plain `ws` client does what the Session will do with a
// ProtocolClient: send start() after the open, feed it every inbound frame, send its reactions.

import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import type { AppFrame, ProtocolClient, ProtocolModule } from '../../src/core/engine/appProtocol.js';
import type { AppMessage, MessageEvent } from '../../src/core/model/sessionEvents.js';
import { graphqlTransportWsModule } from '../../src/core/protocols/graphqlTransportWs.js';
import { graphqlWsModule } from '../../src/core/protocols/graphqlWs.js';
import { jsonRpcModule, pairJsonRpcCalls } from '../../src/core/protocols/jsonRpc.js';
import { LOOPBACK } from '../../support/ports.js';
import { startGraphqlTransportWsServer, startLegacyGraphqlWsServer } from '../helpers/graphqlServers.js';
import { cleanups } from '../helpers/testScope.js';

const INIT_WAIT_MS = 500;

interface Recorded {
  direction: 'in' | 'out';
  text: string;
  app: AppMessage | null;
  reaction?: ReturnType<ProtocolClient['inbound']>;
  atMs: number;
}

interface Driven {
  socket: WebSocket;
  frames: Recorded[];
  opened: Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
  send(text: string): void;
  /** Resolves with the first decoded frame that `match` accepts. */
  waitFor(match: (app: AppMessage) => boolean, timeoutMs?: number): Promise<AppMessage>;
  isOpen(): boolean;
}

/** A `ws` client offering `protocols`, its frames decoded by `module`, duties done by `client` if given. */
function drive(url: string, protocols: string[], module: ProtocolModule, client: ProtocolClient | null): Driven {
  const started = Date.now();
  const socket = new WebSocket(url, protocols);
  const frames: Recorded[] = [];
  const waiters: Array<{ match: (app: AppMessage) => boolean; resolve: (app: AppMessage) => void }> = [];
  const record = (direction: 'in' | 'out', text: string, reaction?: Recorded['reaction']) => {
    const frame: AppFrame = { direction, text, bytes: new Uint8Array(0), truncated: false };
    const app = module.decode(frame);
    frames.push({ direction, text, app, atMs: Date.now() - started, ...(reaction !== undefined ? { reaction } : {}) });
    if (app === null) return;
    for (const waiter of [...waiters]) {
      if (waiter.match(app)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(app);
      }
    }
  };
  const send = (text: string) => {
    socket.send(text);
    record('out', text);
  };
  const opened = new Promise<void>((resolve, reject) => {
    socket.once('open', () => {
      for (const frame of client?.start() ?? []) send(frame as string);
      resolve();
    });
    socket.once('error', reject);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  socket.on('message', (data, isBinary) => {
    const bytes = new Uint8Array(data as Buffer);
    const reaction = client ? client.inbound(bytes, isBinary) : undefined;
    record('in', Buffer.from(bytes).toString('utf8'), reaction);
    for (const frame of reaction?.send ?? []) send(frame as string);
  });
  const waitFor = (match: (app: AppMessage) => boolean, timeoutMs = 3000) => {
    const seen = frames.find((frame) => frame.app !== null && match(frame.app));
    if (seen?.app) return Promise.resolve(seen.app);
    return new Promise<AppMessage>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching frame in ${timeoutMs} ms`)), timeoutMs);
      waiters.push({
        match,
        resolve: (app) => {
          clearTimeout(timer);
          resolve(app);
        },
      });
    });
  };
  return { socket, frames, opened, closed, send, waitFor, isOpen: () => socket.readyState === WebSocket.OPEN };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('graphql-transport-ws: our client stays up past the init wait, gets connection_ack, labelled next', async (t) => {
  const defer = cleanups(t);
  const server = await startGraphqlTransportWsServer(INIT_WAIT_MS);
  defer(() => server.close());
  const client = graphqlTransportWsModule.createClient({
    url: server.url,
    subprotocol: 'graphql-transport-ws',
    options: { connectionParams: { who: 'test' } },
  });
  const driven = drive(server.url, ['graphql-transport-ws'], graphqlTransportWsModule, client);
  defer(() => driven.socket.terminate());
  await driven.opened;
  assert.equal(driven.socket.protocol, 'graphql-transport-ws');
  assert.equal(driven.frames[0]?.app?.kind, 'connection_init');
  assert.equal(driven.frames[0]?.app?.summary, 'connection_init (payload: who)');

  const ack = await driven.waitFor((app) => app.kind === 'connection_ack');
  assert.equal(ack.protocol, 'graphql-transport-ws');
  await sleep(INIT_WAIT_MS * 1.6);
  assert.ok(driven.isOpen(), 'the server closed a client that sent connection_init');

  // Our own heartbeat: the server answers the ping with a pong that answers it.
  const beat = client.heartbeat()?.beat?.();
  assert.ok(beat);
  driven.send(beat.frame as string);
  await driven.waitFor((app) => app.kind === 'pong');
  const pong = driven.frames.find((frame) => frame.direction === 'in' && frame.app?.kind === 'pong');
  assert.deepEqual(pong?.reaction, { heartbeat: 'pong', answers: true });
  assert.equal(pong?.app?.heartbeat, 'pong');

  const subscribe = graphqlTransportWsModule.compose('subscribe', { query: 'subscription Counting { count(to: 3) }' });
  driven.send(subscribe as string);
  const id = JSON.parse(subscribe as string).id as string;
  const complete = await driven.waitFor((app) => app.kind === 'complete' && app.id === id);
  assert.equal(complete.summary, `complete #${id}`);
  const sent = driven.frames.find((frame) => frame.app?.kind === 'subscribe');
  assert.equal(sent?.app?.name, 'Counting');
  const nexts = driven.frames.filter((frame) => frame.app?.kind === 'next').map((frame) => frame.app!);
  assert.deepEqual(
    nexts.map((app) => [app.id, app.summary]),
    [1, 2, 3].map((n) => [id, `next #${id} {"count":${n}}`]),
  );

  // A query with an error: the error frame carries the server's message.
  driven.send(graphqlTransportWsModule.compose('subscribe', { query: '{ nope }', id: 'bad' }) as string);
  const error = await driven.waitFor((app) => app.kind === 'error' && app.id === 'bad');
  assert.match(error.error ?? '', /Cannot query field "nope"/);
  assert.ok(driven.isOpen());
  assert.ok(
    driven.frames.every((frame) => frame.app !== null),
    'every frame of the conversation decodes',
  );
});

test('graphql-transport-ws: 4408 (no connection_init) and 4406 (no subprotocol) provoked and explained', async (t) => {
  const defer = cleanups(t);
  const server = await startGraphqlTransportWsServer(INIT_WAIT_MS);
  defer(() => server.close());

  const silent = drive(server.url, ['graphql-transport-ws'], graphqlTransportWsModule, null);
  defer(() => silent.socket.terminate());
  const timedOut = await silent.closed;
  assert.equal(timedOut.code, 4408);
  const explained = graphqlTransportWsModule.explainClose(timedOut.code, timedOut.reason);
  assert.ok(explained);
  assert.match(explained.meaning, /4408 Connection initialisation timeout/);
  assert.match(explained.fix, /Send connection_init/);
  assert.equal(explained.heartbeatRelated, false);

  const bare = drive(server.url, [], graphqlTransportWsModule, null);
  defer(() => bare.socket.terminate());
  const refused = await bare.closed;
  assert.deepEqual(refused, { code: 4406, reason: 'Subprotocol not acceptable' });
  assert.match(graphqlTransportWsModule.explainClose(refused.code, refused.reason)?.fix ?? '', /graphql-transport-ws/);
  // The legacy module explains the same close to a client of the old protocol.
  assert.match(
    graphqlWsModule.explainClose(refused.code, refused.reason)?.fix ?? '',
    /--protocol graphql-transport-ws/,
  );

  // Offering only the legacy token: the server picks none, and a `ws` client (the inspector's)
  // fails the handshake on that, stricter than RFC 6455; a browser opens and gets the 4406 above.
  const legacyClient = new WebSocket(server.url, ['graphql-ws']);
  defer(() => legacyClient.terminate());
  const failure = await new Promise<Error>((resolve) => legacyClient.once('error', resolve));
  assert.match(failure.message, /Server sent no subprotocol/);
});

test('graphql-ws (legacy): ka keep-alives decode as heartbeat, known from the first ka', async (t) => {
  const defer = cleanups(t);
  const server = await startLegacyGraphqlWsServer(100);
  defer(() => server.close());
  const client = graphqlWsModule.createClient({ url: server.url, subprotocol: 'graphql-ws', options: {} });
  const driven = drive(server.url, ['graphql-ws'], graphqlWsModule, client);
  defer(() => driven.socket.terminate());
  await driven.opened;
  assert.equal(driven.socket.protocol, 'graphql-ws');
  assert.equal(client.heartbeat(), null, 'no heartbeat before the first ka');
  await driven.waitFor((app) => app.kind === 'connection_ack');
  await driven.waitFor((app) => app.kind === 'ka');
  await sleep(350);
  const keepAlives = driven.frames.filter((frame) => frame.app?.kind === 'ka');
  assert.ok(keepAlives.length >= 3, `${keepAlives.length} ka in ~350 ms at 100 ms`);
  assert.ok(keepAlives.every((frame) => frame.app?.heartbeat === 'ping'));
  assert.deepEqual(keepAlives[0]?.reaction, { heartbeat: 'ping', heartbeatChanged: true });
  assert.deepEqual(keepAlives[1]?.reaction, { heartbeat: 'ping' });
  assert.equal(client.heartbeat()?.beat, null);

  const start = graphqlWsModule.compose('start', { query: 'subscription { count(to: 2) }' }) as string;
  const id = JSON.parse(start).id as string;
  driven.send(start);
  await driven.waitFor((app) => app.kind === 'data' && app.summary === `data #${id} {"count":2}`);
  driven.send(graphqlWsModule.compose('stop', { id }) as string);
  await driven.waitFor((app) => app.kind === 'complete' && app.id === id);
  assert.ok(driven.frames.every((frame) => frame.app !== null));
});

test('graphql-ws (legacy): a handshake without the subprotocol is closed with 1002, explained', async (t) => {
  const defer = cleanups(t);
  const server = await startLegacyGraphqlWsServer(100);
  defer(() => server.close());
  const bare = drive(server.url, [], graphqlWsModule, null);
  defer(() => bare.socket.terminate());
  const closed = await bare.closed;
  assert.equal(closed.code, 1002);
  assert.match(graphqlWsModule.explainClose(closed.code, closed.reason)?.meaning ?? '', /graphql-ws subprotocol/);
});

test('json-rpc: a server written here, its frames decoded and each call timed by id', async (t) => {
  const defer = cleanups(t);
  const wss = new WebSocketServer({ host: LOOPBACK, port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  defer(() => new Promise<void>((resolve) => wss.close(() => resolve())));
  const ANSWER_DELAY_MS = 40;
  wss.on('connection', (ws) => {
    ws.send(JSON.stringify({ jsonrpc: '2.0', method: 'welcome', params: { v: 1 } }));
    ws.on('message', (data) => {
      const request = JSON.parse(String(data)) as { method: string; params?: number[]; id?: number | string };
      if (request.id === undefined) return; // a notification gets no response
      const reply =
        request.method === 'sum'
          ? { jsonrpc: '2.0', result: (request.params ?? []).reduce((a, b) => a + b, 0), id: request.id }
          : { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: request.id };
      setTimeout(() => ws.send(JSON.stringify(reply)), ANSWER_DELAY_MS);
    });
  });
  const url = `ws://${LOOPBACK}:${(wss.address() as AddressInfo).port}/rpc`;
  const client = jsonRpcModule.createClient({ url, subprotocol: '', options: {} });
  const driven = drive(url, [], jsonRpcModule, client);
  defer(() => driven.socket.terminate());
  await driven.opened;
  const welcome = await driven.waitFor((app) => app.kind === 'notification');
  assert.equal(welcome.name, 'welcome');
  assert.equal(
    jsonRpcModule.matchFrame({
      direction: 'in',
      text: driven.frames[0]!.text,
      bytes: new Uint8Array(0),
      truncated: false,
    }),
    'a JSON-RPC 2.0 notification',
  );

  driven.send(jsonRpcModule.compose('call', { method: 'sum', params: '[1, 2, 4]', id: '1' }) as string);
  driven.send(jsonRpcModule.compose('notify', { method: 'hello' }) as string);
  driven.send(jsonRpcModule.compose('call', { method: 'nope', id: 'two' }) as string);
  const result = await driven.waitFor((app) => app.kind === 'result');
  assert.equal(result.summary, 'result #1: 7');
  const error = await driven.waitFor((app) => app.kind === 'error');
  assert.equal(error.error, '-32601 Method not found');
  assert.ok(driven.frames.every((frame) => frame.app !== null));
  assert.equal(client.heartbeat(), null);

  // The frames as a session records them: the pairing times each call.
  const events: MessageEvent[] = driven.frames.map((frame, index) => ({
    type: 'message',
    seq: index + 1,
    t: frame.atMs,
    direction: frame.direction,
    opcode: 'text',
    size: frame.text.length,
    data: frame.text,
    truncated: false,
  }));
  const timings = [...pairJsonRpcCalls(events).values()].flat();
  assert.deepEqual(timings.map((timing) => [timing.method, timing.id, timing.failed]).sort(), [
    ['nope', 'two', true],
    ['sum', '1', false],
  ]);
  for (const timing of timings) {
    assert.ok(
      timing.latencyMs >= ANSWER_DELAY_MS - 5 && timing.latencyMs < 2000,
      `${timing.method}: ${timing.latencyMs} ms`,
    );
  }
});
