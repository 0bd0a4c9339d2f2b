// JSON-RPC 2.0 on the specification's own examples (https://www.jsonrpc.org/specification,
// section 7): requests, notifications, results, errors, batches; garbage; the composer; and
// each call's latency from pairing responses with requests by id.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AppFrame } from '../../src/core/engine/appProtocol.js';
import type { MessageEvent, SessionEvent } from '../../src/core/model/sessionEvents.js';
import { Catalog, PROTOCOL_MODULES } from '../../src/core/protocols/catalog.js';
import {
  jsonRpcModule as jsonRpc,
  JsonRpcLatency,
  MAX_PENDING_CALLS,
  pairJsonRpcCalls,
} from '../../src/core/protocols/jsonRpc.js';

const NO_BYTES = new Uint8Array(0);
const frame = (direction: 'in' | 'out', text: string): AppFrame => ({
  direction,
  text,
  bytes: NO_BYTES,
  truncated: false,
});

describe('json-rpc: decoding the specification examples', () => {
  it('decodes a request with positional and named params', () => {
    const call = jsonRpc.decode(frame('out', '{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}'));
    assert.deepEqual(call, {
      protocol: 'json-rpc',
      kind: 'request',
      id: '1',
      name: 'subtract',
      summary: 'subtract #1([42,23])',
      fields: { method: 'subtract', params: [42, 23] },
    });
    const named = jsonRpc.decode(
      frame('out', '{"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": "x"}'),
    );
    assert.equal(named?.id, 'x');
    assert.equal(named?.summary, 'subtract #x({"subtrahend":23,"minuend":42})');
  });

  it('decodes a notification (no id member) apart from a request with a null id', () => {
    const notification = jsonRpc.decode(frame('in', '{"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}'));
    assert.equal(notification?.kind, 'notification');
    assert.equal(notification?.id, undefined);
    assert.equal(jsonRpc.decode(frame('out', '{"jsonrpc": "2.0", "method": "foobar"}'))?.summary, 'foobar()');
    assert.equal(jsonRpc.decode(frame('out', '{"jsonrpc": "2.0", "method": "foobar", "id": null}'))?.kind, 'request');
  });

  it('decodes results and errors, the error as code and message', () => {
    const result = jsonRpc.decode(frame('in', '{"jsonrpc": "2.0", "result": 19, "id": 1}'));
    assert.equal(result?.kind, 'result');
    assert.equal(result?.id, '1');
    assert.equal(result?.summary, 'result #1: 19');
    const error = jsonRpc.decode(
      frame('in', '{"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"}, "id": "1"}'),
    );
    assert.equal(error?.kind, 'error');
    assert.equal(error?.error, '-32601 Method not found');
    const parseError = jsonRpc.decode(frame('in', '{"jsonrpc": "2.0", "error": {"code": -32700}, "id": null}'));
    assert.equal(parseError?.error, '-32700 Parse error');
    assert.equal(parseError?.summary, 'error #null: -32700 Parse error');
    assert.match(jsonRpc.decode(frame('in', '{"jsonrpc":"2.0","error":"x","id":1}'))?.error ?? '', /malformed error/);
  });

  it('decodes a batch with counts, and its errors', () => {
    const batch = jsonRpc.decode(
      frame(
        'out',
        '[{"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},' +
          '{"jsonrpc": "2.0", "method": "notify_hello", "params": [7]},' +
          '{"jsonrpc": "2.0", "method": "subtract", "params": [42,23], "id": "2"},' +
          '{"foo": "boo"}]',
      ),
    );
    assert.equal(batch?.kind, 'batch');
    assert.equal(batch?.summary, 'batch: 2 requests, 1 notification, 1 invalid item');
    const items = batch?.fields?.items as Array<{ kind: string; id?: string }>;
    assert.deepEqual(
      items.map((item) => item.kind),
      ['request', 'notification', 'request', 'invalid'],
    );
    const answers = jsonRpc.decode(
      frame(
        'in',
        '[{"jsonrpc": "2.0", "result": 7, "id": "1"},' +
          '{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}]',
      ),
    );
    assert.equal(answers?.summary, 'batch: 1 result, 1 error');
    assert.equal(answers?.error, '-32600 Invalid Request');
  });

  it('answers null for garbage, other JSON, other versions and empty batches', () => {
    for (const text of [
      '',
      'rpc',
      '{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]',
      '[]',
      '[1,2,3]',
      '{"jsonrpc": "1.0", "method": "a", "id": 1}',
      '{"jsonrpc": 2.0, "method": "a", "id": 1}',
      '{"jsonrpc": "2.0"}',
      '{"jsonrpc": "2.0", "method": 1, "id": 1}',
      '{"type":"ping"}',
      '42',
    ]) {
      assert.equal(jsonRpc.decode(frame('in', text)), null, text);
      assert.equal(jsonRpc.matchFrame(frame('in', text)), null, text);
    }
    assert.equal(
      jsonRpc.decode({ direction: 'in', text: null, bytes: new Uint8Array([1, 2, 0xff]), truncated: false }),
      null,
    );
  });

  it('is found by its frames, and has no client duties or close codes', () => {
    const catalog = new Catalog(PROTOCOL_MODULES);
    assert.equal(
      catalog.detectFromFrame(frame('in', '{"jsonrpc":"2.0","method":"hello","params":{}}'))?.module.id,
      'json-rpc',
    );
    assert.equal(jsonRpc.matchFrame(frame('in', '[{"jsonrpc":"2.0","result":1,"id":1}]')), 'a JSON-RPC 2.0 batch');
    assert.equal(catalog.detect({ choice: 'auto', url: 'ws://h/rpc', subprotocol: '' }), null);
    const client = jsonRpc.createClient({ url: 'ws://h/', subprotocol: '', options: {} });
    assert.deepEqual(client.start(), []);
    assert.equal(client.inbound(new TextEncoder().encode('{"jsonrpc":"2.0","method":"ping"}'), false), null);
    assert.equal(client.heartbeat(), null);
    assert.equal(jsonRpc.explainClose(4000, ''), null);
    assert.deepEqual(jsonRpc.checkOptions({}), []);
    assert.match(jsonRpc.checkOptions({ namespace: '/' }).join(), /no option "namespace"/);
  });
});

describe('json-rpc: composer', () => {
  it('composes calls with an automatic or given id, and notifications without one', () => {
    const first = JSON.parse(jsonRpc.compose('call', { method: 'subtract', params: '[42, 23]', id: '' }) as string);
    assert.deepEqual({ ...first, id: 0 }, { jsonrpc: '2.0', method: 'subtract', params: [42, 23], id: 0 });
    assert.equal(typeof first.id, 'number');
    const second = JSON.parse(jsonRpc.compose('call', { method: 'a' }) as string);
    assert.notEqual(second.id, first.id);
    assert.equal(jsonRpc.compose('call', { method: 'a', id: '7' }), '{"jsonrpc":"2.0","method":"a","id":7}');
    assert.equal(jsonRpc.compose('call', { method: 'a', id: 'abc' }), '{"jsonrpc":"2.0","method":"a","id":"abc"}');
    assert.equal(
      jsonRpc.compose('notify', { method: 'update', params: '{"a":1}' }),
      '{"jsonrpc":"2.0","method":"update","params":{"a":1}}',
    );
    assert.equal(
      jsonRpc.decode(frame('out', jsonRpc.compose('notify', { method: 'x' }) as string))?.kind,
      'notification',
    );
  });

  it('refuses what it cannot send, saying which field', () => {
    assert.throws(() => jsonRpc.compose('call', { method: ' ' }), /method is empty/);
    assert.throws(
      () => jsonRpc.compose('call', { method: 'a', params: '42' }),
      /params must be a JSON object or array/,
    );
    assert.throws(() => jsonRpc.compose('call', { method: 'a', params: '[1,' }), /params is not JSON/);
    assert.throws(() => jsonRpc.compose('event', { method: 'a' }), /no composer form "event"/);
  });
});

let seq = 0;
function message(direction: 'in' | 'out', t: number, data: string, truncated = false): MessageEvent {
  return { type: 'message', seq: ++seq, t, direction, opcode: 'text', size: data.length, data, truncated };
}

describe('json-rpc: latency per call', () => {
  it('pairs responses with requests by id across directions, batches included', () => {
    const events: SessionEvent[] = [
      message('out', 1000, '{"jsonrpc":"2.0","method":"sum","params":[1,2],"id":1}'),
      message('out', 1010, '{"jsonrpc":"2.0","method":"sum","params":[3,4],"id":"1"}'),
      message('in', 1020, '{"jsonrpc":"2.0","method":"server.ask","id":1}'), // the server calls us, same id
      message('in', 1030, '{"jsonrpc":"2.0","method":"tick"}'),
      message('out', 1040, '{"jsonrpc":"2.0","result":"yes","id":1}'), // our answer to the server
      message('in', 1075, '{"jsonrpc":"2.0","result":3,"id":1}'),
      message('in', 1100, '[{"jsonrpc":"2.0","result":7,"id":"1"},{"jsonrpc":"2.0","result":9,"id":"unknown"}]'),
    ];
    const timings = pairJsonRpcCalls(events);
    const at = (index: number) => timings.get(events[index]!.seq);
    assert.deepEqual(
      at(4)?.map((timing) => [timing.method, timing.latencyMs]),
      [['server.ask', 20]],
    );
    assert.deepEqual(at(5), [
      { responseSeq: events[5]!.seq, requestSeq: events[0]!.seq, id: '1', method: 'sum', latencyMs: 75, failed: false },
    ]);
    assert.deepEqual(
      at(6)?.map((timing) => [timing.id, timing.latencyMs]),
      [['1', 90]],
    );
    assert.equal(timings.size, 3);
  });

  it('marks failed calls, forgets calls at a new connection, and skips cut frames', () => {
    const latency = new JsonRpcLatency();
    latency.observe(message('out', 0, '{"jsonrpc":"2.0","method":"a","id":5}'));
    const failed = latency.observe(
      message('in', 12, '{"jsonrpc":"2.0","error":{"code":-32601,"message":"no"},"id":5}'),
    );
    assert.deepEqual(
      failed.map((timing) => [timing.failed, timing.latencyMs]),
      [[true, 12]],
    );
    latency.observe(message('out', 20, '{"jsonrpc":"2.0","method":"a","id":6}'));
    latency.observe({ type: 'connecting', seq: ++seq, t: 25, attempt: 1, url: 'ws://h/', protocols: [] });
    assert.deepEqual(latency.observe(message('in', 30, '{"jsonrpc":"2.0","result":1,"id":6}')), []);
    latency.observe(message('out', 40, '{"jsonrpc":"2.0","method":"a","id":7}', true));
    assert.deepEqual(latency.observe(message('in', 50, '{"jsonrpc":"2.0","result":1,"id":7}')), []);
  });

  it('keeps at most MAX_PENDING_CALLS unanswered requests, dropping the oldest', () => {
    const latency = new JsonRpcLatency();
    for (let id = 0; id <= MAX_PENDING_CALLS; id++) {
      latency.observe(message('out', id, `{"jsonrpc":"2.0","method":"m","id":${id}}`));
    }
    assert.deepEqual(latency.observe(message('in', 1e6, '{"jsonrpc":"2.0","result":0,"id":0}')), []);
    assert.equal(latency.observe(message('in', 1e6, '{"jsonrpc":"2.0","result":0,"id":1}')).length, 1);
  });
});
