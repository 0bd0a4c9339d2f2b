// Where a tap listens (core/model/listenAddress.ts), read once for `ws-inspector tap --listen`
// and the extension's wsInspector.taps / Start Tap…: PORT, HOST:PORT, [IPv6]:PORT, loopback by
// default; and the address an app on this machine is told to use, loopback for 0.0.0.0 and ::.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseListen } from '../../src/cli/tapArgs.js';
import { UsageError } from '../../src/cli/usage.js';
import { listenUrl, localListenUrl, parseListenAddress } from '../../src/core/model/listenAddress.js';
import { parseSettings } from '../../src/extension/model/settings.js';

describe('listen addresses', () => {
  it('reads PORT, HOST:PORT and [IPv6]:PORT; loopback unless another address is named', () => {
    assert.deepEqual(parseListenAddress('8787'), { host: '127.0.0.1', port: 8787, beyondLoopback: false });
    assert.deepEqual(parseListenAddress(' 0 '), { host: '127.0.0.1', port: 0, beyondLoopback: false });
    assert.deepEqual(parseListenAddress('localhost:1'), { host: 'localhost', port: 1, beyondLoopback: false });
    assert.deepEqual(parseListenAddress('127.0.0.2:1'), { host: '127.0.0.2', port: 1, beyondLoopback: false });
    assert.deepEqual(parseListenAddress('[::1]:2'), { host: '::1', port: 2, beyondLoopback: false });
    assert.deepEqual(parseListenAddress('[::]:2'), { host: '::', port: 2, beyondLoopback: true });
    assert.deepEqual(parseListenAddress('0.0.0.0:3'), { host: '0.0.0.0', port: 3, beyondLoopback: true });
    assert.deepEqual(parseListenAddress('192.168.1.5:4'), { host: '192.168.1.5', port: 4, beyondLoopback: true });
    assert.deepEqual(parseListenAddress('65535'), { host: '127.0.0.1', port: 65535, beyondLoopback: false });
  });

  it('says why for anything else, quoting the text', () => {
    for (const bad of ['', 'x', 'localhost', '70000', '65536', ':80', '1.2.3.4:', 'host name:80', '::1:80', '[x]:1']) {
      const parsed = parseListenAddress(bad);
      assert.ok('error' in parsed, bad);
      assert.match(parsed.error, /^must be \[HOST:\]PORT/);
      assert.ok(parsed.error.endsWith(`got "${bad}"`), parsed.error);
    }
  });

  it('is the one reading of both front ends: the CLI --listen and the wsInspector.taps setting', () => {
    for (const text of ['8787', '0.0.0.0:9', '[::1]:2', 'localhost:1']) {
      const parsed = parseListenAddress(text);
      assert.ok(!('error' in parsed));
      assert.deepEqual(parseListen(text), {
        listenHost: parsed.host,
        listenPort: parsed.port,
        listensBeyondLoopback: parsed.beyondLoopback,
      });
      const settings = parseSettings({
        endpoints: {},
        values: {},
        taps: { user: [{ listen: text, target: 'ws://x/' }] },
      });
      assert.deepEqual(settings.taps[0]?.listen, parsed, text);
    }
    assert.throws(
      () => parseListen('nope'),
      (error) => error instanceof UsageError && /^--listen must be/.test(error.message),
    );
  });

  it('writes a URL, an IPv6 host in brackets', () => {
    assert.equal(listenUrl('127.0.0.1', 8787), 'ws://127.0.0.1:8787');
    assert.equal(listenUrl('::1', 8787), 'ws://[::1]:8787');
  });

  it('tells an app on this machine loopback when the tap listens on every address (0.0.0.0, ::)', () => {
    assert.equal(localListenUrl('0.0.0.0', 8787), 'ws://127.0.0.1:8787');
    assert.equal(localListenUrl('::', 8787), 'ws://127.0.0.1:8787');
    // Any other address is where the app connects, as it is.
    assert.equal(localListenUrl('127.0.0.1', 8787), 'ws://127.0.0.1:8787');
    assert.equal(localListenUrl('::1', 8787), 'ws://[::1]:8787');
    assert.equal(localListenUrl('192.168.1.5', 8787), 'ws://192.168.1.5:8787');
    // A TLS listener (--listen-cert) keeps its scheme.
    assert.equal(localListenUrl('0.0.0.0', 8787, 'wss:'), 'wss://127.0.0.1:8787');
  });
});
