// A live Session (test/helpers/liveSession.ts: real sockets, system clock, the protocol catalog) against the real graphql-ws
// server with a 500 ms connectionInitWaitTimeout: with graphql-transport-ws chosen (or found by
// its subprotocol) it sends connection_init itself, so no 4408 comes; a subscribe gets `next`
// frames that decode with their id; its own ping every 12 s is answered by a pong with an RTT.
// And the legacy server's `ka` frames recorded as the protocol's heartbeat.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MessageEvent, SessionEvent } from '../../src/core/model/sessionEvents.js';
import { decorateEvents } from '../../src/core/protocols/appDecoder.js';
import { GRAPHQL_PING_INTERVAL_MS } from '../../src/core/protocols/graphqlTransportWs.js';
import { startGraphqlTransportWsServer, startLegacyGraphqlWsServer } from '../helpers/graphqlServers.js';
import { delay, startLiveSession, until } from '../helpers/liveSession.js';
import { cleanups } from '../helpers/testScope.js';

const INIT_WAIT_MS = 500;

const messages = (events: readonly SessionEvent[]) =>
  decorateEvents(events).filter((event): event is MessageEvent => event.type === 'message');

test('Session, graphql-transport-ws chosen: connection_init sent, no 4408, next labelled, ping RTT', async (t) => {
  const defer = cleanups(t);
  const server = await startGraphqlTransportWsServer(INIT_WAIT_MS);
  defer(() => server.close());
  const { session, events } = startLiveSession(defer, server.url, {
    heartbeat: {},
    protocol: 'graphql-transport-ws',
    protocols: ['graphql-transport-ws'],
  });
  // A subscribe may go only after connection_ack (PROTOCOL.md, Subscribe: else 4401), so not in onOpen.
  const acked = () => messages(events).some((event) => event.app?.kind === 'connection_ack');
  await until(acked, 3000);
  assert.ok(acked(), 'connection_ack arrived');
  session.send('{"id":"s1","type":"subscribe","payload":{"query":"subscription Counting { count(to: 3) }"}}');
  // Past the init wait many times over, and past our first protocol ping (12 s) and its pong.
  const pongArrived = () =>
    events.some((event) => event.type === 'message' && event.direction === 'in' && event.heartbeat === 'pong');
  await until(pongArrived, GRAPHQL_PING_INTERVAL_MS + 3000);
  assert.deepEqual(
    events.filter((event) => event.type === 'close'),
    [],
    'the server never closed (no 4408)',
  );
  const open = events.find((event) => event.type === 'open');
  assert.equal(open?.type === 'open' && open.protocol, 'graphql-transport-ws');
  assert.deepEqual(open?.type === 'open' ? open.app : undefined, {
    protocol: 'graphql-transport-ws',
    label: 'GraphQL over WebSocket (graphql-transport-ws)',
    by: 'user',
    reason: 'you chose it',
  });

  const decoded = messages(events);
  assert.deepEqual(
    decoded.slice(0, 2).map((event) => [event.direction, event.app?.kind]),
    [
      ['out', 'connection_init'],
      ['in', 'connection_ack'],
    ],
  );
  assert.equal(decoded.find((event) => event.app?.kind === 'subscribe')?.app?.name, 'Counting');
  assert.deepEqual(
    decoded.filter((event) => event.app?.kind === 'next').map((event) => [event.app?.id, event.app?.summary]),
    [1, 2, 3].map((n) => ['s1', `next #s1 {"count":${n}}`]),
  );
  assert.ok(decoded.some((event) => event.app?.kind === 'complete' && event.app.id === 's1'));

  const ping = decoded.find((event) => event.direction === 'out' && event.heartbeat === 'ping');
  assert.equal(ping?.data, '{"type":"ping"}');
  assert.equal(ping?.app?.heartbeat, 'ping');
  const pong = decoded.find((event) => event.direction === 'in' && event.heartbeat === 'pong');
  assert.equal(pong?.app?.kind, 'pong');
  assert.ok(pong?.rttMs !== undefined && pong.rttMs >= 0 && pong.rttMs < 1000, `rttMs ${pong?.rttMs}`);
  // The protocol's heartbeat replaced the WebSocket ping of the default heartbeat.
  assert.deepEqual(
    events.filter((event) => event.type === 'ping' && event.direction === 'out'),
    [],
  );
});

test('Session on auto: graphql-transport-ws found by the subprotocol the server chose, so no 4408', async (t) => {
  const defer = cleanups(t);
  const server = await startGraphqlTransportWsServer(INIT_WAIT_MS);
  defer(() => server.close());
  const { events } = startLiveSession(defer, server.url, { heartbeat: {}, protocols: ['graphql-transport-ws'] });
  await delay(INIT_WAIT_MS * 3);
  assert.deepEqual(
    events.filter((event) => event.type === 'close'),
    [],
  );
  const open = events.find((event) => event.type === 'open');
  assert.equal(open?.type === 'open' ? open.app?.by : undefined, 'subprotocol');
  assert.ok(messages(events).some((event) => event.app?.kind === 'connection_ack'));
});

test('Session without the protocol (none): the server closes with 4408 after its init wait', async (t) => {
  const defer = cleanups(t);
  const server = await startGraphqlTransportWsServer(INIT_WAIT_MS);
  defer(() => server.close());
  const { events } = startLiveSession(defer, server.url, {
    heartbeat: {},
    protocol: 'none',
    protocols: ['graphql-transport-ws'],
    reconnect: { enabled: false },
  });
  await until(() => events.some((event) => event.type === 'close'), INIT_WAIT_MS * 6);
  const close = events.find((event) => event.type === 'close');
  assert.equal(close?.type === 'close' ? close.code : undefined, 4408);
});

test("Session on auto with the legacy server: ka frames recorded as the protocol's heartbeat", async (t) => {
  const defer = cleanups(t);
  const server = await startLegacyGraphqlWsServer(100);
  defer(() => server.close());
  const { events } = startLiveSession(defer, server.url, { heartbeat: {}, protocols: ['graphql-ws'] });
  await until(() => events.filter((event) => event.type === 'message' && event.heartbeat === 'ping').length >= 3, 3000);
  const decoded = messages(events);
  assert.equal(decoded[0]?.app?.kind, 'connection_init');
  const keepAlives = decoded.filter((event) => event.app?.kind === 'ka');
  assert.ok(keepAlives.length >= 3, `${keepAlives.length} ka`);
  assert.ok(keepAlives.every((event) => event.heartbeat === 'ping' && event.direction === 'in'));
  assert.deepEqual(
    events.filter((event) => event.type === 'close'),
    [],
  );
});
