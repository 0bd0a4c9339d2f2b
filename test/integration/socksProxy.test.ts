// Through a real SOCKS5 server (microsocks from Debian, with and without username/password) to
// a ws:// and a wss:// echo server, with a real Session and createWsSocketFactory.
// socks5h:// must let the proxy resolve the name: microsocks logs nothing per connection, so a
// relay in front of it records the SOCKS5 CONNECT request (RFC 1928 §4): ATYP 3 and the name
// `localhost` for socks5h://, ATYP 1 and 127.0.0.1 for socks5:// (resolved here).

import assert from 'node:assert/strict';
import { connect, createServer, type Socket } from 'node:net';
import { after, before, describe, test, type TestContext } from 'node:test';
import { listenOnLoopback } from '../../support/ports.js';
import { findMicrosocks, startSocksProxy, type ForwardProxy } from '../helpers/forwardProxies.js';
import { assertEventsClean, attemptOnce } from '../helpers/networkAttempts.js';
import { skipOrFail } from '../helpers/requireComponent.js';
import { createTestPki, type TestPki } from '../helpers/testCa.js';
import { cleanups } from '../helpers/testScope.js';
import { findOpenssl, OPENSSL_MISSING_MESSAGE, startWssEchoServer, type WssEchoServer } from '../helpers/tlsServer.js';
import { startEchoServer, type TestWsServer } from '../helpers/wsServers.js';

const AUTH = { user: 'socksuser', password: 'socks-pw-DO-NOT-LEAK' };

/** A TCP relay to `port` that keeps the first bytes each client sent. */
async function recordingRelay(port: number): Promise<{ port: number; sent: Buffer[]; close(): Promise<void> }> {
  const sent: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port });
    sockets.add(client).add(upstream);
    let bytes = Buffer.alloc(0);
    const index = sent.push(bytes) - 1;
    client.on('data', (chunk: Buffer) => {
      if (bytes.length < 512) sent[index] = bytes = Buffer.concat([bytes, chunk]);
    });
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  const relayPort = await listenOnLoopback(server);
  return {
    port: relayPort,
    sent,
    close: () =>
      new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => done());
      }),
  };
}

/**
 * The SOCKS5 CONNECT request in what a client sent: after the greeting (VER NMETHODS METHODS)
 * and, with username/password, the RFC 1929 sub-negotiation (VER ULEN UNAME PLEN PASSWD).
 */
function socksConnectRequest(bytes: Buffer, withAuth: boolean): { atyp: number; host: string } {
  let offset = 2 + bytes[1]!;
  if (withAuth) {
    const userLength = bytes[offset + 1]!;
    offset += 2 + userLength + 1 + bytes[offset + 2 + userLength]!;
  }
  assert.equal(bytes[offset], 5, 'SOCKS version 5');
  assert.equal(bytes[offset + 1], 1, 'CONNECT');
  const atyp = bytes[offset + 3]!;
  const host =
    atyp === 3
      ? bytes.subarray(offset + 5, offset + 5 + bytes[offset + 4]!).toString('latin1')
      : atyp === 1
        ? [...bytes.subarray(offset + 4, offset + 8)].join('.')
        : `atyp ${atyp}`;
  return { atyp, host };
}

describe('through microsocks', () => {
  let withAuth: ForwardProxy | null = null;
  let open: ForwardProxy | null = null;
  let wsServer: TestWsServer;
  let wssServer: WssEchoServer | null = null;
  let pki: TestPki | null = null;

  before(async () => {
    wsServer = await startEchoServer();
    if (findOpenssl() !== null) {
      pki = createTestPki();
      wssServer = await startWssEchoServer({ key: pki.server.key, cert: pki.server.cert });
    }
  });
  after(async () => {
    await withAuth?.dispose();
    await open?.dispose();
    await wssServer?.close();
    await wsServer.close();
    pki?.dispose();
  });

  async function proxies(t: TestContext): Promise<{ withAuth: ForwardProxy; open: ForwardProxy } | null> {
    const executable = findMicrosocks(t);
    if (executable === null) return null;
    withAuth ??= await startSocksProxy({ executable, auth: AUTH });
    open ??= await startSocksProxy({ executable });
    return { withAuth, open };
  }

  test('socks5:// with username/password to ws:// and wss://: the route names it, no TLS facts of the proxy', async (t) => {
    const p = await proxies(t);
    if (!p) return;
    if (!wssServer || !pki) return skipOrFail(t, OPENSSL_MISSING_MESSAGE);
    const plain = await attemptOnce(cleanups(t), wsServer.url, { env: { ALL_PROXY: p.withAuth.url } });
    assert.equal(plain.outcome.type, 'open', JSON.stringify(plain.outcome));
    if (plain.outcome.type === 'open') {
      assert.deepEqual(plain.outcome.route?.proxy, {
        url: p.withAuth.bareUrl,
        scheme: 'socks5',
        source: 'environment',
        from: 'ALL_PROXY',
        authenticated: true,
      });
    }
    const secure = await attemptOnce(
      cleanups(t),
      wssServer.url,
      { env: {} },
      { proxy: p.withAuth.url, tls: { ca: [pki.serverCa.certPath] } },
    );
    assert.equal(secure.outcome.type, 'open', JSON.stringify(secure.outcome));
    if (secure.outcome.type === 'open') {
      assert.equal(secure.outcome.route?.proxy?.scheme, 'socks5');
      assert.match(secure.outcome.route?.tls?.issuer ?? '', /ws-inspector Test Root CA/);
    }
    assertEventsClean([plain, secure], [AUTH.password]);
  });

  test('socks5h:// sends the name for the proxy to resolve; socks5:// sends the address resolved here', async (t) => {
    const p = await proxies(t);
    if (!p) return;
    const relay = await recordingRelay(p.open.port);
    t.after(() => relay.close());
    const url = `ws://localhost:${wsServer.port}/`;
    for (const [scheme, atyp, host] of [
      ['socks5h', 3, 'localhost'],
      ['socks5', 1, '127.0.0.1'],
    ] as const) {
      const before = relay.sent.length;
      const { outcome } = await attemptOnce(
        cleanups(t),
        url,
        { env: {} },
        { proxy: `${scheme}://127.0.0.1:${relay.port}` },
      );
      assert.equal(outcome.type, 'open', `${scheme}: ${JSON.stringify(outcome)}`);
      const request = socksConnectRequest(relay.sent[before]!, false);
      assert.deepEqual(request, { atyp, host }, scheme);
    }
  });

  test('wrong SOCKS password, and the SOCKS proxy unreachable: stage proxy, named without credentials', async (t) => {
    const p = await proxies(t);
    if (!p) return;
    const wrongUrl = `socks5://${AUTH.user}:wrong-SECRET@127.0.0.1:${p.withAuth.port}`;
    const wrong = await attemptOnce(cleanups(t), wsServer.url, { env: {} }, { proxy: wrongUrl });
    assert.equal(wrong.outcome.type, 'handshake-failed', JSON.stringify(wrong.outcome));
    if (wrong.outcome.type === 'handshake-failed') {
      assert.equal(wrong.outcome.stage, 'proxy');
      assert.match(
        wrong.outcome.message,
        new RegExp(`the SOCKS proxy socks5://127\\.0\\.0\\.1:${p.withAuth.port} \\(from endpoint "proxy"\\)`),
      );
      t.diagnostic(wrong.outcome.message);
    }
    const unreachable = await attemptOnce(cleanups(t), wsServer.url, {
      env: { all_proxy: `socks5h://${AUTH.user}:${AUTH.password}@127.0.0.1:9` },
    });
    assert.equal(unreachable.outcome.type, 'handshake-failed');
    if (unreachable.outcome.type === 'handshake-failed') {
      assert.equal(unreachable.outcome.stage, 'proxy');
      assert.equal(unreachable.outcome.errorCode, 'ECONNREFUSED');
      assert.match(unreachable.outcome.message, /the SOCKS proxy socks5h:\/\/127\.0\.0\.1:9 \(from all_proxy\)/);
    }
    assertEventsClean([wrong, unreachable], ['wrong-SECRET', AUTH.password]);
  });
});
