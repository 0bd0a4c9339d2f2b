// Bad input: malformed `wsInspector.endpoints` entries, invalid URLs and illegal
// headers are rejected with a message naming the setting and what is wrong, while every
// other entry still loads — and still connects.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeRegexSource } from '../../src/core/common/regexSafety.js';
import { checkHeader, checkWebSocketUrl, compileExpect } from '../../src/core/model/endpoint.js';
import { ConnectionManager } from '../../src/extension/model/connectionManager.js';
import { describeProblem, parseSettings, type RawSettings } from '../../src/extension/model/settings.js';
import { FakeClock } from './fakes/fakeClock.js';
import { FakeSocketFactory } from './fakes/fakeSocket.js';

const parse = (endpoints: RawSettings['endpoints'], values: RawSettings['values'] = {}) =>
  parseSettings({ endpoints, values });
const errors = (result: ReturnType<typeof parse>) =>
  result.problems.filter((p) => p.severity === 'error').map(describeProblem);

/** Each malformed entry, and the one error it must produce. */
const MALFORMED: Array<[unknown, string]> = [
  [
    'ws://a.test/',
    'wsInspector.endpoints[1] must be an object with at least a "url", got "ws://a.test/" (user settings)',
  ],
  [null, 'wsInspector.endpoints[1] must be an object with at least a "url", got null (user settings)'],
  [{ name: 'no url' }, 'wsInspector.endpoints[1].url must be a ws:// or wss:// URL, got nothing (user settings)'],
  [{ url: 42 }, 'wsInspector.endpoints[1].url must be a ws:// or wss:// URL, got 42 (user settings)'],
  [
    { url: 'http://a.test/' },
    'wsInspector.endpoints[1].url is invalid: "http://a.test/" uses http://, but a WebSocket URL must start with ws:// or wss:// (did you mean ws://?) (user settings)',
  ],
  [
    { url: 'javascript:alert(1)' },
    'wsInspector.endpoints[1].url is invalid: "javascript:alert(1)" uses the "javascript:" scheme, but a WebSocket URL must start with ws:// or wss:// (user settings)',
  ],
  [
    { url: '' },
    'wsInspector.endpoints[1].url is invalid: the URL is empty; expected ws://host[:port]/path or wss://host[:port]/path (user settings)',
  ],
  [
    { url: 'ws:///x' },
    'wsInspector.endpoints[1].url is invalid: "ws:///x" has no host; expected ws://host[:port]/path (user settings)',
  ],
  [
    { url: 'ws://a .test/' },
    'wsInspector.endpoints[1].url is invalid: "ws://a .test/" is not a valid URL: it contains a space (U+0020) at character 7, and URLs cannot contain spaces or control characters (encode a space as %20) (user settings)',
  ],
  [{ url: 'ws://x.test/', name: 7 }, 'wsInspector.endpoints[1].name must be a non-empty string, got 7 (user settings)'],
  [
    { url: 'ws://x.test/', headers: ['a'] },
    'wsInspector.endpoints[1].headers must be an object of header names to string values, got an array (user settings)',
  ],
  [
    { url: 'ws://x.test/', headers: { 'X-N': 5 } },
    'wsInspector.endpoints[1].headers.X-N must be a string, got 5 (user settings)',
  ],
  [
    { url: 'ws://x.test/', headers: { 'Bad:Name': 'v' } },
    'wsInspector.endpoints[1].headers.Bad:Name is invalid: header name "Bad:Name" is not a valid HTTP token (user settings)',
  ],
  [
    { url: 'ws://x.test/', headers: { 'X-A': 'a\r\nB: c' } },
    'wsInspector.endpoints[1].headers.X-A is invalid: header "X-A" has a value with characters not allowed in HTTP: a line break (U+000D) at character 2 would start a new header line (user settings)',
  ],
  [
    { url: 'ws://x.test/', headers: { 'X-A': 'a\u0000' } },
    'wsInspector.endpoints[1].headers.X-A is invalid: header "X-A" has a value with characters not allowed in HTTP: U+0000 at character 2 is a control character (user settings)',
  ],
  [
    { url: 'ws://x.test/', headers: { 'X-A': 'ok ✓' } },
    'wsInspector.endpoints[1].headers.X-A is invalid: header "X-A" has a value with characters not allowed in HTTP: "✓" (U+2713) at character 4 is outside Latin-1 (HTTP header values are bytes; percent-encode or base64 it) (user settings)',
  ],
  [
    { url: 'ws://x.test/', headers: { Authorization: '${secret:bad name}' } },
    'wsInspector.endpoints[1].headers.Authorization "${secret:bad name}" is not a valid secret reference; names use letters, digits, _, . and - (user settings)',
  ],
  [
    { url: 'ws://x.test/', protocols: 'chat' },
    'wsInspector.endpoints[1].protocols must be an array of strings, got "chat" (user settings)',
  ],
  [
    { url: 'ws://x.test/', protocols: ['a b'] },
    'wsInspector.endpoints[1].protocols[0] "a b" is not a valid subprotocol token (user settings)',
  ],
  [
    { url: 'ws://x.test/', heartbeat: 'ping' },
    'wsInspector.endpoints[1].heartbeat must be an object such as { "mode": "ping", "intervalMs": 30000 }, got "ping" (user settings)',
  ],
  [
    { url: 'ws://x.test/', heartbeat: { mode: 'websocket' } },
    'wsInspector.endpoints[1].heartbeat.mode must be "ping", "text" or "off", got "websocket" (user settings)',
  ],
  [
    { url: 'ws://x.test/', heartbeat: { intervalMs: -5 } },
    'wsInspector.endpoints[1].heartbeat.intervalMs must be a positive number of milliseconds, got -5 (user settings)',
  ],
  [
    { url: 'ws://x.test/', heartbeat: { timeoutMs: 0 } },
    'wsInspector.endpoints[1].heartbeat.timeoutMs must be a positive number of milliseconds, got 0 (user settings)',
  ],
  [
    { url: 'ws://x.test/', heartbeat: { intervalMs: '30s' } },
    'wsInspector.endpoints[1].heartbeat.intervalMs must be a positive number of milliseconds, got "30s" (user settings)',
  ],
  [
    { url: 'ws://x.test/', heartbeat: { mode: 'text', expect: '/(/' } },
    'wsInspector.endpoints[1].heartbeat.expect is not a valid regex: Invalid regular expression: /(/: Unterminated group (user settings)',
  ],
  [
    { url: 'ws://x.test/', heartbeat: { mode: 'ping', expect: '/[/' } },
    'wsInspector.endpoints[1].heartbeat.expect is not a valid regex: Invalid regular expression: /[/: Unterminated character class (user settings)',
  ],
  [
    { url: 'ws://x.test/', heartbeat: { mode: 'text', expect: '/^(\\w+\\s?)+$/' } },
    'wsInspector.endpoints[1].heartbeat.expect has a repeated group with a quantifier inside ("(\\w+\\s?)+"), which can take exponential time on some replies; simplify the pattern (user settings)',
  ],
  [
    { url: 'ws://x.test/', heartbeat: { mode: 'text', expect: '/^(a|aa)+$/' } },
    'wsInspector.endpoints[1].heartbeat.expect repeats a group of alternatives ("(a|aa)+"), which can take exponential time on some replies; repeat a character class instead, or drop the repeat (user settings)',
  ],
  [
    { url: 'ws://x.test/', heartbeat: { mode: 'text', expect: '/(x)\\1/' } },
    'wsInspector.endpoints[1].heartbeat.expect uses a backreference (\\1…), which can take exponential time on some replies; match without it (user settings)',
  ],
  [
    { url: 'ws://x.test/', heartbeat: { mode: 'text', expect: '/a*b*c*d*/' } },
    "wsInspector.endpoints[1].heartbeat.expect has 4 unbounded quantifiers (*, + or {n,}); at most 3 are allowed, so that matching a server's reply stays fast (user settings)",
  ],
  [
    { url: 'ws://x.test/', heartbeat: { mode: 'text', payload: '' } },
    'wsInspector.endpoints[1].heartbeat.payload must not be empty in text mode (user settings)',
  ],
  [
    { url: 'ws://x.test/', reconnect: { initialDelayMs: -1 } },
    'wsInspector.endpoints[1].reconnect.initialDelayMs must be a number of at least 0, got -1 (user settings)',
  ],
  [
    { url: 'ws://x.test/', reconnect: { multiplier: 0.5 } },
    'wsInspector.endpoints[1].reconnect.multiplier must be a number of at least 1, got 0.5 (user settings)',
  ],
  [
    { url: 'ws://x.test/', reconnect: { maxAttempts: 1.5 } },
    'wsInspector.endpoints[1].reconnect.maxAttempts must be a whole number of 0 or more, or null, got 1.5 (user settings)',
  ],
  [
    { url: 'ws://x.test/', reconnect: { initialDelayMs: 5000, maxDelayMs: 10 } },
    'wsInspector.endpoints[1].reconnect.maxDelayMs (10) must be at least initialDelayMs (5000) (user settings)',
  ],
  [
    { url: 'ws://x.test/', reconnect: { enabled: 'yes' } },
    'wsInspector.endpoints[1].reconnect.enabled must be true or false, got "yes" (user settings)',
  ],
  [
    { url: 'ws://x.test/', autoConnect: 1 },
    'wsInspector.endpoints[1].autoConnect must be true or false, got 1 (user settings)',
  ],
  [
    { url: 'ws://x.test/', handshakeTimeoutMs: -1 },
    'wsInspector.endpoints[1].handshakeTimeoutMs must be a positive number of milliseconds, got -1 (user settings)',
  ],
  [
    { url: 'ws://x.test/', name: 'Good' },
    'wsInspector.endpoints[1].name "Good" is already used by wsInspector.endpoints[0]; entry skipped (user settings)',
  ],
];

describe('bad input: wsInspector.endpoints', () => {
  for (const [entry, message] of MALFORMED) {
    it(`rejects ${JSON.stringify(entry)} by its field, and still loads the good entries around it`, () => {
      const result = parse({
        user: [{ name: 'Good', url: 'ws://good.test/' }, entry, { name: 'Also good', url: 'wss://also.test/x' }],
      });
      assert.deepEqual(errors(result), [message]);
      assert.deepEqual(
        result.endpoints.map((e) => e.name),
        ['Good', 'Also good'],
      );
    });
  }

  it('reports every malformed entry of one array at once, each by its index', () => {
    const result = parse({
      workspace: [
        { url: 'ftp://a/' },
        { name: 'Fine', url: 'ws://fine.test/' },
        { url: 'ws://b/', heartbeat: { mode: 'x' } },
      ],
    });
    assert.deepEqual(
      result.endpoints.map((e) => e.name),
      ['Fine'],
    );
    assert.deepEqual(
      result.problems.map((p) => p.setting),
      ['wsInspector.endpoints[0].url', 'wsInspector.endpoints[2].heartbeat.mode'],
    );
  });

  it('a setting that is not an array at all is named, and the other scopes still load', () => {
    const result = parse({ user: { url: 'ws://a/' }, workspace: [{ name: 'W', url: 'ws://w.test/' }] });
    assert.deepEqual(errors(result), [
      'wsInspector.endpoints must be an array of endpoint objects, got an object (user settings)',
    ]);
    assert.deepEqual(
      result.endpoints.map((e) => e.name),
      ['W'],
    );
  });

  it('a catastrophic default expect pattern is refused and the default used', () => {
    const result = parse({}, { 'heartbeat.expect': '/^(a+)+$/' });
    assert.match(
      errors(result)[0]!,
      /^wsInspector\.heartbeat\.expect has a repeated group with a quantifier inside .*; using "pong"$/,
    );
    assert.equal(result.defaults.heartbeat.expect, 'pong');
  });

  it('the good entries still connect; the bad ones never create a connection', async () => {
    const clock = new FakeClock();
    const sockets = new FakeSocketFactory();
    const manager = new ConnectionManager({
      clock,
      createSocket: sockets.create,
      getSecret: async () => undefined,
      log: { info() {}, warn() {}, error() {} },
    });
    const settings = parse({
      user: [
        { name: 'Bad scheme', url: 'http://x.test/', autoConnect: true },
        { name: 'Good', url: 'ws://good.test/', autoConnect: true },
        { name: 'Bad header', url: 'ws://y.test/', headers: { 'A B': 'c' }, autoConnect: true },
      ],
    });
    await manager.applySettings(settings, true);
    assert.deepEqual(
      manager.list().map((c) => [c.name, c.state]),
      [['Good', 'connecting']],
    );
    assert.deepEqual(
      sockets.sockets.map((s) => s.options.url),
      ['ws://good.test/'],
    );
    assert.equal(settings.problems.length, 2);
    manager.dispose();
  });
});

describe('bad input: URLs and headers', () => {
  it('accepts what is valid', () => {
    for (const url of [
      'ws://127.0.0.1:8080/',
      'wss://example.test/a?b=c',
      'ws://[::1]:9/',
      'WS://EXAMPLE.TEST/',
      'ws://user:pw@example.test/',
    ]) {
      assert.equal(checkWebSocketUrl(url), null, url);
    }
    for (const [name, value] of [
      ['Authorization', 'Bearer abc'],
      ['X-Latin-1', 'café'],
      ['X-Empty', ''],
      ["X!#$%&'*+-.^_`|~", 'tab\tok'],
    ] as const) {
      assert.equal(checkHeader(name, value), null, name);
    }
  });

  it('names the empty header name and a DEL in a value', () => {
    assert.equal(checkHeader('', 'x'), 'header name is empty');
    assert.match(checkHeader('X', 'a\u007f')!, /U\+007F at character 2 is a control character/);
  });
});

describe('text-heartbeat matcher', () => {
  it('still matches exact text and simple regexes', () => {
    assert.equal(compileExpect('pong')('pong'), true);
    assert.equal(compileExpect('pong')('pong '), false);
    assert.equal(compileExpect('/^\\{"type":\\s*"pong"/i')('{"TYPE": "pong", "t": 1}'), true);
  });

  it('runs a regex only on replies short enough for its worst case', () => {
    const oneQuantifier = compileExpect('/^a+$/');
    assert.equal(oneQuantifier('a'.repeat(4096)), true);
    assert.equal(oneQuantifier('a'.repeat(4097)), false, 'longer than the limit for one quantifier');
    const threeQuantifiers = compileExpect('/^a*a*a*b$/');
    assert.equal(analyzeRegexSource('^a*a*a*b$').unboundedQuantifiers, 3);
    assert.equal(threeQuantifiers(`${'a'.repeat(120)}b`), true);
    // Worst case for this pattern is ~n^4 steps: capped at 128 characters it stays bounded.
    assert.equal(threeQuantifiers('a'.repeat(128)), false);
    assert.equal(threeQuantifiers('a'.repeat(100_000)), false);
  });
});
