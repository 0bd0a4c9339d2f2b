// The Socket.IO module against frames written from the protocols' documents:
// socketio/engine.io-protocol README (v4 on main, v3 on branch v3) and socketio/socket.io-protocol
// Readme.md (v5 on main, v4 on branch v4), whose examples are quoted below as written there.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AppFrame, ProtocolClient } from '../../src/core/engine/appProtocol.js';
import type { Direction } from '../../src/core/model/sessionEvents.js';
import { Catalog, checkProtocolSettings, PROTOCOL_MODULES } from '../../src/core/protocols/catalog.js';
import { decorateEvents } from '../../src/core/protocols/appDecoder.js';
import { socketIoProtocol } from '../../src/core/protocols/socketIo.js';

const text = (data: string, direction: Direction = 'in', truncated = false): AppFrame => ({
  direction,
  text: data,
  bytes: new Uint8Array(0),
  truncated,
});
const binary = (bytes: number[], direction: Direction = 'in'): AppFrame => ({
  direction,
  text: null,
  bytes: Uint8Array.from(bytes),
  truncated: false,
});
const decode = (data: string, direction: Direction = 'in') => socketIoProtocol.decode(text(data, direction));
const utf8 = (data: string) => new TextEncoder().encode(data);

// engine.io-protocol README, Handshake (v4).
const OPEN_V4 =
  '0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],' +
  '"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}';
// engine.io-protocol README v3, "Sample session with WebSocket only".
const OPEN_V3 = '0{"sid":"lv_VI97HAXpY6yYWAAAC","pingInterval":25000,"pingTimeout":5000}';

describe('Socket.IO: detection', () => {
  it('says which part of the URL names Socket.IO', () => {
    const match = (url: string) => socketIoProtocol.matchUrl(new URL(url));
    assert.equal(match('ws://h/socket.io/?EIO=4&transport=websocket'), "the URL's path has /socket.io/ and EIO=4");
    assert.equal(match('wss://h/app/socket.io/'), "the URL's path has /socket.io/");
    assert.equal(match('ws://h/realtime?EIO=3&transport=websocket'), "the URL's query has EIO=3");
    assert.equal(match('ws://h/socket.io.js'), null);
    assert.equal(match('ws://h/chat?eio=4'), null, 'the parameter is EIO, as engine.io reads it');
  });

  it('knows an Engine.IO open packet from the server, and nothing else', () => {
    assert.equal(
      socketIoProtocol.matchFrame(text(OPEN_V4)),
      "the server's first frame is an Engine.IO open packet (pingInterval 25 s)",
    );
    assert.match(socketIoProtocol.matchFrame(text(OPEN_V3)) ?? '', /open packet/);
    assert.equal(socketIoProtocol.matchFrame(text(OPEN_V4, 'out')), null, 'the client never sends one');
    assert.equal(socketIoProtocol.matchFrame(text('0{"sid":"x"}')), null, 'no ping cadence');
    assert.equal(socketIoProtocol.matchFrame(text('0{"type":"connection_ack"}')), null);
    assert.equal(socketIoProtocol.matchFrame(text('{"sid":"x","pingInterval":1,"pingTimeout":1}')), null);
    assert.equal(socketIoProtocol.matchFrame(binary([0x30, 0x7b])), null);
  });

  it('is in the catalog: found by URL, by its open packet, and by id', () => {
    assert.ok(PROTOCOL_MODULES.includes(socketIoProtocol));
    const catalog = new Catalog();
    const byUrl = catalog.detect({
      choice: 'auto',
      url: 'ws://127.0.0.1:1/socket.io/?EIO=4&transport=websocket',
      subprotocol: '',
    });
    assert.deepEqual(byUrl?.detection, {
      protocol: 'socket.io',
      label: 'Socket.IO',
      by: 'url',
      reason: "the URL's path has /socket.io/ and EIO=4",
    });
    assert.equal(catalog.detectFromFrame(text(OPEN_V4))?.detection.by, 'frames');
    assert.equal(catalog.byId('socket.io'), socketIoProtocol);
  });
});

describe('Socket.IO: Engine.IO packets', () => {
  it('decodes the open packet with its handshake data', () => {
    assert.deepEqual(decode(OPEN_V4), {
      protocol: 'engine.io',
      kind: 'open',
      summary: 'sid lv_VI97HAXpY6yYWAAAC, pingInterval 25 s, pingTimeout 20 s, maxPayload 1000000',
      fields: {
        sid: 'lv_VI97HAXpY6yYWAAAC',
        upgrades: ['websocket'],
        pingInterval: 25000,
        pingTimeout: 20000,
        maxPayload: 1000000,
      },
    });
    // v3 has no maxPayload.
    assert.equal(decode(OPEN_V3)?.summary, 'sid lv_VI97HAXpY6yYWAAAC, pingInterval 25 s, pingTimeout 5 s');
  });

  it('says what is wrong with an open packet that has no handshake data, unless the record cut it', () => {
    assert.equal(decode('0{"sid":')?.error, 'the open packet has no JSON {sid, pingInterval, pingTimeout}');
    const cut = socketIoProtocol.decode(text('0{"sid":"abc","pingInt', 'in', true));
    assert.equal(cut?.kind, 'open');
    assert.equal(cut?.error, undefined);
    assert.match(cut?.summary ?? '', /\(cut\)$/);
  });

  it('marks pings and pongs as heartbeat traffic, probes included', () => {
    assert.deepEqual(decode('2'), { protocol: 'engine.io', kind: 'ping', summary: 'ping', heartbeat: 'ping' });
    assert.deepEqual(decode('3', 'out'), { protocol: 'engine.io', kind: 'pong', summary: 'pong', heartbeat: 'pong' });
    // The upgrade: "> 2probe", "< 3probe", "> 5" (engine.io-protocol README, Upgrade).
    assert.deepEqual(decode('2probe', 'out'), {
      protocol: 'engine.io',
      kind: 'ping',
      summary: 'ping probe',
      heartbeat: 'ping',
      fields: { probe: true },
    });
    assert.equal(decode('3probe')?.heartbeat, 'pong');
    assert.deepEqual(decode('5', 'out'), { protocol: 'engine.io', kind: 'upgrade', summary: 'upgrade' });
    assert.deepEqual(decode('6'), { protocol: 'engine.io', kind: 'noop', summary: 'noop' });
    assert.deepEqual(decode('1', 'out'), { protocol: 'engine.io', kind: 'close', summary: 'close' });
  });

  it('leaves an Engine.IO message that is not a Socket.IO packet as Engine.IO text', () => {
    // engine.io-protocol README: "4hello => message packet type, message payload".
    assert.deepEqual(decode('4hello'), {
      protocol: 'engine.io',
      kind: 'message',
      summary: 'hello',
      fields: { data: 'hello' },
    });
    assert.equal(decode('4')?.summary, '(empty)');
  });

  it('returns null for what is not an Engine.IO packet', () => {
    for (const garbage of ['', 'hello', '{"type":"ka"}', '7', '9abc', 'x2', ' 2']) {
      assert.equal(decode(garbage), null, JSON.stringify(garbage));
    }
  });
});

describe('Socket.IO: Socket.IO packets (v5 examples, Socket.IO 3+)', () => {
  it('decodes the namespace connect both ways, with the sid and the auth payload', () => {
    assert.deepEqual(decode('40', 'out'), {
      protocol: 'socket.io',
      kind: 'connect',
      summary: 'connect to /',
      fields: { namespace: '/' },
    });
    // "Request n°3 (namespace connection approval)": 40{"sid":"wZX3oN0bSVIhsaknAAAI"}
    assert.deepEqual(decode('40{"sid":"wZX3oN0bSVIhsaknAAAI"}'), {
      protocol: 'socket.io',
      kind: 'connect',
      summary: 'connected to /, sid wZX3oN0bSVIhsaknAAAI',
      fields: { namespace: '/', sid: 'wZX3oN0bSVIhsaknAAAI' },
    });
    // "with an additional payload": { type: CONNECT, namespace: "/admin", data: { "token": "123" } }
    const withAuth = decode('40/admin,{"token":"123"}', 'out');
    assert.equal(withAuth?.summary, 'connect to /admin, auth {token}', 'the list shows the keys, not the token');
    assert.deepEqual(withAuth?.fields, { namespace: '/admin', auth: { token: '123' } });
    assert.equal(
      decode('40/admin,{"sid":"oSO0OpakMV_3jnilAAAA"}')?.summary,
      'connected to /admin, sid oSO0OpakMV_3jnilAAAA',
    );
    assert.equal(decode('40["x"]', 'out')?.error, 'the CONNECT payload is not a JSON object');
  });

  it('decodes events with their name, arguments, namespace and ack id', () => {
    // Sample session: 42["hey","Jude"]
    assert.deepEqual(decode('42["hey","Jude"]'), {
      protocol: 'socket.io',
      kind: 'event',
      name: 'hey',
      summary: 'hey "Jude"',
      fields: { namespace: '/', name: 'hey', args: ['Jude'] },
    });
    assert.deepEqual(decode('42["tick",{"n":3}]'), {
      protocol: 'socket.io',
      kind: 'event',
      name: 'tick',
      summary: 'tick {"n":3}',
      fields: { namespace: '/', name: 'tick', args: [{ n: 3 }] },
    });
    // "with a custom namespace": 2/admin,["bar"]
    const inNamespace = decode('42/admin,["bar"]');
    assert.equal(inNamespace?.summary, '/admin bar');
    assert.equal(inNamespace?.fields?.namespace, '/admin');
    // "Acknowledgement": 212["foo"]; and "> 42/admin,1["tellme"]"
    const withAck = decode('4212["foo"]', 'out');
    assert.equal(withAck?.id, '12');
    assert.equal(withAck?.summary, 'foo (ack 12)');
    assert.deepEqual(withAck?.fields, { namespace: '/', ack: 12, name: 'foo', args: [] });
    const both = decode('42/admin,1["tellme"]', 'out');
    assert.deepEqual([both?.name, both?.id, both?.fields?.namespace], ['tellme', '1', '/admin']);
  });

  it('decodes acks, with the id they answer', () => {
    // 3/admin,13["bar"]
    assert.deepEqual(decode('43/admin,13["bar"]'), {
      protocol: 'socket.io',
      kind: 'ack',
      id: '13',
      summary: '/admin ack 13: "bar"',
      fields: { namespace: '/admin', ack: 13, args: ['bar'] },
    });
    assert.equal(decode('4312[]')?.summary, 'ack 12');
    assert.equal(decode('4312{"a":1}')?.error, 'an ACK payload must be an array');
  });

  it('decodes binary events and acks with their attachment count and placeholders', () => {
    // 51-["baz",{"_placeholder":true,"num":0}]
    assert.deepEqual(decode('451-["baz",{"_placeholder":true,"num":0}]', 'out'), {
      protocol: 'socket.io',
      kind: 'binary-event',
      name: 'baz',
      summary: 'baz <binary 0> + 1 binary attachment',
      fields: { namespace: '/', attachments: 1, name: 'baz', args: [{ _placeholder: true, num: 0 }] },
    });
    // 52-/admin,["baz",{…0},{…1}]
    const two = decode('452-/admin,["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]');
    assert.equal(two?.summary, '/admin baz <binary 0> <binary 1> + 2 binary attachments');
    // "< 461-/admin,1[{"_placeholder":true,"num":0}]" (sample session) and 61-15["bar",{…}]
    const ack = decode('461-/admin,1[{"_placeholder":true,"num":0}]');
    assert.deepEqual(
      [ack?.kind, ack?.id, ack?.summary],
      ['binary-ack', '1', '/admin ack 1: <binary 0> + 1 binary attachment'],
    );
    assert.equal(decode('461-15["bar",{"_placeholder":true,"num":0}]')?.id, '15');
  });

  it('says what is wrong with a malformed attachment count', () => {
    for (const bad of ['45-["x"]', '450-["x"]', '45a-["x"]', '45["x"]']) {
      const message = decode(bad);
      assert.equal(message?.kind, 'binary-event', bad);
      assert.match(message?.error ?? '', /attachment count/, bad);
    }
  });

  it('decodes the attachment frames that follow a binary packet', () => {
    // v4 sends the buffer as is; v3 prefixes the Engine.IO message type byte 0x04.
    assert.deepEqual(socketIoProtocol.decode(binary([1, 2, 3, 4])), {
      protocol: 'socket.io',
      kind: 'attachment',
      summary: 'binary attachment, 4 bytes',
      fields: { size: 4, hex: '01 02 03 04' },
    });
    const v3 = socketIoProtocol.decode(binary([4, 1, 2, 3, 4]));
    assert.equal(v3?.kind, 'attachment');
    assert.match(String(v3?.fields?.note), /Engine\.IO v3/);
    const big = socketIoProtocol.decode(binary(Array.from({ length: 100 }, (_, i) => i)));
    assert.match(String(big?.fields?.hex), / …$/);
  });

  it('decodes connect errors with their message (v5 object, v4 string) as an error', () => {
    // 4{"message":"Not authorized"}
    assert.deepEqual(decode('44{"message":"Not authorized"}'), {
      protocol: 'socket.io',
      kind: 'connect_error',
      summary: '/ refused: Not authorized',
      error: 'Not authorized',
      fields: { namespace: '/', message: 'Not authorized' },
    });
    const withData = decode('44/admin,{"message":"Invalid namespace","data":{"code":7}}');
    assert.equal(withData?.error, 'Invalid namespace');
    assert.deepEqual(withData?.fields?.data, { code: 7 });
    // Socket.IO v4 protocol (branch v4): 4/admin,"Not authorized"
    assert.equal(decode('44/admin,"Not authorized"')?.summary, '/admin refused: Not authorized');
  });

  it('decodes disconnects: the server disconnecting this client is io server disconnect', () => {
    assert.deepEqual(decode('41/admin,', 'out'), {
      protocol: 'socket.io',
      kind: 'disconnect',
      summary: 'disconnect from /admin',
      fields: { namespace: '/admin' },
    });
    assert.deepEqual(decode('41'), {
      protocol: 'socket.io',
      kind: 'disconnect',
      summary: 'the server disconnected this client from / (io server disconnect)',
      fields: { namespace: '/', reason: 'io server disconnect' },
    });
  });

  it('reports bad payloads as errors instead of throwing', () => {
    assert.equal(decode('42["oops"')?.error, 'the payload is not valid JSON');
    assert.equal(decode('42[]')?.error, 'an EVENT payload must be a non-empty array');
    assert.equal(decode('42{"a":1}')?.error, 'an EVENT payload must be a non-empty array');
    assert.equal(decode('42[{"a":1}]')?.error, 'the event name must be a string');
    assert.equal(decode('42[7,1]')?.name, '7', 'socket.io-parser accepts a number as the name');
  });

  it('keeps the event name of a packet the record cut short', () => {
    const cut = socketIoProtocol.decode(text('42["tick",{"n":3,"payload":"aaaa', 'in', true));
    assert.equal(cut?.name, 'tick');
    assert.equal(cut?.error, undefined);
    assert.equal(cut?.summary, 'tick {"n":3,"payload":"aaaa… (cut)');
  });

  it('cuts long summaries to about 200 characters', () => {
    const long = decode(`42["big","${'x'.repeat(5000)}"]`);
    assert.equal(long?.summary.length, 200);
    assert.ok(long?.summary.endsWith('…'));
    assert.equal((long?.fields?.args as string[])[0]?.length, 5000, 'the detail pane keeps all of it');
  });

  it('never throws on arbitrary text or bytes', () => {
    let seed = 19;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const alphabet = '0123456789-/,[]{}"?:ab\\';
    for (let n = 0; n < 3000; n++) {
      const length = Math.floor(random() * 20);
      let data = '4';
      for (let i = 0; i < length; i++) data += alphabet[Math.floor(random() * alphabet.length)];
      assert.doesNotThrow(() => socketIoProtocol.decode(text(data.slice(n % 2))), data);
      assert.doesNotThrow(() => socketIoProtocol.decode(text(data, 'in', true)), data);
    }
  });
});

describe('Socket.IO: Socket.IO v4 protocol (Socket.IO 2, EIO=3) examples', () => {
  it('decodes the server joining "/" by itself, and namespaces with a query', () => {
    assert.deepEqual(decode('40'), {
      protocol: 'socket.io',
      kind: 'connect',
      summary: 'connected to /',
      fields: { namespace: '/' },
    });
    // "The client may include additional information … in the namespace field":
    // /admin?token=1234&uid=abcd
    const withQuery = decode('40/admin?token=1234&uid=abcd,', 'out');
    assert.equal(withQuery?.summary, 'connect to /admin, query token=1234&uid=abcd');
    assert.deepEqual(withQuery?.fields, { namespace: '/admin', query: 'token=1234&uid=abcd' });
    // 2/admin,456["project:delete",123] and 3/admin,456[]
    const event = decode('42/admin,456["project:delete",123]');
    assert.deepEqual(
      [event?.name, event?.id, event?.summary],
      ['project:delete', '456', '/admin project:delete 123 (ack 456)'],
    );
    assert.equal(decode('43/admin,456[]')?.summary, '/admin ack 456');
  });
});

describe('Socket.IO: the client', () => {
  const client = (url: string, options: Record<string, unknown> = {}): ProtocolClient =>
    socketIoProtocol.createClient({ url, subprotocol: '', options });
  const inbound = (c: ProtocolClient, data: string) => c.inbound(utf8(data), false);
  const V4_URL = 'ws://127.0.0.1:1/socket.io/?EIO=4&transport=websocket';
  const V3_URL = 'ws://127.0.0.1:1/socket.io/?EIO=3&transport=websocket';

  it('EIO=4: connects "/" after the open packet, answers pings, and lets the server drive the heartbeat', () => {
    const c = client(V4_URL);
    assert.deepEqual(c.start(), []);
    assert.equal(c.heartbeat(), null, 'no cadence before the open packet');
    assert.deepEqual(inbound(c, OPEN_V4), { send: ['40'], heartbeatChanged: true });
    assert.deepEqual(c.heartbeat() && { ...c.heartbeat(), beat: c.heartbeat()?.beat }, {
      intervalMs: 25000,
      timeoutMs: 21000,
      beat: null,
      paired: false,
      describe: 'Engine.IO ping from the server every 25 s (pingInterval), answered with pong',
    });
    assert.equal(inbound(c, OPEN_V4), null, 'a second open packet connects nothing again');
    assert.equal(inbound(c, '40{"sid":"wZX3oN0bSVIhsaknAAAI"}'), null);
    assert.deepEqual(inbound(c, '2'), { send: ['3'], heartbeat: 'ping' });
    assert.deepEqual(inbound(c, '2probe'), { send: ['3probe'], heartbeat: 'ping' });
    assert.deepEqual(inbound(c, '3'), { heartbeat: 'pong' }, 'nothing of ours to answer');
    assert.equal(inbound(c, '42["tick",{"n":1}]'), null);
    assert.equal(c.inbound(Uint8Array.from([1, 2, 3]), true), null);
    assert.equal(c.inbound(new Uint8Array(0), false), null);
  });

  it('EIO=4: connects the namespace from the options, with the auth payload', () => {
    const c = client(V4_URL, { namespace: '/chat', auth: { token: 'abc' } });
    assert.deepEqual(inbound(c, OPEN_V4)?.send, ['40/chat,{"token":"abc"}']);
    const root = client(V4_URL, { auth: '{"token":"abc"}' });
    assert.deepEqual(inbound(root, OPEN_V4)?.send, ['40{"token":"abc"}'], 'auth as JSON text, as the CLI gives it');
    const bare = client(V4_URL, { namespace: '/chat' });
    assert.deepEqual(inbound(bare, OPEN_V4)?.send, ['40/chat,']);
  });

  it('EIO=3: sends no connect for "/", pings every pingInterval and pairs the server pong', () => {
    const c = client(V3_URL);
    assert.deepEqual(c.start(), []);
    assert.deepEqual(inbound(c, OPEN_V3), { heartbeatChanged: true });
    const heartbeat = c.heartbeat();
    assert.equal(heartbeat?.intervalMs, 25000);
    assert.equal(heartbeat?.timeoutMs, 5000);
    assert.equal(heartbeat?.paired, true);
    assert.deepEqual(heartbeat?.beat?.(), { frame: '2' });
    assert.match(
      heartbeat?.describe ?? '',
      /^Engine\.IO ping every 25 s \(pingInterval\), the server answers with pong/,
    );
    assert.equal(inbound(c, '40'), null, 'the server joins "/" by itself');
    assert.deepEqual(inbound(c, '3'), { heartbeat: 'pong', answers: true });
    assert.deepEqual(inbound(c, '3probe'), { heartbeat: 'pong' });
  });

  it('EIO=3: joins another namespace with 40/ns, and no auth payload (Socket.IO 2 has none)', () => {
    const c = client(V3_URL, { namespace: '/admin', auth: { token: 'x' } });
    assert.deepEqual(inbound(c, OPEN_V3), { send: ['40/admin,'], heartbeatChanged: true });
  });

  it('without EIO in the URL speaks v3 (as engine.io reads it) until the server pings', () => {
    const c = client('ws://127.0.0.1:1/socket.io/?transport=websocket');
    inbound(c, OPEN_V3);
    assert.equal(c.heartbeat()?.paired, true);
    assert.deepEqual(inbound(c, '2'), { send: ['3'], heartbeat: 'ping', heartbeatChanged: true });
    assert.equal(c.heartbeat()?.beat, null, 'a server that pings speaks v4');
  });

  it('ignores an open packet without handshake data', () => {
    const c = client(V4_URL);
    assert.equal(inbound(c, '0{"oops":1}'), null);
    assert.equal(c.heartbeat(), null);
  });
});

describe('Socket.IO: options', () => {
  it("accepts a namespace and an auth object (or its JSON text), and ignores other protocols' keys", () => {
    assert.deepEqual(socketIoProtocol.checkOptions({}), []);
    assert.deepEqual(socketIoProtocol.checkOptions({ namespace: '/chat', auth: { token: 't' } }), []);
    assert.deepEqual(socketIoProtocol.checkOptions({ auth: '{"token":"t"}', clientId: 'mqtt-only' }), []);
  });

  it('says what is wrong with a bad namespace or auth', () => {
    assert.deepEqual(socketIoProtocol.checkOptions({ namespace: 'chat' }), [
      'namespace must be a string starting with "/" (e.g. "/" or "/chat"), got "chat"',
    ]);
    assert.deepEqual(socketIoProtocol.checkOptions({ namespace: '/a,b' }), [
      'namespace "/a,b" must not contain "," (it ends the namespace in a packet)',
    ]);
    assert.deepEqual(socketIoProtocol.checkOptions({ auth: [1] }), [
      'auth must be a JSON object such as {"token":"…"}, got [1]',
    ]);
    assert.equal(socketIoProtocol.checkOptions({ namespace: 3, auth: 'token' }).length, 2);
    assert.deepEqual(checkProtocolSettings('socket.io', { namespace: 'x' }), [
      'protocolOptions: namespace must be a string starting with "/" (e.g. "/" or "/chat"), got "x"',
    ]);
  });
});

describe('Socket.IO: closes', () => {
  it('explains the empty close Engine.IO sends as the ping timeout it usually is', () => {
    const explanation = socketIoProtocol.explainClose(1005, '');
    assert.ok(explanation);
    assert.match(
      explanation.meaning,
      /the server closed the connection because no Engine\.IO pong arrived within pingTimeout/,
    );
    assert.match(explanation.fix, /answers every server ping `2` with a pong `3`/);
    assert.equal(explanation.heartbeatRelated, true);
    assert.match(explanation.source, /engine\.io/);
  });

  it('explains Socket.IO disconnect reasons', () => {
    const ping = socketIoProtocol.explainClose(1000, 'ping timeout');
    assert.equal(
      ping?.meaning,
      'the server closed the connection because no Engine.IO pong arrived within pingTimeout',
    );
    assert.equal(ping?.heartbeatRelated, true);
    const server = socketIoProtocol.explainClose(1005, 'io server disconnect');
    assert.match(server?.meaning ?? '', /on purpose/);
    assert.equal(server?.heartbeatRelated, false);
    assert.equal(socketIoProtocol.explainClose(1006, 'transport close')?.heartbeatRelated, false);
  });

  it('leaves other codes to the generic explanations', () => {
    assert.equal(socketIoProtocol.explainClose(1006, ''), null);
    assert.equal(socketIoProtocol.explainClose(4408, 'Connection initialisation timeout'), null);
  });
});

describe('Socket.IO: composer', () => {
  const compose = (form: string, values: Record<string, string>) => socketIoProtocol.compose(form, values);

  it('offers an event and a namespace connect', () => {
    assert.deepEqual(
      socketIoProtocol.composerForms.map((form) => [form.id, form.fields.map((field) => field.name)]),
      [
        ['event', ['event', 'args', 'namespace', 'ack']],
        ['connect', ['namespace', 'auth']],
      ],
    );
  });

  it('builds event frames: arguments as an array or one value, namespace, ack', () => {
    assert.equal(compose('event', { event: 'hello', args: '["world", {"n": 1}]' }), '42["hello","world",{"n":1}]');
    assert.equal(compose('event', { event: 'hello', args: '"world"' }), '42["hello","world"]');
    assert.equal(compose('event', { event: 'hello', args: '[[1, 2]]' }), '42["hello",[1,2]]');
    assert.equal(compose('event', { event: 'ping!', args: '' }), '42["ping!"]');
    assert.equal(compose('event', { event: 'hi', args: '1', namespace: '/chat' }), '42/chat,["hi",1]');
    assert.equal(compose('event', { event: 'hi', namespace: '/', ack: 'no' }), '42["hi"]');
    assert.equal(compose('event', { event: 'hi', namespace: '/chat', ack: '7' }), '42/chat,7["hi"]');
    const first = compose('event', { event: 'hi', ack: 'yes' });
    const second = compose('event', { event: 'hi', ack: 'yes' });
    assert.match(String(first), /^42\d+\["hi"\]$/);
    assert.notEqual(first, second, 'each ack gets its own id');
    // The frame round-trips through the decoder.
    const decoded = decode(
      String(compose('event', { event: 'tick', args: '{"n":3}', namespace: '/a', ack: '5' })),
      'out',
    );
    assert.deepEqual([decoded?.name, decoded?.id, decoded?.summary], ['tick', '5', '/a tick {"n":3} (ack 5)']);
  });

  it('builds namespace connects, with auth', () => {
    assert.equal(compose('connect', {}), '40');
    assert.equal(compose('connect', { namespace: '/admin' }), '40/admin,');
    assert.equal(compose('connect', { namespace: '/admin', auth: '{"token": "123"}' }), '40/admin,{"token":"123"}');
    assert.equal(compose('connect', { namespace: '', auth: '{"token":"123"}' }), '40{"token":"123"}');
  });

  it('refuses bad input with a clear message', () => {
    assert.throws(() => compose('event', { event: '', args: '[]' }), /the event needs a name/);
    assert.throws(() => compose('event', { event: 'hi', args: '[1,' }), /arguments are not valid JSON: \[1,/);
    assert.throws(() => compose('event', { event: 'disconnect' }), /"disconnect" is a reserved Socket\.IO event name/);
    assert.throws(
      () => compose('event', { event: 'hi', namespace: 'chat' }),
      /namespace must be a string starting with "\/"/,
    );
    assert.throws(() => compose('event', { event: 'hi', ack: 'maybe' }), /ack must be yes, no or an ack id/);
    assert.throws(() => compose('connect', { auth: '[1]' }), /the auth payload must be a JSON object/);
    assert.throws(() => compose('connect', { auth: '{oops' }), /the auth payload must be a JSON object/);
    assert.throws(() => compose('subscribe', {}), /Socket\.IO has no composer form "subscribe"/);
  });
});

describe('Socket.IO: AppDecoder over a recorded session', () => {
  it('labels a session found by its URL, and one found by its first frame', () => {
    const base = { seq: 0, t: 0, connectionId: 1 };
    const message = (data: string, direction: Direction) => ({
      ...base,
      type: 'message' as const,
      direction,
      opcode: 'text' as const,
      data,
      size: data.length,
      truncated: false,
    });
    for (const url of ['ws://h/socket.io/?EIO=4&transport=websocket', 'ws://h/other']) {
      const events = decorateEvents([
        { ...base, type: 'connecting', url, attempt: 0, protocols: [] },
        { ...base, type: 'open', protocol: '', extensions: '', handshakeMs: 1 },
        message(OPEN_V4, 'in'),
        message('40', 'out'),
        message('42["tick",{"n":3}]', 'in'),
      ] as never);
      const apps = events.map((event) => (event.type === 'message' ? event.app : undefined));
      assert.deepEqual(
        apps.map((app) => app && [app.protocol, app.kind, app.summary]),
        [
          undefined,
          undefined,
          ['engine.io', 'open', 'sid lv_VI97HAXpY6yYWAAAC, pingInterval 25 s, pingTimeout 20 s, maxPayload 1000000'],
          ['socket.io', 'connect', 'connect to /'],
          ['socket.io', 'event', 'tick {"n":3}'],
        ],
        url,
      );
    }
  });
});
