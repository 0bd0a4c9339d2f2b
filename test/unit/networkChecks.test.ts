import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkEndpoint, makeEndpoint } from '../../src/core/model/endpoint.js';
import { checkProxySetting, checkTlsConfig } from '../../src/core/model/network.js';

describe('proxy setting checks', () => {
  it('accepts none, system and proxy URLs of every supported scheme, with or without port and credentials', () => {
    for (const value of [
      'none',
      'system',
      'http://proxy.corp.example:3128',
      'http://proxy.corp.example',
      'http://127.0.0.1:3128/',
      'https://proxy.corp.example:8443',
      'http://user:p%40ss@proxy:3128',
      'socks5://127.0.0.1:1080',
      'socks5h://user:pw@[::1]:1080',
      'socks4://10.0.0.1',
      'socks4a://gateway:1080',
      'HTTP://PROXY:3128',
    ]) {
      assert.equal(checkProxySetting(value), null, value);
    }
  });

  it('says what is wrong with a bad proxy setting, with an example', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /the proxy setting is empty; expected "none", "system" or a proxy URL \(e\.g\. http:\/\//],
      ['proxy.corp:3128', /"proxy\.corp:3128" is not "none", "system" or a URL with a scheme; e\.g\. http:\/\//],
      ['Direct', /"Direct" is not "none", "system" or a URL with a scheme/],
      ['ftp://proxy:21', /uses ftp:\/\/, but a proxy must be http:\/\/, https:\/\/, socks5:\/\/, socks5h:\/\//],
      ['ws://proxy:3128', /uses ws:\/\//],
      ['http://', /"http:\/\/" is not a valid URL|has no host/],
      ['http://proxy:99999', /is not a valid URL/],
      ['http://proxy:0', /has port 0/],
      [
        'http://proxy:3128/pac.js',
        /has a path \(\/pac\.js\); a proxy URL is scheme:\/\/\[user:password@\]host\[:port\]/,
      ],
      ['http://proxy:3128?x=1', /has a query or a #fragment/],
      ['http://proxy:3128#top', /has a query or a #fragment/],
      ['http://proxy :3128', /contains a space/],
      ['http://:secret@proxy:3128', /has a password but no user name/],
    ];
    for (const [value, expected] of cases) {
      const problem = checkProxySetting(value);
      assert.ok(problem !== null, `${value} should be refused`);
      assert.match(problem, expected, value);
    }
  });

  it('never quotes the password of a proxy URL it refuses, even one the URL parser cannot read', () => {
    for (const value of [
      'http://alice:hunter2secret@proxy:3128/path',
      'http://alice:hunter2secret@proxy:99999',
      'ftp://alice:hunter2secret@proxy:21',
      'http://alice:hunter2 secret@proxy:3128',
      'http://alice:hunter2@secret@proxy:3128/x',
    ]) {
      const problem = checkProxySetting(value);
      assert.ok(problem !== null, value);
      assert.ok(!problem.includes('hunter2'), problem);
    }
  });
});

describe('TLS option checks', () => {
  it('accepts the usual combinations', () => {
    assert.deepEqual(checkTlsConfig({}), []);
    assert.deepEqual(checkTlsConfig({ ca: ['/etc/ssl/corp-ca.pem', 'ca2.pem'], servername: 'api.internal' }), []);
    assert.deepEqual(checkTlsConfig({ cert: 'client.pem', key: 'client-key.pem', passphrase: 'x' }), []);
    assert.deepEqual(checkTlsConfig({ pfx: 'client.p12', passphrase: 'x' }), []);
    assert.deepEqual(checkTlsConfig({ servername: 'localhost' }), []);
  });

  it('pairs a certificate and its key, keeps PKCS#12 apart, and a passphrase with what it decrypts', () => {
    assert.deepEqual(checkTlsConfig({ cert: 'c.pem' }), [
      "tls.cert needs tls.key, the client certificate's private key (PEM file)",
    ]);
    assert.deepEqual(checkTlsConfig({ key: 'k.pem' }), [
      'tls.key needs tls.cert, the client certificate (PEM file) it belongs to',
    ]);
    assert.match(
      checkTlsConfig({ pfx: 'c.p12', cert: 'c.pem', key: 'k.pem' }).join('\n'),
      /either tls\.pfx or tls\.cert with tls\.key, not both/,
    );
    assert.match(checkTlsConfig({ pfx: 'c.p12', key: 'k.pem' }).join('\n'), /not both/);
    assert.deepEqual(checkTlsConfig({ passphrase: 'x', ca: ['ca.pem'] }), [
      'tls.passphrase is only used to decrypt tls.key or tls.pfx, and neither is given',
    ]);
  });

  it('wants file paths and a host name', () => {
    assert.match(
      checkTlsConfig({ ca: ['ca.pem', ''] }).join('\n'),
      /tls\.ca\[1\] must be the path of a PEM file, got ""/,
    );
    assert.match(
      checkTlsConfig({ ca: 'ca.pem' as unknown as string[] }).join('\n'),
      /tls\.ca must be a list of PEM file paths/,
    );
    assert.match(checkTlsConfig({ cert: ' ', key: 'k.pem' }).join('\n'), /tls\.cert must be the path of a file/);
    for (const servername of ['https://api.internal', '10.0.0.1', 'api internal', '-bad.example', '']) {
      assert.match(
        checkTlsConfig({ servername }).join('\n'),
        /tls\.servername must be a host name such as api\.example\.com/,
        servername,
      );
    }
  });

  it('is part of the endpoint check', () => {
    const problems = checkEndpoint(
      makeEndpoint('wss://127.0.0.1:9/', { proxy: 'proxy:3128', tls: { cert: 'c.pem', servername: 'a b' } }),
    );
    assert.equal(problems.length, 3, problems.join('\n'));
    assert.match(problems[0]!, /"proxy:3128" is not "none", "system" or a URL with a scheme/);
    assert.match(problems[1]!, /tls\.cert needs tls\.key/);
    assert.match(problems[2]!, /tls\.servername/);
    assert.deepEqual(checkEndpoint(makeEndpoint('wss://127.0.0.1:9/', { proxy: 'none', tls: { ca: ['ca.pem'] } })), []);
  });
});
