// The proxy decision (src/node/proxyRoute.ts): precedence, NO_PROXY rules, the route and bypass
// records, and agreement with proxy-from-env itself on the environment's rules (run in a child
// process with each environment, since proxy-from-env reads only process.env).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { ProxyConfigError, resolveProxy, type Environment } from '../../src/node/proxyRoute.js';

const WS = 'ws://app.example.com:8080/socket';
const WSS = 'wss://app.example.com/socket';

test('precedence: the endpoint, then the front end, then the environment', () => {
  const env = { HTTPS_PROXY: 'http://env:3128' };
  const frontEnd = { proxy: { setting: 'http://vscode:8080', source: 'vscode' as const, from: 'http.proxy' } };
  assert.equal(resolveProxy(WSS, 'socks5h://ep:1080', frontEnd, env).proxy?.route.from, 'endpoint "proxy"');
  assert.equal(resolveProxy(WSS, undefined, frontEnd, env).proxy?.route.from, 'http.proxy');
  assert.equal(resolveProxy(WSS, 'system', frontEnd, env).proxy?.route.source, 'vscode');
  assert.equal(resolveProxy(WSS, undefined, {}, env).proxy?.route.from, 'HTTPS_PROXY');
  assert.equal(resolveProxy(WS, undefined, {}, env).proxy, null, 'HTTPS_PROXY is not for ws://');
});

test('the route never holds credentials; a Proxy-Authorization-less URL is not authenticated', () => {
  const decision = resolveProxy(WSS, 'http://user:pa%40ss@proxy.corp:3128', {}, {});
  assert.deepEqual(decision.proxy?.route, {
    url: 'http://proxy.corp:3128',
    scheme: 'http',
    source: 'endpoint',
    from: 'endpoint "proxy"',
    authenticated: true,
  });
  assert.equal(decision.proxy?.url.password, 'pa%40ss');
  assert.equal(resolveProxy(WSS, 'http://proxy.corp:3128', {}, {}).proxy?.route.authenticated, false);
});

test('a proxy URL that cannot be used throws stage config, without its credentials', () => {
  for (const setting of ['ftp://user:topsecret@proxy:21', 'http://user:topsecret@[bad']) {
    assert.throws(
      () => resolveProxy(WSS, setting, {}, {}),
      (error: unknown) =>
        error instanceof ProxyConfigError &&
        error.stage === 'config' &&
        !error.message.includes('topsecret') &&
        error.message.startsWith('endpoint "proxy": '),
    );
  }
});

test("NO_PROXY and http.noProxy: the rule that matched is recorded; the endpoint's own proxy ignores them", () => {
  const env = { https_proxy: 'http://u:p@env:3128', no_proxy: 'localhost, .example.com' };
  assert.deepEqual(resolveProxy(WSS, undefined, {}, env).bypassed, {
    url: 'http://env:3128',
    from: 'https_proxy',
    reason: 'no-proxy',
    rule: '.example.com',
  });
  assert.equal(
    resolveProxy(WSS, undefined, { noProxy: ['app.example.com:443'] }, { HTTPS_PROXY: 'x:1' }).bypassed?.rule,
    'app.example.com:443',
  );
  assert.equal(
    resolveProxy(WSS, undefined, { noProxy: ['app.example.com:444'] }, { HTTPS_PROXY: 'x:1' }).proxy?.url.href,
    'http://x:1/',
    'a scheme-less variable is http://, as curl reads it',
  );
  assert.notEqual(resolveProxy(WSS, 'http://ep:1', {}, env).proxy, null);
  // As VS Code reads them: http.noProxy's entries, when there are any, replace NO_PROXY.
  assert.equal(resolveProxy(WSS, undefined, { noProxy: ['other.test'] }, env).proxy?.route.from, 'https_proxy');
  assert.equal(resolveProxy(WSS, undefined, { noProxy: [] }, env).bypassed?.rule, '.example.com');
});

test('the environment read as proxy-from-env reads it', () => {
  const cases: Array<{ url: string; env: Environment }> = [
    { url: WSS, env: { HTTPS_PROXY: 'http://a:1' } },
    { url: WSS, env: { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:1' } },
    { url: WS, env: { HTTP_PROXY: 'http://a:1', ALL_PROXY: 'socks5://b:2' } },
    { url: WS, env: { ALL_PROXY: 'socks5://b:2' } },
    { url: WS, env: { HTTP_PROXY: 'http://a:1', NO_PROXY: '*' } },
    { url: WS, env: { HTTP_PROXY: 'http://a:1', NO_PROXY: 'example.com' } },
    { url: WS, env: { HTTP_PROXY: 'http://a:1', NO_PROXY: 'app.example.com' } },
    { url: WS, env: { HTTP_PROXY: 'http://a:1', NO_PROXY: '*.example.com' } },
    { url: WS, env: { HTTP_PROXY: 'http://a:1', NO_PROXY: 'app.example.com:9999' } },
    { url: WS, env: { HTTP_PROXY: 'http://a:1', no_proxy: 'foo, app.example.com:8080' } },
    { url: WSS, env: { HTTPS_PROXY: 'http://a:1', NO_PROXY: '.com' } },
  ];
  const script = `import { getProxyForUrl } from 'proxy-from-env';
    const cases = JSON.parse(process.argv[1]);
    const out = cases.map(({ url, env }) => {
      for (const k of Object.keys(process.env)) if (/_proxy$/i.test(k)) delete process.env[k];
      Object.assign(process.env, env);
      return getProxyForUrl(url.replace(/^ws/, 'http'));
    });
    console.log(JSON.stringify(out));`;
  const expected = JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(cases)], { encoding: 'utf8' }),
  ) as string[];
  cases.forEach(({ url, env }, i) => {
    const ours = resolveProxy(url, undefined, {}, env).proxy?.url.href.replace(/\/$/, '') ?? '';
    assert.equal(ours, expected[i], `${url} ${JSON.stringify(env)}`);
  });
});
