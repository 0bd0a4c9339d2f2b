// The diagnosis of handshakes that failed at a real forward proxy or in TLS, as a real Session
// with the node adapter records them (createWsSocketFactory): tinyproxy with Basic auth (no
// credentials, wrong ones), a proxy that is not there, a server the proxy cannot reach, a
// server certificate from a test CA, a server that requires a client certificate, a wrong
// PKCS#12 passphrase. Each diagnosis names the proxy or the TLS cause, and no event carries a
// password or passphrase.

import assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import type { DiagnosisEvent } from '../../src/core/model/sessionEvents.js';
import { freePort } from '../../support/ports.js';
import {
  findMicrosocks,
  findTinyproxy,
  startSocksProxy,
  startTinyproxy,
  type ForwardProxy,
} from '../helpers/forwardProxies.js';
import { assertEventsClean, attemptOnce, type AttemptOutcome } from '../helpers/networkAttempts.js';
import { skipOrFail } from '../helpers/requireComponent.js';
import { createTestPki, type TestPki } from '../helpers/testCa.js';
import { cleanups } from '../helpers/testScope.js';
import { findOpenssl, OPENSSL_MISSING_MESSAGE, startWssEchoServer, type WssEchoServer } from '../helpers/tlsServer.js';
import { startEchoServer, type TestWsServer } from '../helpers/wsServers.js';

const AUTH = { user: 'inspector', password: 'proxy-pw-NEVER-SHOWN' };

let wsServer: TestWsServer;
let pki: TestPki | null = null;
let wssServer: WssEchoServer | null = null;
let mutualServer: WssEchoServer | null = null;

before(async () => {
  wsServer = await startEchoServer();
  if (findOpenssl() === null) return;
  pki = createTestPki();
  wssServer = await startWssEchoServer({ key: pki.server.key, cert: pki.server.cert });
  mutualServer = await startWssEchoServer(
    { key: pki.server.key, cert: pki.server.cert },
    { requireClientCertificateFrom: pki.clientCa.cert },
  );
});
after(async () => {
  await wssServer?.close();
  await mutualServer?.close();
  await wsServer.close();
  pki?.dispose();
});

/** tinyproxy with Basic auth for this test only, or null after skipping when it is missing. */
async function proxy(t: TestContext, defer: (fn: () => unknown) => void): Promise<ForwardProxy | null> {
  const executable = findTinyproxy(t);
  if (executable === null) return null;
  const started = await startTinyproxy({ executable, basicAuth: AUTH });
  defer(() => started.dispose());
  return started;
}

function tls(t: TestContext): { pki: TestPki; wssServer: WssEchoServer; mutualServer: WssEchoServer } | null {
  if (!pki || !wssServer || !mutualServer) {
    skipOrFail(t, OPENSSL_MISSING_MESSAGE);
    return null;
  }
  return { pki, wssServer, mutualServer };
}

/** The handshake diagnosis the session recorded for its failed attempt. */
function diagnosisOf(t: TestContext, attempt: AttemptOutcome): DiagnosisEvent {
  assert.equal(attempt.outcome.type, 'handshake-failed', JSON.stringify(attempt.outcome));
  const diagnosis = attempt.live.events.find(
    (e): e is DiagnosisEvent => e.type === 'diagnosis' && e.kind === 'handshake',
  );
  assert.ok(diagnosis, `a handshake diagnosis; events: ${attempt.live.events.map((e) => e.type).join(', ')}`);
  t.diagnostic(diagnosis.summary);
  return diagnosis;
}

test('tinyproxy wanting credentials: none sent, then wrong ones; how to set them; no password anywhere', async (t) => {
  const defer = cleanups(t);
  const tp = await proxy(t, defer);
  if (!tp) return;
  const none = await attemptOnce(defer, wsServer.url, { env: {} }, { proxy: tp.bareUrl });
  const noneDiagnosis = diagnosisOf(t, none);
  assert.match(noneDiagnosis.summary, /The proxy requires credentials, and none were sent \(HTTP 40[17]\)$/);
  assert.ok(noneDiagnosis.advice.includes(`The HTTP proxy at ${tp.bareUrl} (endpoint "proxy")`), noneDiagnosis.advice);
  assert.match(noneDiagnosis.advice, /\$\{secret:proxyPassword\}/);

  const wrongUrl = tp.url.replace(encodeURIComponent(AUTH.password), 'wrong-pw-ALSO-SECRET');
  const wrong = await attemptOnce(defer, wsServer.url, { env: {} }, { proxy: wrongUrl });
  const wrongDiagnosis = diagnosisOf(t, wrong);
  assert.match(wrongDiagnosis.summary, /The proxy refused the credentials \(HTTP 40[17]\)$/);
  assertEventsClean([none, wrong], [AUTH.password, 'wrong-pw-ALSO-SECRET']);
});

test('a proxy that is not there, and a server the proxy cannot reach: each named for what it is', async (t) => {
  const defer = cleanups(t);
  const tp = await proxy(t, defer);
  if (!tp) return;
  const deadProxy = `http://127.0.0.1:${await freePort()}`;
  const dead = await attemptOnce(defer, wsServer.url, { env: { HTTPS_PROXY: deadProxy, HTTP_PROXY: deadProxy } });
  const deadDiagnosis = diagnosisOf(t, dead);
  assert.equal(deadDiagnosis.summary, 'Handshake failed once: The proxy refused the connection (ECONNREFUSED)');
  assert.match(
    deadDiagnosis.advice,
    new RegExp(`the HTTP proxy at ${deadProxy.replace(/[.]/g, '\\.')} \\(HTTP_PROXY\\)`),
  );
  assert.match(deadDiagnosis.advice, /The server itself was never contacted/);

  const unreachable = await attemptOnce(defer, `ws://127.0.0.1:${await freePort()}/`, { env: {} }, { proxy: tp.url });
  const unreachableDiagnosis = diagnosisOf(t, unreachable);
  assert.match(unreachableDiagnosis.summary, /The proxy could not reach the server \(HTTP 500\)$/);
  assert.match(unreachableDiagnosis.advice, /"500 Unable to connect"/);
  assertEventsClean([dead, unreachable], [AUTH.password]);
});

test('a certificate from a test CA: a CA this machine does not trust, named, with the CA fix first', async (t) => {
  const c = tls(t);
  if (!c) return;
  const attempt = await attemptOnce(cleanups(t), c.wssServer.url, { env: {} });
  const diagnosis = diagnosisOf(t, attempt);
  assert.match(diagnosis.advice, /ends in CN=ws-inspector Test Root CA, O=ws-inspector tests/);
  assert.match(diagnosis.advice, /tls\.ca .*--ca FILE.*NODE_EXTRA_CA_CERTS/s);
  // Turning checks off is offered only for a development server, after the CA fix.
  const advice = diagnosis.advice;
  assert.ok(advice.indexOf('tls.ca') < advice.indexOf('allowSelfSignedCertificate'), advice);
});

test('a server that requires a client certificate: none sent; a wrong PKCS#12 passphrase: the passphrase', async (t) => {
  const c = tls(t);
  if (!c) return;
  const defer = cleanups(t);
  const ca = [c.pki.serverCa.certPath];
  const none = await attemptOnce(defer, c.mutualServer.url, { env: {} }, { tls: { ca } });
  const noneDiagnosis = diagnosisOf(t, none);
  assert.match(noneDiagnosis.summary, /client certificate/);
  assert.match(noneDiagnosis.advice, /tls\.cert and tls\.key/);
  assert.doesNotMatch(noneDiagnosis.summary, /refused our client certificate/);

  const passphrase = 'wrong-passphrase-NEVER-SHOWN';
  const wrong = await attemptOnce(
    defer,
    c.mutualServer.url,
    { env: {} },
    { tls: { ca, pfx: c.pki.client.pfxPath, passphrase } },
  );
  const wrongDiagnosis = diagnosisOf(t, wrong);
  assert.match(wrongDiagnosis.summary, /Wrong passphrase for the client key/);
  assertEventsClean([none, wrong], [passphrase, c.pki.client.pfxPassphrase]);
});

test("socks5h:// to a name the proxy cannot resolve (microsocks): the SOCKS proxy's reply, resolved there", async (t) => {
  const executable = findMicrosocks(t);
  if (executable === null) return;
  const defer = cleanups(t);
  const socks = await startSocksProxy({ executable });
  defer(() => socks.dispose());
  const proxyUrl = socks.bareUrl.replace(/^socks5:/, 'socks5h:');
  const attempt = await attemptOnce(defer, 'ws://no-such-host.invalid/', { env: {} }, { proxy: proxyUrl });
  const diagnosis = diagnosisOf(t, attempt);
  assert.match(diagnosis.summary, /The SOCKS proxy could not reach the server$/);
  assert.match(diagnosis.advice, /With socks5h:\/\/ the proxy resolves no-such-host\.invalid itself/);
  assert.ok(diagnosis.advice.includes(`The SOCKS5 proxy at ${proxyUrl} (endpoint "proxy")`), diagnosis.advice);
});
