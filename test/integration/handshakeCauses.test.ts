// The wrong kind of server on the other end, met by a real session over the real ws adapter:
// a service that is not HTTP, an HTTP answer with too many header bytes, ws:// against a TLS
// port, wss:// against a plain one. Each failed handshake is recorded with the error code Node
// gives, and the session's own diagnosis names the cause in plain words.

import assert from 'node:assert/strict';
import { maxHeaderSize } from 'node:http';
import { before, test, type TestContext } from 'node:test';
import { startRawServer } from '../helpers/rawServers.js';
import { skipOrFail } from '../helpers/requireComponent.js';
import { startRecordedSession } from '../helpers/sessionRecorder.js';
import { cleanups } from '../helpers/testScope.js';
import {
  findOpenssl,
  generateSelfSignedCertificate,
  OPENSSL_MISSING_MESSAGE,
  startWssEchoServer,
  type SelfSignedCertificate,
} from '../helpers/tlsServer.js';
import { startEchoServer } from '../helpers/wsServers.js';

let certificate: SelfSignedCertificate | null = null;

before(() => {
  const openssl = findOpenssl();
  if (openssl !== null) certificate = generateSelfSignedCertificate(openssl);
});

/** Connects once to `url` and returns the handshake failure and the diagnosis recorded for it. */
async function diagnoseOnce(t: TestContext, defer: (fn: () => unknown) => void, url: string) {
  const { rec } = startRecordedSession(defer, url, { reconnect: { enabled: false } });
  const { event: failed } = await rec.waitFor('handshake-failed');
  const { event: diagnosis } = await rec.waitFor('diagnosis', { where: (d) => d.kind === 'handshake' });
  t.diagnostic(`${failed.errorCode}: ${failed.message}`);
  t.diagnostic(diagnosis.summary);
  assert.equal(failed.status, null);
  return { failed, diagnosis };
}

function asWss(url: string): string {
  return url.replace(/^ws:/, 'wss:');
}

test('ws:// to a service that speaks first and not HTTP (an SSH banner): "did not answer with HTTP", try wss://', async (t) => {
  const defer = cleanups(t);
  const server = await startRawServer({
    onConnection: (connection) => connection.write('SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n'),
  });
  defer(() => server.close());
  const { failed, diagnosis } = await diagnoseOnce(t, defer, server.url);
  assert.equal(failed.errorCode, 'HPE_INVALID_CONSTANT');
  assert.equal(diagnosis.summary, 'Handshake failed once: The server did not answer with HTTP (HPE_INVALID_CONSTANT)');
  assert.ok(
    diagnosis.advice.includes(`Whatever listens on 127.0.0.1:${server.port} does not speak HTTP or WebSocket`),
    diagnosis.advice,
  );
  assert.ok(diagnosis.advice.includes(`use ${asWss(server.url)}`), diagnosis.advice);
});

test('an HTTP answer with 64 KB of headers: "response headers too large" with Node\'s limit, not "does not speak HTTP"', async (t) => {
  const defer = cleanups(t);
  // A 101 with 64 headers of 1000 bytes each: llhttp stops at Node's limit (HPE_HEADER_OVERFLOW).
  const headers = Array.from({ length: 64 }, (_, i) => `X-Big-${i}: ${'v'.repeat(1000)}\r\n`).join('');
  const answer = `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${headers}\r\n`;
  const server = await startRawServer({ onRequest: (connection) => connection.write(answer) });
  defer(() => server.close());
  const { failed, diagnosis } = await diagnoseOnce(t, defer, server.url);
  assert.equal(failed.errorCode, 'HPE_HEADER_OVERFLOW');
  const limit = maxHeaderSize.toLocaleString('en-US');
  assert.match(
    failed.message,
    new RegExp(
      `^the server's answer to the handshake has response headers too large for Node\\.js: over its limit of ${limit} bytes`,
    ),
  );
  const arrived = /; ([\d,]+) bytes of it had arrived when Node stopped reading \(Parse Error: Header overflow\)$/.exec(
    failed.message,
  );
  assert.ok(arrived, failed.message);
  const bytes = Number(arrived[1]!.replace(/,/g, ''));
  assert.ok(bytes > maxHeaderSize && bytes <= Buffer.byteLength(answer), `${bytes} bytes`);
  assert.doesNotMatch(failed.message, /speak HTTP|did not answer the handshake with HTTP/);
  assert.equal(diagnosis.summary, 'Handshake failed once: Response headers too large (HPE_HEADER_OVERFLOW)');
  assert.doesNotMatch(diagnosis.advice, /does not speak HTTP/);
  assert.ok(diagnosis.advice.includes(`(${arrived[1]} bytes had arrived when Node stopped reading)`), diagnosis.advice);
  assert.ok(diagnosis.advice.includes('--max-http-header-size'), diagnosis.advice);
});

test('ws:// to a TLS port (a TLS server answering with an alert record): the same diagnosis', async (t) => {
  const defer = cleanups(t);
  // What an OpenSSL-based server sends a client whose first bytes are not a TLS hello.
  const alert = Buffer.from([0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46]);
  const server = await startRawServer({ onRequest: (connection) => connection.socket.end(alert) });
  defer(() => server.close());
  const { failed, diagnosis } = await diagnoseOnce(t, defer, server.url);
  assert.match(failed.errorCode ?? '', /^HPE_/);
  assert.match(diagnosis.summary, /^Handshake failed once: The server did not answer with HTTP \(HPE_/);
  assert.ok(diagnosis.advice.includes('a TLS port reached with ws://'), diagnosis.advice);
});

test('ws:// to a Node https server, which hangs up on plain HTTP: a reset that suggests wss://', async (t) => {
  const defer = cleanups(t);
  if (certificate === null) {
    skipOrFail(t, OPENSSL_MISSING_MESSAGE);
    return;
  }
  const server = await startWssEchoServer(certificate);
  defer(() => server.close());
  const { failed, diagnosis } = await diagnoseOnce(t, defer, server.url.replace(/^wss:/, 'ws:'));
  assert.equal(failed.errorCode, 'ECONNRESET');
  assert.equal(diagnosis.summary, 'Handshake failed once: Connection reset during the handshake (ECONNRESET)');
  assert.ok(diagnosis.advice.includes(`If the port expects TLS, use ${server.url}`), diagnosis.advice);
  assert.equal(server.connectionCount(), 0);
});

test('wss:// to a plain-HTTP port that answers the TLS hello with HTTP: "does not speak TLS", use ws://', async (t) => {
  const defer = cleanups(t);
  // A plain HTTP server's answer to bytes it cannot parse, with the socket left open.
  const server = await startRawServer({
    onConnection: (connection) =>
      connection.socket.once('data', () => connection.write('HTTP/1.1 400 Bad Request\r\n\r\n')),
  });
  defer(() => server.close());
  const { failed, diagnosis } = await diagnoseOnce(t, defer, asWss(server.url));
  assert.equal(failed.errorCode, 'EPROTO');
  assert.equal(diagnosis.summary, 'Handshake failed once: wss:// to a port that does not speak TLS (EPROTO)');
  assert.ok(diagnosis.advice.includes(`Use ${server.url}`), diagnosis.advice);
});

test('wss:// to a real ws server (Node http): either TLS error it causes points to ws://', async (t) => {
  const defer = cleanups(t);
  const server = await startEchoServer();
  defer(() => server.close());
  const { diagnosis } = await diagnoseOnce(t, defer, asWss(server.url));
  // Node's http server answers the TLS hello with a 400 and closes: the client sees either
  // the 400's bytes (EPROTO) or the close first (ECONNRESET), depending on timing.
  assert.match(
    diagnosis.summary,
    /^Handshake failed once: (wss:\/\/ to a port that does not speak TLS \(EPROTO\)|Connection closed during the TLS handshake \(ECONNRESET\))$/,
  );
  assert.match(diagnosis.advice, new RegExp(`[Uu]se ${server.url.replace(/[.]/g, '\\.')}`));
  assert.equal(server.connectionCount(), 0);
});

test('wss:// to a service that hangs up on the TLS hello: "closed during the TLS handshake", use ws://', async (t) => {
  const defer = cleanups(t);
  const server = await startRawServer({
    onConnection: (connection) => connection.socket.once('data', () => connection.socket.end()),
  });
  defer(() => server.close());
  const { failed, diagnosis } = await diagnoseOnce(t, defer, asWss(server.url));
  assert.equal(failed.errorCode, 'ECONNRESET');
  assert.equal(diagnosis.summary, 'Handshake failed once: Connection closed during the TLS handshake (ECONNRESET)');
  assert.ok(diagnosis.advice.includes(`use ${server.url}`), diagnosis.advice);
});
