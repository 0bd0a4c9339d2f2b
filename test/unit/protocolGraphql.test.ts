// Both GraphQL over WebSocket protocols on frames written from their specifications:
// enisdenjo/graphql-ws PROTOCOL.md (graphql-transport-ws) and apollographql/subscriptions-transport-ws
// PROTOCOL.md (the legacy graphql-ws). Decoding, garbage, the client's duties, the composer,
// the options and the close codes.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AppFrame, ProtocolClient } from '../../src/core/engine/appProtocol.js';
import { Catalog, checkProtocolSettings, PROTOCOL_MODULES } from '../../src/core/protocols/catalog.js';
import { firstOperation } from '../../src/core/protocols/graphqlShared.js';
import { graphqlTransportWsModule as transportWs } from '../../src/core/protocols/graphqlTransportWs.js';
import { graphqlWsModule as legacy, LEGACY_KEEP_ALIVE_TIMEOUT_MS } from '../../src/core/protocols/graphqlWs.js';

const NO_BYTES = new Uint8Array(0);
const inbound = (text: string): AppFrame => ({ direction: 'in', text, bytes: NO_BYTES, truncated: false });
const outbound = (text: string): AppFrame => ({ direction: 'out', text, bytes: NO_BYTES, truncated: false });
const bytes = (text: string) => new TextEncoder().encode(text);
const context = (options: Record<string, unknown> = {}) => ({ url: 'ws://h/graphql', subprotocol: '', options });

const GARBAGE = [
  '',
  'hello',
  '{"type":',
  '[1,2]',
  '{"kind":"next"}',
  '{"type":3}',
  'null',
  '"connection_ack"',
  '\u0000\uffff',
];

describe('graphql-transport-ws: decoding (PROTOCOL.md messages)', () => {
  it('decodes connection_init and connection_ack, naming payload keys but never their values', () => {
    const init = transportWs.decode(outbound('{"type":"connection_init","payload":{"authToken":"s3cret"}}'));
    assert.equal(init?.kind, 'connection_init');
    assert.equal(init?.summary, 'connection_init (payload: authToken)');
    assert.doesNotMatch(JSON.stringify(init), /s3cret/);
    assert.deepEqual(transportWs.decode(inbound('{"type":"connection_ack"}')), {
      protocol: 'graphql-transport-ws',
      kind: 'connection_ack',
      summary: 'connection_ack',
    });
  });

  it('marks ping and pong as heartbeat traffic in both directions', () => {
    assert.equal(transportWs.decode(inbound('{"type":"ping"}'))?.heartbeat, 'ping');
    assert.equal(transportWs.decode(outbound('{"type":"pong","payload":{"x":1}}'))?.heartbeat, 'pong');
  });

  it('names a subscribe by its operationName, else by the first operation of the query', () => {
    const named = transportWs.decode(
      outbound(
        JSON.stringify({
          id: 'a1',
          type: 'subscribe',
          payload: { query: 'subscription OnTick { tick }', operationName: 'Chosen', variables: { room: 'x' } },
        }),
      ),
    );
    assert.equal(named?.name, 'Chosen');
    assert.equal(named?.id, 'a1');
    assert.equal(named?.summary, 'subscribe #a1 Chosen {"room":"x"}');
    assert.deepEqual(named?.fields?.variables, { room: 'x' });

    const fromQuery = transportWs.decode(
      outbound(
        JSON.stringify({
          id: '2',
          type: 'subscribe',
          payload: {
            query: '# a comment: query Nope\nfragment F on T { a } subscription OnTick($n: Int) { tick(n: $n) }',
          },
        }),
      ),
    );
    assert.equal(fromQuery?.name, 'OnTick');
    assert.equal(fromQuery?.fields?.operationType, 'subscription');

    const anonymous = transportWs.decode(outbound('{"id":"3","type":"subscribe","payload":{"query":"{ hello }"}}'));
    assert.equal(anonymous?.name, undefined);
    assert.equal(anonymous?.summary, 'subscribe #3 anonymous query');
  });

  it('decodes next with its id and data, error with its messages, complete with its id', () => {
    const next = transportWs.decode(inbound('{"id":"a1","type":"next","payload":{"data":{"tick":3}}}'));
    assert.equal(next?.kind, 'next');
    assert.equal(next?.id, 'a1');
    assert.equal(next?.summary, 'next #a1 {"tick":3}');
    assert.equal(next?.error, undefined);

    const nextWithErrors = transportWs.decode(
      inbound('{"id":"a1","type":"next","payload":{"data":null,"errors":[{"message":"boom"}]}}'),
    );
    assert.equal(nextWithErrors?.error, 'boom');

    const error = transportWs.decode(
      inbound('{"id":"a2","type":"error","payload":[{"message":"Cannot query field"},{"message":"second"}]}'),
    );
    assert.equal(error?.error, 'Cannot query field; second');
    assert.equal(error?.id, 'a2');

    assert.equal(transportWs.decode(inbound('{"id":"a1","type":"complete"}'))?.summary, 'complete #a1');
  });

  it('reads JSON sent in a binary frame', () => {
    const frame: AppFrame = { direction: 'in', text: null, bytes: bytes('{"type":"ping"}'), truncated: false };
    assert.equal(transportWs.decode(frame)?.kind, 'ping');
  });

  it('flags a type the protocol does not define (the server closes with 4400)', () => {
    const odd = transportWs.decode(inbound('{"type":"ka"}'));
    assert.equal(odd?.kind, 'ka');
    assert.match(odd?.error ?? '', /4400/);
  });

  it('answers null for garbage and for frames the record cut', () => {
    for (const text of GARBAGE) {
      assert.equal(transportWs.decode(inbound(text)), null, text);
      assert.equal(legacy.decode(inbound(text)), null, text);
    }
    const cut: AppFrame = {
      direction: 'in',
      text: '{"id":"1","type":"next","payload":{"da',
      bytes: NO_BYTES,
      truncated: true,
    };
    assert.equal(transportWs.decode(cut), null);
    const notUtf8: AppFrame = {
      direction: 'in',
      text: null,
      bytes: new Uint8Array([0x7b, 0xff, 0xfe]),
      truncated: false,
    };
    assert.equal(transportWs.decode(notUtf8), null);
  });
});

describe('graphql-transport-ws: the client', () => {
  it('starts with connection_init, carrying connectionParams as its payload', () => {
    assert.deepEqual(transportWs.createClient(context()).start(), ['{"type":"connection_init"}']);
    const withParams = transportWs.createClient(context({ connectionParams: { token: 't' } })).start();
    assert.deepEqual(
      withParams.map((frame) => JSON.parse(frame as string)),
      [{ type: 'connection_init', payload: { token: 't' } }],
    );
    const fromCliText = transportWs.createClient(context({ connectionParams: '{"token":"t"}' })).start();
    assert.deepEqual(JSON.parse(fromCliText[0] as string), { type: 'connection_init', payload: { token: 't' } });
  });

  it("answers the server's ping with a pong (echoing its payload) and pairs the server's pong with ours", () => {
    const client = transportWs.createClient(context());
    assert.deepEqual(client.inbound(bytes('{"type":"ping"}'), false), { send: ['{"type":"pong"}'], heartbeat: 'ping' });
    assert.deepEqual(client.inbound(bytes('{"type":"ping","payload":{"n":1}}'), false), {
      send: ['{"type":"pong","payload":{"n":1}}'],
      heartbeat: 'ping',
    });
    assert.deepEqual(client.inbound(bytes('{"type":"pong"}'), false), { heartbeat: 'pong', answers: true });
  });

  it('asks nothing of other frames, binary frames and garbage', () => {
    const client = transportWs.createClient(context());
    for (const text of [
      '{"type":"connection_ack"}',
      '{"id":"1","type":"next","payload":{"data":{"p":1}}}',
      'ping',
      '{',
    ]) {
      assert.equal(client.inbound(bytes(text), false), null, text);
    }
    assert.equal(client.inbound(bytes('{"type":"ping"}'), true), null);
  });

  it('beats a paired ping every 12 s', () => {
    const heartbeat = transportWs.createClient(context()).heartbeat();
    assert.ok(heartbeat);
    assert.equal(heartbeat.intervalMs, 12_000);
    assert.equal(heartbeat.paired, true);
    assert.deepEqual(heartbeat.beat?.(), { frame: '{"type":"ping"}' });
    assert.match(heartbeat.describe, /ping every 12 s/);
  });
});

describe('graphql-transport-ws: composer, options, close codes, detection', () => {
  it('composes a subscribe with an automatic, never repeated id, or the given one', () => {
    const first = JSON.parse(
      transportWs.compose('subscribe', {
        query: 'subscription S { tick }',
        variables: '{"n": 1}',
        operationName: '',
      }) as string,
    );
    assert.equal(first.type, 'subscribe');
    assert.deepEqual(first.payload, { query: 'subscription S { tick }', variables: { n: 1 } });
    const second = JSON.parse(transportWs.compose('subscribe', { query: '{ a }' }) as string);
    assert.notEqual(second.id, first.id);
    const given = JSON.parse(
      transportWs.compose('subscribe', { query: '{ a }', id: 'mine', operationName: 'A' }) as string,
    );
    assert.equal(given.id, 'mine');
    assert.equal(given.payload.operationName, 'A');
    // What we compose, we decode.
    assert.equal(
      transportWs.decode(outbound(transportWs.compose('subscribe', { query: 'query Q { a }' }) as string))?.name,
      'Q',
    );
    assert.equal(transportWs.compose('complete', { id: 'mine' }), '{"id":"mine","type":"complete"}');
  });

  it('refuses a composer input it cannot send, saying which field', () => {
    assert.throws(() => transportWs.compose('subscribe', { query: '  ' }), /query is empty/);
    assert.throws(
      () => transportWs.compose('subscribe', { query: '{ a }', variables: '{n:1}' }),
      /variables is not JSON/,
    );
    assert.throws(
      () => transportWs.compose('subscribe', { query: '{ a }', variables: '[1]' }),
      /variables must be a JSON object/,
    );
    assert.throws(() => transportWs.compose('complete', {}), /id is empty/);
    assert.throws(() => transportWs.compose('start', { query: '{ a }' }), /no composer form "start"/);
    assert.deepEqual(
      transportWs.composerForms.map((form) => form.id),
      ['subscribe', 'complete'],
    );
  });

  it('checks its options: connectionParams a JSON object, no unknown keys', () => {
    assert.deepEqual(transportWs.checkOptions({}), []);
    assert.deepEqual(transportWs.checkOptions({ connectionParams: { a: 1 } }), []);
    assert.deepEqual(transportWs.checkOptions({ connectionParams: '{"a":1}' }), []);
    assert.match(
      transportWs.checkOptions({ connectionParams: '[1]' }).join(),
      /connectionParams must be a JSON object/,
    );
    assert.match(transportWs.checkOptions({ connectionParams: 7 }).join(), /connectionParams must be a JSON object/);
    assert.match(transportWs.checkOptions({ namespace: '/' }).join(), /no option "namespace"/);
    assert.deepEqual(checkProtocolSettings('graphql-transport-ws', { connectionParams: 'x' }), [
      'protocolOptions: connectionParams must be a JSON object, sent as the payload of connection_init',
    ]);
  });

  it('explains its close codes 4400–4499 with a fix, and no others', () => {
    for (const code of [4400, 4401, 4403, 4406, 4408, 4409, 4429, 4499, 4500]) {
      const explanation = transportWs.explainClose(code, '');
      assert.ok(explanation, String(code));
      assert.match(explanation.meaning, new RegExp(`^graphql-transport-ws ${code} `));
      assert.ok(explanation.fix.length > 20 && explanation.source.includes('graphql-ws'), String(code));
      assert.equal(explanation.heartbeatRelated, false);
    }
    const timeout = transportWs.explainClose(4408, 'Connection initialisation timeout');
    assert.match(timeout?.meaning ?? '', /connection_init/);
    assert.match(timeout?.fix ?? '', /Send connection_init/);
    assert.match(
      transportWs.explainClose(4406, '')?.fix ?? '',
      /Offer graphql-transport-ws|--protocol graphql-transport-ws/,
    );
    for (const code of [1000, 1006, 1011, 4000, 4404, 4999]) assert.equal(transportWs.explainClose(code, ''), null);
  });

  it('is found by its subprotocol or by a subscribe/next frame, never by a /graphql path or a bare ping', () => {
    const catalog = new Catalog(PROTOCOL_MODULES);
    assert.equal(
      catalog.detect({ choice: 'auto', url: 'ws://h/graphql', subprotocol: 'graphql-transport-ws' })?.module.id,
      'graphql-transport-ws',
    );
    assert.equal(catalog.detect({ choice: 'auto', url: 'ws://h/graphql', subprotocol: '' }), null);
    assert.equal(catalog.detectFromFrame(inbound('{"type":"ping"}')), null);
    assert.equal(catalog.detectFromFrame(inbound('{"type":"connection_ack"}')), null);
    assert.equal(
      catalog.detectFromFrame(inbound('{"id":"1","type":"next","payload":{"data":{}}}'))?.module.id,
      'graphql-transport-ws',
    );
    assert.equal(
      catalog.detectFromFrame(outbound('{"id":"1","type":"subscribe","payload":{"query":"{a}"}}'))?.module.id,
      'graphql-transport-ws',
    );
    assert.deepEqual(transportWs.subprotocols, ['graphql-transport-ws']);
    assert.deepEqual(transportWs.offer, ['graphql-transport-ws']);
  });
});

describe('graphql-ws (legacy subscriptions-transport-ws): decoding', () => {
  it('decodes the PROTOCOL.md messages', () => {
    assert.equal(legacy.decode(outbound('{"type":"connection_init","payload":{}}'))?.summary, 'connection_init');
    assert.equal(legacy.decode(inbound('{"type":"connection_ack"}'))?.kind, 'connection_ack');
    const rejected = legacy.decode(
      inbound('{"type":"connection_error","payload":{"message":"Prohibited connection!"}}'),
    );
    assert.equal(rejected?.error, 'Prohibited connection!');
    assert.deepEqual(legacy.decode(inbound('{"type":"ka"}')), {
      protocol: 'graphql-ws',
      kind: 'ka',
      summary: 'ka (keep-alive)',
      heartbeat: 'ping',
    });
    const start = legacy.decode(
      outbound('{"id":"1","type":"start","payload":{"query":"subscription OnTick { tick }","variables":{"n":2}}}'),
    );
    assert.equal(start?.name, 'OnTick');
    assert.equal(start?.id, '1');
    assert.equal(start?.summary, 'start #1 OnTick {"n":2}');
    const data = legacy.decode(inbound('{"id":"1","type":"data","payload":{"data":{"tick":1}}}'));
    assert.equal(data?.summary, 'data #1 {"tick":1}');
    assert.equal(data?.id, '1');
    assert.equal(legacy.decode(inbound('{"id":"1","type":"error","payload":{"message":"bad"}}'))?.error, 'bad');
    assert.equal(legacy.decode(inbound('{"id":"1","type":"complete"}'))?.summary, 'complete #1');
    assert.equal(legacy.decode(outbound('{"id":"1","type":"stop"}'))?.summary, 'stop #1');
    assert.equal(legacy.decode(outbound('{"type":"connection_terminate"}'))?.kind, 'connection_terminate');
    assert.match(legacy.decode(inbound('{"type":"next"}'))?.error ?? '', /unknown message type "next"/);
  });
});

describe('graphql-ws (legacy): the client, composer, options, closes', () => {
  it('starts with connection_init (payload {} by default, as the reference client)', () => {
    assert.deepEqual(legacy.createClient(context()).start(), ['{"type":"connection_init","payload":{}}']);
    assert.deepEqual(legacy.createClient(context({ connectionParams: { a: 'b' } })).start(), [
      '{"type":"connection_init","payload":{"a":"b"}}',
    ]);
  });

  it('has no heartbeat until the first ka, then a server-driven one it never answers', () => {
    const client: ProtocolClient = legacy.createClient(context());
    assert.equal(client.heartbeat(), null);
    assert.equal(client.inbound(bytes('{"type":"connection_ack"}'), false), null);
    assert.equal(client.heartbeat(), null);
    assert.deepEqual(client.inbound(bytes('{"type":"ka"}'), false), { heartbeat: 'ping', heartbeatChanged: true });
    assert.deepEqual(client.inbound(bytes('{ "type": "ka" }'), false), { heartbeat: 'ping' });
    const heartbeat = client.heartbeat();
    assert.ok(heartbeat);
    assert.equal(heartbeat.beat, null);
    assert.equal(heartbeat.paired, false);
    assert.equal(heartbeat.timeoutMs, LEGACY_KEEP_ALIVE_TIMEOUT_MS);
    assert.equal(client.inbound(bytes('{"type":"ka"}'), true), null);
    assert.equal(client.inbound(bytes('{"id":"1","type":"data","payload":{"data":{"ka":1}}}'), false), null);
  });

  it("takes the server's keepAlive period from keepAliveMs when the user knows it", () => {
    const client = legacy.createClient(context({ keepAliveMs: '5000' }));
    client.inbound(bytes('{"type":"ka"}'), false);
    assert.equal(client.heartbeat()?.intervalMs, 5000);
    assert.match(client.heartbeat()?.describe ?? '', /every 5 s/);
    assert.deepEqual(legacy.checkOptions({ keepAliveMs: 5000, connectionParams: {} }), []);
    assert.match(legacy.checkOptions({ keepAliveMs: -1 }).join(), /keepAliveMs must be a positive number/);
    assert.match(legacy.checkOptions({ clientId: 'x' }).join(), /no option "clientId"/);
  });

  it('composes start and stop', () => {
    const start = JSON.parse(legacy.compose('start', { query: 'subscription S { tick }', variables: '' }) as string);
    assert.equal(start.type, 'start');
    assert.deepEqual(start.payload, { query: 'subscription S { tick }' });
    assert.equal(typeof start.id, 'string');
    assert.equal(legacy.compose('stop', { id: start.id }), JSON.stringify({ id: start.id, type: 'stop' }));
    assert.throws(() => legacy.compose('stop', { id: '' }), /id is empty/);
    assert.throws(() => legacy.compose('subscribe', { query: '{a}' }), /no composer form "subscribe"/);
  });

  it("explains what its server's closes mean, and the newer server's 4406", () => {
    assert.match(legacy.explainClose(1002, '')?.meaning ?? '', /did not offer the graphql-ws subprotocol/);
    assert.match(legacy.explainClose(1011, '')?.meaning ?? '', /connection_error/);
    assert.match(legacy.explainClose(4406, 'Subprotocol not acceptable')?.fix ?? '', /graphql-transport-ws/);
    assert.equal(legacy.explainClose(1002, 'Invalid frame'), null);
    assert.equal(legacy.explainClose(4408, ''), null);
  });

  it('is found by its subprotocol or a ka/start/data frame', () => {
    const catalog = new Catalog(PROTOCOL_MODULES);
    assert.equal(
      catalog.detect({ choice: 'auto', url: 'ws://h/graphql', subprotocol: 'graphql-ws' })?.module.id,
      'graphql-ws',
    );
    assert.equal(catalog.detectFromFrame(inbound('{"type":"ka"}'))?.module.id, 'graphql-ws');
    assert.equal(
      catalog.detectFromFrame(inbound('{"id":"1","type":"data","payload":{"data":{}}}'))?.module.id,
      'graphql-ws',
    );
    assert.equal(catalog.detectFromFrame(inbound('{"type":"ka","extra":1}')), null);
  });
});

describe('firstOperation', () => {
  it('reads the first operation at depth 0, past comments, strings and fragments', () => {
    assert.deepEqual(firstOperation('query Q { a }'), { type: 'query', name: 'Q' });
    assert.deepEqual(firstOperation('mutation { a }'), { type: 'mutation' });
    assert.deepEqual(firstOperation('{ query }'), { type: 'query' });
    assert.deepEqual(firstOperation('subscription S($x: String = "{ query Fake }") @live { a(x: $x) }'), {
      type: 'subscription',
      name: 'S',
    });
    assert.deepEqual(firstOperation('"""doc { query Fake }"""\nquery Real { a }'), { type: 'query', name: 'Real' });
    assert.deepEqual(firstOperation('fragment F on T { query } query Q2 { ...F }'), { type: 'query', name: 'Q2' });
    assert.equal(firstOperation('fragment F on T { a }'), null);
    assert.equal(firstOperation('"unterminated'), null);
    assert.equal(firstOperation(''), null);
  });
});
