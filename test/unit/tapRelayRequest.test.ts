// How the tap turns the app's handshake request into the server's (src/node/tapRelay.ts):
// the URL, the headers and the subprotocol offer. Against a real server in tapRelay.test.ts.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forwardedHeaders, offeredProtocols, upstreamUrl } from '../../src/node/tapRelay.js';

test("the app's path and query are appended to a target that names none, and ignored by one that does", () => {
  assert.equal(upstreamUrl('wss://api.example.com', '/socket?token=1'), 'wss://api.example.com/socket?token=1');
  assert.equal(upstreamUrl('ws://127.0.0.1:8080/', '/'), 'ws://127.0.0.1:8080/');
  assert.equal(upstreamUrl('wss://api.example.com/v2/ws', '/socket?token=1'), 'wss://api.example.com/v2/ws');
  assert.equal(upstreamUrl('wss://api.example.com/?room=3', '/socket'), 'wss://api.example.com/?room=3');
});

test('the subprotocol offer is read in order, blanks dropped', () => {
  assert.deepEqual(offeredProtocols('graphql-ws, graphql-transport-ws'), ['graphql-ws', 'graphql-transport-ws']);
  assert.deepEqual(offeredProtocols(undefined), []);
  assert.deepEqual(offeredProtocols(' , mqtt'), ['mqtt']);
});

const APP_REQUEST = [
  'Host',
  '127.0.0.1:9000',
  'Connection',
  'Upgrade, X-Hop',
  'Upgrade',
  'websocket',
  'Sec-WebSocket-Key',
  'abc==',
  'Sec-WebSocket-Version',
  '13',
  'Sec-WebSocket-Extensions',
  'permessage-deflate',
  'Sec-WebSocket-Protocol',
  'chat',
  'Origin',
  'http://localhost:3000',
  'Cookie',
  'a=1',
  'Cookie',
  'b=2',
  'X-Hop',
  'only for the next hop',
  'Proxy-Authorization',
  'Basic c2VjcmV0',
  'Authorization',
  'Bearer app-token',
];

test("the app's headers go on except hop-by-hop ones, with Host and Origin the target's and -H over them", () => {
  const headers = forwardedHeaders(APP_REQUEST, 'wss://api.example.com/live', {
    headers: { Authorization: 'Bearer from-H', 'X-Extra': '1' },
    keepHostAndOrigin: false,
  });
  assert.deepEqual(headers, {
    Origin: 'https://api.example.com',
    Cookie: 'a=1, b=2',
    Authorization: 'Bearer from-H',
    'X-Extra': '1',
  });
});

test('Host and Origin are kept as the app sent them when asked', () => {
  const headers = forwardedHeaders(APP_REQUEST, 'ws://api.example.com/live', { headers: {}, keepHostAndOrigin: true });
  assert.equal(headers['Host'], '127.0.0.1:9000');
  assert.equal(headers['Origin'], 'http://localhost:3000');
  assert.equal(headers['Authorization'], 'Bearer app-token');
  assert.equal(headers['X-Hop'], undefined);
});
