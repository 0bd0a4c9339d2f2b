import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NetworkDefaults } from '../../src/node/networkDefaults.js';
import { networkDefaultsFromVsCode } from '../../src/extension/model/vscodeProxy.js';

describe("VS Code's http.* settings as the ws adapter's network defaults", () => {
  it('maps every setting, with http.proxy as the vscode source', () => {
    const reading = networkDefaultsFromVsCode({
      proxy: ' http://alice:pw@proxy.corp:3128 ',
      noProxy: ['internal.corp', ' ', '.lan:8080'],
      proxyStrictSSL: false,
      proxyAuthorization: 'Basic YWxpY2U6cHc=',
      proxySupport: 'override',
    });
    const defaults: NetworkDefaults = reading.defaults; // the shape the adapter takes
    assert.deepEqual(defaults, {
      proxy: { setting: 'http://alice:pw@proxy.corp:3128', source: 'vscode', from: 'http.proxy' },
      noProxy: ['internal.corp', '.lan:8080'],
      proxyStrictSSL: false,
      proxyAuthorization: 'Basic YWxpY2U6cHc=',
    });
    assert.deepEqual(reading.problems, []);
    assert.equal(
      reading.summary,
      'VS Code proxy settings: http.proxy http://proxy.corp:3128; http.noProxy internal.corp, .lan:8080; http.proxyStrictSSL off; http.proxyAuthorization set',
    );
    assert.doesNotMatch(reading.summary, /pw|YWxp/);
  });

  it('contributes nothing when nothing is set (the defaults of VS Code)', () => {
    const reading = networkDefaultsFromVsCode({
      proxy: '',
      noProxy: [],
      proxyStrictSSL: true,
      proxyAuthorization: null,
    });
    assert.deepEqual(reading.defaults, { proxyStrictSSL: true });
    assert.deepEqual(reading.problems, []);
  });

  it('ignores every http.* proxy setting when http.proxySupport is "off"', () => {
    const reading = networkDefaultsFromVsCode({
      proxy: 'http://proxy.corp:3128',
      noProxy: ['a'],
      proxyAuthorization: 'Basic x',
      proxySupport: 'off',
    });
    assert.deepEqual(reading.defaults, {});
    assert.match(reading.summary, /http\.proxySupport is "off"/);
  });

  it('applies them for "on" and "fallback" as for "override"', () => {
    for (const proxySupport of ['on', 'fallback', 'override', undefined]) {
      const reading = networkDefaultsFromVsCode({ proxy: 'socks5://127.0.0.1:1080', proxySupport });
      assert.equal(reading.defaults.proxy?.setting, 'socks5://127.0.0.1:1080', String(proxySupport));
    }
  });

  it('reads socks:// as VS Code does (SOCKS5, names resolved by the proxy)', () => {
    assert.equal(networkDefaultsFromVsCode({ proxy: 'socks://p:1080' }).defaults.proxy?.setting, 'socks5h://p:1080');
  });

  it('ignores, and says why, what VS Code ignores too', () => {
    const reading = networkDefaultsFromVsCode({
      proxy: 'user:secret@proxy.corp:3128',
      noProxy: 'a,b',
      proxySupport: 'sometimes',
    });
    assert.equal(reading.defaults.proxy, undefined);
    assert.equal(reading.defaults.noProxy, undefined);
    assert.deepEqual(reading.problems, [
      'http.proxySupport must be off, on, fallback or override, got "sometimes"; using override',
      'http.proxy "proxy.corp:3128" has no scheme VS Code understands (http://, https://, socks://, socks5://, socks4://); ignored',
      'http.noProxy must be a list of hosts, got "a,b"',
    ]);
    assert.doesNotMatch(reading.problems.join('\n'), /secret/);
  });
});
