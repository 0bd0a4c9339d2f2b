// The Phoenix channels module, on frames written from phoenixframework/phoenix's sources (cited
// per test): assets/js/phoenix/serializer.js (v2 arrays and binary frames), socket.js (vsn,
// makeRef, the heartbeat and its "heartbeat timeout" close), constants.js (the phx_* events,
// DEFAULT_VSN) and lib/phoenix/socket/serializers/v1_json_serializer.ex / v2_json_serializer.ex.
// No Phoenix server runs on this machine.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AppFrame } from '../../src/core/engine/appProtocol.js';
import { Catalog, checkProtocolSettings } from '../../src/core/protocols/catalog.js';
import { PHOENIX_HEARTBEAT_MS, phoenixProtocol, serializerOfUrl } from '../../src/core/protocols/phoenix.js';

const text = (data: string, direction: 'in' | 'out' = 'in'): AppFrame => ({
  direction,
  text: data,
  bytes: new Uint8Array(0),
  truncated: false,
});
const binary = (data: Uint8Array, direction: 'in' | 'out' = 'in'): AppFrame => ({
  direction,
  text: null,
  bytes: data,
  truncated: false,
});
const encoder = new TextEncoder();
const bytes = (data: string) => encoder.encode(data);
const client = (url = 'wss://app.test/socket/websocket?vsn=2.0.0', options: Record<string, unknown> = {}) =>
  phoenixProtocol.createClient({ url, subprotocol: '', options });

/** serializer.js's binary layout: a kind byte, one length byte per field, the fields, the payload. */
function binaryFrame(kind: number, fields: string[], payload: number[]): Uint8Array {
  const encoded = fields.map((field) => encoder.encode(field));
  return new Uint8Array([kind, ...encoded.map((field) => field.length), ...encoded.flatMap((f) => [...f]), ...payload]);
}

describe('Phoenix decode, v2 serializer (serializer.js encode/decode; v2_json_serializer.ex)', () => {
  it('decodes phx_join with the topic as its name and the ref as its id', () => {
    const join = phoenixProtocol.decode(text('["1","1","room:lobby","phx_join",{"user":"a"}]', 'out'));
    assert.equal(join?.protocol, 'phoenix');
    assert.equal(join?.kind, 'join');
    assert.equal(join?.name, 'room:lobby');
    assert.equal(join?.id, '1');
    assert.deepEqual(join?.fields?.['payload'], { user: 'a' });
    assert.equal(join?.fields?.['serializer'], 'v2');
  });

  it('decodes phx_reply ok and error from payload.status (v2_json_serializer.ex encode! %Reply{})', () => {
    const ok = phoenixProtocol.decode(text('["1","1","room:lobby","phx_reply",{"status":"ok","response":{}}]'));
    assert.equal(ok?.kind, 'reply');
    assert.equal(ok?.id, '1');
    assert.equal(ok?.error, undefined);
    assert.match(ok?.summary ?? '', /^reply ok on room:lobby/);
    const refused = phoenixProtocol.decode(
      text('["2","2","room:secret","phx_reply",{"status":"error","response":{"reason":"unauthorized"}}]'),
    );
    assert.equal(refused?.kind, 'reply');
    assert.match(refused?.error ?? '', /room:secret: \{"reason":"unauthorized"\}/);
  });

  it('decodes the heartbeat on topic "phoenix" as a ping and its reply as a pong (socket.js sendHeartbeat)', () => {
    const beat = phoenixProtocol.decode(text('[null,"5","phoenix","heartbeat",{}]', 'out'));
    assert.equal(beat?.kind, 'heartbeat');
    assert.equal(beat?.heartbeat, 'ping');
    assert.equal(beat?.id, '5');
    const reply = phoenixProtocol.decode(text('[null,"5","phoenix","phx_reply",{"status":"ok","response":{}}]'));
    assert.equal(reply?.heartbeat, 'pong');
    assert.equal(reply?.id, '5');
    // "heartbeat" on another topic is an application's event, not Phoenix's heartbeat.
    assert.equal(phoenixProtocol.decode(text('[null,null,"room:1","heartbeat",{}]'))?.heartbeat, undefined);
  });

  it('decodes phx_error, phx_close and phx_leave (constants.js CHANNEL_EVENTS)', () => {
    const error = phoenixProtocol.decode(text('["1",null,"room:lobby","phx_error",{}]'));
    assert.equal(error?.kind, 'error');
    assert.match(error?.error ?? '', /room:lobby/);
    const close = phoenixProtocol.decode(text('["1",null,"room:lobby","phx_close",{}]'));
    assert.equal(close?.kind, 'close');
    assert.equal(close?.name, 'room:lobby');
    const leave = phoenixProtocol.decode(text('["1","3","room:lobby","phx_leave",{}]', 'out'));
    assert.equal(leave?.kind, 'leave');
  });

  it('decodes an application event by name with a payload summary (fastlane! broadcast [nil, nil, …])', () => {
    const event = phoenixProtocol.decode(text('[null,null,"room:lobby","new_msg",{"body":"hi"}]'));
    assert.equal(event?.kind, 'event');
    assert.equal(event?.name, 'new_msg');
    assert.equal(event?.summary, 'room:lobby new_msg {"body":"hi"}');
    assert.equal(event?.id, undefined);
  });
});

describe('Phoenix decode, v1 serializer (v1_json_serializer.ex)', () => {
  it('decodes the object form, with numeric or string refs', () => {
    const join = phoenixProtocol.decode(
      text('{"topic":"room:lobby","event":"phx_join","payload":{},"ref":"1"}', 'out'),
    );
    assert.equal(join?.kind, 'join');
    assert.equal(join?.fields?.['serializer'], 'v1');
    const reply = phoenixProtocol.decode(
      text('{"topic":"phoenix","event":"phx_reply","payload":{"status":"ok","response":{}},"ref":2}'),
    );
    assert.equal(reply?.heartbeat, 'pong');
    assert.equal(reply?.id, '2');
    const broadcast = phoenixProtocol.decode(
      text('{"topic":"room:lobby","event":"new_msg","payload":{"n":1},"ref":null}'),
    );
    assert.equal(broadcast?.name, 'new_msg');
  });
});

describe('Phoenix decode, v2 binary frames (serializer.js binaryEncode / binaryDecode)', () => {
  it('decodes the server’s push: kind 0 with join_ref, topic, event lengths and no ref (decodePush)', () => {
    const message = phoenixProtocol.decode(binary(binaryFrame(0, ['1', 'room:lobby', 'file'], [1, 2, 3])));
    assert.equal(message?.kind, 'binary');
    assert.equal(message?.name, 'file');
    assert.equal(message?.summary, 'binary push room:lobby file (3 bytes)');
    assert.equal(message?.fields?.['joinRef'], '1');
    assert.equal(message?.fields?.['ref'], null);
    assert.equal(message?.fields?.['payloadBytes'], 3);
  });

  it('decodes the client’s push: kind 0 with a ref too (binaryEncode)', () => {
    const message = phoenixProtocol.decode(binary(binaryFrame(0, ['1', '7', 'room:lobby', 'upload'], [9]), 'out'));
    assert.equal(message?.id, '7');
    assert.equal(message?.fields?.['topic'], 'room:lobby');
    assert.equal(message?.fields?.['event'], 'upload');
  });

  it('decodes a reply (kind 1: its event is the status) and a broadcast (kind 2: topic, event)', () => {
    const reply = phoenixProtocol.decode(binary(binaryFrame(1, ['1', '7', 'room:lobby', 'error'], [])));
    assert.equal(reply?.id, '7');
    assert.equal(reply?.fields?.['status'], 'error');
    assert.match(reply?.error ?? '', /room:lobby/);
    assert.equal(reply?.summary, 'binary reply error on room:lobby (0 bytes)');
    const broadcast = phoenixProtocol.decode(binary(binaryFrame(2, ['room:lobby', 'frame'], [0, 0])));
    assert.equal(broadcast?.name, 'frame');
    assert.equal(broadcast?.fields?.['joinRef'], null);
  });

  it('returns null for binary frames that do not fit the layout', () => {
    assert.equal(phoenixProtocol.decode(binary(new Uint8Array([]))), null);
    assert.equal(phoenixProtocol.decode(binary(new Uint8Array([3, 0, 0]))), null, 'unknown kind');
    assert.equal(phoenixProtocol.decode(binary(new Uint8Array([2, 50, 1, 65]))), null, 'a length past the end');
    assert.equal(phoenixProtocol.decode(binary(new Uint8Array([2, 1, 1, 0xff, 65]))), null, 'not UTF-8');
  });
});

describe('Phoenix decode of garbage', () => {
  it('returns null for what is neither serializer, never throwing', () => {
    const garbage = [
      '',
      'hello',
      '[]',
      '[1,2,3]',
      '["1","1","room",5,{}]',
      '["1","1",null,"ev",{}]',
      '[{},"1","room","ev",{}]',
      '["1","1","room","ev",{},"extra"]',
      '{"topic":"room","event":"ev"}',
      '{"topic":"room","payload":{}}',
      '{"topic":"room","event":"ev","payload":{},"ref":{}}',
      '42',
      'null',
    ];
    for (const data of garbage) assert.equal(phoenixProtocol.decode(text(data)), null, data);
  });
});

describe('Phoenix detection', () => {
  it('matches /socket/websocket, or /websocket with a vsn= query (socket.js endPointURL)', () => {
    assert.match(phoenixProtocol.matchUrl(new URL('wss://a.test/socket/websocket')) ?? '', /\/socket\/websocket/);
    assert.match(phoenixProtocol.matchUrl(new URL('wss://a.test/live/websocket?vsn=2.0.0')) ?? '', /vsn=2\.0\.0/);
    assert.equal(phoenixProtocol.matchUrl(new URL('wss://a.test/live/websocket')), null);
    assert.equal(phoenixProtocol.matchUrl(new URL('wss://a.test/socket')), null);
    const match = new Catalog().detect({
      choice: 'auto',
      url: 'wss://a.test/socket/websocket?vsn=2.0.0',
      subprotocol: '',
    });
    assert.equal(match?.module.id, 'phoenix');
  });

  it('matches a recorded join or heartbeat, not any five-element array', () => {
    assert.match(phoenixProtocol.matchFrame(text('["1","1","room:lobby","phx_join",{}]', 'out')) ?? '', /phx_join/);
    assert.match(
      phoenixProtocol.matchFrame(text('{"topic":"phoenix","event":"heartbeat","payload":{},"ref":"1"}')) ?? '',
      /v1/,
    );
    assert.equal(phoenixProtocol.matchFrame(text('[null,null,"a","b",{}]')), null);
    assert.equal(phoenixProtocol.matchFrame(binary(binaryFrame(2, ['a', 'b'], []))), null);
  });

  it('reads the serializer from vsn, 2.0.0 when absent (constants.js DEFAULT_VSN)', () => {
    assert.equal(serializerOfUrl('wss://a.test/socket/websocket?vsn=1.0.0'), 'v1');
    assert.equal(serializerOfUrl('wss://a.test/socket/websocket?vsn=2.0.0'), 'v2');
    assert.equal(serializerOfUrl('wss://a.test/socket/websocket'), 'v2');
    assert.equal(serializerOfUrl('not a url'), 'v2');
  });
});

describe('Phoenix client duties', () => {
  it('joins no topic by default, and each of options.topics with refs from one counter (socket.js makeRef)', () => {
    assert.deepEqual(client().start(), []);
    const c = client(undefined, { topics: ['room:lobby', 'room:2'] });
    assert.deepEqual(c.start(), ['["1","1","room:lobby","phx_join",{}]', '["2","2","room:2","phx_join",{}]']);
    const beat = c.heartbeat()?.beat?.();
    assert.equal(beat?.id, '3', 'the heartbeat continues the same counter');
    assert.deepEqual(client(undefined, { topics: 'a, b' }).start().length, 2, 'the CLI’s comma-separated form');
  });

  it('speaks v1 objects when the URL asks for vsn=1.0.0 (v1_json_serializer.ex)', () => {
    const c = client('wss://a.test/socket/websocket?vsn=1.0.0', { topics: ['room:lobby'] });
    assert.deepEqual(c.start(), ['{"topic":"room:lobby","event":"phx_join","payload":{},"ref":"1"}']);
    assert.equal(c.heartbeat()?.beat?.().frame, '{"topic":"phoenix","event":"heartbeat","payload":{},"ref":"2"}');
  });

  it('beats every 30 s with a fresh ref, paired by that ref (socket.js heartbeatIntervalMs, sendHeartbeat)', () => {
    const c = client();
    const heartbeat = c.heartbeat();
    assert.equal(heartbeat?.intervalMs, PHOENIX_HEARTBEAT_MS);
    assert.equal(heartbeat?.intervalMs, 30_000);
    assert.equal(heartbeat?.timeoutMs, 30_000);
    assert.equal(heartbeat?.paired, true);
    const first = heartbeat?.beat?.();
    const second = heartbeat?.beat?.();
    assert.deepEqual(first, { frame: '[null,"1","phoenix","heartbeat",{}]', id: '1' });
    assert.equal(second?.id, '2');
    assert.deepEqual(c.inbound(bytes('[null,"2","phoenix","phx_reply",{"status":"ok","response":{}}]'), false), {
      heartbeat: 'pong',
      answers: '2',
    });
    assert.deepEqual(c.inbound(bytes('[null,"1","phoenix","phx_reply",{"status":"ok","response":{}}]'), false), {
      heartbeat: 'pong',
      answers: '1',
    });
  });

  it('takes the heartbeat cadence from protocolOptions.heartbeatMs', () => {
    assert.equal(client(undefined, { heartbeatMs: 250 }).heartbeat()?.intervalMs, 250);
    assert.equal(client(undefined, { heartbeatMs: '400' }).heartbeat()?.timeoutMs, 400);
  });

  it('asks nothing of other frames', () => {
    const c = client();
    assert.equal(c.inbound(bytes('["1","1","room:lobby","phx_reply",{"status":"ok","response":{}}]'), false), null);
    assert.equal(c.inbound(bytes('[null,null,"room:lobby","new_msg",{"body":"phoenix phx_reply"}]'), false), null);
    assert.equal(c.inbound(bytes('garbage "phoenix" phx_reply'), false), null);
    assert.equal(c.inbound(binaryFrame(2, ['phoenix', 'phx_reply'], []), true), null);
  });
});

describe('Phoenix options, closes and composer', () => {
  it('checks its options', () => {
    assert.deepEqual(phoenixProtocol.checkOptions({}), []);
    assert.deepEqual(phoenixProtocol.checkOptions({ topics: ['a'], heartbeatMs: 1000 }), []);
    assert.match(phoenixProtocol.checkOptions({ topics: [1] })[0] ?? '', /topics must be a list/);
    assert.match(phoenixProtocol.checkOptions({ heartbeatMs: 0 })[0] ?? '', /heartbeatMs must be a positive/);
    assert.match(phoenixProtocol.checkOptions({ auth: 'x' })[0] ?? '', /no option "auth"/);
    assert.equal(checkProtocolSettings('phoenix', { heartbeatMs: 'never' }).length, 1);
  });

  it('explains the JS client’s 1000 "heartbeat timeout" and nothing else (socket.js heartbeatTimeout)', () => {
    const explanation = phoenixProtocol.explainClose(1000, 'heartbeat timeout');
    assert.equal(explanation?.heartbeatRelated, true);
    assert.match(explanation?.meaning ?? '', /did not reply to its heartbeat/);
    assert.match(explanation?.source ?? '', /socket\.js/);
    assert.equal(phoenixProtocol.explainClose(1000, ''), null);
    assert.equal(phoenixProtocol.explainClose(1006, ''), null);
    assert.equal(phoenixProtocol.explainClose(1011, 'internal error'), null);
  });

  it('composes a push and a join in v2 by default, v1 when asked, with fresh refs', () => {
    const push = String(
      phoenixProtocol.compose('push', {
        topic: 'room:lobby',
        event: 'new_msg',
        payload: '{"body":"hi"}',
        joinRef: '1',
      }),
    );
    const [joinRef, ref, topic, event, payload] = JSON.parse(push) as unknown[];
    assert.deepEqual([joinRef, topic, event, payload], ['1', 'room:lobby', 'new_msg', { body: 'hi' }]);
    assert.equal(typeof ref, 'string');
    assert.equal(phoenixProtocol.decode(text(push, 'out'))?.name, 'new_msg', 'what it composes, it decodes');

    const join = JSON.parse(String(phoenixProtocol.compose('join', { topic: 'room:2', payload: '' }))) as unknown[];
    assert.equal(join[3], 'phx_join');
    assert.equal(join[0], join[1], 'a join’s join_ref is its own ref');
    assert.notEqual(join[1], ref, 'fresh refs');

    const v1 = JSON.parse(String(phoenixProtocol.compose('push', { topic: 't', event: 'e', vsn: '1.0.0' }))) as Record<
      string,
      unknown
    >;
    assert.deepEqual(Object.keys(v1), ['topic', 'event', 'payload', 'ref']);
  });

  it('refuses bad composer input with a clear message', () => {
    assert.throws(() => phoenixProtocol.compose('push', { topic: '', event: 'e' }), /topic is empty/);
    assert.throws(() => phoenixProtocol.compose('push', { topic: 't', event: '' }), /event is empty/);
    assert.throws(() => phoenixProtocol.compose('push', { topic: 't', event: 'e', payload: '[1]' }), /JSON object/);
    assert.throws(() => phoenixProtocol.compose('push', { topic: 't', event: 'e', payload: '{' }), /not JSON/);
    assert.throws(() => phoenixProtocol.compose('join', { topic: 't', vsn: '3' }), /vsn/);
    assert.throws(() => phoenixProtocol.compose('leave', { topic: 't' }), /no composer form/);
  });
});

describe('Phoenix decode never throws', () => {
  it('on random bytes and on cut or mangled frames of both serializers', () => {
    const samples = [
      '["1","1","room:lobby","phx_join",{"user":"a"}]',
      '[null,"5","phoenix","phx_reply",{"status":"ok","response":{}}]',
      '{"topic":"room:lobby","event":"new_msg","payload":{"n":1},"ref":null}',
    ];
    let seed = 11;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 3000; i++) {
      const sample = samples[i % samples.length]!;
      const cut = sample.slice(0, Math.floor(random() * sample.length));
      const mangled = [...sample].map((c) => (random() < 0.05 ? String.fromCharCode(Math.floor(random() * 128)) : c));
      const noise = new Uint8Array(Math.floor(random() * 40)).map(() => Math.floor(random() * 256));
      if (noise.length > 0) noise[0] = Math.floor(random() * 3); // a known binary kind, random lengths
      const direction = random() < 0.5 ? 'in' : 'out';
      for (const data of [cut, mangled.join('')]) {
        assert.doesNotThrow(() => phoenixProtocol.decode(text(data, direction)));
        assert.doesNotThrow(() => phoenixProtocol.matchFrame(text(data, direction)));
        assert.doesNotThrow(() => client().inbound(bytes(data), false));
      }
      assert.doesNotThrow(() => phoenixProtocol.decode(binary(noise, direction)));
      assert.doesNotThrow(() => phoenixProtocol.matchFrame(binary(noise, direction)));
    }
  });
});
