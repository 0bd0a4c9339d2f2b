// The Socket.IO module against real servers: socket.io 4 (Engine.IO v4) and socket.io 2 (the
// socket.io-v2 package, Engine.IO v3) with pingInterval 300 ms and pingTimeout 200 ms. A plain
// `ws` client does only what the module's ProtocolClient asks (its start() frames, its answers to
// inbound frames, its heartbeat beats), so these tests prove the duties themselves keep the
// connection up and join the namespace; without them the server closes it.

import assert from 'node:assert/strict';
import { before, describe, it, type TestContext } from 'node:test';
import WebSocket from 'ws';
import type { AppFrame, OutboundFrame, ProtocolReaction } from '../../src/core/engine/appProtocol.js';
import type { AppMessage, MessageEvent } from '../../src/core/model/sessionEvents.js';
import { AppDecoder } from '../../src/core/protocols/appDecoder.js';
import { socketIoProtocol } from '../../src/core/protocols/socketIo.js';
import { buildCli, describeRun, parseNdjson, runCli } from '../helpers/cliProcess.js';
import { delay, QUICK_RECONNECT, startLiveSession, until } from '../helpers/liveSession.js';
import { startSocketIoV2, startSocketIoV4, type SocketIoTestServer } from '../helpers/socketIoServers.js';
import { cleanups } from '../helpers/testScope.js';

interface DrivenClient {
  frames: AppFrame[];
  reactions: ProtocolReaction[];
  /** The close, once the socket closed. */
  closed: { code: number; reason: string; atMs: number } | null;
  /** Each frame decoded by the module, index for index with `frames`. */
  decoded(): Array<AppMessage | null>;
  send(frame: OutboundFrame): void;
  stop(): Promise<void>;
}

/**
 * Connects a plain ws client to `url`. With `duties`, it does what the module's client asks:
 * sends start() frames at open and each reaction's frames, and beats its heartbeat when the
 * protocol has the client beat (Engine.IO v3). Without, it only listens.
 */
function drive(
  defer: (fn: () => unknown) => void,
  url: string,
  { duties, options = {} }: { duties: boolean; options?: Record<string, unknown> },
): DrivenClient {
  const client = socketIoProtocol.createClient({ url, subprotocol: '', options });
  const ws = new WebSocket(url);
  const startedAt = Date.now();
  let beatTimer: ReturnType<typeof setInterval> | null = null;
  const driven: DrivenClient = {
    frames: [],
    reactions: [],
    closed: null,
    decoded: () => driven.frames.map((frame) => socketIoProtocol.decode(frame)),
    send(frame) {
      driven.frames.push(
        typeof frame === 'string'
          ? { direction: 'out', text: frame, bytes: new Uint8Array(0), truncated: false }
          : { direction: 'out', text: null, bytes: frame, truncated: false },
      );
      ws.send(frame);
    },
    async stop() {
      if (beatTimer) clearInterval(beatTimer);
      if (ws.readyState === WebSocket.CLOSED) return;
      const closed = new Promise((resolve) => ws.once('close', resolve));
      ws.close();
      await Promise.race([closed, delay(1000)]);
      ws.terminate();
    },
  };
  defer(() => driven.stop());
  ws.on('open', () => {
    if (duties) for (const frame of client.start()) driven.send(frame);
  });
  ws.on('message', (data: Buffer, isBinary) => {
    const bytes = new Uint8Array(data);
    driven.frames.push(
      isBinary
        ? { direction: 'in', text: null, bytes, truncated: false }
        : { direction: 'in', text: data.toString('utf8'), bytes: new Uint8Array(0), truncated: false },
    );
    if (!duties) return;
    const reaction = client.inbound(bytes, isBinary);
    if (reaction === null) return;
    driven.reactions.push(reaction);
    for (const frame of reaction.send ?? []) driven.send(frame);
    if (reaction.heartbeatChanged) {
      if (beatTimer) clearInterval(beatTimer);
      const heartbeat = client.heartbeat();
      const beat = heartbeat?.beat;
      if (heartbeat && beat) beatTimer = setInterval(() => driven.send(beat().frame), heartbeat.intervalMs);
    }
  });
  ws.on('close', (code, reason) => {
    if (beatTimer) clearInterval(beatTimer);
    driven.closed = { code, reason: reason.toString('utf8'), atMs: Date.now() - startedAt };
  });
  ws.on('error', () => {
    // The close that follows says what happened.
  });
  return driven;
}

/** What the server-side pings/pongs and events looked like, from the decoded frames. */
function tally(decoded: Array<AppMessage | null>, frames: AppFrame[]) {
  const count = (direction: 'in' | 'out', kind: string) =>
    decoded.filter((app, i) => app?.kind === kind && frames[i]?.direction === direction).length;
  const ticks = decoded.filter((app, i) => app?.name === 'tick' && frames[i]?.direction === 'in');
  return { count, ticks };
}

async function server(
  t: TestContext,
  start: () => Promise<SocketIoTestServer>,
): Promise<{ defer: (fn: () => unknown) => void; io: SocketIoTestServer }> {
  const defer = cleanups(t);
  const io = await start();
  defer(() => io.close());
  return { defer, io };
}

const cycle = (io: SocketIoTestServer) => io.pingIntervalMs + io.pingTimeoutMs;

describe('Socket.IO 4 (Engine.IO v4), real server', { timeout: 30_000 }, () => {
  it('the duties keep the connection up for 3 ping cycles and join "/"; ticks decode by name', async (t) => {
    const { defer, io } = await server(t, () => startSocketIoV4());
    const client = drive(defer, io.url, { duties: true });
    await delay(4 * cycle(io));
    assert.equal(client.closed, null, `closed: ${JSON.stringify(client.closed)}; server saw ${io.engineCloses}`);
    assert.deepEqual(io.engineCloses, []);
    assert.deepEqual(io.connections, [{ namespace: '/', auth: {}, query: io.connections[0]?.query }]);

    const decoded = client.decoded();
    const { count, ticks } = tally(decoded, client.frames);
    assert.equal(decoded[0]?.kind, 'open');
    assert.equal(decoded[0]?.fields?.pingInterval, 300);
    assert.deepEqual(
      client.frames.filter((f) => f.direction === 'out' && f.text?.startsWith('4')).map((f) => f.text),
      ['40'],
      'the namespace connect, once',
    );
    assert.ok(count('in', 'ping') >= 3, `server pings: ${count('in', 'ping')}`);
    assert.equal(count('out', 'pong'), count('in', 'ping'), 'every ping answered');
    assert.equal(count('out', 'ping'), 0, 'never pings a v4 server (it would close: invalid heartbeat direction)');
    const connected = decoded.find((app, i) => app?.kind === 'connect' && client.frames[i]?.direction === 'in');
    assert.match(connected?.summary ?? '', /^connected to \/, sid \S+$/);
    assert.ok(ticks.length >= 3, `ticks: ${ticks.length}`);
    assert.deepEqual(ticks[0], {
      protocol: 'socket.io',
      kind: 'event',
      name: 'tick',
      summary: 'tick {"n":1}',
      fields: { namespace: '/', name: 'tick', args: [{ n: 1 }] },
    });
    // The heartbeat the session would watch: the server's cadence from the open packet.
    const reactionWithCadence = client.reactions.find((reaction) => reaction.heartbeatChanged);
    assert.deepEqual(reactionWithCadence?.send, ['40']);
  });

  it('joins the namespace from the options with its auth payload: the server sees handshake.auth', async (t) => {
    const { defer, io } = await server(t, () => startSocketIoV4());
    const client = drive(defer, io.url, { duties: true, options: { namespace: '/chat', auth: { token: 'abc' } } });
    await until(() => io.connections.length > 0, 5000);
    await delay(3 * cycle(io));
    assert.equal(client.closed, null);
    assert.deepEqual(
      io.connections.map(({ namespace, auth }) => ({ namespace, auth })),
      [{ namespace: '/chat', auth: { token: 'abc' } }],
    );
    const ticks = client.decoded().filter((app) => app?.name === 'tick');
    assert.ok(ticks.length >= 2);
    assert.match(ticks[0]?.summary ?? '', /^\/chat tick \{"n":1\}$/);
  });

  it('composed events reach the server, acks come back paired by id, binary events decode', async (t) => {
    const { defer, io } = await server(t, () => startSocketIoV4());
    const client = drive(defer, io.url, { duties: true });
    await until(() => io.connections.length > 0, 5000);
    client.send(socketIoProtocol.compose('event', { event: 'hello', args: '["world", {"n": 1}]', ack: '7' }));
    client.send(socketIoProtocol.compose('event', { event: 'send me bytes' }));
    await until(() => client.decoded().some((app) => app?.kind === 'attachment'), 5000);
    assert.deepEqual(io.received, [['/', 'hello', 'world', { n: 1 }]]);
    const decoded = client.decoded();
    const ack = decoded.find((app) => app?.kind === 'ack');
    assert.deepEqual([ack?.id, ack?.summary], ['7', 'ack 7: "hi back" 2']);
    const binaryIndex = decoded.findIndex((app) => app?.kind === 'binary-event');
    assert.equal(decoded[binaryIndex]?.summary, 'bytes <binary 0> + 1 binary attachment');
    // Engine.IO v4 sends the attachment as is, in the next frame.
    assert.deepEqual(decoded[binaryIndex + 1]?.fields, { size: 3, hex: '01 02 03' });
  });

  it('without the duties the server closes with no code: explained as a ping timeout', async (t) => {
    const { defer, io } = await server(t, () => startSocketIoV4());
    const client = drive(defer, io.url, { duties: false });
    await until(() => client.closed !== null, 10 * cycle(io));
    assert.ok(client.closed, 'the server closed the connection');
    assert.equal(client.closed.code, 1005, 'Engine.IO closes its WebSocket with ws.close(): no status code');
    assert.deepEqual(io.engineCloses, ['ping timeout']);
    assert.ok(client.closed.atMs >= cycle(io) * 0.9, `closed after ${client.closed.atMs} ms`);
    const byCode = socketIoProtocol.explainClose(client.closed.code, client.closed.reason);
    assert.equal(byCode?.heartbeatRelated, true);
    assert.match(byCode?.meaning ?? '', /no Engine\.IO pong arrived within pingTimeout/);
    const byReason = socketIoProtocol.explainClose(client.closed.code, io.engineCloses[0] ?? '');
    assert.equal(
      byReason?.meaning,
      'the server closed the connection because no Engine.IO pong arrived within pingTimeout',
    );
    assert.ok(
      client.decoded().some((app) => app?.kind === 'ping'),
      'the server pinged and got no pong',
    );
  });
});

describe('Socket.IO 2 (Engine.IO v3), real server', { timeout: 30_000 }, () => {
  it('the client pings every pingInterval, the server pongs, "/" is joined by the server; ticks decode', async (t) => {
    const { defer, io } = await server(t, () => startSocketIoV2());
    const client = drive(defer, io.url, { duties: true });
    await delay(4 * cycle(io));
    assert.equal(client.closed, null, `closed: ${JSON.stringify(client.closed)}; server saw ${io.engineCloses}`);
    assert.deepEqual(io.engineCloses, []);
    assert.deepEqual(
      io.connections.map((c) => c.namespace),
      ['/'],
    );
    const decoded = client.decoded();
    const { count, ticks } = tally(decoded, client.frames);
    assert.ok(count('out', 'ping') >= 3, `client pings: ${count('out', 'ping')}`);
    assert.ok(count('in', 'pong') >= count('out', 'ping') - 1, 'the server answered them');
    assert.equal(
      client.reactions.filter((reaction) => reaction.answers === true).length,
      count('in', 'pong'),
      'each pong pairs with our ping',
    );
    assert.equal(
      client.frames.filter((f) => f.direction === 'out' && f.text?.startsWith('4')).length,
      0,
      'no connect sent: Socket.IO 2 joins "/" by itself',
    );
    assert.equal(decoded[1]?.summary, 'connected to /');
    assert.ok(ticks.length >= 3);
    assert.equal(ticks[0]?.summary, 'tick {"n":1}');
  });

  it('joins another namespace with 40/chat, and the server acknowledges it', async (t) => {
    const { defer, io } = await server(t, () => startSocketIoV2());
    const client = drive(defer, `${io.url}&token=t1`, { duties: true, options: { namespace: '/chat' } });
    await until(() => io.connections.length >= 2, 5000);
    await delay(3 * cycle(io));
    assert.equal(client.closed, null);
    assert.deepEqual(io.connections.map((c) => c.namespace).sort(), ['/', '/chat']);
    assert.equal(io.connections.find((c) => c.namespace === '/chat')?.query.token, 't1', 'the query rides in the URL');
    const summaries = client.decoded().map((app) => app?.summary);
    assert.ok(summaries.includes('connect to /chat'));
    assert.ok(summaries.includes('connected to /chat'));
    assert.ok(summaries.includes('/chat tick {"n":1}'));
  });

  it('binary events: the attachment frame carries the Engine.IO v3 message byte 0x04 first', async (t) => {
    const { defer, io } = await server(t, () => startSocketIoV2());
    const client = drive(defer, io.url, { duties: true });
    await until(() => io.connections.length > 0, 5000);
    client.send(socketIoProtocol.compose('event', { event: 'send me bytes' }));
    await until(() => client.decoded().some((app) => app?.kind === 'attachment'), 5000);
    const decoded = client.decoded();
    const binaryIndex = decoded.findIndex((app) => app?.kind === 'binary-event');
    assert.equal(decoded[binaryIndex]?.summary, 'bytes <binary 0> + 1 binary attachment');
    const attachment = decoded[binaryIndex + 1];
    assert.equal(attachment?.fields?.hex, '04 01 02 03');
    assert.match(String(attachment?.fields?.note), /Engine\.IO v3/);
  });

  it('without the client ping the server closes with no code: a ping timeout', async (t) => {
    const { defer, io } = await server(t, () => startSocketIoV2());
    const client = drive(defer, io.url, { duties: false });
    await until(() => client.closed !== null, 10 * cycle(io));
    assert.ok(client.closed, 'the server closed the connection');
    assert.equal(client.closed.code, 1005);
    assert.deepEqual(io.disconnects, ['ping timeout']);
    assert.equal(socketIoProtocol.explainClose(1005, '')?.heartbeatRelated, true);
  });
});

/** A live Session (test/helpers/liveSession.ts) with the endpoint's default heartbeat, speaking the protocols. */
function startProtocolSession(
  defer: (fn: () => unknown) => void,
  url: string,
  overrides: { protocol?: string; protocolOptions?: Record<string, unknown> } = {},
) {
  const live = startLiveSession(defer, url, { heartbeat: {}, reconnect: QUICK_RECONNECT, ...overrides });
  const messages = () => live.events.filter((event): event is MessageEvent => event.type === 'message');
  return { ...live, messages };
}

describe('a live Session on a Socket.IO URL, default heartbeat', { timeout: 30_000 }, () => {
  for (const start of [startSocketIoV4, startSocketIoV2]) {
    const version = start === startSocketIoV4 ? 'Socket.IO 4 (EIO=4)' : 'Socket.IO 2 (EIO=3)';
    it(`${version}: stays up with no close, says it found Socket.IO by the URL, ticks labelled by name`, async (t) => {
      const { defer, io } = await server(t, () => start());
      const live = startProtocolSession(defer, io.url);
      await delay(4 * cycle(io));
      const types = live.events.map((event) => event.type);
      assert.ok(!types.includes('close'), `no close; events: ${types.join(', ')}`);
      assert.ok(!types.includes('heartbeat-timeout'));
      assert.deepEqual(io.engineCloses, []);
      assert.deepEqual(
        io.connections.map((c) => c.namespace),
        ['/'],
        'the namespace connect was acknowledged',
      );
      const open = live.events.find((event) => event.type === 'open');
      assert.deepEqual(open?.type === 'open' ? open.app : null, {
        protocol: 'socket.io',
        label: 'Socket.IO',
        by: 'url',
        reason: `the URL's path has /socket.io/ and EIO=${io.version === 4 ? 4 : 3}`,
      });

      const messages = live.messages();
      const pings = messages.filter((m) => m.heartbeat === 'ping');
      const pongs = messages.filter((m) => m.heartbeat === 'pong');
      assert.ok(pings.length >= 3, `heartbeat pings: ${pings.length}`);
      assert.ok(pongs.length >= 3, `heartbeat pongs: ${pongs.length}`);
      if (io.version === 4) {
        assert.ok(
          pings.every((m) => m.direction === 'in' && m.data === '2'),
          'the server pings',
        );
        assert.ok(
          pongs.every((m) => m.direction === 'out' && m.data === '3'),
          'the session answers',
        );
      } else {
        assert.ok(
          pings.every((m) => m.direction === 'out' && m.data === '2'),
          'the session pings',
        );
        assert.ok(
          pongs.every((m) => m.direction === 'in' && m.data === '3'),
          'the server answers',
        );
        assert.ok(
          pongs.some((m) => m.rttMs !== undefined),
          'a paired beat has its round trip',
        );
      }

      const decoder = new AppDecoder();
      const decorated = live.events.map((event) => decoder.decorate(event));
      const ticks = decorated.filter((event) => event.type === 'message' && event.app?.name === 'tick');
      assert.ok(ticks.length >= 3, `ticks labelled: ${ticks.length}`);
      assert.deepEqual(ticks[0]?.type === 'message' ? ticks[0].app : null, {
        protocol: 'socket.io',
        kind: 'event',
        name: 'tick',
        summary: 'tick {"n":1}',
        fields: { namespace: '/', name: 'tick', args: [{ n: 1 }] },
      });
      const heartbeats = decorated.filter((event) => event.type === 'message' && event.app?.heartbeat);
      assert.equal(heartbeats.length, pings.length + pongs.length, 'the decoder marks the same frames as heartbeat');
    });
  }

  it('Socket.IO 4: the namespace and auth from the protocol options reach the server', async (t) => {
    const { defer, io } = await server(t, () => startSocketIoV4());
    const live = startProtocolSession(defer, io.url, {
      protocol: 'socket.io',
      protocolOptions: { namespace: '/chat', auth: { token: 'abc' } },
    });
    await until(() => io.connections.length > 0, 5000);
    await delay(2 * cycle(io));
    assert.deepEqual(
      io.connections.map(({ namespace, auth }) => ({ namespace, auth })),
      [{ namespace: '/chat', auth: { token: 'abc' } }],
    );
    const open = live.events.find((event) => event.type === 'open');
    assert.equal(open?.type === 'open' ? open.app?.by : null, 'user');
    assert.ok(!live.events.some((event) => event.type === 'close'));
  });
});

describe('a live Session that finds Socket.IO by its first frame', { timeout: 30_000 }, () => {
  it('Socket.IO 2 on a custom path without EIO: the open packet reveals it, the duties follow', async (t) => {
    const { defer, io } = await server(t, () => startSocketIoV2({ path: '/rt' }));
    const url = `ws://127.0.0.1:${io.port}/rt/?transport=websocket`;
    assert.equal(socketIoProtocol.matchUrl(new URL(url)), null, 'nothing in this URL names Socket.IO');
    const live = startProtocolSession(defer, url);
    await delay(4 * cycle(io));
    const types = live.events.map((event) => event.type);
    assert.ok(!types.includes('close'), `no close; events: ${types.join(', ')}`);
    const detected = live.events.find((event) => event.type === 'protocol');
    assert.deepEqual(detected?.type === 'protocol' ? [detected.protocol, detected.by, detected.reason] : null, [
      'socket.io',
      'frames',
      "the server's first frame is an Engine.IO open packet (pingInterval 300 ms)",
    ]);
    // Without EIO the server speaks Engine.IO v3, and so does the client: it pings.
    const beats = live.messages().filter((m) => m.heartbeat === 'ping');
    assert.ok(beats.length >= 3 && beats.every((m) => m.direction === 'out' && m.data === '2'));
    assert.deepEqual(io.engineCloses, []);
  });
});

describe('ws-inspector watch on a Socket.IO URL (the built CLI)', { timeout: 60_000 }, () => {
  before(buildCli);

  it('socket.io 4, default options: stays connected, prints decoded events, no drop', async (t) => {
    const { defer, io } = await server(t, () => startSocketIoV4());
    const result = await runCli(defer, ['watch', io.url, '--duration', `${4 * cycle(io)}ms`], 20_000);
    assert.equal(result.code, 0, describeRun(result));
    assert.match(
      result.stdout,
      /open {2,}handshake .*; speaks Socket\.IO: the URL's path has \/socket\.io\/ and EIO=4/,
    );
    assert.match(result.stdout, /→ socket\.io connect 2 B {2}connect to \//);
    assert.match(result.stdout, /← socket\.io event \d+ B {2}tick \{"n":1\}/);
    assert.match(result.stdout, /← engine\.io ping 1 B \[heartbeat ping\]/);
    assert.match(result.stdout, /→ engine\.io pong 1 B \[heartbeat pong\]/);
    assert.match(result.stdout, /0 drops, 0 failed handshakes, 0 heartbeat timeouts/);
    const closes = result.lines.filter((line) => /\bclose {2,}/.test(line));
    assert.deepEqual(
      closes.map((line) => line.replace(/^\S+\s+close\s+/, '').replace(/, idle .*$/, '')),
      ['code 1000 "user disconnect", clean, by us'],
      'only the close --duration asked for',
    );
    assert.deepEqual(io.engineCloses, ['transport close'], 'the server saw the client leave, not a ping timeout');
  });

  it('socket.io 2, --protocol-option namespace=/chat --json: joins /chat, Engine.IO v3 pings, ticks', async (t) => {
    const { defer, io } = await server(t, () => startSocketIoV2());
    const result = await runCli(
      defer,
      ['watch', io.url, '--protocol-option', 'namespace=/chat', '--duration', `${4 * cycle(io)}ms`, '--json'],
      20_000,
    );
    assert.equal(result.code, 0, describeRun(result));
    const events = parseNdjson(result);
    const open = events.find((event) => event.type === 'open');
    assert.deepEqual(open?.type === 'open' ? [open.app?.protocol, open.app?.by] : null, ['socket.io', 'url']);
    assert.ok(!events.some((event) => event.type === 'close' && event.initiator !== 'local'), describeRun(result));
    assert.deepEqual(io.connections.map((c) => c.namespace).sort(), ['/', '/chat']);
    const apps = events.flatMap((event) => (event.type === 'message' && event.app ? [event.app] : []));
    assert.ok(apps.some((app) => app.kind === 'connect' && app.summary === 'connect to /chat'));
    assert.ok(apps.some((app) => app.name === 'tick' && app.summary === '/chat tick {"n":1}'));
    const beats = events.filter((event) => event.type === 'message' && event.heartbeat === 'ping');
    assert.ok(beats.length >= 3 && beats.every((event) => event.type === 'message' && event.direction === 'out'));
  });
});
