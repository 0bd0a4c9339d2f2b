import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseProbeArgs } from '../../src/cli/probeArgs.js';
import { USAGE, UsageError } from '../../src/cli/usage.js';
import { parseWatchArgs } from '../../src/cli/watchArgs.js';
import { redactionPolicyFor, redactProse, REDACTED } from '../../src/core/model/redaction.js';

const dir = mkdtempSync(join(tmpdir(), 'ws-inspector-network-args-'));
const file = (name: string) => {
  const path = join(dir, name);
  writeFileSync(path, '-----BEGIN CERTIFICATE-----\n');
  return path;
};
const ca = file('ca.pem');
const ca2 = file('ca2.pem');
const cert = file('client.pem');
const key = file('client-key.pem');
const pfx = file('client.p12');
const WSS = 'wss://127.0.0.1:9/';

describe('ws-inspector proxy and TLS flags', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('gives --proxy to the socket factory as the CLI proxy, and its password to the secrets', () => {
    const options = parseWatchArgs([WSS, '--proxy', 'http://alice:pr0xy-pass@127.0.0.1:3128'], {});
    assert.deepEqual(options.proxy, {
      setting: 'http://alice:pr0xy-pass@127.0.0.1:3128',
      source: 'cli',
      from: '--proxy',
    });
    assert.equal(options.endpoint.proxy, undefined, 'the endpoint keeps its own setting (system)');
    assert.ok(options.secretValues.includes('pr0xy-pass'));
    assert.ok(options.secretValues.includes('alice:pr0xy-pass'));
    const probe = parseProbeArgs([WSS, '--proxy', 'socks5h://127.0.0.1:1080'], {});
    assert.deepEqual(probe.proxy, { setting: 'socks5h://127.0.0.1:1080', source: 'cli', from: '--proxy' });
  });

  it('gives --no-proxy as the proxy "none", and nothing without either flag', () => {
    assert.deepEqual(parseWatchArgs([WSS, '--no-proxy'], {}).proxy, {
      setting: 'none',
      source: 'cli',
      from: '--no-proxy',
    });
    assert.equal(parseWatchArgs([WSS], {}).proxy, undefined);
    assert.equal(parseProbeArgs([WSS], {}).proxy, undefined);
  });

  it("hides the environment's proxy passwords, whichever variable names them", () => {
    const env = {
      HTTPS_PROXY: 'http://bob:env-https-pass@proxy:3128',
      http_proxy: 'http://bob:env-http-pass@proxy:3128',
      ALL_PROXY: 'socks5://carol:env-all-pass@proxy:1080',
      NO_PROXY: 'localhost',
    };
    const options = parseWatchArgs(['ws://127.0.0.1:9/'], env);
    const policy = redactionPolicyFor(options.endpoint, { secretValues: options.secretValues });
    assert.equal(
      redactProse('env-https-pass env-http-pass env-all-pass', policy),
      `${REDACTED} ${REDACTED} ${REDACTED}`,
    );
  });

  it('sets the TLS options on the endpoint, the passphrase read from the named variable', () => {
    const options = parseWatchArgs(
      [
        WSS,
        '--ca',
        ca,
        '--ca',
        ca2,
        '--cert',
        cert,
        '--key',
        key,
        '--passphrase-env',
        'KEY_PASS',
        '--servername',
        'localhost',
      ],
      { KEY_PASS: 'key-passphrase-1' },
    );
    assert.deepEqual(options.endpoint.tls, {
      ca: [ca, ca2],
      cert,
      key,
      passphrase: 'key-passphrase-1',
      servername: 'localhost',
    });
    const policy = redactionPolicyFor(options.endpoint, { secretValues: options.secretValues });
    assert.equal(redactProse('bad decrypt key-passphrase-1', policy), `bad decrypt ${REDACTED}`);
    const probe = parseProbeArgs([WSS, '--pfx', pfx, '--passphrase-env', 'P12'], { P12: 'p12-passphrase' });
    assert.deepEqual(probe.endpoint.tls, { pfx, passphrase: 'p12-passphrase' });
    assert.equal(parseWatchArgs([WSS], {}).endpoint.tls, undefined);
  });

  const refusals: Array<[string, string[], Record<string, string>, RegExp]> = [
    [
      '--proxy with --no-proxy',
      ['--proxy', 'http://p:3128', '--no-proxy'],
      {},
      /--proxy and --no-proxy cannot be combined/,
    ],
    [
      'a proxy without a scheme',
      ['--proxy', 'proxy:3128'],
      {},
      /--proxy: the proxy setting "proxy:3128" is not "none", "system" or a URL with a scheme; e\.g\. http:\/\//,
    ],
    [
      'an unsupported proxy scheme',
      ['--proxy', 'ftp://p:21'],
      {},
      /--proxy: .*uses ftp:\/\/, but a proxy must be http:\/\//,
    ],
    ['a proxy URL with a path', ['--proxy', 'http://p:3128/x'], {}, /--proxy: .*has a path/],
    ['--proxy none', ['--proxy', 'none'], {}, /for no proxy use --no-proxy/],
    ['--proxy without a value', ['--proxy'], {}, /--proxy/],
    ['--cert without --key', ['--cert', cert], {}, /--cert needs --key/],
    ['--key without --cert', ['--key', key], {}, /--key needs --cert/],
    [
      '--pfx with --cert and --key',
      ['--pfx', pfx, '--cert', cert, '--key', key],
      {},
      /either --pfx or --cert with --key, not both/,
    ],
    [
      '--passphrase-env alone',
      ['--passphrase-env', 'P'],
      { P: 'secret-1' },
      /--passphrase-env is only used to decrypt --key or --pfx/,
    ],
    [
      '--passphrase-env naming an unset variable',
      ['--pfx', pfx, '--passphrase-env', 'UNSET'],
      {},
      /--passphrase-env: the environment variable UNSET is not set or empty/,
    ],
    [
      '--passphrase-env given a passphrase',
      ['--pfx', pfx, '--passphrase-env', 'my secret!'],
      {},
      /--passphrase-env expects the name of an environment variable/,
    ],
    [
      'a missing --ca file',
      ['--ca', join(dir, 'missing.pem')],
      {},
      /--ca: cannot read .*missing\.pem \(no such file\)/,
    ],
    [
      'a missing --pfx file',
      ['--pfx', join(dir, 'missing.p12')],
      {},
      /--pfx: cannot read .*missing\.p12 \(no such file\)/,
    ],
    ['an IP address as --servername', ['--servername', '127.0.0.1'], {}, /--servername must be a host name/],
    ['an empty --ca', ['--ca', ''], {}, /--ca\[0\] must be the path of a PEM file/],
  ];
  for (const [what, flags, env, expected] of refusals) {
    it(`refuses ${what} with a clear usage error`, () => {
      for (const parse of [parseWatchArgs, parseProbeArgs]) {
        assert.throws(
          () => parse([WSS, ...flags], env),
          (error: unknown) => error instanceof UsageError && expected.test(error.message),
        );
      }
    });
  }

  it('refuses TLS flags on a ws:// URL, naming them', () => {
    assert.throws(
      () => parseWatchArgs(['ws://127.0.0.1:9/', '--ca', ca, '--servername', 'localhost'], {}),
      /--ca, --servername apply to wss:\/\/ URLs only, and ws:\/\/127\.0\.0\.1:9\/ is not one/,
    );
  });

  it('never quotes the proxy password or the passphrase in a usage error', () => {
    for (const [flags, env] of [
      [['--proxy', 'http://alice:pr0xy-pass@p:3128/path'], {}],
      [['--proxy', 'ftp://alice:pr0xy-pass@p:21'], {}],
      [['--passphrase-env', 'P'], { P: 'pr0xy-pass' }],
    ] as Array<[string[], Record<string, string>]>) {
      assert.throws(
        () => parseWatchArgs([WSS, ...flags], env),
        (error: unknown) => error instanceof UsageError && !error.message.includes('pr0xy-pass'),
      );
    }
  });

  it('documents every flag and the precedence in the usage text', () => {
    for (const flag of [
      '--proxy URL',
      '--no-proxy',
      '--ca FILE',
      '--cert FILE',
      '--key FILE',
      '--pfx FILE',
      '--passphrase-env NAME',
      '--servername NAME',
    ]) {
      assert.ok(USAGE.includes(flag), flag);
    }
    assert.match(USAGE, /--proxy or --no-proxy when given; otherwise the environment/);
    for (const variable of ['HTTPS_PROXY', 'HTTP_PROXY', 'ALL_PROXY', 'NO_PROXY']) assert.ok(USAGE.includes(variable));
  });
});
