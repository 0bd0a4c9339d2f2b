import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProtocolClient, ProtocolModule, ProtocolReaction } from '../../src/core/engine/appProtocol.js';
import { DEFAULT_SESSION_OPTIONS, EndpointError, Session } from '../../src/core/engine/session.js';
import { makeEndpoint, type HeartbeatConfig } from '../../src/core/model/endpoint.js';
import type { SessionEvent } from '../../src/core/model/sessionEvents.js';
import { Catalog } from '../../src/core/protocols/catalog.js';
import { FakeClock } from './fakes/fakeClock.js';
import { FakeSocketFactory } from './fakes/fakeSocket.js';

// A toy protocol with every duty the port allows, so that the session's part is tested apart
// from any real protocol: the server announces "hello <ms>", pings with "sping" (we answer
// "spong"), and our beat "cping" is answered by "cpong". The server speaks first, so frames
// can reveal it; its URL marker is /toy/ and its subprotocol "toy.v1".
function toyModule(options: { serverDriven?: boolean } = {}): ProtocolModule {
  return {
    id: 'toy',
    label: 'Toy',
    subprotocols: ['toy.v1'],
    offer: ['toy.v1'],
    matchUrl: (url) => (url.pathname.includes('/toy/') ? "the URL's path has /toy/" : null),
    matchFrame: (frame) => (frame.text?.startsWith('hello ') ? 'the first frame is a toy hello' : null),
    decode: (frame) => (frame.text ? { protocol: 'toy', kind: frame.text.split(' ')[0]!, summary: frame.text } : null),
    checkOptions: (values) =>
      values['room'] !== undefined && typeof values['room'] !== 'string' ? ['room: expected a string'] : [],
    createClient: (context): ProtocolClient => {
      let intervalMs: number | null = null;
      return {
        start: () => [`join ${String(context.options['room'] ?? 'lobby')}`],
        inbound(payload, isBinary): ProtocolReaction | null {
          if (isBinary) return null;
          const text = new TextDecoder().decode(payload);
          if (text.startsWith('hello ')) {
            intervalMs = Number(text.slice(6));
            return { heartbeatChanged: true };
          }
          if (text === 'sping') return { send: ['spong'], heartbeat: 'ping' };
          if (text === 'cpong') return { heartbeat: 'pong', answers: true };
          return null;
        },
        heartbeat: () =>
          intervalMs === null
            ? null
            : {
                intervalMs,
                timeoutMs: 500,
                beat: options.serverDriven ? null : () => ({ frame: 'cping' }),
                paired: !options.serverDriven,
                describe: 'toy beat',
              },
      };
    },
    explainClose: () => null,
    composerForms: [],
    compose: () => {
      throw new Error('no forms');
    },
  };
}

function setup(
  url: string,
  extra: { protocol?: string; heartbeat?: Partial<HeartbeatConfig>; protocolOptions?: Record<string, unknown> } = {},
  module = toyModule(),
) {
  const clock = new FakeClock();
  const sockets = new FakeSocketFactory();
  const endpoint = makeEndpoint(url, {
    reconnect: { jitter: 0 },
    ...(extra.heartbeat ? { heartbeat: extra.heartbeat } : {}),
    ...(extra.protocol ? { protocol: extra.protocol } : {}),
    ...(extra.protocolOptions ? { protocolOptions: extra.protocolOptions } : {}),
  });
  const session = new Session(endpoint, DEFAULT_SESSION_OPTIONS, {
    clock,
    createSocket: sockets.create,
    random: () => 0.5,
    protocols: new Catalog([module]),
  });
  const events: SessionEvent[] = [];
  session.onEvent((event) => events.push(event));
  const messages = () =>
    events.flatMap((e) =>
      e.type === 'message' ? [`${e.direction} ${e.data}${e.heartbeat ? ` [${e.heartbeat}]` : ''}`] : [],
    );
  return { clock, sockets, session, events, messages };
}

describe('Session: speaking an application protocol', () => {
  it('detects the protocol from the URL, records why in the open event and sends its init first', () => {
    const { sockets, session, events, messages } = setup('ws://app.test/toy/socket', {}, toyModule());
    session.start();
    sockets.last.open();
    const open = events.find((e) => e.type === 'open');
    assert.deepEqual(open?.type === 'open' && open.app, {
      protocol: 'toy',
      label: 'Toy',
      by: 'url',
      reason: "the URL's path has /toy/",
    });
    assert.deepEqual(messages(), ['out join lobby']);
    assert.deepEqual(session.appProtocol?.protocol, 'toy');
  });

  it("answers the server's pings, marks both as heartbeat traffic, and beats at the announced cadence with an RTT", () => {
    const { clock, sockets, session, events, messages } = setup('ws://app.test/toy/socket');
    session.start();
    sockets.last.open();
    sockets.last.receiveText('hello 1000');
    sockets.last.receiveText('sping');
    assert.deepEqual(sockets.last.sent, ['join lobby', 'spong']);
    clock.advance(1000);
    assert.equal(sockets.last.sent.at(-1), 'cping', 'the protocol beat replaces the default ping heartbeat');
    assert.equal(sockets.last.pings.length, 0, 'no RFC 6455 ping while the protocol beats');
    clock.advance(7);
    sockets.last.receiveText('cpong');
    assert.deepEqual(messages(), [
      'out join lobby',
      'in hello 1000',
      'in sping [ping]',
      'out spong [pong]',
      'out cping [ping]',
      'in cpong [pong]',
    ]);
    const reply = events.filter((e) => e.type === 'message').at(-1);
    assert.equal(reply?.type === 'message' && reply.rttMs, 7);
  });

  it('keeps a heartbeat the user set, while still answering the protocol', () => {
    const { clock, sockets, session } = setup('ws://app.test/toy/socket', { heartbeat: { intervalMs: 5000 } });
    session.start();
    sockets.last.open();
    sockets.last.receiveText('hello 1000');
    sockets.last.receiveText('sping');
    clock.advance(5000);
    assert.deepEqual(sockets.last.sent, ['join lobby', 'spong']);
    assert.equal(sockets.last.pings.length, 1, "the user's ping heartbeat runs");
  });

  it('declares a server-driven heartbeat dead when the server stops beating', () => {
    const { clock, sockets, session, events } = setup(
      'ws://app.test/toy/socket',
      {},
      toyModule({ serverDriven: true }),
    );
    session.start();
    sockets.last.open();
    sockets.last.receiveText('hello 1000');
    clock.advance(1000 + 1000 + 500 + 10);
    const timeout = events.find((e) => e.type === 'heartbeat-timeout');
    assert.equal(timeout?.type === 'heartbeat-timeout' && timeout.mode, 'protocol');
  });

  it("finds the protocol from the server's first frame when nothing else names it, and records a protocol event", () => {
    const { sockets, session, events, messages } = setup('ws://app.test/socket');
    session.start();
    sockets.last.open();
    sockets.last.receiveText('hello 1000');
    const types = events.map((e) => e.type);
    assert.deepEqual(types.slice(1, 4), ['open', 'message', 'protocol']);
    const detected = events.find((e) => e.type === 'protocol');
    assert.equal(detected?.type === 'protocol' && detected.by, 'frames');
    assert.deepEqual(messages(), ['in hello 1000', 'out join lobby']);
  });

  it('gives up frame detection after the first few frames, and never detects with protocol none', () => {
    const auto = setup('ws://app.test/socket');
    auto.session.start();
    auto.sockets.last.open();
    for (let i = 0; i < 4; i++) auto.sockets.last.receiveText(`data ${i}`);
    auto.sockets.last.receiveText('hello 1000');
    assert.equal(auto.session.appProtocol, null);
    const none = setup('ws://app.test/toy/socket', { protocol: 'none' });
    none.session.start();
    none.sockets.last.open();
    none.sockets.last.receiveText('hello 1000');
    assert.equal(none.session.appProtocol, null);
    assert.deepEqual(none.sockets.last.sent, []);
  });

  it("offers the chosen protocol's subprotocol, passes its options, and refuses unknown names and bad options", () => {
    const { sockets, session, events } = setup('ws://app.test/x', { protocol: 'toy', protocolOptions: { room: 'a' } });
    session.start();
    assert.deepEqual(sockets.last.options.protocols, ['toy.v1']);
    sockets.last.open({ protocol: 'toy.v1' });
    const open = events.find((e) => e.type === 'open');
    assert.equal(open?.type === 'open' && open.app?.by, 'user');
    assert.deepEqual(sockets.last.sent, ['join a']);
    assert.throws(
      () => setup('ws://app.test/x', { protocol: 'toys' }),
      (error: unknown) => {
        assert.ok(error instanceof EndpointError);
        return /unknown protocol "toys"/.test(error.message);
      },
    );
    assert.throws(
      () => setup('ws://app.test/x', { protocol: 'toy', protocolOptions: { room: 3 } }),
      /room: expected a string/,
    );
  });

  it('detects from the subprotocol the server chose, and starts over on the next connection', () => {
    const { sockets, session, events, clock } = setup('ws://app.test/x');
    session.start();
    sockets.last.open({ protocol: 'toy.v1' });
    const open = events.find((e) => e.type === 'open');
    assert.equal(open?.type === 'open' && open.app?.reason, 'the server chose subprotocol toy.v1');
    sockets.last.end(1006);
    clock.advance(2000);
    sockets.last.open();
    assert.equal(session.appProtocol, null, 'the next connection chose no subprotocol');
  });
});
