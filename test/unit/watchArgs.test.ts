import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../src/cli/usage.js';
import { parseWatchArgs } from '../../src/cli/watchArgs.js';

describe('ws-inspector watch arguments', () => {
  it('uses the documented defaults', () => {
    const options = parseWatchArgs(['ws://127.0.0.1:9/']);
    assert.equal(options.endpoint.heartbeat.mode, 'ping');
    assert.equal(options.endpoint.heartbeat.intervalMs, 30_000);
    assert.equal(options.endpoint.heartbeat.timeoutMs, 10_000);
    assert.equal(options.endpoint.reconnect.enabled, true);
    assert.equal(options.idleGapMs, 5_000);
    assert.equal(options.durationMs, null);
    assert.equal(options.output, 'lines');
  });

  it('keeps --on-open texts in order on the endpoint, apart from --send', () => {
    const options = parseWatchArgs([
      'ws://127.0.0.1:9/',
      '--on-open',
      '{"type":"connection_init"}',
      '--send',
      'once',
      '--on-open',
      '{"id":"1","type":"subscribe"}',
    ]);
    assert.deepEqual(options.endpoint.onOpen, ['{"type":"connection_init"}', '{"id":"1","type":"subscribe"}']);
    assert.deepEqual(options.send, ['once']);
    assert.equal(parseWatchArgs(['ws://127.0.0.1:9/']).endpoint.onOpen, undefined);
  });

  it('parses every option', () => {
    const options = parseWatchArgs([
      'wss://example.test/ws',
      '--heartbeat',
      'text',
      '--interval',
      '500ms',
      '--timeout',
      '2s',
      '--ping-payload',
      'hb',
      '--expect',
      '/^ok$/',
      '-H',
      'Authorization: Bearer x',
      '--header',
      'X-A: 1',
      '--subprotocol',
      'chat',
      '--subprotocol',
      'v2',
      '--insecure',
      '--no-reconnect',
      '--max-reconnects',
      '3',
      '--idle-gap',
      '1s',
      '--duration',
      '2m',
      '--send',
      'a',
      '--send',
      'b',
      '--export',
      'out.json',
      '--json',
    ]);
    assert.deepEqual(options.endpoint.heartbeat, {
      mode: 'text',
      intervalMs: 500,
      timeoutMs: 2_000,
      payload: 'hb',
      expect: '/^ok$/',
    });
    assert.deepEqual(options.endpoint.headers, { Authorization: 'Bearer x', 'X-A': '1' });
    assert.deepEqual(options.endpoint.protocols, ['chat', 'v2']);
    assert.equal(options.endpoint.allowSelfSignedCertificate, true);
    assert.equal(options.endpoint.reconnect.enabled, false);
    assert.equal(options.endpoint.reconnect.maxAttempts, 3);
    assert.equal(options.idleGapMs, 1_000);
    assert.equal(options.durationMs, 120_000);
    assert.deepEqual(options.send, ['a', 'b']);
    assert.equal(options.exportPath, 'out.json');
    assert.equal(options.output, 'json');
  });

  const bad: Array<[string[], RegExp]> = [
    [[], /needs a URL/],
    [['http://x/'], /must start with ws:\/\/ or wss:\/\//],
    [['not a url'], /not a valid URL/],
    [['ws://x/', 'ws://y/'], /one URL/],
    [['ws://x/', '--heartbeat', 'tcp'], /--heartbeat must be ping, text or off/],
    [['ws://x/', '--interval', '30'], /--interval: invalid duration "30"/],
    [['ws://x/', '--duration', '0s'], /--duration: must be more than zero/],
    [['ws://x/', '-H', 'NoColon'], /expects "Name: value"/],
    [['ws://x/', '-H', 'Bad Name: v'], /not a valid HTTP token/],
    [['ws://x/', '-H', 'X: a\r\nInjected: 1'], /not allowed in HTTP/],
    [['ws://x/', '--max-reconnects=-1'], /whole number/],
    [['ws://x/', '--max-reconnects', 'many'], /whole number/],
    [['ws://x/', '--json', '--quiet'], /cannot be combined/],
    [['ws://x/', '--bogus'], /Unknown option '--bogus'/],
    [['ws://x/', '--heartbeat', 'text', '--expect', '/(/'], /not a valid regex/],
  ];
  for (const [argv, message] of bad) {
    it(`rejects ${JSON.stringify(argv)} with a clear message`, () => {
      assert.throws(
        () => parseWatchArgs(argv),
        (error: unknown) => error instanceof UsageError && message.test(error.message),
      );
    });
  }
});
