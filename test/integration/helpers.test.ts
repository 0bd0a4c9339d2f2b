// Checks the integration-test helpers themselves, with real sockets and a real nginx.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import WebSocket from 'ws';
import { findNginx, NGINX_MISSING_MESSAGE, startNginx } from '../helpers/nginx.js';
import { freePort, waitForPort } from '../../support/ports.js';
import { requireExecutable, skipOrFail } from '../helpers/requireComponent.js';
import { startTcpProxy } from '../helpers/tcpProxy.js';
import {
  startClosingServer,
  startDestroyingServer,
  startEchoServer,
  startHandshakeStatusServer,
  startSilentServer,
  startTextPingServer,
} from '../helpers/wsServers.js';

// ---- small client-side utilities -------------------------------------------------------------

interface Received {
  data: Buffer;
  isBinary: boolean;
}

interface Client {
  ws: WebSocket;
  messages: Received[];
  closed: Promise<{ code: number; reason: string; at: number }>;
  nextMessage(timeoutMs?: number): Promise<Received>;
}

/** Opens a ws client and records what it receives. Terminated by t.after. */
async function openClient(t: { after(fn: () => void): void }, url: string): Promise<Client> {
  const ws = new WebSocket(url);
  ws.on('error', () => {});
  t.after(() => ws.terminate());
  const messages: Received[] = [];
  const waiters: Array<(message: Received) => void> = [];
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    const message = { data, isBinary };
    const waiter = waiters.shift();
    if (waiter) waiter(message);
    else messages.push(message);
  });
  const closed = new Promise<{ code: number; reason: string; at: number }>((resolve) =>
    ws.once('close', (code: number, reason: Buffer) =>
      resolve({ code, reason: reason.toString('utf8'), at: performance.now() }),
    ),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('close', (code) => reject(new Error(`closed (${code}) before opening`)));
  });
  return {
    ws,
    messages,
    closed,
    nextMessage(timeoutMs = 2000) {
      const queued = messages.shift();
      if (queued) return Promise.resolve(queued);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no message within ${timeoutMs} ms`)), timeoutMs);
        waiters.push((message) => {
          clearTimeout(timer);
          resolve(message);
        });
      });
    },
  };
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
    }),
  ]);
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- requireComponent and ports --------------------------------------------------------------

test('requireExecutable finds node, returns null outside CI and throws in CI for a missing program', (t) => {
  const savedCI = process.env['CI'];
  t.after(() => {
    if (savedCI === undefined) delete process.env['CI'];
    else process.env['CI'] = savedCI;
  });
  delete process.env['CI'];
  assert.equal(requireExecutable('node', [process.execPath], 'n/a'), process.execPath);
  assert.ok(requireExecutable('sh', ['sh'], 'n/a')?.endsWith('/sh'));
  assert.equal(
    requireExecutable('nope', ['/nonexistent/nope', 'ws-inspector-no-such-tool'], 'apt-get install -y nope'),
    null,
  );
  const skipped: string[] = [];
  skipOrFail({ skip: (message?: string) => void skipped.push(message ?? '') }, 'nope missing');
  assert.deepEqual(skipped, ['nope missing']);

  process.env['CI'] = 'true';
  assert.throws(
    () => requireExecutable('nope', ['ws-inspector-no-such-tool'], 'apt-get install -y nope'),
    /nope is not installed.*apt-get install -y nope/,
  );
  assert.throws(() => skipOrFail({ skip: () => assert.fail('must not skip in CI') }, 'nope missing'), /nope missing/);
});

test('freePort gives a bindable port; waitForPort succeeds on a listener and times out clearly otherwise', async (t) => {
  const port = await freePort();
  assert.ok(port > 0 && port < 65536);
  await assert.rejects(waitForPort(port, 200), new RegExp(`127\\.0\\.0\\.1:${port} within 200 ms.*ECONNREFUSED`));
  const server = createServer((socket) => socket.destroy());
  t.after(() => server.close());
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  assert.equal((server.address() as AddressInfo).port, port);
  await waitForPort(port, 1000);
});

// ---- ws servers ------------------------------------------------------------------------------

test('echo server returns text as text and binary as binary', async (t) => {
  const server = await startEchoServer();
  t.after(() => server.close());
  const client = await openClient(t, server.url);
  client.ws.send('hello');
  const text = await client.nextMessage();
  assert.equal(text.isBinary, false);
  assert.equal(text.data.toString('utf8'), 'hello');
  client.ws.send(Buffer.from([1, 2, 3]));
  const binary = await client.nextMessage();
  assert.equal(binary.isBinary, true);
  assert.deepEqual([...binary.data], [1, 2, 3]);
  assert.equal(server.connectionCount(), 1);
  assert.equal(server.liveSockets(), 1);
  client.ws.close(1000, 'done');
  assert.equal((await client.closed).code, 1000);
  await delay(20);
  assert.equal(server.liveSockets(), 0);
});

test('handshake status server makes a ws client emit unexpected-response with the status and body', async (t) => {
  const server = await startHandshakeStatusServer(403, 'forbidden here', { 'X-Reason': 'test' });
  t.after(() => server.close());
  const ws = new WebSocket(server.url);
  ws.on('error', () => {});
  t.after(() => ws.terminate());
  const { status, header, body } = await within(
    new Promise<{ status: number | undefined; header: string | string[] | undefined; body: string }>((resolve) => {
      ws.once('unexpected-response', (_request, response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode, header: response.headers['x-reason'], body }));
      });
    }),
    2000,
    'unexpected-response',
  );
  assert.equal(status, 403);
  assert.equal(header, 'test');
  assert.equal(body, 'forbidden here');
  assert.equal(server.connectionCount(), 1);
});

test('closing, destroying, text-ping and silent servers behave as scripted', async (t) => {
  const closing = await startClosingServer(4001, 'bye', 30);
  t.after(() => closing.close());
  const a = await openClient(t, closing.url);
  assert.deepEqual(await within(a.closed, 1000, 'close').then(({ code, reason }) => ({ code, reason })), {
    code: 4001,
    reason: 'bye',
  });
  await assert.rejects(startClosingServer(1006, ''), /1006 cannot be sent/);

  const destroying = await startDestroyingServer(30);
  t.after(() => destroying.close());
  const b = await openClient(t, destroying.url);
  assert.equal((await within(b.closed, 1000, 'close')).code, 1006);

  const pinger = await startTextPingServer();
  t.after(() => pinger.close());
  const c = await openClient(t, pinger.url);
  c.ws.send('not a ping');
  c.ws.send('ping');
  assert.equal((await c.nextMessage()).data.toString('utf8'), 'pong');
  assert.equal(c.messages.length, 0);

  const silent = await startSilentServer();
  t.after(() => silent.close());
  const d = await openClient(t, silent.url);
  let pongs = 0;
  d.ws.on('pong', () => pongs++);
  d.ws.ping('anyone?');
  await delay(300);
  assert.equal(pongs, 0);
  assert.equal(d.messages.length, 0);
  assert.equal(silent.liveSockets(), 1);
  await silent.close();
  assert.equal((await within(d.closed, 1000, 'close after server close')).code, 1006);
});

// ---- TCP proxy -------------------------------------------------------------------------------

test('tcp proxy forwards, and lifetimeMs cuts the connection whatever the traffic', async (t) => {
  const echo = await startEchoServer();
  t.after(() => echo.close());
  const proxy = await startTcpProxy({ targetPort: echo.port, lifetimeMs: 400 });
  t.after(() => proxy.close());
  const client = await openClient(t, proxy.url);
  const opened = performance.now();
  client.ws.send('through the proxy');
  assert.equal((await client.nextMessage()).data.toString('utf8'), 'through the proxy');
  assert.equal(proxy.connections(), 1);
  const closed = await within(client.closed, 2000, 'lifetime cut');
  assert.equal(closed.code, 1006);
  const elapsed = closed.at - opened;
  assert.ok(elapsed > 300 && elapsed < 900, `cut after ${elapsed.toFixed(0)} ms`);
  await delay(20);
  assert.equal(proxy.connections(), 0);
  assert.equal(proxy.totalConnections(), 1);
});

test('tcp proxy blackhole() stops messages without a close event; resume() delivers them', async (t) => {
  const echo = await startEchoServer();
  t.after(() => echo.close());
  const proxy = await startTcpProxy({ targetPort: echo.port });
  t.after(() => proxy.close());
  const client = await openClient(t, proxy.url);
  let closeEvents = 0;
  client.ws.on('close', () => closeEvents++);
  client.ws.send('before');
  assert.equal((await client.nextMessage()).data.toString('utf8'), 'before');

  proxy.blackhole();
  client.ws.send('during');
  await delay(500);
  assert.equal(client.messages.length, 0);
  assert.equal(closeEvents, 0);
  assert.equal(client.ws.readyState, WebSocket.OPEN);
  assert.equal(proxy.connections(), 1);

  proxy.resume();
  assert.equal((await client.nextMessage()).data.toString('utf8'), 'during');
  client.ws.send('after');
  assert.equal((await client.nextMessage()).data.toString('utf8'), 'after');

  proxy.cutAll();
  assert.equal((await within(client.closed, 1000, 'close after cutAll')).code, 1006);
  assert.equal(closeEvents, 1);
});

// ---- nginx -----------------------------------------------------------------------------------

test('nginx proxies a WebSocket and cuts an idle one after proxy_read_timeout', async (t) => {
  const nginxPath = findNginx();
  if (nginxPath === null) return skipOrFail(t, NGINX_MISSING_MESSAGE);
  const echo = await startEchoServer();
  t.after(() => echo.close());
  const nginx = await startNginx({ upstreamPort: echo.port, proxyReadTimeout: '1s', nginxPath });
  t.after(() => nginx.stop());
  assert.match(nginx.config, /proxy_read_timeout 1s;/);

  const client = await openClient(t, nginx.url);
  client.ws.send('via nginx');
  assert.equal((await client.nextMessage()).data.toString('utf8'), 'via nginx');
  const idleSince = performance.now();
  const closed = await within(client.closed, 3000, 'nginx idle cut');
  const elapsed = closed.at - idleSince;
  assert.equal(closed.code, 1006);
  assert.ok(elapsed > 800 && elapsed < 2000, `cut after ${elapsed.toFixed(0)} ms`);
  assert.equal(echo.connectionCount(), 1);

  const { pid, prefix } = nginx;
  await nginx.stop();
  assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' });
  assert.equal(existsSync(prefix), false);
  assert.match(nginx.errorLog(), /timed out/);
});

test('nginx start failure rejects with its error output and leaves nothing behind', async (t) => {
  const nginxPath = findNginx();
  if (nginxPath === null) return skipOrFail(t, NGINX_MISSING_MESSAGE);
  await assert.rejects(
    startNginx({
      upstreamPort: 1,
      proxyReadTimeout: '1s',
      nginxPath,
      extraLocationDirectives: 'no_such_directive on;',
    }),
    /nginx exited before listening[\s\S]*unknown directive "no_such_directive"/,
  );
  await assert.rejects(
    startNginx({ upstreamPort: 1, proxyReadTimeout: '1s; evil', nginxPath }),
    /not an nginx time value/,
  );
});
