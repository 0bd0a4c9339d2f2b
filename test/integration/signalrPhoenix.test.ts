// SignalR and Phoenix have no server runtime on this machine (no .NET, no Elixir), so each is
// played here by a scripted peer: a `ws` server that does what the published protocol says its
// server does, with its timeouts made short.
// - SignalR (dotnet/aspnetcore src/SignalR/docs/specs/HubProtocol.md): the first client message
//   must be the HandshakeRequest, answered with `{}` + 0x1E (Overview); the server pings on its
//   KeepAliveInterval and closes a client it has heard nothing from for ClientTimeoutInterval
//   (Ping, aka "Keep Alive"); the peer then sends a Close message with an error (Close Message
//   Encoding) before the WebSocket close. Whether ASP.NET Core's Close carries an error on a client
//   timeout is not in the spec and was not checked against its source: the peer sends one so that
//   decode's error is exercised. An Invocation with an invocationId gets a Completion (Invocations).
// - Phoenix (phoenixframework/phoenix lib/phoenix/socket/serializers/v1/v2_json_serializer.ex,
//   assets/js/phoenix/socket.js): phx_join and the `heartbeat` on topic `phoenix` get a phx_reply
//   with the same ref, `{status, response}`; the server closes a socket that sends nothing for its
//   transport timeout (here: no heartbeat for a short while).
// Our ProtocolClient is driven by a plain `ws` client: start() after the open, inbound() for each
// frame, heartbeat().beat every intervalMs.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import WebSocket from 'ws';
import type { OutboundFrame, ProtocolClient, ProtocolReaction } from '../../src/core/engine/appProtocol.js';
import type { SessionEvent } from '../../src/core/model/sessionEvents.js';
import { decorateEvents } from '../../src/core/protocols/appDecoder.js';
import { phoenixProtocol } from '../../src/core/protocols/phoenix.js';
import { signalrProtocol } from '../../src/core/protocols/signalr.js';
import { buildCli, describeRun, parseNdjson, runCli } from '../helpers/cliProcess.js';
import { delay, QUICK_RECONNECT, startLiveSession } from '../helpers/liveSession.js';
import { cleanups, type EventOf } from '../helpers/testScope.js';
import { startWsServer, type TestWsServer } from '../helpers/wsServers.js';

const RS = '\x1e';

interface PeerLog {
  /** Every client message, as text, in order. */
  received: string[];
  /** Why and when the peer closed a connection. */
  closes: string[];
}

/** A SignalR server as HubProtocol.md describes it, with short KeepAlive/ClientTimeout intervals. */
async function startSignalrPeer(options: {
  keepAliveMs: number;
  clientTimeoutMs: number;
  handshakeTimeoutMs: number;
}): Promise<TestWsServer & { log: PeerLog }> {
  const log: PeerLog = { received: [], closes: [] };
  const server = await startWsServer((ws, context) => {
    let handshaken = false;
    let lastClientMessageAt = Date.now();
    const closeWith = (why: string, error: string) => {
      log.closes.push(why);
      if (ws.readyState !== ws.OPEN) return;
      // "Close … Contains an error if the connection was closed because of an error."
      ws.send(`${JSON.stringify({ type: 7, error })}${RS}`);
      ws.close(1000);
    };
    context.setTimeout(() => {
      if (!handshaken) closeWith('handshake timeout', 'Handshake was canceled.');
    }, options.handshakeTimeoutMs);
    const watch = () => {
      if (ws.readyState !== ws.OPEN) return;
      if (handshaken && Date.now() - lastClientMessageAt > options.clientTimeoutMs) {
        closeWith('client timeout', 'Server closed the connection: client timeout elapsed.');
        return;
      }
      context.setTimeout(watch, 25);
    };
    const ping = () => {
      if (ws.readyState !== ws.OPEN) return;
      ws.send(`{"type":6}${RS}`);
      context.setTimeout(ping, options.keepAliveMs);
    };
    ws.on('message', (data) => {
      const text = (data as Buffer).toString('utf8');
      log.received.push(text);
      lastClientMessageAt = Date.now();
      const records = text.split(RS).slice(0, -1);
      for (const record of records) {
        const message = JSON.parse(record) as Record<string, unknown>;
        if (!handshaken) {
          // "If … the first message received from the client is not a HandshakeRequest message
          // the server must close the connection."
          if (message['protocol'] !== 'json' || message['version'] !== 1) {
            closeWith('not a handshake', 'Handshake request expected.');
            return;
          }
          handshaken = true;
          // The response and the first ping in one frame: a frame may hold several records.
          ws.send(`{}${RS}{"type":6}${RS}`);
          context.setTimeout(ping, options.keepAliveMs);
          watch();
          continue;
        }
        if (message['type'] === 1 && typeof message['invocationId'] === 'string') {
          const args = message['arguments'] as number[];
          const result = args.reduce((sum, n) => sum + n, 0);
          ws.send(`${JSON.stringify({ type: 3, invocationId: message['invocationId'], result })}${RS}`);
        }
      }
    });
  });
  return Object.assign(server, { log });
}

/** A Phoenix endpoint as the serializers and socket.js describe it, closing after `timeoutMs` without a heartbeat. */
async function startPhoenixPeer(options: { timeoutMs: number }): Promise<TestWsServer & { log: PeerLog }> {
  const log: PeerLog = { received: [], closes: [] };
  const server = await startWsServer((ws, context) => {
    const v1 = new URL(context.request.url ?? '/', 'ws://x').searchParams.get('vsn')?.startsWith('1.') ?? false;
    let lastHeartbeatAt = Date.now();
    let ticks = 0;
    const joined = new Map<string, unknown>();
    const encode = (joinRef: unknown, ref: unknown, topic: string, event: string, payload: unknown) =>
      v1 ? JSON.stringify({ topic, event, payload, ref }) : JSON.stringify([joinRef, ref, topic, event, payload]);
    const watch = () => {
      if (ws.readyState !== ws.OPEN) return;
      if (Date.now() - lastHeartbeatAt > options.timeoutMs) {
        log.closes.push('heartbeat timeout');
        ws.close(1000);
        return;
      }
      context.setTimeout(watch, 25);
    };
    watch();
    ws.on('message', (data) => {
      const text = (data as Buffer).toString('utf8');
      log.received.push(text);
      const parsed = JSON.parse(text) as unknown;
      const [joinRef, ref, topic, event] = Array.isArray(parsed)
        ? (parsed as unknown[])
        : ((m: Record<string, unknown>) => [null, m['ref'], m['topic'], m['event']])(parsed as Record<string, unknown>);
      if (topic !== 'phoenix' && event !== 'phx_join') {
        // socket.ex handle_in: a v2 push to a joined topic with another join_ref is stale, dropped.
        const current = joined.get(String(topic));
        if (current === undefined || (!v1 && current !== joinRef)) return;
        ws.send(encode(joinRef, ref, String(topic), 'phx_reply', { status: 'ok', response: { echo: event } }));
      } else if (topic === 'phoenix' && event === 'heartbeat') {
        lastHeartbeatAt = Date.now();
        ws.send(encode(null, ref, 'phoenix', 'phx_reply', { status: 'ok', response: {} }));
      } else if (event === 'phx_join') {
        const refused = topic === 'room:forbidden';
        const response = refused ? { reason: 'unauthorized' } : {};
        ws.send(encode(joinRef, ref, String(topic), 'phx_reply', { status: refused ? 'error' : 'ok', response }));
        if (!refused) {
          joined.set(String(topic), joinRef);
          const tick = () => {
            if (ws.readyState !== ws.OPEN) return;
            ws.send(encode(null, null, String(topic), 'tick', { n: ++ticks }));
            context.setTimeout(tick, 150);
          };
          tick();
        }
      }
    });
  });
  return Object.assign(server, { log });
}

interface Drive {
  ws: WebSocket;
  /** Each inbound frame's text and the client's reaction to it. */
  inbound: Array<{ text: string; reaction: ProtocolReaction | null }>;
  /** The ids of the beats sent, in order. */
  beats: Array<string | undefined>;
  closed: { code: number; reason: string } | null;
}

/** Runs a ProtocolClient on a plain ws client, as the Session will: start(), inbound(), heartbeat(). */
function drive(
  defer: (fn: () => unknown) => void,
  url: string,
  client: ProtocolClient,
  { heartbeat }: { heartbeat: boolean },
): Drive {
  const ws = new WebSocket(url);
  const run: Drive = { ws, inbound: [], beats: [], closed: null };
  let timer: NodeJS.Timeout | null = null;
  defer(() => {
    if (timer) clearInterval(timer);
    ws.terminate();
  });
  const send = (frame: OutboundFrame) => ws.send(frame, { binary: typeof frame !== 'string' });
  ws.on('open', () => {
    for (const frame of client.start()) send(frame);
    const beat = heartbeat ? client.heartbeat() : null;
    if (beat?.beat) {
      const build = beat.beat;
      timer = setInterval(() => {
        const next = build();
        run.beats.push(next.id);
        send(next.frame);
      }, beat.intervalMs);
    }
  });
  ws.on('message', (data, isBinary) => {
    const bytes = new Uint8Array(data as Buffer);
    const reaction = client.inbound(bytes, isBinary);
    run.inbound.push({ text: (data as Buffer).toString('utf8'), reaction });
    for (const frame of reaction?.send ?? []) send(frame);
  });
  ws.on('close', (code, reason) => {
    if (timer) clearInterval(timer);
    run.closed = { code, reason: reason.toString('utf8') };
  });
  ws.on('error', () => {
    // The close that follows says what happened.
  });
  return run;
}

const decodeIn = (module: typeof signalrProtocol, text: string) =>
  module.decode({ direction: 'in', text, bytes: new Uint8Array(0), truncated: false });

test(
  'SignalR scripted peer: the handshake, then the keep-alive Ping keeps the connection past ClientTimeout',
  { timeout: 15_000 },
  async (t) => {
    const defer = cleanups(t);
    const peer = await startSignalrPeer({ keepAliveMs: 300, clientTimeoutMs: 600, handshakeTimeoutMs: 500 });
    defer(() => peer.close());
    const client = signalrProtocol.createClient({
      url: `${peer.url}hubs/chat`,
      subprotocol: '',
      options: { keepAliveMs: 200 },
    });
    const run = drive(defer, `${peer.url}hubs/chat`, client, { heartbeat: true });
    await delay(2_000);

    assert.equal(
      run.closed,
      null,
      `still open after 2 s (> 3 × ClientTimeout); peer closes: ${peer.log.closes.join(', ')}`,
    );
    assert.equal(peer.log.received[0], `{"protocol":"json","version":1}${RS}`, 'the handshake is the first message');
    const pings = peer.log.received.filter((m) => m === `{"type":6}${RS}`).length;
    assert.ok(pings >= 7, `the client pinged every 200 ms: ${pings} pings`);

    const first = decodeIn(signalrProtocol, run.inbound[0]!.text);
    assert.equal(first?.kind, 'handshake response');
    assert.match(first?.summary ?? '', /2 records in this frame/);
    assert.deepEqual(run.inbound[0]!.reaction, null, 'the response with a ping is not all heartbeat');
    const serverPings = run.inbound.slice(1).filter((m) => m.reaction?.heartbeat === 'ping').length;
    assert.ok(serverPings >= 4, `the server's pings are marked as heartbeat: ${serverPings}`);
    assert.ok(
      run.inbound.every((m) => m.reaction?.send === undefined),
      'a Ping needs no answer',
    );

    // A composed invocation gets its completion, matched by invocationId.
    const invoke = signalrProtocol.compose('invoke', { target: 'Add', arguments: '[40, 2]' });
    run.ws.send(invoke);
    await delay(200);
    const completion = run.inbound.map((m) => decodeIn(signalrProtocol, m.text)).find((m) => m?.kind === 'completion');
    const sentId = (JSON.parse(String(invoke).slice(0, -1)) as { invocationId: string }).invocationId;
    assert.equal(completion?.id, sentId);
    assert.equal(completion?.summary, `completion 42 #${sentId}`);
  },
);

test(
  'SignalR scripted peer: without the keep-alive the server closes after ClientTimeout with a Close message',
  { timeout: 15_000 },
  async (t) => {
    const defer = cleanups(t);
    const peer = await startSignalrPeer({ keepAliveMs: 300, clientTimeoutMs: 600, handshakeTimeoutMs: 500 });
    defer(() => peer.close());
    const client = signalrProtocol.createClient({ url: peer.url, subprotocol: '', options: {} });
    const run = drive(defer, peer.url, client, { heartbeat: false });
    await delay(1_500);

    assert.deepEqual(peer.log.closes, ['client timeout']);
    assert.equal(run.closed?.code, 1000);
    const close = run.inbound.map((m) => decodeIn(signalrProtocol, m.text)).find((m) => m?.kind === 'close');
    assert.match(close?.error ?? '', /client timeout elapsed/);
    assert.equal(
      signalrProtocol.explainClose(1000, ''),
      null,
      'the WebSocket close itself says nothing SignalR-specific',
    );
  },
);

test(
  'SignalR scripted peer: a client that never sends the handshake is closed (HubProtocol.md, Overview)',
  { timeout: 15_000 },
  async (t) => {
    const defer = cleanups(t);
    const peer = await startSignalrPeer({ keepAliveMs: 300, clientTimeoutMs: 600, handshakeTimeoutMs: 400 });
    defer(() => peer.close());
    const silent: ProtocolClient = { start: () => [], inbound: () => null, heartbeat: () => null };
    const run = drive(defer, peer.url, silent, { heartbeat: false });
    await delay(1_000);
    assert.deepEqual(peer.log.closes, ['handshake timeout']);
    assert.notEqual(run.closed, null);
  },
);

for (const vsn of ['2.0.0', '1.0.0']) {
  test(
    `Phoenix scripted peer (vsn=${vsn}): joins, and the ref-paired heartbeat keeps the socket up`,
    { timeout: 15_000 },
    async (t) => {
      const defer = cleanups(t);
      const peer = await startPhoenixPeer({ timeoutMs: 600 });
      defer(() => peer.close());
      const url = `${peer.url}socket/websocket?vsn=${vsn}`;
      const client = phoenixProtocol.createClient({
        url,
        subprotocol: '',
        options: { topics: ['room:lobby', 'room:forbidden'], heartbeatMs: 200 },
      });
      const run = drive(defer, url, client, { heartbeat: true });
      await delay(2_000);

      assert.equal(
        run.closed,
        null,
        `still open after 2 s (> 3 × the server's timeout); closes: ${peer.log.closes.join(', ')}`,
      );
      const decoded = run.inbound.map((m) =>
        phoenixProtocol.decode({ direction: 'in', text: m.text, bytes: new Uint8Array(0), truncated: false }),
      );
      const joinReplies = decoded.filter((m) => m?.kind === 'reply' && m.heartbeat === undefined);
      assert.deepEqual(
        joinReplies.map((m) => [m?.name, m?.id, m?.error !== undefined]),
        [
          ['room:lobby', '1', false],
          ['room:forbidden', '2', true],
        ],
      );
      assert.ok(
        decoded.some((m) => m?.kind === 'event' && m.name === 'tick'),
        'the channel’s events are named',
      );

      // Every beat was answered by a reply naming its ref, in order.
      const answers = run.inbound.flatMap((m) => (m.reaction?.answers !== undefined ? [m.reaction.answers] : []));
      assert.ok(run.beats.length >= 7, `beats every 200 ms: ${run.beats.length}`);
      assert.deepEqual(answers, run.beats.slice(0, answers.length));
      assert.ok(answers.length >= run.beats.length - 1, `${answers.length} answers for ${run.beats.length} beats`);
      assert.equal(new Set(run.beats).size, run.beats.length, 'a fresh ref per beat');

      // A composed push reaches the channel with the join's ref (v2 drops it without; v1 has none).
      const repliesBefore = run.inbound.length;
      run.ws.send(phoenixProtocol.compose('push', { topic: 'room:lobby', event: 'shout', payload: '{}', vsn }));
      run.ws.send(phoenixProtocol.compose('push', { topic: 'room:lobby', event: 'hello', joinRef: '1', vsn }));
      await delay(200);
      const echoes = run.inbound
        .slice(repliesBefore)
        .map((m) => JSON.stringify(decodeIn(phoenixProtocol, m.text)?.fields?.['payload'] ?? null))
        .filter((payload) => payload.includes('echo'));
      assert.deepEqual(
        echoes,
        vsn === '1.0.0'
          ? ['{"status":"ok","response":{"echo":"shout"}}', '{"status":"ok","response":{"echo":"hello"}}']
          : ['{"status":"ok","response":{"echo":"hello"}}'],
      );
    },
  );
}

test('Phoenix scripted peer: without heartbeats the server closes the socket', { timeout: 15_000 }, async (t) => {
  const defer = cleanups(t);
  const peer = await startPhoenixPeer({ timeoutMs: 400 });
  defer(() => peer.close());
  const url = `${peer.url}socket/websocket?vsn=2.0.0`;
  const client = phoenixProtocol.createClient({ url, subprotocol: '', options: { topics: ['room:lobby'] } });
  const run = drive(defer, url, client, { heartbeat: false });
  await delay(1_000);
  assert.deepEqual(peer.log.closes, ['heartbeat timeout']);
  assert.equal(run.closed?.code, 1000);
});

// The real Session, with the heartbeat left at its default so that the protocol's own heartbeat
// replaces it (engine/protocolLink.ts), the protocol found from the URL, and its cadence made
// short through protocolOptions (keepAliveMs, heartbeatMs) to fit the peers' short timeouts.

/** A live Session (test/helpers/liveSession.ts) on `url`, with the heartbeat left at its default. */
function startProtocolSession(
  defer: (fn: () => unknown) => void,
  url: string,
  protocol: string,
  protocolOptions: Record<string, unknown>,
) {
  return startLiveSession(defer, url, { heartbeat: {}, reconnect: QUICK_RECONNECT, protocol, protocolOptions });
}

const ofType = <T extends SessionEvent['type']>(events: SessionEvent[], type: T) =>
  events.filter((e): e is EventOf<T> => e.type === type);

test(
  'Session on the SignalR peer: found from the URL, handshakes and keeps alive past ClientTimeout',
  { timeout: 15_000 },
  async (t) => {
    const defer = cleanups(t);
    const peer = await startSignalrPeer({ keepAliveMs: 300, clientTimeoutMs: 600, handshakeTimeoutMs: 500 });
    defer(() => peer.close());
    const { session, events } = startProtocolSession(defer, `${peer.url}hubs/chat`, 'auto', {
      keepAliveMs: 200,
      serverTimeoutMs: 1_000,
    });
    await delay(2_500);
    await session.stop();

    const open = ofType(events, 'open')[0];
    assert.equal(open?.app?.protocol, 'signalr');
    assert.equal(open?.app?.by, 'url');
    const drops = ofType(events, 'close').filter((c) => c.initiator !== 'local');
    assert.deepEqual(drops, [], `no drop in 2.5 s (ClientTimeout 600 ms); peer closes: ${peer.log.closes.join(', ')}`);
    assert.deepEqual(ofType(events, 'heartbeat-timeout'), []);
    assert.equal(ofType(events, 'open').length, 1, 'one connection, never reconnected');

    const messages = ofType(events, 'message');
    const outbound = messages.filter((m) => m.direction === 'out');
    assert.equal(outbound[0]?.data, `{"protocol":"json","version":1}${RS}`, 'the handshake goes first');
    const beats = outbound.filter((m) => m.heartbeat === 'ping');
    assert.ok(beats.length >= 8, `the keep-alive Ping every 200 ms: ${beats.length}`);
    assert.ok(beats.every((m) => m.data === `{"type":6}${RS}`));
    const serverPings = messages.filter((m) => m.direction === 'in' && m.heartbeat === 'ping');
    assert.ok(serverPings.length >= 5, `the server's pings are marked: ${serverPings.length}`);
    assert.equal(peer.log.received.length, outbound.length, 'the peer got every frame the session recorded');

    const decorated = ofType(decorateEvents(events), 'message').filter((m) => m.direction === 'in');
    assert.equal(decorated[0]?.app?.kind, 'handshake response');
    assert.match(decorated[0]?.app?.summary ?? '', /2 records/);
  },
);

test(
  'Session on the SignalR peer with protocol none: no handshake, so the peer closes it',
  { timeout: 15_000 },
  async (t) => {
    const defer = cleanups(t);
    const peer = await startSignalrPeer({ keepAliveMs: 300, clientTimeoutMs: 600, handshakeTimeoutMs: 400 });
    defer(() => peer.close());
    const { session, events } = startProtocolSession(defer, `${peer.url}hubs/chat`, 'none', {});
    await delay(1_000);
    await session.stop();
    assert.equal(ofType(events, 'open')[0]?.app, undefined);
    assert.ok(peer.log.closes.includes('handshake timeout'), `peer closes: ${peer.log.closes.join(', ')}`);
    assert.ok(ofType(events, 'close').some((c) => c.initiator !== 'local'));
  },
);

test(
  'Session on the Phoenix peer: joins, beats every 200 ms, pairs each phx_reply by ref with an RTT',
  { timeout: 15_000 },
  async (t) => {
    const defer = cleanups(t);
    const peer = await startPhoenixPeer({ timeoutMs: 600 });
    defer(() => peer.close());
    const { session, events } = startProtocolSession(defer, `${peer.url}socket/websocket?vsn=2.0.0`, 'auto', {
      topics: ['room:lobby'],
      heartbeatMs: 200,
    });
    await delay(2_500);
    await session.stop();

    const open = ofType(events, 'open')[0];
    assert.equal(open?.app?.protocol, 'phoenix');
    const drops = ofType(events, 'close').filter((c) => c.initiator !== 'local');
    assert.deepEqual(
      drops,
      [],
      `no drop in 2.5 s (the peer's timeout 600 ms); peer closes: ${peer.log.closes.join(', ')}`,
    );
    assert.deepEqual(ofType(events, 'heartbeat-timeout'), []);

    const messages = ofType(events, 'message');
    assert.equal(messages.find((m) => m.direction === 'out')?.data, '["1","1","room:lobby","phx_join",{}]');
    const beats = messages.filter((m) => m.direction === 'out' && m.heartbeat === 'ping');
    assert.ok(beats.length >= 8, `a heartbeat every 200 ms: ${beats.length}`);
    const refs = beats.map((m) => (JSON.parse(m.data) as unknown[])[1]);
    assert.equal(new Set(refs).size, refs.length, 'a fresh ref per beat');
    const replies = messages.filter((m) => m.direction === 'in' && m.heartbeat === 'pong');
    assert.ok(replies.length >= beats.length - 1, `${replies.length} replies for ${beats.length} beats`);
    assert.ok(
      replies.every((m) => typeof m.rttMs === 'number'),
      'each reply is paired with its beat by ref, so it has an RTT',
    );

    const decorated = ofType(decorateEvents(events), 'message').filter((m) => m.direction === 'in');
    assert.ok(
      decorated.some((m) => m.app?.kind === 'event' && m.app.name === 'tick'),
      'channel events are named',
    );
    assert.ok(
      decorated.some((m) => m.app?.kind === 'reply' && m.app.name === 'room:lobby'),
      'the join reply',
    );
  },
);

test(
  'Session on the Phoenix peer with protocol none: no heartbeat, so the peer closes it',
  { timeout: 15_000 },
  async (t) => {
    const defer = cleanups(t);
    const peer = await startPhoenixPeer({ timeoutMs: 400 });
    defer(() => peer.close());
    const { session, events } = startProtocolSession(defer, `${peer.url}socket/websocket?vsn=2.0.0`, 'none', {});
    await delay(1_000);
    await session.stop();
    assert.ok(peer.log.closes.includes('heartbeat timeout'), `peer closes: ${peer.log.closes.join(', ')}`);
    assert.ok(ofType(events, 'close').some((c) => c.initiator !== 'local'));
  },
);

// The built CLI (dist/cli.js), as a user runs it.
before(buildCli);

test(
  'watch --json on the Phoenix peer: found from the URL, options from --protocol-option, stays up, decoded',
  { timeout: 60_000 },
  async (t) => {
    const defer = cleanups(t);
    const peer = await startPhoenixPeer({ timeoutMs: 600 });
    defer(() => peer.close());
    const url = `${peer.url}socket/websocket?vsn=2.0.0`;
    const args = ['watch', url, '--json', '--duration', '2500ms'];
    args.push('--protocol-option', 'heartbeatMs=200', '--protocol-option', 'topics=["room:lobby"]');
    const result = await runCli(defer, args, 30_000);
    assert.equal(result.code, 0, describeRun(result));
    const events = parseNdjson(result);
    assert.equal(ofType(events, 'open')[0]?.app?.protocol, 'phoenix', describeRun(result));
    assert.deepEqual(peer.log.closes, [], 'the peer never timed the CLI out');
    assert.equal(ofType(events, 'close').filter((c) => c.initiator !== 'local').length, 0);
    const messages = ofType(events, 'message');
    assert.ok(messages.filter((m) => m.heartbeat === 'ping').length >= 8, 'a heartbeat every 200 ms');
    assert.ok(
      messages.some((m) => m.app?.kind === 'event' && m.app.name === 'tick'),
      'events printed decoded',
    );
  },
);
