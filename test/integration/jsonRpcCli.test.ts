// `ws-inspector watch --protocol json-rpc` against a JSON-RPC 2.0 server written here (the
// spec at jsonrpc.org/specification: a response carries the request's id; an error has code and
// message): each response line is followed by the call it answers and its latency, errors say so.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { buildCli, describeRun, runCli } from '../helpers/cliProcess.js';
import { cleanups } from '../helpers/testScope.js';
import { startWsServer } from '../helpers/wsServers.js';

before(buildCli);

test('watch --protocol json-rpc prints each response with the call it answers and its latency', async (t) => {
  const defer = cleanups(t);
  const server = await startWsServer((ws, { setTimeout: later }) => {
    ws.on('message', (data) => {
      const request = JSON.parse(String(data)) as { id: number; method: string; params: number[] };
      // Answered 50 ms later, so the latency is measurable and not a same-tick artefact.
      later(() => {
        const answer =
          request.method === 'add'
            ? { jsonrpc: '2.0', result: request.params[0]! + request.params[1]!, id: request.id }
            : { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: request.id };
        ws.send(JSON.stringify(answer));
      }, 50);
    });
  });
  defer(() => server.close());
  const result = await runCli(
    defer,
    [
      'watch',
      server.url,
      '--protocol',
      'json-rpc',
      '--send',
      '{"jsonrpc":"2.0","method":"add","params":[1,2],"id":7}',
      '--send',
      '{"jsonrpc":"2.0","method":"nope","params":[],"id":8}',
      '--duration',
      '1500ms',
    ],
    15_000,
  );
  const answers = result.lines.filter((line) => line.includes('↳ answers'));
  assert.equal(answers.length, 2, describeRun(result));
  assert.match(answers[0]!, /↳ answers add \(id 7\) after \d+ ms$/);
  assert.match(answers[1]!, /↳ answers nope \(id 8\) with an error after \d+ ms$/);
  const latency = Number(/after (\d+) ms$/.exec(answers[0]!)![1]);
  assert.ok(latency >= 45 && latency < 1500, `latency ${latency} ms`);
  // Each timing line follows the line of the response it is about.
  const index = result.lines.indexOf(answers[0]!);
  assert.match(result.lines[index - 1]!, /message .*json-rpc result/);
});
