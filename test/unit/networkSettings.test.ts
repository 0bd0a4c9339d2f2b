import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeEndpoint } from '../../src/core/model/endpoint.js';
import { resolveSettingPath } from '../../src/extension/model/networkSettings.js';
import { plainTextPassword, referencedSecrets, resolveSecretReferences } from '../../src/extension/model/secretRefs.js';
import { describeProblem, parseSettings, type RawSettings } from '../../src/extension/model/settings.js';

const parse = (entry: Record<string, unknown>, extra: Partial<RawSettings> = {}) =>
  parseSettings({ endpoints: { workspace: [{ name: 'E', url: 'wss://api.test/', ...entry }] }, values: {}, ...extra });
const problems = (result: ReturnType<typeof parse>, severity: 'error' | 'warning') =>
  result.problems.filter((p) => p.severity === severity).map(describeProblem);

describe("settings: an endpoint's proxy", () => {
  it('keeps a proxy URL, "none", and treats "system" as not written', () => {
    for (const proxy of ['http://proxy.test:3128', 'socks5h://127.0.0.1:1080', 'none']) {
      const result = parse({ proxy });
      assert.deepEqual(result.problems, [], proxy);
      assert.equal(result.endpoints[0]!.endpoint.proxy, proxy);
    }
    const system = parse({ proxy: 'system' });
    assert.deepEqual(system.problems, []);
    assert.equal('proxy' in system.endpoints[0]!.endpoint, false);
  });

  it('refuses what is not a proxy, naming the setting', () => {
    const cases: Array<[unknown, RegExp]> = [
      [42, /endpoints\[0\]\.proxy must be a proxy URL, "none" or "system", got 42/],
      ['', /proxy must be a proxy URL/],
      ['proxy.test:3128', /proxy is invalid: the proxy setting "proxy\.test:3128" is not "none", "system" or a URL/],
      ['ftp://proxy.test', /proxy is invalid: the proxy URL "ftp:\/\/proxy\.test" uses ftp:\/\/, but a proxy must be/],
      ['http://u:${secret:p}@proxy.test:3128/path', /has a path \(\/path\)/],
      ['http://u:${secret:bad name}@proxy.test', /not a valid secret reference/],
    ];
    for (const [proxy, expected] of cases) {
      const result = parse({ proxy });
      assert.equal(result.endpoints.length, 0, String(proxy));
      assert.match(problems(result, 'error').join('\n'), expected);
    }
  });

  it('warns about a password written in plain text, without quoting it', () => {
    const result = parse({ proxy: 'http://alice:hunter2@proxy.test:3128' });
    assert.equal(result.endpoints.length, 1, 'it still connects');
    const [warning] = problems(result, 'warning');
    assert.match(warning!, /proxy has a password written in plain text; store it with .*Set Secret/);
    assert.match(warning!, /http:\/\/user:\$\{secret:NAME\}@proxy\.test:3128/);
    assert.doesNotMatch(JSON.stringify(result.problems), /hunter2/);
  });

  it('accepts credentials given as references, with no warning', () => {
    const result = parse({ proxy: 'http://${secret:proxyUser}:${secret:proxyPass}@proxy.test:3128' });
    assert.deepEqual(result.problems, []);
  });
});

describe("settings: an endpoint's tls", () => {
  it('reads every field and resolves relative paths against the workspace folder', () => {
    const result = parse(
      {
        tls: {
          ca: ['certs/ca.pem', '/etc/ssl/corp.pem'],
          cert: './client.pem',
          key: '../keys/client.key',
          passphrase: '${secret:keyPass}',
          servername: 'api.internal',
        },
      },
      { workspaceFolder: '/home/dev/project' },
    );
    assert.deepEqual(result.problems, []);
    assert.deepEqual(result.endpoints[0]!.endpoint.tls, {
      ca: ['/home/dev/project/certs/ca.pem', '/etc/ssl/corp.pem'],
      cert: '/home/dev/project/client.pem',
      key: '/home/dev/keys/client.key',
      passphrase: '${secret:keyPass}',
      servername: 'api.internal',
    });
  });

  it('refuses a passphrase written in plain text, without quoting it', () => {
    const result = parse({ tls: { pfx: '/certs/client.p12', passphrase: 'correct horse' } });
    assert.equal(result.endpoints.length, 0);
    const text = problems(result, 'error').join('\n');
    assert.match(text, /tls\.passphrase must be a secret reference such as "\$\{secret:clientKeyPassphrase\}"/);
    assert.match(text, /Set Secret/);
    assert.doesNotMatch(JSON.stringify(result.problems), /correct horse/);
  });

  it('refuses inconsistent or unreadable settings, naming each field', () => {
    const cases: Array<[Record<string, unknown>, RegExp, string?]> = [
      [{ cert: '/c.pem' }, /endpoints\[0\]\.tls\.cert needs tls\.key/],
      [{ pfx: '/a.p12', cert: '/c.pem', key: '/k.pem' }, /endpoints\[0\]\.tls\.pfx holds the client certificate/],
      [{ ca: '/ca.pem' }, /tls\.ca must be an array of PEM file paths/],
      [{ ca: ['/ok.pem', 3] }, /tls\.ca\[1\] must be the path of a file, got 3/],
      [{ servername: 'a b' }, /endpoints\[0\]\.tls\.servername must be a host name/],
      [{ passphrase: '${secret:p}' }, /tls\.passphrase is only used to decrypt tls\.key or tls\.pfx/],
      [{ ca: ['ca.pem'] }, /tls\.ca\[0\] is a relative path \("ca\.pem"\) and no workspace folder is open/],
    ];
    for (const [tls, expected] of cases) {
      const result = parse({ tls });
      assert.equal(result.endpoints.length, 0, JSON.stringify(tls));
      assert.match(problems(result, 'error').join('\n'), expected);
    }
  });

  it('warns about unknown tls fields and tls on a ws:// URL', () => {
    const result = parse({ url: 'ws://plain.test/', tls: { ca: ['/ca.pem'], verify: false } });
    assert.equal(result.endpoints.length, 1);
    assert.deepEqual(problems(result, 'warning'), [
      'wsInspector.endpoints[0].tls.verify is not a known tls field and was ignored (workspace settings)',
      'wsInspector.endpoints[0].tls applies to wss:// URLs only; this endpoint uses ws:// (workspace settings)',
    ]);
  });

  it('resolves Windows and POSIX paths', () => {
    assert.equal(resolveSettingPath('C:\\certs\\ca.pem', 'D:\\w'), 'C:\\certs\\ca.pem');
    assert.equal(resolveSettingPath('certs\\ca.pem', 'D:\\w\\proj'), 'D:\\w\\proj\\certs\\ca.pem');
    assert.equal(resolveSettingPath('./a/../b.pem', '/w/'), '/w/b.pem');
    assert.equal(resolveSettingPath('a.pem', undefined), null);
  });
});

describe('secret references in proxy and tls', () => {
  const endpoint = makeEndpoint('wss://api.test/', {
    proxy: 'http://${secret:proxyUser}:${secret:proxyPass}@proxy.test:3128',
    tls: { pfx: '/c.p12', passphrase: '${secret:keyPass}' },
  });

  it('lists the names a proxy URL and tls.passphrase reference (Set Secret offers them)', () => {
    assert.deepEqual(referencedSecrets(endpoint), ['proxyUser', 'proxyPass', 'keyPass']);
  });

  it('substitutes them, percent-encoding the proxy credentials, and hides every form', () => {
    const secrets: Record<string, string> = { proxyUser: 'alice', proxyPass: 'p@ss:w/rd', keyPass: 'open sesame' };
    const resolved = resolveSecretReferences(endpoint, (name) => secrets[name]);
    assert.deepEqual(resolved.missing, []);
    assert.equal(resolved.endpoint.proxy, 'http://alice:p%40ss%3Aw%2Frd@proxy.test:3128');
    assert.equal(new URL(resolved.endpoint.proxy!).hostname, 'proxy.test');
    assert.equal(resolved.endpoint.tls?.passphrase, 'open sesame');
    assert.equal(resolved.endpoint.tls?.pfx, '/c.p12');
    for (const hidden of ['alice', 'p@ss:w/rd', 'p%40ss%3Aw%2Frd', 'open sesame']) {
      assert.ok(resolved.secretValues.includes(hidden), hidden);
    }
  });

  it('names the missing ones', () => {
    const resolved = resolveSecretReferences(endpoint, (name) => (name === 'proxyUser' ? 'alice' : undefined));
    assert.deepEqual(resolved.missing, ['proxyPass', 'keyPass']);
  });

  it('hides a proxy password written in plain text, raw and decoded', () => {
    const plain = makeEndpoint('ws://a.test/', { proxy: 'http://bob:s%40cret@proxy.test:3128' });
    const resolved = resolveSecretReferences(plain, () => undefined);
    assert.equal(resolved.endpoint.proxy, 'http://bob:s%40cret@proxy.test:3128');
    assert.ok(resolved.secretValues.includes('s%40cret'));
    assert.ok(resolved.secretValues.includes('s@cret'));
  });

  it('tells a plain password from references', () => {
    assert.equal(plainTextPassword('http://u:pw@h:1'), 'pw');
    assert.equal(plainTextPassword('http://u:${secret:p}@h:1'), null);
    assert.equal(plainTextPassword('http://${secret:u}@h:1'), null);
    assert.equal(plainTextPassword('http://h:1'), null);
    assert.equal(plainTextPassword('socks5://u:x${secret:p}@h:1'), 'x${secret:p}');
  });
});
