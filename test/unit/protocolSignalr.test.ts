// The SignalR JSON hub protocol module, on frames written from dotnet/aspnetcore
// src/SignalR/docs/specs/HubProtocol.md (cited per test as "HubProtocol.md, <section>") and
// TransportProtocols.md. No SignalR server runs on this machine: these frames are the spec's own
// examples, with the record separator 0x1E the JSON encoding requires.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AppFrame } from '../../src/core/engine/appProtocol.js';
import { Catalog, checkProtocolSettings } from '../../src/core/protocols/catalog.js';
import {
  SIGNALR_HANDSHAKE,
  SIGNALR_KEEP_ALIVE_MS,
  SIGNALR_PING,
  SIGNALR_SERVER_TIMEOUT_MS,
  signalrProtocol,
} from '../../src/core/protocols/signalr.js';

const RS = '\x1e';
const text = (data: string, direction: 'in' | 'out' = 'in', truncated = false): AppFrame => ({
  direction,
  text: data,
  bytes: new Uint8Array(0),
  truncated,
});
const bytes = (data: string) => new TextEncoder().encode(data);
const client = (options: Record<string, unknown> = {}) =>
  signalrProtocol.createClient({ url: 'wss://example.test/hubs/chat', subprotocol: '', options });

describe('SignalR decode', () => {
  it('decodes the handshake request and both handshake responses (HubProtocol.md, Overview)', () => {
    const request = signalrProtocol.decode(text(`{"protocol":"json","version":1}${RS}`, 'out'));
    assert.equal(request?.kind, 'handshake');
    assert.equal(request?.summary, 'handshake json v1');
    assert.equal(request?.error, undefined);

    const accepted = signalrProtocol.decode(text(`{}${RS}`));
    assert.equal(accepted?.kind, 'handshake response');
    assert.equal(accepted?.error, undefined);

    const refused = signalrProtocol.decode(text(`{"error":"Requested protocol 'messagepack' is not available."}${RS}`));
    assert.equal(refused?.kind, 'handshake response');
    assert.equal(refused?.error, "Requested protocol 'messagepack' is not available.");
  });

  it('decodes an Invocation with its target and id, and a non-blocking one (JSON Encoding, Invocation)', () => {
    const call = signalrProtocol.decode(
      text(`{"type":1,"invocationId":"123","target":"Send","arguments":[42,"Test Message"]}${RS}`, 'out'),
    );
    assert.equal(call?.protocol, 'signalr');
    assert.equal(call?.kind, 'invocation');
    assert.equal(call?.name, 'Send');
    assert.equal(call?.id, '123');
    assert.equal(call?.summary, 'Send [42,"Test Message"] #123');
    assert.deepEqual(call?.fields?.['arguments'], [42, 'Test Message']);

    const nonBlocking = signalrProtocol.decode(text(`{"type":1,"target":"Send","arguments":[42,"Test Message"]}${RS}`));
    assert.equal(nonBlocking?.id, undefined);
    assert.match(nonBlocking?.summary ?? '', /\(no reply\)$/);
  });

  it('decodes StreamInvocation, StreamItem, CancelInvocation (JSON Encoding, Streamed Result example)', () => {
    const stream = signalrProtocol.decode(
      text(`{"type":4,"invocationId":"42","target":"Stream","arguments":[5]}${RS}`, 'out'),
    );
    assert.equal(stream?.kind, 'stream invocation');
    assert.equal(stream?.name, 'Stream');
    assert.equal(stream?.id, '42');
    const item = signalrProtocol.decode(text(`{"type":2,"invocationId":"42","item":0}${RS}`));
    assert.equal(item?.kind, 'stream item');
    assert.equal(item?.id, '42');
    assert.equal(item?.summary, 'item 0 #42');
    const cancel = signalrProtocol.decode(text(`{"type":5,"invocationId":"42"}${RS}`, 'out'));
    assert.equal(cancel?.kind, 'cancel invocation');
    assert.equal(cancel?.id, '42');
  });

  it('decodes Completion with a result, with nothing, and with an error (JSON Encoding, Completion)', () => {
    const result = signalrProtocol.decode(text(`{"type":3,"invocationId":"123","result":42}${RS}`));
    assert.equal(result?.kind, 'completion');
    assert.equal(result?.summary, 'completion 42 #123');
    assert.equal(result?.error, undefined);
    const empty = signalrProtocol.decode(text(`{"type":3,"invocationId":"123"}${RS}`));
    assert.equal(empty?.summary, 'completion #123');
    const failed = signalrProtocol.decode(text(`{"type":3,"invocationId":"123","error":"It didn't work!"}${RS}`));
    assert.equal(failed?.error, "It didn't work!");
    assert.equal(failed?.id, '123');
  });

  it('marks Ping as heartbeat traffic in both directions (JSON Encoding, Ping; "Either endpoint")', () => {
    for (const direction of ['in', 'out'] as const) {
      const ping = signalrProtocol.decode(text(`{"type":6}${RS}`, direction));
      assert.equal(ping?.kind, 'ping');
      assert.equal(ping?.heartbeat, 'ping');
    }
  });

  it('decodes Close with its error and allowReconnect (JSON Encoding, Close)', () => {
    const plain = signalrProtocol.decode(text(`{"type":7}${RS}`));
    assert.equal(plain?.kind, 'close');
    assert.equal(plain?.error, undefined);
    const failed = signalrProtocol.decode(
      text(`{"type":7,"error":"Connection closed because of an error!","allowReconnect":true}${RS}`),
    );
    assert.equal(failed?.error, 'Connection closed because of an error!');
    assert.equal(failed?.summary, 'close: Connection closed because of an error! (reconnect allowed)');
  });

  it('decodes Ack and Sequence (JSON Encoding, Ack / Sequence; Stateful Reconnect)', () => {
    assert.equal(signalrProtocol.decode(text(`{"type":8,"sequenceId":1394}${RS}`))?.summary, 'ack 1394');
    assert.equal(signalrProtocol.decode(text(`{"type":9,"sequenceId":1234}${RS}`))?.summary, 'sequence 1234');
  });

  it('reads several records in one frame: the first one’s kind, a count, any error (JSON Encoding: 0x1E)', () => {
    const frame = text(
      `{}${RS}{"type":1,"target":"ReceiveMessage","arguments":["bob","hi"]}${RS}` +
        `{"type":3,"invocationId":"7","error":"boom"}${RS}`,
    );
    const message = signalrProtocol.decode(frame);
    assert.equal(message?.kind, 'handshake response');
    assert.match(message?.summary ?? '', /\+2 more: 3 records in this frame/);
    assert.equal(message?.error, 'boom');
    assert.equal((message?.fields?.['records'] as unknown[]).length, 3);
    assert.equal(message?.heartbeat, undefined, 'a frame with more than pings is not heartbeat traffic');

    const pings = signalrProtocol.decode(text(`{"type":6}${RS}{"type":6}${RS}`));
    assert.equal(pings?.heartbeat, 'ping');
  });

  it('flags an Invocation that misses a required field (HubProtocol.md, Errors: "missing a required field")', () => {
    const message = signalrProtocol.decode(text(`{"type":1,"invocationId":"1","arguments":[]}${RS}`));
    assert.equal(message?.kind, 'invocation');
    assert.match(message?.error ?? '', /target is not a string/);
  });

  it('decodes a cut recording up to the last whole record', () => {
    const message = signalrProtocol.decode(text(`{"type":6}${RS}{"type":1,"tar`, 'in', true));
    assert.equal(message?.kind, 'ping');
    assert.match(message?.summary ?? '', /\(cut\)$/);
  });

  it('returns null for what is not the hub protocol, never throwing', () => {
    const garbage = [
      '',
      'hello',
      '{"type":6}', // no record separator
      `not json${RS}`,
      `[1,2]${RS}`,
      `{"type":42}${RS}`,
      `{"type":"6"}${RS}`,
      `{"hello":"world"}${RS}`,
      `{"type":6}${RS}garbage`,
      `{"type":6}${RS}{"type":99}${RS}`,
      RS,
    ];
    for (const data of garbage) assert.equal(signalrProtocol.decode(text(data)), null, JSON.stringify(data));
    const binary: AppFrame = { direction: 'in', text: null, bytes: new Uint8Array([0xff, 0x1e]), truncated: false };
    assert.equal(signalrProtocol.decode(binary), null);
  });

  it('decodes a binary frame carrying JSON records (TransportProtocols.md, Transfer Formats)', () => {
    const frame: AppFrame = { direction: 'in', text: null, bytes: bytes(`{"type":6}${RS}`), truncated: false };
    assert.equal(signalrProtocol.decode(frame)?.kind, 'ping');
  });
});

describe('SignalR detection', () => {
  it('matches /signalr, a /hubs/ segment, or id= with a hub in the path (TransportProtocols.md, WebSockets)', () => {
    assert.match(signalrProtocol.matchUrl(new URL('wss://x.test/signalr/connect')) ?? '', /\/signalr/);
    assert.match(signalrProtocol.matchUrl(new URL('wss://x.test/hubs/chat')) ?? '', /\/hubs\//);
    assert.match(signalrProtocol.matchUrl(new URL('wss://x.test/chathub?id=abc')) ?? '', /id=/);
    assert.equal(signalrProtocol.matchUrl(new URL('wss://x.test/chathub')), null);
    assert.equal(signalrProtocol.matchUrl(new URL('wss://x.test/feed?id=abc')), null);
    assert.equal(signalrProtocol.matchUrl(new URL('wss://x.test/hubs')), null);
    assert.equal(
      new Catalog().detect({ choice: 'auto', url: 'wss://x.test/hubs/chat', subprotocol: '' })?.module.id,
      'signalr',
    );
  });

  it('matches the handshake response and typed records ending with 0x1E, nothing else', () => {
    assert.match(signalrProtocol.matchFrame(text(`{}${RS}`)) ?? '', /handshake response/);
    assert.match(signalrProtocol.matchFrame(text(`{"type":6}${RS}`)) ?? '', /ping/);
    assert.match(signalrProtocol.matchFrame(text(SIGNALR_HANDSHAKE, 'out')) ?? '', /handshake request/);
    assert.equal(signalrProtocol.matchFrame(text('{}')), null);
    assert.equal(signalrProtocol.matchFrame(text(`{"type":6}${RS}x`)), null);
    assert.equal(signalrProtocol.matchFrame(text('{"type":1}')), null);
    assert.equal(new Catalog().detectFromFrame(text(`{}${RS}`))?.module.id, 'signalr');
  });
});

describe('SignalR client duties', () => {
  it('starts with the JSON handshake (HubProtocol.md, Overview: the first message)', () => {
    assert.deepEqual(client().start(), ['{"protocol":"json","version":1}\x1e']);
  });

  it('sends an unpaired Ping every 15 s and gives up after 30 s of silence (Ping; HubConnection.ts)', () => {
    const heartbeat = client().heartbeat();
    assert.equal(heartbeat?.intervalMs, SIGNALR_KEEP_ALIVE_MS);
    assert.equal(heartbeat?.intervalMs, 15_000);
    assert.equal(heartbeat?.timeoutMs, SIGNALR_SERVER_TIMEOUT_MS);
    assert.equal(heartbeat?.timeoutMs, 30_000);
    assert.equal(heartbeat?.paired, false);
    const beat = heartbeat?.beat?.();
    assert.equal(beat?.frame, SIGNALR_PING);
    assert.equal(beat?.id, undefined);
    assert.match(heartbeat?.describe ?? '', /every 15 s/);
  });

  it('takes the keep-alive and server timeout from protocolOptions', () => {
    const heartbeat = client({ keepAliveMs: 200, serverTimeoutMs: '900' }).heartbeat();
    assert.equal(heartbeat?.intervalMs, 200);
    assert.equal(heartbeat?.timeoutMs, 900);
  });

  it('marks the server’s Ping without answering it (Ping: "no obligation to respond")', () => {
    const c = client();
    assert.deepEqual(c.inbound(bytes(SIGNALR_PING), false), { heartbeat: 'ping' });
    assert.deepEqual(c.inbound(bytes(`{ "type": 6 }${RS}`), false), { heartbeat: 'ping' });
    assert.equal(c.inbound(bytes(`{}${RS}`), false), null);
    assert.equal(c.inbound(bytes(`{"type":1,"target":"Tick","arguments":[]}${RS}`), false), null);
    assert.equal(c.inbound(bytes(`{"type":7,"error":"x"}${RS}`), false), null);
    assert.equal(c.inbound(bytes('garbage'), false), null);
    assert.equal(c.inbound(new Uint8Array(0), false), null);
  });
});

describe('SignalR options, closes and composer', () => {
  it('checks its options', () => {
    assert.deepEqual(signalrProtocol.checkOptions({}), []);
    assert.deepEqual(signalrProtocol.checkOptions({ keepAliveMs: 1000, serverTimeoutMs: '5000' }), []);
    assert.match(signalrProtocol.checkOptions({ keepAliveMs: -1 })[0] ?? '', /keepAliveMs must be a positive/);
    assert.match(signalrProtocol.checkOptions({ keepAliveMs: 'soon' })[0] ?? '', /keepAliveMs/);
    assert.match(signalrProtocol.checkOptions({ namespace: '/' })[0] ?? '', /no option "namespace"/);
    assert.deepEqual(checkProtocolSettings('signalr', { keepAliveMs: 0 }), [
      'protocolOptions: keepAliveMs must be a positive number of milliseconds, got 0',
    ]);
  });

  it('explains only what a reason text says: no close codes of its own (TransportProtocols.md, WebSockets)', () => {
    assert.equal(signalrProtocol.explainClose(1000, ''), null);
    assert.equal(signalrProtocol.explainClose(1006, ''), null);
    assert.equal(signalrProtocol.explainClose(4000, 'bye'), null);
    assert.equal(signalrProtocol.explainClose(1011, 'type mapping failed'), null, 'no "ping" inside a word');
    assert.equal(signalrProtocol.explainClose(1006, 'Ping timed out')?.heartbeatRelated, true);
    const timeout = signalrProtocol.explainClose(1000, 'Client timeout');
    assert.match(timeout?.meaning ?? '', /ClientTimeoutInterval/);
    assert.equal(timeout?.heartbeatRelated, true);
    assert.match(timeout?.source ?? '', /HubProtocol\.md/);
    const handshake = signalrProtocol.explainClose(1002, 'Handshake was canceled.');
    assert.match(handshake?.fix ?? '', /"protocol":"json"/);
  });

  it('composes an Invocation with an id, and a non-blocking one without (Non-Blocking Invocations)', () => {
    const invoke = String(signalrProtocol.compose('invoke', { target: 'Add', arguments: '[40, 2]' }));
    assert.ok(invoke.endsWith(RS));
    const parsed = JSON.parse(invoke.slice(0, -1)) as Record<string, unknown>;
    assert.equal(parsed['type'], 1);
    assert.equal(parsed['target'], 'Add');
    assert.deepEqual(parsed['arguments'], [40, 2]);
    assert.equal(typeof parsed['invocationId'], 'string');
    const again = JSON.parse(
      String(signalrProtocol.compose('invoke', { target: 'Add', arguments: '[]' })).slice(0, -1),
    );
    assert.notEqual((again as Record<string, unknown>)['invocationId'], parsed['invocationId'], 'fresh ids');

    const noReply = String(
      signalrProtocol.compose('invoke', { target: 'Add', arguments: '[]', expectCompletion: 'no' }),
    );
    assert.equal(noReply, `{"type":1,"target":"Add","arguments":[]}${RS}`);
    const send = String(signalrProtocol.compose('send', { target: 'NonBlocking', arguments: '["foo"]' }));
    assert.equal(send, `{"type":1,"target":"NonBlocking","arguments":["foo"]}${RS}`);
    // What the module composes, it decodes.
    assert.equal(signalrProtocol.decode(text(send, 'out'))?.name, 'NonBlocking');
    assert.deepEqual(
      signalrProtocol.composerForms.map((form) => form.id),
      ['invoke', 'send'],
    );
  });

  it('refuses bad composer input with a clear message', () => {
    assert.throws(() => signalrProtocol.compose('invoke', { target: '', arguments: '[]' }), /target/);
    assert.throws(() => signalrProtocol.compose('invoke', { target: 'A', arguments: '{"a":1}' }), /JSON array/);
    assert.throws(() => signalrProtocol.compose('invoke', { target: 'A', arguments: '[1,' }), /not JSON/);
    assert.throws(() => signalrProtocol.compose('send', { target: 'A', expectCompletion: 'maybe' }), /yes or no/);
    assert.throws(() => signalrProtocol.compose('stream', { target: 'A' }), /no composer form/);
  });
});

describe('SignalR decode never throws', () => {
  it('on random bytes and on cut or mangled spec frames', () => {
    const samples = [
      `{"type":1,"invocationId":"123","target":"Send","arguments":[42,"Test Message"]}${RS}`,
      `{"type":3,"invocationId":"123","error":"It didn't work!"}${RS}{"type":6}${RS}`,
      `{"type":7,"error":"x","allowReconnect":true}${RS}`,
      `{"protocol":"json","version":1}${RS}`,
    ];
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 3000; i++) {
      const sample = samples[i % samples.length]!;
      const cut = sample.slice(0, Math.floor(random() * sample.length));
      const mangled = [...sample].map((c) => (random() < 0.05 ? String.fromCharCode(Math.floor(random() * 128)) : c));
      const noise = new Uint8Array(Math.floor(random() * 40)).map(() => Math.floor(random() * 256));
      const direction = random() < 0.5 ? 'in' : 'out';
      for (const data of [cut, mangled.join('')]) {
        assert.doesNotThrow(() => signalrProtocol.decode(text(data, direction, random() < 0.5)));
        assert.doesNotThrow(() => signalrProtocol.matchFrame(text(data, direction)));
        assert.doesNotThrow(() => client().inbound(bytes(data), false));
      }
      const binary: AppFrame = { direction, text: null, bytes: noise, truncated: false };
      assert.doesNotThrow(() => signalrProtocol.decode(binary));
      assert.doesNotThrow(() => client().inbound(noise, true));
    }
  });
});
