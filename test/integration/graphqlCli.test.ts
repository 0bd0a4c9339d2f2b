// `ws-inspector watch --protocol graphql-transport-ws` as a user runs it, against the real
// graphql-ws server with a 500 ms connectionInitWaitTimeout: it stays connected (no 4408), sends
// connection_init with the --protocol-option connectionParams, and prints the frames decoded.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { buildCli, describeRun, parseNdjson, runCli } from '../helpers/cliProcess.js';
import { startGraphqlTransportWsServer } from '../helpers/graphqlServers.js';
import { cleanups, type EventOf } from '../helpers/testScope.js';

before(buildCli);

test('watch --protocol graphql-transport-ws stays up past the init wait and prints decoded frames', async (t) => {
  const defer = cleanups(t);
  const server = await startGraphqlTransportWsServer(500);
  defer(() => server.close());
  const result = await runCli(
    defer,
    [
      'watch',
      server.url,
      '--protocol',
      'graphql-transport-ws',
      '--protocol-option',
      'connectionParams={"who":"cli"}',
      '--duration',
      '2s',
      '--json',
    ],
    15_000,
  );
  const events = parseNdjson(result);
  assert.deepEqual(
    events.filter((event) => event.type === 'close' && event.initiator !== 'local'),
    [],
    describeRun(result),
  );
  const open = events.find((event): event is EventOf<'open'> => event.type === 'open');
  assert.equal(open?.protocol, 'graphql-transport-ws');
  assert.equal(open?.app?.protocol, 'graphql-transport-ws');
  const messages = events.filter((event): event is EventOf<'message'> => event.type === 'message');
  assert.deepEqual(
    messages.slice(0, 2).map((message) => [message.direction, message.app?.kind, message.app?.summary]),
    [
      ['out', 'connection_init', 'connection_init (payload: who)'],
      ['in', 'connection_ack', 'connection_ack'],
    ],
  );
  assert.deepEqual(JSON.parse(messages[0]!.data), { type: 'connection_init', payload: { who: 'cli' } });
});
