// wss:// servers with certificates from a private test CA (openssl at test time): the endpoint's
// `tls` settings against a real Session with createWsSocketFactory. Rejected without the CA
// (stage 'tls', the CA the chain ends in named), accepted with `ca` or NODE_EXTRA_CA_CERTS in the
// defaults' environment; a server that requires a client certificate: rejected without one,
// accepted with PEM cert + key and with PKCS#12 + passphrase; the passphrase is in no event.

import assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import type { TlsConfig } from '../../src/core/model/network.js';
import type { NetworkDefaults } from '../../src/node/networkDefaults.js';
import { assertEventsClean, attemptOnce } from '../helpers/networkAttempts.js';
import { skipOrFail } from '../helpers/requireComponent.js';
import { createTestPki, type TestPki } from '../helpers/testCa.js';
import { cleanups } from '../helpers/testScope.js';
import { findOpenssl, OPENSSL_MISSING_MESSAGE, startWssEchoServer, type WssEchoServer } from '../helpers/tlsServer.js';

let pki: TestPki | null = null;
let server: WssEchoServer | null = null;
let mutualServer: WssEchoServer | null = null;

before(async () => {
  if (findOpenssl() === null) return;
  pki = createTestPki();
  server = await startWssEchoServer({ key: pki.server.key, cert: pki.server.cert });
  mutualServer = await startWssEchoServer(
    { key: pki.server.key, cert: pki.server.cert },
    { requireClientCertificateFrom: pki.clientCa.cert },
  );
});
after(async () => {
  await server?.close();
  await mutualServer?.close();
  pki?.dispose();
});

function components(t: TestContext): { pki: TestPki; server: WssEchoServer; mutualServer: WssEchoServer } | null {
  if (!pki || !server || !mutualServer) {
    skipOrFail(t, OPENSSL_MISSING_MESSAGE);
    return null;
  }
  return { pki, server, mutualServer };
}

/** One attempt with these TLS settings; the defaults' environment is empty unless told. */
function attempt(t: TestContext, url: string, tls: TlsConfig | undefined, defaults: NetworkDefaults = { env: {} }) {
  return attemptOnce(cleanups(t), url, defaults, tls ? { tls } : {});
}

test("test CA: rejected without its certificate (stage tls, the chain's CA named); no WebSocket reached the server", async (t) => {
  const c = components(t);
  if (!c) return;
  const connectionsBefore = c.server.connectionCount();
  const { outcome } = await attempt(t, c.server.url, undefined);
  assert.equal(outcome.type, 'handshake-failed', JSON.stringify(outcome));
  if (outcome.type !== 'handshake-failed') return;
  assert.equal(outcome.stage, 'tls');
  assert.equal(outcome.errorCode, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  assert.equal(outcome.route?.tls?.untrustedRoot, 'CN=ws-inspector Test Root CA, O=ws-inspector tests');
  assert.match(outcome.route?.tls?.subject ?? '', /CN=ws-inspector test server/);
  assert.match(outcome.message, /ends in "CN=ws-inspector Test Root CA, O=ws-inspector tests"/);
  assert.match(outcome.message, /tls\.ca/);
  assert.equal(c.server.connectionCount(), connectionsBefore, 'no handshake request reached the untrusted server');
});

test("test CA: accepted with tls.ca, and with NODE_EXTRA_CA_CERTS in the defaults' environment; issuer and expiry recorded", async (t) => {
  const c = components(t);
  if (!c) return;
  for (const [how, tls, defaults] of [
    ['tls.ca', { ca: [c.pki.serverCa.certPath] }, { env: {} }],
    ['NODE_EXTRA_CA_CERTS', undefined, { env: { NODE_EXTRA_CA_CERTS: c.pki.serverCa.certPath } }],
  ] as Array<[string, TlsConfig | undefined, NetworkDefaults]>) {
    const { outcome } = await attempt(t, c.server.url, tls, defaults);
    assert.equal(outcome.type, 'open', `${how}: ${JSON.stringify(outcome)}`);
    if (outcome.type !== 'open') continue;
    assert.equal(outcome.route?.proxy, null);
    assert.equal(outcome.route?.tls?.issuer, 'CN=ws-inspector Test Root CA, O=ws-inspector tests', how);
    const validTo = Date.parse(outcome.route?.tls?.validTo ?? '');
    assert.ok(validTo > Date.now() && validTo < Date.now() + 2 * 86_400_000, `${how}: validTo within a day or two`);
    assert.equal(outcome.route?.tls?.untrustedRoot, undefined);
  }
});

test('a CA file that cannot be read: handshake-failed with stage config, the setting and the path named', async (t) => {
  const c = components(t);
  if (!c) return;
  const missing = `${c.pki.dir}/no-such-ca.pem`;
  const { outcome } = await attempt(t, c.server.url, { ca: [missing] });
  assert.equal(outcome.type, 'handshake-failed');
  if (outcome.type !== 'handshake-failed') return;
  assert.equal(outcome.stage, 'config');
  assert.equal(outcome.errorCode, 'ENOENT');
  assert.ok(outcome.message.includes(`tls.ca: cannot read "${missing}"`), outcome.message);
});

test('client certificate required: rejected without one (stage tls); accepted with PEM and with PKCS#12 + passphrase', async (t) => {
  const c = components(t);
  if (!c) return;
  const ca = [c.pki.serverCa.certPath];
  const without = await attempt(t, c.mutualServer.url, { ca });
  assert.equal(without.outcome.type, 'handshake-failed', JSON.stringify(without.outcome));
  if (without.outcome.type === 'handshake-failed') {
    assert.equal(without.outcome.stage, 'tls');
    // TLS 1.3: the server's alert comes after our Finished, as this error on the first read.
    assert.equal(without.outcome.errorCode, 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
    assert.match(without.outcome.message, /requires a client certificate and none was configured/);
  }
  const pem = await attempt(t, c.mutualServer.url, {
    ca,
    cert: c.pki.client.certPath,
    key: c.pki.client.keyPath,
  });
  assert.equal(pem.outcome.type, 'open', JSON.stringify(pem.outcome));
  if (pem.outcome.type === 'open') assert.equal(pem.outcome.route?.tls?.clientCertificate, true);
  const passphrase = c.pki.client.pfxPassphrase;
  const pfx = await attempt(t, c.mutualServer.url, { ca, pfx: c.pki.client.pfxPath, passphrase });
  assert.equal(pfx.outcome.type, 'open', JSON.stringify(pfx.outcome));
  assertEventsClean([without, pem, pfx], [passphrase]);
});

test('a client certificate the server does not accept (not from its client CA): stage tls, the code kept', async (t) => {
  const c = components(t);
  if (!c) return;
  const { outcome } = await attempt(t, c.mutualServer.url, {
    ca: [c.pki.serverCa.certPath],
    cert: c.pki.server.certPath,
    key: c.pki.server.keyPath,
  });
  assert.equal(outcome.type, 'handshake-failed', JSON.stringify(outcome));
  if (outcome.type !== 'handshake-failed') return;
  assert.equal(outcome.stage, 'tls');
  // Node's TLS server checks the client certificate after TLS 1.3's handshake and destroys the
  // socket without an alert: the client sees a reset before any answer (OpenSSL-based servers
  // send an alert, ERR_SSL_TLSV13_ALERT_…, which is kept as the code the same way).
  assert.equal(outcome.errorCode, 'ECONNRESET');
  assert.match(outcome.message, /refused the client certificate we presented/);
  assert.equal(outcome.route?.tls?.clientCertificate, true);
});

test('PKCS#12 with a wrong passphrase: stage config naming tls.pfx and tls.passphrase; the passphrase is in no event', async (t) => {
  const c = components(t);
  if (!c) return;
  const { outcome, live } = await attempt(t, c.mutualServer.url, {
    ca: [c.pki.serverCa.certPath],
    pfx: c.pki.client.pfxPath,
    passphrase: 'wrong-passphrase-SECRET',
  });
  assert.equal(outcome.type, 'handshake-failed', JSON.stringify(outcome));
  if (outcome.type !== 'handshake-failed') return;
  assert.equal(outcome.stage, 'config');
  assert.match(
    outcome.message,
    /^tls\.pfx ".*client\.p12" cannot be used \(.*\): the passphrase \(tls\.passphrase\) is wrong/,
  );
  assertEventsClean([{ outcome, live }], ['wrong-passphrase-SECRET']);
});
