// wss:// against a local server whose certificate is self-signed (generated with openssl at
// test time): refused by default with an error that says how to allow it, accepted when the
// endpoint allows it (and only that endpoint), in the session engine and in the CLI.

import assert from 'node:assert/strict';
import { before, test, type TestContext } from 'node:test';
import { buildCli, describeRun, parseNdjson, runCli } from '../helpers/cliProcess.js';
import { skipOrFail } from '../helpers/requireComponent.js';
import { startRecordedSession } from '../helpers/sessionRecorder.js';
import { cleanups } from '../helpers/testScope.js';
import {
  findOpenssl,
  generateSelfSignedCertificate,
  OPENSSL_MISSING_MESSAGE,
  startWssEchoServer,
  type SelfSignedCertificate,
  type WssEchoServer,
} from '../helpers/tlsServer.js';

let certificate: SelfSignedCertificate | null = null;

before(() => {
  buildCli();
  const openssl = findOpenssl();
  if (openssl !== null) certificate = generateSelfSignedCertificate(openssl);
});

async function wssServer(t: TestContext, defer: (fn: () => unknown) => void): Promise<WssEchoServer | null> {
  if (certificate === null) {
    skipOrFail(t, OPENSSL_MISSING_MESSAGE);
    return null;
  }
  const server = await startWssEchoServer(certificate);
  defer(() => server.close());
  return server;
}

const HOW_TO_ALLOW = /allowSelfSignedCertificate: true.*--insecure/;

test('self-signed certificate, not allowed: handshake-failed with the TLS code and how to allow it; the diagnosis says so too; no WebSocket reaches the server', async (t) => {
  const defer = cleanups(t);
  const server = await wssServer(t, defer);
  if (!server) return;
  const { rec } = startRecordedSession(defer, server.url, { reconnect: { enabled: false } });

  const { event: failed } = await rec.waitFor('handshake-failed');
  t.diagnostic(failed.message);
  assert.equal(failed.errorCode, 'DEPTH_ZERO_SELF_SIGNED_CERT');
  assert.equal(failed.status, null);
  assert.match(failed.message, /self-signed certificate/);
  assert.match(failed.message, HOW_TO_ALLOW);
  const { event: diagnosis } = await rec.waitFor('diagnosis');
  assert.equal(diagnosis.kind, 'handshake');
  assert.match(JSON.stringify(diagnosis), /allowSelfSignedCertificate: true/);
  await rec.waitFor('stopped');
  assert.equal(rec.ofType('open').length, 0);
  assert.equal(server.connectionCount(), 0);
});

test('self-signed certificate allowed for one endpoint: that session opens and echoes over TLS, a session to the same server without it is still refused', async (t) => {
  const defer = cleanups(t);
  const server = await wssServer(t, defer);
  if (!server) return;
  const allowed = startRecordedSession(defer, server.url, { endpoint: { allowSelfSignedCertificate: true } });
  const strict = startRecordedSession(defer, server.url, { reconnect: { enabled: false } });

  await allowed.rec.waitFor('open');
  assert.deepEqual(allowed.session.send('over tls'), { ok: true });
  const { event: echo } = await allowed.rec.waitFor('message', { where: (m) => m.direction === 'in' });
  assert.equal(echo.data, 'over tls');
  const { event: refused } = await strict.rec.waitFor('handshake-failed');
  assert.equal(refused.errorCode, 'DEPTH_ZERO_SELF_SIGNED_CERT');
  assert.equal(server.connectionCount(), 1);
  assert.equal(allowed.rec.ofType('handshake-failed').length, 0);
});

test(
  'CLI: ws-inspector watch wss://… is refused without --insecure (exit 1, says how to allow it) and connects with it',
  { timeout: 30_000 },
  async (t) => {
    const defer = cleanups(t);
    const server = await wssServer(t, defer);
    if (!server) return;

    const refused = await runCli(defer, ['watch', server.url, '--no-reconnect'], 15_000);
    assert.equal(refused.code, 1, describeRun(refused));
    assert.match(refused.stdout + refused.stderr, /--insecure/, describeRun(refused));
    assert.match(refused.stdout + refused.stderr, /self-signed certificate/i);

    const allowed = await runCli(
      defer,
      ['watch', server.url, '--insecure', '--send', 'hello tls', '--duration', '1s', '--json'],
      15_000,
    );
    assert.equal(allowed.code, 0, describeRun(allowed));
    const events = parseNdjson(allowed);
    assert.equal(events.filter((e) => e.type === 'handshake-failed').length, 0, describeRun(allowed));
    assert.ok(events.some((e) => e.type === 'open'));
    assert.ok(
      events.some((e) => e.type === 'message' && e.direction === 'in' && e.data === 'hello tls'),
      describeRun(allowed),
    );
    assert.equal(server.connectionCount(), 1);
  },
);
