// Through real HTTP forward proxies (tinyproxy and Squid from Debian, Basic auth, generated
// configs) to a ws:// and a wss:// echo server: a real Session with createWsSocketFactory.
// The proxy's own log proves each tunnel; the route each attempt records says which proxy,
// from where, and what the proxy answered; the proxy password appears in no event.

import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import { findSquid, findTinyproxy, startSquid, startTinyproxy, type ForwardProxy } from '../helpers/forwardProxies.js';
import { assertEventsClean, attemptOnce, startEchoTargets, type EchoTargets } from '../helpers/networkAttempts.js';
import { cleanups } from '../helpers/testScope.js';
import { findOpenssl, OPENSSL_MISSING_MESSAGE } from '../helpers/tlsServer.js';
import { startEchoServer } from '../helpers/wsServers.js';
import { skipOrFail } from '../helpers/requireComponent.js';

const AUTH = { user: 'inspector', password: 'proxy-pw-DO-NOT-LEAK' };

function connectLines(proxy: ForwardProxy, port: number): string[] {
  return proxy
    .logText()
    .split('\n')
    .filter((line) => line.includes(`CONNECT 127.0.0.1:${port}`));
}

describe('through tinyproxy with Basic auth', () => {
  let tinyproxy: ForwardProxy | null = null;
  let targets: EchoTargets;

  before(async () => (targets = await startEchoTargets()));
  after(async () => {
    await tinyproxy?.dispose();
    await targets.close();
  });

  async function proxy(t: TestContext): Promise<ForwardProxy | null> {
    const executable = findTinyproxy(t);
    if (executable === null) return null;
    tinyproxy ??= await startTinyproxy({ executable, basicAuth: AUTH });
    return tinyproxy;
  }

  test("ws:// through the endpoint's proxy: CONNECT in tinyproxy's log, the route without credentials", async (t) => {
    const defer = cleanups(t);
    const tp = await proxy(t);
    if (!tp) return;
    const { outcome, live } = await attemptOnce(defer, targets.ws.url, { env: {} }, { proxy: tp.url });
    assert.equal(outcome.type, 'open', JSON.stringify(outcome));
    if (outcome.type !== 'open') return;
    assert.deepEqual(
      { ...outcome.route?.proxy, connectHeaders: undefined },
      {
        url: tp.bareUrl,
        scheme: 'http',
        source: 'endpoint',
        from: 'endpoint "proxy"',
        authenticated: true,
        connectStatus: 200,
        connectHeaders: undefined,
      },
    );
    assert.match(outcome.route?.proxy?.connectHeaders?.['proxy-agent'] ?? '', /^tinyproxy\/1\./);
    assert.equal(outcome.route?.tls, undefined, 'no TLS facts for ws://');
    assert.ok(connectLines(tp, targets.ws.port).length > 0, `tinyproxy logged the CONNECT:\n${tp.logText()}`);
    assertEventsClean([{ outcome, live }], [AUTH.password]);
  });

  test('wss:// through HTTPS_PROXY (defaults.env): tunnelled, TLS facts of the server, not of the proxy', async (t) => {
    const defer = cleanups(t);
    const tp = await proxy(t);
    if (!tp) return;
    if (!targets.wss || !targets.pki) return skipOrFail(t, OPENSSL_MISSING_MESSAGE);
    const before = connectLines(tp, targets.wss.port).length;
    const { outcome, live } = await attemptOnce(
      defer,
      targets.wss.url,
      { env: { HTTPS_PROXY: tp.url } },
      { tls: { ca: [targets.pki.serverCa.certPath] } },
    );
    assert.equal(outcome.type, 'open', JSON.stringify(outcome));
    if (outcome.type !== 'open') return;
    assert.equal(outcome.route?.proxy?.source, 'environment');
    assert.equal(outcome.route?.proxy?.from, 'HTTPS_PROXY');
    assert.equal(outcome.route?.proxy?.url, tp.bareUrl);
    assert.match(outcome.route?.tls?.issuer ?? '', /CN=ws-inspector Test Root CA/);
    assert.match(outcome.route?.tls?.subject ?? '', /CN=ws-inspector test server/);
    assert.ok(Date.parse(outcome.route?.tls?.validTo ?? '') > Date.now(), 'validTo is an ISO time ahead');
    assert.match(outcome.route?.tls?.protocol ?? '', /^TLSv1\.[23]$/);
    assert.ok(connectLines(tp, targets.wss.port).length > before, 'tinyproxy logged the CONNECT to the wss server');
    assertEventsClean([{ outcome, live }], [AUTH.password]);
  });

  test('wss:// through the proxy to a server from an unknown CA: stage tls, the CA read through a second tunnel', async (t) => {
    const defer = cleanups(t);
    const tp = await proxy(t);
    if (!tp) return;
    if (!targets.wss) return skipOrFail(t, OPENSSL_MISSING_MESSAGE);
    const connections = targets.wss.connectionCount();
    const before = connectLines(tp, targets.wss.port).length;
    const { outcome, live } = await attemptOnce(defer, targets.wss.url, { env: { https_proxy: tp.url } });
    assert.equal(outcome.type, 'handshake-failed', JSON.stringify(outcome));
    if (outcome.type !== 'handshake-failed') return;
    assert.equal(outcome.stage, 'tls');
    assert.equal(outcome.errorCode, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    assert.equal(outcome.route?.proxy?.from, 'https_proxy');
    assert.equal(outcome.route?.tls?.untrustedRoot, 'CN=ws-inspector Test Root CA, O=ws-inspector tests');
    assert.equal(connectLines(tp, targets.wss.port).length, before + 2, 'the attempt and the chain read: two tunnels');
    assert.equal(targets.wss.connectionCount(), connections, 'no handshake request reached the untrusted server');
    assertEventsClean([{ outcome, live }], [AUTH.password]);
  });

  test('the environment: HTTP_PROXY for ws://, lower case first, ALL_PROXY last; HTTPS_PROXY ignored for ws://', async (t) => {
    const defer = cleanups(t);
    const tp = await proxy(t);
    if (!tp) return;
    const cases: Array<{ env: Record<string, string>; from: string | null }> = [
      { env: { HTTP_PROXY: tp.url }, from: 'HTTP_PROXY' },
      { env: { http_proxy: tp.url, HTTP_PROXY: 'http://127.0.0.1:9' }, from: 'http_proxy' },
      { env: { ALL_PROXY: tp.url }, from: 'ALL_PROXY' },
      { env: { all_proxy: tp.url }, from: 'all_proxy' },
      { env: { HTTPS_PROXY: 'http://127.0.0.1:9' }, from: null },
    ];
    for (const { env, from } of cases) {
      const { outcome } = await attemptOnce(defer, targets.ws.url, { env });
      assert.equal(outcome.type, 'open', `${JSON.stringify(env)}: ${JSON.stringify(outcome)}`);
      if (outcome.type !== 'open') continue;
      assert.equal(outcome.route?.proxy?.from ?? null, from, JSON.stringify(env));
    }
  });

  test('NO_PROXY and defaults.noProxy bypass it (recorded with the rule); the endpoint\'s "none"; the endpoint beats the environment', async (t) => {
    const defer = cleanups(t);
    const tp = await proxy(t);
    if (!tp) return;
    const dead = 'http://127.0.0.1:9';
    const noProxy = await attemptOnce(defer, targets.ws.url, {
      env: { HTTP_PROXY: dead, NO_PROXY: 'example.com, 127.0.0.1' },
    });
    assert.equal(noProxy.outcome.type, 'open', JSON.stringify(noProxy.outcome));
    if (noProxy.outcome.type === 'open') {
      assert.equal(noProxy.outcome.route?.proxy, null);
      assert.deepEqual(noProxy.outcome.route?.bypassed, {
        url: dead,
        from: 'HTTP_PROXY',
        reason: 'no-proxy',
        rule: '127.0.0.1',
      });
    }
    const vscodeNoProxy = await attemptOnce(defer, targets.ws.url, {
      proxy: { setting: dead, source: 'vscode', from: 'http.proxy' },
      noProxy: [`127.0.0.1:${targets.ws.port}`],
      env: {},
    });
    assert.equal(vscodeNoProxy.outcome.type, 'open');
    if (vscodeNoProxy.outcome.type === 'open') {
      assert.equal(vscodeNoProxy.outcome.route?.bypassed?.from, 'http.proxy');
      assert.equal(vscodeNoProxy.outcome.route?.bypassed?.rule, `127.0.0.1:${targets.ws.port}`);
    }
    const none = await attemptOnce(defer, targets.ws.url, { env: { HTTP_PROXY: dead } }, { proxy: 'none' });
    assert.equal(none.outcome.type, 'open');
    if (none.outcome.type === 'open') {
      assert.deepEqual(none.outcome.route?.bypassed, { url: dead, from: 'HTTP_PROXY', reason: 'endpoint-none' });
    }
    const cliNone = await attemptOnce(defer, targets.ws.url, {
      proxy: { setting: 'none', source: 'cli', from: '--no-proxy' },
      env: { HTTP_PROXY: dead },
    });
    assert.equal(cliNone.outcome.type, 'open');
    if (cliNone.outcome.type === 'open') assert.equal(cliNone.outcome.route?.bypassed?.reason, 'cli-no-proxy');
    const endpointWins = await attemptOnce(defer, targets.ws.url, { env: { HTTP_PROXY: dead } }, { proxy: tp.url });
    assert.equal(endpointWins.outcome.type, 'open', JSON.stringify(endpointWins.outcome));
    if (endpointWins.outcome.type === 'open') assert.equal(endpointWins.outcome.route?.proxy?.source, 'endpoint');
    const frontEndWins = await attemptOnce(defer, targets.ws.url, {
      proxy: { setting: tp.url, source: 'cli', from: '--proxy' },
      env: { HTTP_PROXY: dead },
    });
    assert.equal(frontEndWins.outcome.type, 'open', JSON.stringify(frontEndWins.outcome));
    if (frontEndWins.outcome.type === 'open') assert.equal(frontEndWins.outcome.route?.proxy?.from, '--proxy');
  });

  test("wrong credentials: stage proxy with tinyproxy's status (1.11.1 sends 401) and body; no password anywhere", async (t) => {
    const defer = cleanups(t);
    const tp = await proxy(t);
    if (!tp) return;
    const wrong = tp.url.replace(encodeURIComponent(AUTH.password), 'wrong-pw-ALSO-SECRET');
    const { outcome, live } = await attemptOnce(defer, targets.ws.url, { env: {} }, { proxy: wrong });
    assert.equal(outcome.type, 'handshake-failed', JSON.stringify(outcome));
    if (outcome.type !== 'handshake-failed') return;
    assert.equal(outcome.stage, 'proxy');
    assert.ok(outcome.status === 401 || outcome.status === 407, `status ${outcome.status}`);
    assert.match(outcome.message, new RegExp(`the proxy ${tp.bareUrl} \\(from endpoint "proxy"\\) answered CONNECT`));
    assertProxyPage(outcome.body, /tinyproxy|Unauthorized/i);
    assert.equal(outcome.route?.proxy?.authenticated, true);
    assertEventsClean([{ outcome, live }], [AUTH.password, 'wrong-pw-ALSO-SECRET']);
  });

  test("the server down behind the proxy: stage proxy with tinyproxy's own answer (500) and body", async (t) => {
    const defer = cleanups(t);
    const tp = await proxy(t);
    if (!tp) return;
    const { outcome, live } = await attemptOnce(defer, 'ws://127.0.0.1:9/', { env: { HTTP_PROXY: tp.url } });
    assert.equal(outcome.type, 'handshake-failed', JSON.stringify(outcome));
    if (outcome.type !== 'handshake-failed') return;
    assert.equal(outcome.stage, 'proxy');
    assert.equal(outcome.status, 500);
    assert.match(outcome.message, /did not open the tunnel to the server/);
    assertProxyPage(outcome.body, /Unable to connect|tinyproxy/i);
    assertEventsClean([{ outcome, live }], [AUTH.password]);
  });

  test('the proxy unreachable: stage proxy, the message names the proxy (no credentials) and where it came from', async (t) => {
    const defer = cleanups(t);
    const { outcome, live } = await attemptOnce(defer, targets.ws.url, {
      env: { HTTP_PROXY: `http://${AUTH.user}:${AUTH.password}@127.0.0.1:9` },
    });
    assert.equal(outcome.type, 'handshake-failed', JSON.stringify(outcome));
    if (outcome.type !== 'handshake-failed') return;
    assert.equal(outcome.stage, 'proxy');
    assert.equal(outcome.errorCode, 'ECONNREFUSED');
    assert.match(outcome.message, /the proxy http:\/\/127\.0\.0\.1:9 \(from HTTP_PROXY\)/);
    assertEventsClean([{ outcome, live }], [AUTH.password]);
  });
});

/**
 * tinyproxy's error page, as far as the tunnel kept it. https-proxy-agent closes the socket once
 * it has the answer's headers (node_modules/https-proxy-agent/dist/index.js: it replays only the
 * bytes `buffered` with them), and tinyproxy writes its page apart from its headers
 * (html-error.c: send_http_headers, then the page): nearly always read with them, but not
 * always (one CI run read none of it). A page that came must be tinyproxy's.
 */
function assertProxyPage(body: string | null | undefined, expected: RegExp): void {
  if (body) assert.match(body, expected);
}
test('through Squid with Basic auth: 407 for wrong credentials, its Via in the CONNECT answer when right', async (t) => {
  const defer = cleanups(t);
  const components = findSquid(t);
  if (!components) return;
  if (findOpenssl() === null) return skipOrFail(t, OPENSSL_MISSING_MESSAGE);
  const server = await startEchoServer();
  defer(() => server.close());
  const squid = await startSquid(components, AUTH);
  defer(() => squid.dispose());
  const right = await attemptOnce(defer, server.url, { env: { http_proxy: squid.url } });
  assert.equal(right.outcome.type, 'open', `${JSON.stringify(right.outcome)}\n${squid.logText()}`);
  if (right.outcome.type === 'open') {
    assert.equal(right.outcome.route?.proxy?.connectStatus, 200);
    assert.ok(squid.logText().includes(`CONNECT 127.0.0.1:${server.port}`), squid.logText());
  }
  const wrong = await attemptOnce(defer, server.url, { env: {} }, { proxy: squid.bareUrl });
  assert.equal(wrong.outcome.type, 'handshake-failed');
  if (wrong.outcome.type !== 'handshake-failed') return;
  assert.equal(wrong.outcome.stage, 'proxy');
  assert.equal(wrong.outcome.status, 407);
  assert.match(wrong.outcome.message, /requires credentials, and none were given/);
  assert.match(wrong.outcome.responseHeaders?.['Proxy-Authenticate'] ?? '', /Basic/);
  assert.equal(wrong.outcome.requestHeaders, null, 'the handshake request never left');
  assertEventsClean([right, wrong], [AUTH.password]);
});
