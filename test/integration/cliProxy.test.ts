// The built CLI through real forward proxies (test/helpers/forwardProxies.ts): tinyproxy with
// Basic auth, whose log (LogLevel Connect) proves each tunnel, and Squid for a 407 (tinyproxy
// 1.11.1 answers wrong credentials with 401). The proxy comes from --proxy, from the child's
// HTTPS_PROXY / HTTP_PROXY / ALL_PROXY, or is bypassed by NO_PROXY and --no-proxy; the password
// appears in no output: stdout, stderr, the --export file.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it, type TestContext } from 'node:test';
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
import {
  findMicrosocks,
  findSquid,
  findTinyproxy,
  startSocksProxy,
  startSquid,
  startTinyproxy,
  type BasicAuth,
  type ForwardProxy,
} from '../helpers/forwardProxies.js';
import { cleanups, type EventOf } from '../helpers/testScope.js';
import {
  findOpenssl,
  generateSelfSignedCertificate,
  OPENSSL_MISSING_MESSAGE,
  startWssEchoServer,
} from '../helpers/tlsServer.js';
import { skipOrFail } from '../helpers/requireComponent.js';
import { startEchoServer, type TestWsServer } from '../helpers/wsServers.js';

before(buildCli);

const AUTH: BasicAuth = { user: 'wsi-proxy-user', password: 'Pr0xy-Pa55-DO-NOT-LEAK' };

type Defer = (fn: () => unknown) => void;

async function tinyproxyWithAuth(t: TestContext, defer: Defer): Promise<ForwardProxy | null> {
  const executable = findTinyproxy(t);
  if (executable === null) return null;
  const proxy = await startTinyproxy({ executable, basicAuth: AUTH });
  defer(() => proxy.dispose());
  return proxy;
}

/** tinyproxy with Basic auth and an echo server behind it, or null (skipped, or failed in CI). */
async function tinyproxyAndEcho(
  t: TestContext,
  defer: Defer,
): Promise<{ proxy: ForwardProxy; echo: TestWsServer } | null> {
  const proxy = await tinyproxyWithAuth(t, defer);
  if (!proxy) return null;
  const echo = await startEchoServer();
  defer(() => echo.close());
  return { proxy, echo };
}

/** The tunnels tinyproxy opened to a port, from its log. */
const tunnelsTo = (proxy: ForwardProxy, port: number) =>
  proxy
    .logText()
    .split('\n')
    .filter((line) => line.includes(`CONNECT 127.0.0.1:${port}`)).length;

function assertNoPassword(result: CliResult, exportPath: string | null): void {
  for (const secret of [
    AUTH.password,
    encodeURIComponent(AUTH.password),
    Buffer.from(`${AUTH.user}:${AUTH.password}`).toString('base64'),
  ]) {
    assert.ok(!result.stdout.includes(secret), `the password is not on stdout\n${describeRun(result)}`);
    assert.ok(!result.stderr.includes(secret), `the password is not on stderr\n${describeRun(result)}`);
    if (exportPath) assert.ok(!readFileSync(exportPath, 'utf8').includes(secret), 'the password is not in the export');
  }
}

function openOf(events: SessionEvent[], result: CliResult): EventOf<'open'> {
  const open = events.find((event): event is EventOf<'open'> => event.type === 'open');
  assert.ok(open, `an open event\n${describeRun(result)}`);
  return open;
}

/**
 * `watch <url> …args --duration 1s --export FILE` with the given proxy variables (and no
 * others): exit 0, and the password in no output.
 */
async function watchChecked(defer: Defer, url: string, args: string[], env: Record<string, string> = {}) {
  const exportPath = join(tempDir(defer), 'session.json');
  const result = await runCli(defer, ['watch', url, ...args, '--duration', '1s', '--export', exportPath], 20_000, {
    env: cliEnvWith(env),
  });
  assert.equal(result.code, 0, describeRun(result));
  assertNoPassword(result, exportPath);
  return { result, exportPath };
}

/** The readable output's open line. */
const openLineOf = (result: CliResult) => result.lines.find((line) => /\bopen\s/.test(line)) ?? '';

describe('ws-inspector watch through a forward proxy', () => {
  it(
    "--proxy with Basic credentials: the tunnel in tinyproxy's log, the route in --json and the export, no password anywhere",
    { timeout: 30_000 },
    async (t) => {
      const defer = cleanups(t);
      const setup = await tinyproxyAndEcho(t, defer);
      if (!setup) return;
      const { proxy, echo } = setup;
      const { result, exportPath } = await watchChecked(defer, echo.url, ['--proxy', proxy.url, '--json']);
      const open = openOf(parseNdjson(result), result);
      assert.deepEqual(
        { ...open.route?.proxy, connectHeaders: undefined, connectStatus: undefined },
        {
          url: proxy.bareUrl,
          scheme: 'http',
          source: 'cli',
          from: '--proxy',
          authenticated: true,
          connectHeaders: undefined,
          connectStatus: undefined,
        },
      );
      assert.equal(tunnelsTo(proxy, echo.port), 1, `one CONNECT to the server in tinyproxy's log:\n${proxy.logText()}`);
      const exported = JSON.parse(readFileSync(exportPath, 'utf8')) as { events: SessionEvent[] };
      assert.equal(
        exported.events.find((e): e is EventOf<'open'> => e.type === 'open')?.route?.proxy?.url,
        proxy.bareUrl,
      );

      // Readable: the open line names the proxy, the banner the flag.
      const readable = (await watchChecked(defer, echo.url, ['--proxy', proxy.url])).result;
      t.diagnostic(openLineOf(readable));
      const bare = proxy.bareUrl.replace(/\./g, '\\.');
      assert.match(openLineOf(readable), new RegExp(`via HTTP proxy ${bare} \\(--proxy\\), with credentials`));
      assert.match(readable.stderr, new RegExp(`proxy ${bare} \\(--proxy\\)`));
    },
  );

  for (const [variable, scheme] of [
    ['HTTP_PROXY', 'ws'],
    ['http_proxy', 'ws'],
    ['ALL_PROXY', 'ws'],
    ['HTTPS_PROXY', 'wss'],
  ] as const) {
    it(
      `${variable} in the environment, ${scheme}:// URL: through the proxy, the route names ${variable.toUpperCase()}`,
      { timeout: 30_000 },
      async (t) => {
        const defer = cleanups(t);
        const proxy = await tinyproxyWithAuth(t, defer);
        if (!proxy) return;
        let server: { url: string; port: number; close(): Promise<void> };
        if (scheme === 'wss') {
          const openssl = findOpenssl();
          if (openssl === null) return skipOrFail(t, OPENSSL_MISSING_MESSAGE);
          server = await startWssEchoServer(generateSelfSignedCertificate(openssl));
        } else server = await startEchoServer();
        defer(() => server.close());
        const insecure = scheme === 'wss' ? ['--insecure'] : [];
        const { result } = await watchChecked(defer, server.url, ['--json', ...insecure], { [variable]: proxy.url });
        const open = openOf(parseNdjson(result), result);
        assert.equal(open.route?.proxy?.source, 'environment');
        assert.equal(open.route?.proxy?.from.toUpperCase(), variable.toUpperCase());
        assert.equal(open.route?.proxy?.url, proxy.bareUrl);
        assert.equal(tunnelsTo(proxy, server.port), 1, `one CONNECT in tinyproxy's log:\n${proxy.logText()}`);
      },
    );
  }

  it(
    'NO_PROXY naming the server: direct, the bypass and its rule recorded, no tunnel; with --proxy too',
    { timeout: 30_000 },
    async (t) => {
      const defer = cleanups(t);
      const setup = await tinyproxyAndEcho(t, defer);
      if (!setup) return;
      const { proxy, echo } = setup;
      const env = { HTTP_PROXY: proxy.url, NO_PROXY: 'example.invalid,127.0.0.1' };
      const { result } = await watchChecked(defer, echo.url, ['--json'], env);
      const open = openOf(parseNdjson(result), result);
      assert.equal(open.route?.proxy, null);
      assert.deepEqual(
        { ...open.route?.bypassed },
        { url: proxy.bareUrl, from: 'HTTP_PROXY', reason: 'no-proxy', rule: '127.0.0.1' },
      );

      // NO_PROXY holds for --proxy too, and the readable line says which entry matched.
      const withFlag = await watchChecked(defer, echo.url, ['--proxy', proxy.url], { no_proxy: '127.0.0.1' });
      assert.match(
        openLineOf(withFlag.result),
        /direct: NO_PROXY's 127\.0\.0\.1 matched, http:\/\/127\.0\.0\.1:\d+ \(--proxy\) not used/,
      );
      assert.equal(tunnelsTo(proxy, echo.port), 0, proxy.logText());
    },
  );

  it(
    'a proxy variable without a scheme (HTTP_PROXY=user:password@host:port): http://, the password hidden',
    { timeout: 30_000 },
    async (t) => {
      const defer = cleanups(t);
      const setup = await tinyproxyAndEcho(t, defer);
      if (!setup) return;
      const { proxy, echo } = setup;
      const env = { HTTP_PROXY: proxy.url.replace(/^http:\/\//, '') };
      const { result } = await watchChecked(defer, echo.url, [], env);
      assert.match(openLineOf(result), /via HTTP proxy http:\/\/127\.0\.0\.1:\d+ \(HTTP_PROXY\), with credentials/);
      assert.equal(tunnelsTo(proxy, echo.port), 1, proxy.logText());
    },
  );

  it(
    '--proxy socks5h:// with username/password (microsocks): the route says SOCKS5, no password anywhere',
    { timeout: 30_000 },
    async (t) => {
      const defer = cleanups(t);
      const executable = findMicrosocks(t);
      if (executable === null) return;
      const socks = await startSocksProxy({ executable, auth: AUTH });
      defer(() => socks.dispose());
      const echo = await startEchoServer();
      defer(() => echo.close());
      const socksUrl = socks.url.replace(/^socks5:/, 'socks5h:');
      const { result } = await watchChecked(defer, echo.url, ['--proxy', socksUrl, '--json']);
      const open = openOf(parseNdjson(result), result);
      assert.equal(open.route?.proxy?.scheme, 'socks5h');
      assert.equal(open.route?.proxy?.url, socks.bareUrl.replace(/^socks5:/, 'socks5h:'));
      assert.equal(open.route?.proxy?.authenticated, true);
      assert.equal(echo.connectionCount(), 1);
    },
  );

  it('--no-proxy with HTTP_PROXY set: direct, said in the open line, no tunnel', { timeout: 30_000 }, async (t) => {
    const defer = cleanups(t);
    const setup = await tinyproxyAndEcho(t, defer);
    if (!setup) return;
    const { proxy, echo } = setup;
    const { result } = await watchChecked(defer, echo.url, ['--no-proxy'], { HTTP_PROXY: proxy.url });
    assert.match(openLineOf(result), /direct: --no-proxy, http:\/\/127\.0\.0\.1:\d+ \(HTTP_PROXY\) not used/);
    assert.equal(tunnelsTo(proxy, echo.port), 0, proxy.logText());
  });

  it('probe --proxy: every probe connection tunnels through the proxy', { timeout: 30_000 }, async (t) => {
    const defer = cleanups(t);
    const setup = await tinyproxyAndEcho(t, defer);
    if (!setup) return;
    const { proxy, echo } = setup;
    const result = await runCli(
      defer,
      ['probe', echo.url, '--proxy', proxy.url, '--max', '2s', '--connections', '3', '--json'],
      20_000,
      { env: cliEnvWith({}) },
    );
    const last = JSON.parse(result.lines[result.lines.length - 1] ?? '{}') as { type?: string; kind?: string };
    assert.equal(last.type, 'probe-result', describeRun(result));
    assert.equal(last.kind, 'none', describeRun(result));
    assert.equal(result.code, 0, describeRun(result));
    const tunnels = tunnelsTo(proxy, echo.port);
    assert.ok(
      tunnels >= 2 && tunnels === echo.connectionCount(),
      `${tunnels} CONNECTs, ${echo.connectionCount()} connections`,
    );
    assertNoPassword(result, null);
  });

  it(
    'wrong credentials at Squid: HTTP 407 at the proxy, said with the route, exit 1, the password nowhere',
    { timeout: 40_000 },
    async (t) => {
      const defer = cleanups(t);
      const components = findSquid(t);
      if (!components) return;
      const squid = await startSquid(components, AUTH);
      defer(() => squid.dispose());
      const echo = await startEchoServer();
      defer(() => echo.close());
      const wrong = 'Wr0ng-Pa55-DO-NOT-LEAK';
      const wrongUrl = `http://${AUTH.user}:${wrong}@127.0.0.1:${squid.port}`;
      const exportPath = join(tempDir(defer), 'session.json');
      const readable = await runCli(
        defer,
        ['watch', echo.url, '--proxy', wrongUrl, '--no-reconnect', '--export', exportPath],
        25_000,
        { env: cliEnvWith({}) },
      );
      assert.equal(readable.code, 1, describeRun(readable));
      const failedLine = readable.lines.find((line) => /handshake-failed/.test(line)) ?? '';
      t.diagnostic(readable.stdout);
      assert.match(
        failedLine,
        new RegExp(
          `HTTP 407 Proxy Authentication Required \\(at the proxy\\).*; via HTTP proxy http://127\\.0\\.0\\.1:${squid.port} \\(--proxy\\), with credentials`,
        ),
        describeRun(readable),
      );
      for (const text of [readable.stdout, readable.stderr, readFileSync(exportPath, 'utf8')]) {
        assert.ok(!text.includes(wrong), `the wrong password appears nowhere\n${describeRun(readable)}`);
      }

      const json = await runCli(defer, ['watch', echo.url, '--proxy', wrongUrl, '--no-reconnect', '--json'], 25_000, {
        env: cliEnvWith({}),
      });
      assert.equal(json.code, 1, describeRun(json));
      const failed = parseNdjson(json).find((e): e is EventOf<'handshake-failed'> => e.type === 'handshake-failed');
      assert.ok(failed, describeRun(json));
      assert.equal(failed.status, 407);
      assert.equal(failed.stage, 'proxy');
      assert.equal(failed.route?.proxy?.url, `http://127.0.0.1:${squid.port}`);
      assert.ok(!json.stdout.includes(wrong) && !json.stderr.includes(wrong), describeRun(json));
      assert.equal(echo.connectionCount(), 0, 'the server saw no connection');
    },
  );
});
