// The tap's upstream connection takes watch's network options: a forward proxy (a real
// tinyproxy with Basic auth) and TLS (a real wss:// server with a self-signed certificate).
// Needs tinyproxy and openssl: skipped with an install hint outside CI, a failure in CI.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { test } from 'node:test';
import WebSocket from 'ws';
import { findTinyproxy, startTinyproxy } from '../helpers/forwardProxies.js';
import { skipOrFail } from '../helpers/requireComponent.js';
import { startTap, until } from '../helpers/tap.js';
import { cleanups, type EventOf } from '../helpers/testScope.js';
import {
  findOpenssl,
  generateSelfSignedCertificate,
  OPENSSL_MISSING_MESSAGE,
  startWssEchoServer,
} from '../helpers/tlsServer.js';
import { startEchoServer } from '../helpers/wsServers.js';

async function echoThrough(url: string, text: string): Promise<string> {
  const app = new WebSocket(url);
  try {
    await once(app, 'open');
    const reply = new Promise<string>((resolve) => app.once('message', (data: Buffer) => resolve(data.toString())));
    app.send(text);
    return await reply;
  } finally {
    app.terminate();
  }
}

test(
  'with --proxy, the tap reaches the server through the forward proxy (one CONNECT, credentials sent)',
  { timeout: 30_000 },
  async (t) => {
    const defer = cleanups(t);
    const executable = findTinyproxy(t);
    if (executable === null) return;
    const proxy = await startTinyproxy({ executable, basicAuth: { user: 'tap-user', password: 'tap-Pa55-word' } });
    defer(() => proxy.dispose());
    const server = await startEchoServer();
    defer(() => server.close());
    const tap = await startTap(defer, server.url, {
      network: { proxy: { setting: proxy.url, source: 'cli', from: '--proxy' } },
    });
    assert.equal(await echoThrough(`${tap.url}/x`, 'via the proxy'), 'via the proxy');
    const tunnels = proxy
      .logText()
      .split('\n')
      .filter((line) => line.includes(`CONNECT 127.0.0.1:${server.port}`)).length;
    assert.equal(tunnels, 1, `one CONNECT in tinyproxy's log:\n${proxy.logText()}`);
    // The open event records the route, as a connection of our own does: the proxy, without its password.
    const open = tap.eventsOf('tap-1').find((e): e is EventOf<'open'> => e.type === 'open')!;
    assert.equal(open.route?.proxy?.url, proxy.bareUrl);
    assert.equal(open.route?.proxy?.from, '--proxy');
  },
);

test(
  'a wss:// target: trusted with --insecure, and refused without it (the app gets a 502 and the tap records the TLS error)',
  { timeout: 30_000 },
  async (t) => {
    const defer = cleanups(t);
    const openssl = findOpenssl();
    if (openssl === null) return skipOrFail(t, OPENSSL_MISSING_MESSAGE);
    const server = await startWssEchoServer(generateSelfSignedCertificate(openssl));
    defer(() => server.close());

    const trusting = await startTap(defer, server.url, { allowSelfSignedCertificate: true });
    assert.equal(await echoThrough(trusting.url, 'over TLS'), 'over TLS');
    const open = trusting.eventsOf('tap-1').find((e): e is EventOf<'open'> => e.type === 'open');
    assert.ok(open, 'the upstream connection opened');
    assert.ok(open.route?.tls?.protocol, `TLS facts recorded: ${JSON.stringify(open.route)}`);

    const strict = await startTap(defer, server.url);
    const app = new WebSocket(strict.url);
    app.on('error', () => undefined);
    defer(() => app.terminate());
    const [, response] = (await once(app, 'unexpected-response')) as [unknown, IncomingMessage];
    assert.equal(response.statusCode, 502);
    await until(() => strict.events.some((e) => e.event.type === 'handshake-failed'), 'the failure recorded');
    const failed = strict.events.find((e) => e.event.type === 'handshake-failed')!.event as EventOf<'handshake-failed'>;
    assert.equal(failed.errorCode, 'DEPTH_ZERO_SELF_SIGNED_CERT');
  },
);
