// The tap's upstream connection takes watch's network options: a forward proxy (a real
// tinyproxy with Basic auth) and TLS (a real wss:// server with a self-signed certificate).
// A failed upstream handshake says where it failed (stage proxy, tls) in the words a connection
// of the inspector's own uses (wsSocket.ts's HandshakeWatch), and a server that never answers
// the upgrade is given up at the deadline with 504 Gateway Timeout.
// Needs tinyproxy and openssl: skipped with an install hint outside CI, a failure in CI.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { test, type TestContext } from 'node:test';
import WebSocket from 'ws';
import { main } from '../../src/cli/main.js';
import { freePort, waitForPort } from '../../support/ports.js';
import { findTinyproxy, startTinyproxy, type ForwardProxy } from '../helpers/forwardProxies.js';
import { startSilentHandshakeServer } from '../helpers/rawServers.js';
import { skipOrFail } from '../helpers/requireComponent.js';
import { startTap, until } from '../helpers/tap.js';
import { createTestPki } from '../helpers/testCa.js';
import { cleanups, type EventOf } from '../helpers/testScope.js';
import {
  findOpenssl,
  generateSelfSignedCertificate,
  OPENSSL_MISSING_MESSAGE,
  startWssEchoServer,
} from '../helpers/tlsServer.js';
import { startEchoServer } from '../helpers/wsServers.js';

/** An echo server behind a tinyproxy wanting Basic auth, and a tap to it through the proxy at `proxyUrl`. */
async function tapThroughTinyproxy(t: TestContext, proxyUrl: (proxy: ForwardProxy) => string) {
  const defer = cleanups(t);
  const executable = findTinyproxy(t);
  if (executable === null) return null;
  const proxy = await startTinyproxy({ executable, basicAuth: { user: 'tap-user', password: 'tap-Pa55-word' } });
  defer(() => proxy.dispose());
  const server = await startEchoServer();
  defer(() => server.close());
  const tap = await startTap(defer, server.url, {
    network: { proxy: { setting: proxyUrl(proxy), source: 'cli', from: '--proxy' } },
  });
  return { defer, proxy, server, tap };
}

/** The app's connection through the tap, refused: the status the app was answered, and its body. */
async function refusal(url: string, defer: (fn: () => unknown) => void): Promise<{ status?: number; body: string }> {
  const app = new WebSocket(url);
  app.on('error', () => undefined);
  defer(() => app.terminate());
  const [, response] = (await once(app, 'unexpected-response')) as [unknown, IncomingMessage];
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return {
    ...(response.statusCode !== undefined ? { status: response.statusCode } : {}),
    body: Buffer.concat(chunks).toString(),
  };
}

async function refusedStatus(url: string, defer: (fn: () => unknown) => void): Promise<number | undefined> {
  return (await refusal(url, defer)).status;
}

function handshakeFailure(events: ReadonlyArray<{ event: { type: string } }>): EventOf<'handshake-failed'> {
  return events.find((e) => e.event.type === 'handshake-failed')!.event as EventOf<'handshake-failed'>;
}

async function echoThrough(url: string, text: string, options: WebSocket.ClientOptions = {}): Promise<string> {
  const app = new WebSocket(url, options);
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
    const setup = await tapThroughTinyproxy(t, (proxy) => proxy.url);
    if (!setup) return;
    const { proxy, server, tap } = setup;
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

test(
  "a proxy refusing CONNECT (tinyproxy wanting credentials): the app gets the proxy's status, the record says stage proxy",
  { timeout: 30_000 },
  async (t) => {
    // No credentials given: tinyproxy answers 407 (401 before 1.11.2) instead of opening the tunnel.
    const setup = await tapThroughTinyproxy(t, (proxy) => proxy.bareUrl);
    if (!setup) return;
    const { defer, proxy, server, tap } = setup;
    const status = await refusedStatus(`${tap.url}/x`, defer);
    assert.ok(status === 407 || status === 401, `the proxy's status reached the app: ${status}`);
    await until(() => tap.events.some((e) => e.event.type === 'handshake-failed'), 'the failure recorded');
    const failed = handshakeFailure(tap.events);
    assert.equal(failed.stage, 'proxy');
    assert.equal(failed.status, status);
    assert.equal(failed.requestHeaders, null, 'the handshake request never reached the server');
    assert.match(failed.message, new RegExp(`^the proxy ${proxy.bareUrl} \\(from --proxy\\) answered CONNECT`));
    assert.match(failed.message, /the app got the same answer$/);
    assert.equal(failed.route?.proxy?.connectStatus, status);
    assert.equal(server.connectionCount(), 0, 'no WebSocket reached the server');
  },
);

test(
  'a wss:// server whose certificate comes from a CA this machine does not trust: 502, stage tls, the CA named',
  { timeout: 30_000 },
  async (t) => {
    const defer = cleanups(t);
    if (findOpenssl() === null) return skipOrFail(t, OPENSSL_MISSING_MESSAGE);
    const pki = createTestPki();
    defer(() => pki.dispose());
    const server = await startWssEchoServer({ key: pki.server.key, cert: pki.server.cert });
    defer(() => server.close());
    const tap = await startTap(defer, server.url);
    assert.equal(await refusedStatus(tap.url, defer), 502);
    await until(() => tap.events.some((e) => e.event.type === 'handshake-failed'), 'the failure recorded');
    const failed = handshakeFailure(tap.events);
    assert.equal(failed.stage, 'tls');
    assert.equal(failed.errorCode, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    // Read by a second, data-free handshake, as for a connection of the inspector's own.
    assert.equal(failed.route?.tls?.untrustedRoot, 'CN=ws-inspector Test Root CA, O=ws-inspector tests');
    assert.match(failed.message, /not trusted by this machine; add that CA's PEM file/);
    assert.equal(server.connectionCount(), 0, 'no WebSocket reached the server');
  },
);

test(
  'a server that never answers the upgrade: the app gets 504 Gateway Timeout at the deadline, recorded as ETIMEDOUT',
  { timeout: 30_000 },
  async (t) => {
    const defer = cleanups(t);
    const server = await startSilentHandshakeServer();
    defer(() => server.close());
    // A target with a token of the user's: the app's answer does not show it.
    const tap = await startTap(defer, `${server.url}feed?token=user-TOKEN-never-shown`, { handshakeTimeoutMs: 300 });
    const answer = await refusal(tap.url, defer);
    assert.equal(answer.status, 504);
    assert.match(answer.body, /^the tap's connection to the server: Opening handshake has timed out after 300 ms/);
    assert.doesNotMatch(answer.body, /user-TOKEN-never-shown/);
    const failed = handshakeFailure(tap.events);
    assert.equal(failed.errorCode, 'ETIMEDOUT');
    assert.match(failed.message, /handshake has timed out after 300 ms .*; the app got 504 Gateway Timeout$/);
    assert.equal(server.connectionCount(), 1, 'the server was reached, and kept silent');
  },
);

test(
  'a wss:// listener (listenTls): an app trusting the test CA reaches a ws:// server through it; PEM paths or contents',
  { timeout: 30_000 },
  async (t) => {
    const defer = cleanups(t);
    if (findOpenssl() === null) return skipOrFail(t, OPENSSL_MISSING_MESSAGE);
    const pki = createTestPki();
    defer(() => pki.dispose());
    const server = await startEchoServer();
    defer(() => server.close());
    const byPath = await startTap(defer, server.url, {
      listenTls: { cert: pki.server.certPath, key: pki.server.keyPath },
    });
    const byContents = await startTap(defer, server.url, { listenTls: { cert: pki.server.cert, key: pki.server.key } });
    for (const tap of [byPath, byContents]) {
      assert.equal(tap.relay.scheme, 'wss:');
      const url = `wss://127.0.0.1:${tap.relay.port}/secure`;
      const app = new WebSocket(url, { ca: pki.serverCa.cert });
      defer(() => app.terminate());
      await once(app, 'open');
      const reply = new Promise<string>((resolve) => app.once('message', (data: Buffer) => resolve(data.toString())));
      app.send('over wss://');
      assert.equal(await reply, 'over wss://');
      const open = tap.eventsOf('tap-1').find((e): e is EventOf<'open'> => e.type === 'open');
      assert.ok(open, 'the relayed connection opened and was recorded');
    }
    // An app that does not trust the listener's CA does not get through.
    const untrusting = new WebSocket(`wss://127.0.0.1:${byPath.relay.port}/secure`);
    defer(() => untrusting.terminate());
    const [error] = (await once(untrusting, 'error')) as [Error & { code?: string }];
    assert.equal(error.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  },
);

test(
  'tap --listen-cert/--listen-key: the banner says wss://, an app trusting the CA gets through; one without the other is a usage error',
  { timeout: 30_000 },
  async (t) => {
    const defer = cleanups(t);
    if (findOpenssl() === null) return skipOrFail(t, OPENSSL_MISSING_MESSAGE);
    const pki = createTestPki();
    defer(() => pki.dispose());
    const server = await startEchoServer();
    defer(() => server.close());
    const port = await freePort();
    const err: string[] = [];
    const io = { out: () => undefined, err: (line: string) => err.push(line) };
    const stop = new AbortController();
    const tls = ['--listen-cert', pki.server.certPath, '--listen-key', pki.server.keyPath];
    const running = main(['tap', '--listen', String(port), ...tls, '--target', server.url, '--quiet'], io, stop.signal);
    defer(() => stop.abort());
    await waitForPort(port);
    assert.match(err.join('\n'), new RegExp(`point your app at wss://127\\.0\\.0\\.1:${port}`));
    assert.equal(
      await echoThrough(`wss://127.0.0.1:${port}/`, 'cli over wss://', { ca: pki.serverCa.cert }),
      'cli over wss://',
    );
    stop.abort();
    assert.equal(await running, 0);

    const alone = main(['tap', '--listen', '8787', tls[0]!, tls[1]!, '--target', server.url], io, stop.signal);
    assert.equal(await alone, 2);
    assert.match(err.join('\n'), /--listen-cert FILE and --listen-key FILE go together/);
  },
);
