// `ws-inspector tap` run in this process (src/cli/main.ts) against a real echo server and real
// app clients: its --json events with their session field, its exports, its banner and warning,
// and its usage errors.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import WebSocket from 'ws';
import { main } from '../../src/cli/main.js';
import { parseListen } from '../../src/cli/tapArgs.js';
import { exportPathFor, pointYourAppAt } from '../../src/cli/tap.js';
import { parseSessionLog } from '../../src/core/files/sessionLog.js';
import type { SessionEvent } from '../../src/core/model/sessionEvents.js';
import { freePort, waitForPort } from '../../support/ports.js';
import { until } from '../helpers/tap.js';
import { cleanups } from '../helpers/testScope.js';
import { startEchoServer } from '../helpers/wsServers.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (line: string) => out.push(line), err: (line: string) => err.push(line) }, out, err };
}

async function echoOnce(url: string, text: string): Promise<WebSocket> {
  const app = new WebSocket(url);
  await once(app, 'open');
  const reply = new Promise<string>((resolve) => app.once('message', (data: Buffer) => resolve(data.toString())));
  app.send(text);
  assert.equal(await reply, text);
  return app;
}

test(
  'tap --json prints every event of every app session with its session field, and --export writes one log per session',
  { timeout: 20_000 },
  async (t) => {
    const defer = cleanups(t);
    const server = await startEchoServer();
    defer(() => server.close());
    const dir = mkdtempSync(join(tmpdir(), 'tap-cli-'));
    defer(() => rmSync(dir, { recursive: true, force: true }));
    const port = await freePort();
    const stop = new AbortController();
    const { io, out } = capture();
    const exportPath = join(dir, 'app.json');
    const running = main(
      ['tap', '--listen', String(port), '--target', server.url, '--json', '--export', exportPath],
      io,
      stop.signal,
    );
    await waitForPort(port);

    // Two app clients at once: two sessions.
    const first = await echoOnce(`ws://127.0.0.1:${port}/feed?user=1`, 'from the first');
    const second = await echoOnce(`ws://127.0.0.1:${port}/feed?user=2`, 'from the second');
    for (const app of [first, second]) {
      app.close(1000, 'done');
      await once(app, 'close');
    }
    await until(() => out.filter((line) => line.includes('"type":"close"')).length === 2, 'both closes printed');
    stop.abort();
    assert.equal(await running, 0);

    const events = out.map((line) => JSON.parse(line) as SessionEvent & { session: string });
    const messages = events.filter((e) => e.type === 'message').map((e) => `${e.session} ${e.direction} ${e.data}`);
    assert.deepEqual(messages, [
      'tap-1 out from the first',
      'tap-1 in from the first',
      'tap-2 out from the second',
      'tap-2 in from the second',
    ]);
    const connecting = events.filter((e) => e.type === 'connecting').map((e) => [e.session, e.url]);
    assert.deepEqual(connecting, [
      ['tap-1', `${server.url}feed?user=1`],
      ['tap-2', `${server.url}feed?user=2`],
    ]);

    for (const id of ['tap-1', 'tap-2']) {
      const log = parseSessionLog(readFileSync(join(dir, `app.${id}.json`), 'utf8'));
      assert.deepEqual(
        log.events.map((e) => e.type),
        ['connecting', 'open', 'message', 'message', 'close'],
      );
    }
  },
);

test('tap prints where to point the app and exits 1 when no app connected', { timeout: 20_000 }, async (t) => {
  const defer = cleanups(t);
  const server = await startEchoServer();
  defer(() => server.close());
  const port = await freePort();
  const { io, err, out } = capture();
  const code = await main(
    ['tap', '--listen', String(port), '--target', server.url, '--duration', '200ms'],
    io,
    new AbortController().signal,
  );
  // No app connected: nothing was recorded, which a script must not take for success.
  assert.equal(code, 1);
  assert.match(err.join('\n'), new RegExp(`point your app at ws://127\\.0\\.0\\.1:${port}; Ctrl-C to stop`));
  assert.match(err.join('\n'), /ws-inspector tap: no app connected during the run/);
  assert.doesNotMatch(err.join('\n'), /warning/);
  assert.deepEqual(out, ['summary: no app connected']);
});

test('tap warns before listening beyond loopback, and tells an app on this machine loopback for 0.0.0.0', async () => {
  // Tests bind loopback only: 192.0.2.1 (TEST-NET-1, RFC 5737) is on no interface here, so the
  // warning is printed and the listen fails, and nothing is exposed.
  const { io, err } = capture();
  const code = await main(
    ['tap', '--listen', '192.0.2.1:8787', '--target', 'ws://127.0.0.1:1/', '--duration', '200ms'],
    io,
    new AbortController().signal,
  );
  assert.equal(code, 1);
  assert.match(
    err.join('\n'),
    /warning: --listen 192\.0\.2\.1 is not loopback: anyone who can reach this machine on port 8787 can connect/,
  );
  assert.match(err.join('\n'), /ws-inspector tap: cannot listen on 192\.0\.2\.1:8787: /);
  // 0.0.0.0 and :: cannot be dialled: loopback for an app here, this machine's address from elsewhere.
  assert.equal(
    pointYourAppAt('0.0.0.0', 8787, 'ws:'),
    "point your app at ws://127.0.0.1:8787 (from other machines, this machine's address)",
  );
  assert.equal(
    pointYourAppAt('::', 8787, 'wss:'),
    "point your app at wss://127.0.0.1:8787 (from other machines, this machine's address)",
  );
  assert.equal(pointYourAppAt('::1', 8787, 'ws:'), 'point your app at ws://[::1]:8787');
});

test('tap usage errors: no --target, no --listen, a bad --listen, --json with --quiet', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['tap', '--listen', '8787'], /tap needs --target URL/],
    [['tap', '--target', 'ws://127.0.0.1:1/'], /tap needs --listen \[HOST:\]PORT/],
    [['tap', '--listen', 'localhost', '--target', 'ws://127.0.0.1:1/'], /--listen must be \[HOST:\]PORT/],
    [['tap', '--listen', '8787', '--target', 'http://x/'], /--target: /],
    [['tap', '--listen', '8787', '--target', 'ws://x/', '--json', '--quiet'], /--json and --quiet cannot be combined/],
  ];
  for (const [argv, message] of cases) {
    const { io, err } = capture();
    assert.equal(await main(argv, io, new AbortController().signal), 2, argv.join(' '));
    assert.match(err.join('\n'), message);
  }
});

test('--listen: a bare port is loopback; only another address listens beyond it', () => {
  assert.deepEqual(parseListen('8787'), { listenHost: '127.0.0.1', listenPort: 8787, listensBeyondLoopback: false });
  assert.deepEqual(parseListen('[::1]:9000'), { listenHost: '::1', listenPort: 9000, listensBeyondLoopback: false });
  assert.deepEqual(parseListen('localhost:9000').listensBeyondLoopback, false);
  assert.deepEqual(parseListen('0.0.0.0:9000').listensBeyondLoopback, true);
  assert.deepEqual(parseListen('192.168.1.20:9000').listensBeyondLoopback, true);
  assert.equal(exportPathFor('out/app.json', 'tap-2', 2), 'out/app.tap-2.json');
  assert.equal(exportPathFor('out/app.json', 'tap-1', 1), 'out/app.json');
});

test('tap --quiet prints no events, only the summary of each app session', { timeout: 20_000 }, async (t) => {
  const defer = cleanups(t);
  const server = await startEchoServer();
  defer(() => server.close());
  const port = await freePort();
  const stop = new AbortController();
  const { io, out } = capture();
  const running = main(['tap', '--listen', String(port), '--target', server.url, '--quiet'], io, stop.signal);
  await waitForPort(port);
  const app = await echoOnce(`ws://127.0.0.1:${port}/q`, 'quietly');
  app.close(1000);
  await once(app, 'close');
  stop.abort();
  assert.equal(await running, 0);
  assert.equal(out[0], 'summary: 1 app session(s)');
  assert.match(out[1]!, /^ {2}tap-1 \(127\.0\.0\.1, \/q\):$/);
  assert.ok(
    out.slice(2).every((line) => line.startsWith('    ')),
    out.join('\n'),
  );
  assert.ok(!out.some((line) => line.includes('quietly')));
});
