// The built CLI against wss:// servers with certificates from a private test CA
// (test/helpers/testCa.ts): refused without --ca and accepted with it, the issuer and expiry in
// the output; a server requiring a client certificate: refused without one, accepted with
// --cert/--key and with --pfx and --passphrase-env; the passphrase appears in no output.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { SessionEvent } from '../../src/core/model/sessionEvents.js';
import {
  buildCli,
  cliEnvWith,
  describeRun,
  parseNdjson,
  runCli,
  tempDir,
  type CliResult,
} from '../helpers/cliProcess.js';
import { skipOrFail } from '../helpers/requireComponent.js';
import { createTestPki, SERVER_CA_NAME, type TestPki } from '../helpers/testCa.js';
import { cleanups, type EventOf } from '../helpers/testScope.js';
import {
  findOpenssl,
  OPENSSL_MISSING_MESSAGE,
  startWssEchoServer,
  type WssEchoServerOptions,
} from '../helpers/tlsServer.js';

const PASSPHRASE_VARIABLE = 'WSI_TEST_P12_PASSPHRASE';
let pki: TestPki | null = null;

before(() => {
  buildCli();
  if (findOpenssl() !== null) pki = createTestPki();
});
after(() => pki?.dispose());

const eventOf = <T extends SessionEvent['type']>(events: SessionEvent[], type: T) =>
  events.find((event): event is EventOf<T> => event.type === type);

function needPki(t: Parameters<typeof skipOrFail>[0]): TestPki | null {
  if (pki === null) skipOrFail(t, OPENSSL_MISSING_MESSAGE);
  return pki;
}

/** The test PKI and a wss echo server with its server certificate (requiring a client one when told). */
async function pkiServer(t: TestContext, options: WssEchoServerOptions = {}) {
  const ready = needPki(t);
  if (!ready) return null;
  const defer = cleanups(t);
  const server = await startWssEchoServer({ key: ready.server.key, cert: ready.server.cert }, options);
  defer(() => server.close());
  return { ready, server, defer };
}

function assertNoPassphrase(result: CliResult, pkiInUse: TestPki, exportPath?: string): void {
  const secret = pkiInUse.client.pfxPassphrase;
  assert.ok(!result.stdout.includes(secret) && !result.stderr.includes(secret), describeRun(result));
  if (exportPath) assert.ok(!readFileSync(exportPath, 'utf8').includes(secret), 'the passphrase is not in the export');
}

describe('ws-inspector watch with TLS options', () => {
  it(
    'a server certificate from a private CA: refused in the TLS stage without --ca, accepted with it, issuer and expiry shown',
    { timeout: 40_000 },
    async (t) => {
      const setup = await pkiServer(t);
      if (!setup) return;
      const { ready, server, defer } = setup;

      const refused = await runCli(defer, ['watch', server.url, '--no-reconnect', '--json'], 20_000, {
        env: cliEnvWith({}),
      });
      assert.equal(refused.code, 1, describeRun(refused));
      const failed = eventOf(parseNdjson(refused), 'handshake-failed');
      assert.ok(failed, describeRun(refused));
      assert.equal(failed.stage, 'tls', describeRun(refused));
      assert.equal(server.connectionCount(), 0);

      const accepted = await runCli(
        defer,
        ['watch', server.url, '--ca', ready.serverCa.certPath, '--json', '--duration', '1s'],
        20_000,
      );
      assert.equal(accepted.code, 0, describeRun(accepted));
      const open = eventOf(parseNdjson(accepted), 'open');
      assert.ok(open?.route?.tls, describeRun(accepted));
      assert.match(open.route.tls.issuer ?? '', new RegExp(`CN=${SERVER_CA_NAME.CN}`));
      assert.ok(open.route.tls.validTo, 'the expiry is recorded');

      const readable = await runCli(
        defer,
        ['watch', server.url, '--ca', ready.serverCa.certPath, '--duration', '1s'],
        20_000,
      );
      assert.equal(readable.code, 0, describeRun(readable));
      const openLine = readable.lines.find((line) => /\bopen\s/.test(line)) ?? '';
      t.diagnostic(openLine);
      assert.match(openLine, /TLSv1\.[23] · /, describeRun(readable));
      assert.match(
        openLine,
        new RegExp(`issued by CN=${SERVER_CA_NAME.CN}.*, expires \\d{4}-\\d{2}-\\d{2}`),
        describeRun(readable),
      );
    },
  );

  it(
    '--servername: the certificate checked against that name instead of the URL host',
    { timeout: 30_000 },
    async (t) => {
      const setup = await pkiServer(t);
      if (!setup) return;
      const { ready, server, defer } = setup;
      const ca = ['--ca', ready.serverCa.certPath];
      const wrongName = await runCli(
        defer,
        ['watch', server.url, ...ca, '--servername', 'other.example', '--no-reconnect', '--json'],
        20_000,
      );
      assert.equal(wrongName.code, 1, describeRun(wrongName));
      assert.equal(eventOf(parseNdjson(wrongName), 'handshake-failed')?.stage, 'tls', describeRun(wrongName));
      const rightName = await runCli(
        defer,
        ['watch', server.url, ...ca, '--servername', 'localhost', '--json', '--duration', '1s'],
        20_000,
      );
      assert.equal(rightName.code, 0, describeRun(rightName));
    },
  );

  it(
    'a server requiring a client certificate: refused without one, accepted with --cert/--key and with --pfx --passphrase-env',
    { timeout: 60_000 },
    async (t) => {
      const setup = await pkiServer(t, { requireClientCertificateFrom: pki?.clientCa.cert ?? '' });
      if (!setup) return;
      const { ready, server, defer } = setup;
      const ca = ['--ca', ready.serverCa.certPath];
      const env = cliEnvWith({ [PASSPHRASE_VARIABLE]: ready.client.pfxPassphrase });

      const refused = await runCli(defer, ['watch', server.url, ...ca, '--no-reconnect', '--json'], 20_000, {
        env: cliEnvWith({}),
      });
      assert.equal(refused.code, 1, describeRun(refused));
      assert.ok(eventOf(parseNdjson(refused), 'handshake-failed'), describeRun(refused));
      assert.equal(server.connectionCount(), 0);

      const pem = await runCli(
        defer,
        [
          'watch',
          server.url,
          ...ca,
          '--cert',
          ready.client.certPath,
          '--key',
          ready.client.keyPath,
          '--json',
          '--duration',
          '1s',
        ],
        20_000,
      );
      assert.equal(pem.code, 0, describeRun(pem));
      assert.equal(eventOf(parseNdjson(pem), 'open')?.route?.tls?.clientCertificate, true, describeRun(pem));

      const exportPath = join(tempDir(defer), 'session.json');
      const pfxArgs = ['--pfx', ready.client.pfxPath, '--passphrase-env', PASSPHRASE_VARIABLE];
      const pfx = await runCli(
        defer,
        ['watch', server.url, ...ca, ...pfxArgs, '--json', '--duration', '1s', '--export', exportPath],
        20_000,
        { env },
      );
      assert.equal(pfx.code, 0, describeRun(pfx));
      assert.ok(eventOf(parseNdjson(pfx), 'open'), describeRun(pfx));
      assertNoPassphrase(pfx, ready, exportPath);
      const readable = await runCli(defer, ['watch', server.url, ...ca, ...pfxArgs, '--duration', '1s'], 20_000, {
        env,
      });
      assert.equal(readable.code, 0, describeRun(readable));
      assert.match(readable.lines.find((line) => /\bopen\s/.test(line)) ?? '', /client certificate sent/);
      assertNoPassphrase(readable, ready);
      assert.equal(server.connectionCount(), 3);
    },
  );

  it('a wrong --pfx passphrase: a failed handshake, exit 1, the passphrase nowhere', { timeout: 30_000 }, async (t) => {
    const setup = await pkiServer(t);
    if (!setup) return;
    const { ready, server, defer } = setup;
    const wrong = 'wrong-passphrase-DO-NOT-LEAK';
    const result = await runCli(
      defer,
      [
        'watch',
        server.url,
        '--ca',
        ready.serverCa.certPath,
        '--pfx',
        ready.client.pfxPath,
        '--passphrase-env',
        'P',
        '--no-reconnect',
        '--json',
      ],
      20_000,
      { env: cliEnvWith({ P: wrong }) },
    );
    assert.equal(result.code, 1, describeRun(result));
    const failed = eventOf(parseNdjson(result), 'handshake-failed');
    assert.ok(failed, describeRun(result));
    assert.ok(!result.stdout.includes(wrong) && !result.stderr.includes(wrong), describeRun(result));
  });
});
