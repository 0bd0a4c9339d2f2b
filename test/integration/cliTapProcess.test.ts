// The built `ws-inspector tap` as a user runs it (`node bin/ws-inspector.js tap …`, see
// test/helpers/cliProcess.ts): a `ws` client through it to a real echo server, its --json lines
// and its exit code; and a run that no app connected to, which exits 1 with a clear message.
// The bundle is rebuilt once up front.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { before, test } from 'node:test';
import WebSocket from 'ws';
import { freePort, waitForPort } from '../../support/ports.js';
import { buildCli, describeRun, spawnCli } from '../helpers/cliProcess.js';
import { cleanups } from '../helpers/testScope.js';
import { startEchoServer } from '../helpers/wsServers.js';

before(buildCli);

test(
  "the built tap --duration 3s --json: every line an event with its session, both directions of the app's exchange, exit 0",
  { timeout: 30_000 },
  async (t) => {
    const defer = cleanups(t);
    const server = await startEchoServer();
    defer(() => server.close());
    const port = await freePort();
    const tap = spawnCli(
      defer,
      ['tap', '--listen', String(port), '--target', server.url, '--duration', '3s', '--json'],
      20_000,
    );
    await waitForPort(port);

    const app = new WebSocket(`ws://127.0.0.1:${port}/live`);
    defer(() => app.terminate());
    await once(app, 'open');
    const echoed = once(app, 'message') as Promise<[Buffer]>;
    app.send('hello from the app');
    assert.equal((await echoed)[0].toString(), 'hello from the app');
    app.close(1000, 'done');
    await once(app, 'close');

    const result = await tap.done;
    assert.equal(result.code, 0, describeRun(result));
    const events = result.lines.map(
      (line) => JSON.parse(line) as { type: string; session?: string; direction?: string; data?: string },
    );
    assert.ok(events.length > 0, describeRun(result));
    for (const event of events) {
      assert.equal(event.session, 'tap-1', `every line names its session: ${JSON.stringify(event)}`);
    }
    assert.deepEqual(
      events.filter((e) => e.type === 'message').map((e) => `${e.direction} ${e.data}`),
      ['out hello from the app', 'in hello from the app'],
    );
    assert.deepEqual(
      events.map((e) => e.type).filter((type) => type === 'connecting' || type === 'open' || type === 'close'),
      ['connecting', 'open', 'close'],
    );
  },
);

test('the built tap exits 1, saying so, when no app connected during the run', { timeout: 30_000 }, async (t) => {
  const defer = cleanups(t);
  const server = await startEchoServer();
  defer(() => server.close());
  const port = await freePort();
  const result = await spawnCli(
    defer,
    ['tap', '--listen', String(port), '--target', server.url, '--duration', '500ms', '--json'],
    20_000,
  ).done;
  assert.equal(result.code, 1, describeRun(result));
  assert.match(result.stderr, /ws-inspector tap: no app connected during the run/);
  // --json prints events only: none were recorded.
  assert.deepEqual(result.lines, []);
});
