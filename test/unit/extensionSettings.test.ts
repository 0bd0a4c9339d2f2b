import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_HEARTBEAT, DEFAULT_RECONNECT } from '../../src/core/model/endpoint.js';
import { describeProblem, parseSettings, type RawSettings } from '../../src/extension/model/settings.js';

const parse = (endpoints: RawSettings['endpoints'], values: RawSettings['values'] = {}) =>
  parseSettings({ endpoints, values });
const errors = (result: ReturnType<typeof parse>) =>
  result.problems.filter((p) => p.severity === 'error').map(describeProblem);

describe('settings: endpoints', () => {
  it('loads a minimal entry with the default heartbeat and reconnect', () => {
    const result = parse({ user: [{ name: 'Echo', url: 'ws://127.0.0.1:8080/' }] });
    assert.deepEqual(result.problems, []);
    assert.equal(result.endpoints.length, 1);
    const [echo] = result.endpoints;
    assert.equal(echo!.name, 'Echo');
    assert.equal(echo!.scope, 'user');
    assert.equal(echo!.autoConnect, false);
    assert.deepEqual(echo!.endpoint.heartbeat, DEFAULT_HEARTBEAT);
    assert.deepEqual(echo!.endpoint.reconnect, DEFAULT_RECONNECT);
  });

  it('uses the URL as the name when none is given', () => {
    assert.equal(parse({ user: [{ url: 'wss://example.test/a' }] }).endpoints[0]!.name, 'wss://example.test/a');
  });

  it('names the bad field of a malformed entry and still loads the others', () => {
    const result = parse({
      workspace: [
        { name: 'Good', url: 'ws://a.test/' },
        { name: 'Bad', url: 'ws://b.test/', heartbeat: { intervalMs: 'fast' } },
        {
          name: 'Also good',
          url: 'wss://c.test/',
          heartbeat: { mode: 'text', payload: 'hb', expect: '/^ack/' },
          reconnect: { maxAttempts: 3 },
        },
      ],
    });
    assert.deepEqual(
      result.endpoints.map((e) => e.name),
      ['Good', 'Also good'],
    );
    assert.deepEqual(errors(result), [
      'wsInspector.endpoints[1].heartbeat.intervalMs must be a positive number of milliseconds, got "fast" (workspace settings)',
    ]);
    assert.equal(result.endpoints[1]!.endpoint.heartbeat.mode, 'text');
    assert.equal(result.endpoints[1]!.endpoint.reconnect.maxAttempts, 3);
  });

  it('reports every kind of bad field by its path', () => {
    const cases: Array<[unknown, string]> = [
      ['not an object', 'wsInspector.endpoints[0] must be an object with at least a "url", got "not an object"'],
      [{ name: 'x' }, 'wsInspector.endpoints[0].url must be a ws:// or wss:// URL, got nothing'],
      [
        { url: 'https://example.test/?token=abc' },
        'wsInspector.endpoints[0].url is invalid: "https://example.test/?token=%5Bredacted%5D" uses https://, but a WebSocket URL must start with ws:// or wss:// (did you mean wss://?)',
      ],
      [{ url: 'ws://a.test/', name: '' }, 'wsInspector.endpoints[0].name must be a non-empty string, got ""'],
      [
        { url: 'ws://a.test/', headers: { 'Bad Name': 'x' } },
        'wsInspector.endpoints[0].headers.Bad Name is invalid: header name "Bad Name" is not a valid HTTP token',
      ],
      [
        { url: 'ws://a.test/', headers: { Authorization: 'Bearer ${secret:}' } },
        'wsInspector.endpoints[0].headers.Authorization "${secret:}" is not a valid secret reference; names use letters, digits, _, . and -',
      ],
      [
        { url: 'ws://a.test/', headers: { Authorization: 'Bearer ${secret:TOKEN' } },
        'wsInspector.endpoints[0].headers.Authorization has a malformed secret reference at character 8; write ${secret:NAME}',
      ],
      [{ url: 'ws://a.test/', headers: { 'X-N': 5 } }, 'wsInspector.endpoints[0].headers.X-N must be a string, got 5'],
      [
        { url: 'ws://a.test/', protocols: 'chat' },
        'wsInspector.endpoints[0].protocols must be an array of strings, got "chat"',
      ],
      [
        { url: 'ws://a.test/', protocols: ['ok', 'not ok'] },
        'wsInspector.endpoints[0].protocols[1] "not ok" is not a valid subprotocol token',
      ],
      [
        { url: 'ws://a.test/', heartbeat: { mode: 'pong' } },
        'wsInspector.endpoints[0].heartbeat.mode must be "ping", "text" or "off", got "pong"',
      ],
      [
        { url: 'ws://a.test/', heartbeat: { mode: 'text', expect: '/(/' } },
        'wsInspector.endpoints[0].heartbeat.expect is not a valid regex: Invalid regular expression: /(/: Unterminated group',
      ],
      [
        { url: 'ws://a.test/', reconnect: { maxDelayMs: 10, initialDelayMs: 100 } },
        'wsInspector.endpoints[0].reconnect.maxDelayMs (10) must be at least initialDelayMs (100)',
      ],
      [
        { url: 'ws://a.test/', reconnect: { maxAttempts: 1.5 } },
        'wsInspector.endpoints[0].reconnect.maxAttempts must be a whole number of 0 or more, or null, got 1.5',
      ],
      [
        { url: 'ws://a.test/', reconnect: { multiplier: 0.5 } },
        'wsInspector.endpoints[0].reconnect.multiplier must be a number of at least 1, got 0.5',
      ],
      [
        { url: 'ws://a.test/', autoConnect: 'yes' },
        'wsInspector.endpoints[0].autoConnect must be true or false, got "yes"',
      ],
      [
        { url: 'ws://a.test/', handshakeTimeoutMs: 0 },
        'wsInspector.endpoints[0].handshakeTimeoutMs must be a positive number of milliseconds, got 0',
      ],
    ];
    for (const [entry, expected] of cases) {
      const result = parse({ user: [entry] });
      assert.deepEqual(errors(result), [`${expected} (user settings)`], JSON.stringify(entry));
      assert.equal(result.endpoints.length, 0);
    }
  });

  it('warns about unknown fields without rejecting the entry', () => {
    const result = parse({ user: [{ url: 'ws://a.test/', autoconnect: true, heartbeat: { interval: 5 } }] });
    assert.equal(result.endpoints.length, 1);
    assert.deepEqual(
      result.problems.map((p) => [p.severity, describeProblem(p)]),
      [
        [
          'warning',
          'wsInspector.endpoints[0].autoconnect is not a known endpoint field and was ignored (user settings)',
        ],
        [
          'warning',
          'wsInspector.endpoints[0].heartbeat.interval is not a known heartbeat field and was ignored (user settings)',
        ],
      ],
    );
  });

  it('rejects a duplicate name within one scope; a more specific scope replaces a same-named entry', () => {
    const result = parse({
      user: [
        { name: 'API', url: 'ws://user.test/' },
        { name: 'Mine', url: 'ws://mine.test/' },
      ],
      workspace: [
        { name: 'API', url: 'ws://workspace.test/' },
        { name: 'API', url: 'ws://again.test/' },
      ],
    });
    assert.deepEqual(errors(result), [
      'wsInspector.endpoints[1].name "API" is already used by wsInspector.endpoints[0]; entry skipped (workspace settings)',
    ]);
    assert.deepEqual(
      result.endpoints.map((e) => [e.name, e.endpoint.url, e.scope]),
      [
        ['Mine', 'ws://mine.test/', 'user'],
        ['API', 'ws://workspace.test/', 'workspace'],
      ],
    );
  });

  it('keeps ${secret:NAME} references unresolved in the endpoint', () => {
    const result = parse({
      user: [
        { url: 'ws://a.test/', headers: { Authorization: 'Bearer ${secret:API_TOKEN}' }, secretHeaders: ['X-Key'] },
      ],
    });
    assert.deepEqual(result.problems, []);
    assert.equal(result.endpoints[0]!.endpoint.headers['Authorization'], 'Bearer ${secret:API_TOKEN}');
    assert.deepEqual(result.endpoints[0]!.endpoint.secretHeaders, ['X-Key']);
  });

  it('reads onOpen: texts as they are, JSON values as their JSON text, ${secret:NAME} kept unresolved', () => {
    const result = parse({
      user: [
        {
          name: 'GraphQL',
          url: 'ws://a.test/graphql',
          onOpen: [{ type: 'connection_init', payload: { token: '${secret:GQL}' } }, 'hello', 42, ['a', 1], null],
        },
        { name: 'Plain', url: 'ws://b.test/' },
      ],
    });
    assert.deepEqual(result.problems, []);
    assert.deepEqual(result.endpoints[0]!.endpoint.onOpen, [
      '{"type":"connection_init","payload":{"token":"${secret:GQL}"}}',
      'hello',
      '42',
      '["a",1]',
      'null',
    ]);
    assert.equal(result.endpoints[1]!.endpoint.onOpen, undefined);
  });

  it('names a bad onOpen by its path and skips the entry', () => {
    assert.deepEqual(errors(parse({ user: [{ url: 'ws://a.test/', onOpen: 'connection_init' }] })), [
      'wsInspector.endpoints[0].onOpen must be an array of texts or JSON values, got "connection_init" (user settings)',
    ]);
    const bad = parse({ user: [{ url: 'ws://a.test/', onOpen: ['ok', '${secret:bad name}'] }] });
    assert.equal(bad.endpoints.length, 0);
    assert.match(errors(bad)[0]!, /^wsInspector\.endpoints\[0\]\.onOpen\[1\] .*not a valid secret reference/);
  });

  it('reports a non-array endpoints setting', () => {
    assert.deepEqual(errors(parse({ user: { url: 'ws://a.test/' } })), [
      'wsInspector.endpoints must be an array of endpoint objects, got an object (user settings)',
    ]);
  });
});

describe('settings: defaults and the rest', () => {
  it('applies default heartbeat and reconnect settings to endpoints that do not set their own', () => {
    const result = parse(
      { user: [{ url: 'ws://a.test/' }, { url: 'ws://b.test/', heartbeat: { intervalMs: 5000 } }] },
      {
        'heartbeat.mode': 'text',
        'heartbeat.intervalMs': 15000,
        'heartbeat.payload': 'hb',
        'reconnect.maxAttempts': 5,
        'reconnect.enabled': false,
      },
    );
    assert.deepEqual(result.problems, []);
    const [a, b] = result.endpoints;
    assert.deepEqual(
      [a!.endpoint.heartbeat.mode, a!.endpoint.heartbeat.intervalMs, a!.endpoint.heartbeat.payload],
      ['text', 15000, 'hb'],
    );
    assert.deepEqual([b!.endpoint.heartbeat.mode, b!.endpoint.heartbeat.intervalMs], ['text', 5000]);
    assert.deepEqual([a!.endpoint.reconnect.enabled, a!.endpoint.reconnect.maxAttempts], [false, 5]);
  });

  it('falls back to the built-in value for a bad default and says so', () => {
    const result = parse(
      {},
      {
        'heartbeat.intervalMs': -5,
        idleGapMs: 'long',
        maxEventsPerSession: 10,
        'heartbeat.mode': 'loud',
        'reconnect.maxDelayMs': 10,
        'reconnect.initialDelayMs': 500,
      },
    );
    assert.deepEqual(errors(result), [
      'wsInspector.heartbeat.mode must be "ping", "text" or "off", got "loud"',
      'wsInspector.heartbeat.intervalMs must be a number of at least 1, got -5; using 30000',
      'wsInspector.reconnect.maxDelayMs (10) must be at least wsInspector.reconnect.initialDelayMs (500); using 500',
      'wsInspector.idleGapMs must be a number of at least 1, got "long"; using 5000',
      'wsInspector.maxEventsPerSession must be a whole number of at least 100, got 10; using 100000',
    ]);
    assert.equal(result.defaults.heartbeat.intervalMs, 30_000);
    assert.equal(result.defaults.reconnect.maxDelayMs, 500);
    assert.equal(result.idleGapMs, 5000);
    assert.equal(result.maxEventsPerSession, 100_000);
  });

  it('validates wsInspector.knownTimeouts entry by entry', () => {
    const result = parse(
      {},
      {
        knownTimeouts: [
          { component: 'corp proxy', setting: 'idle', defaultSeconds: 45, kind: 'idle' },
          { component: 'x', setting: 'y', defaultSeconds: -1, kind: 'idle' },
        ],
      },
    );
    assert.deepEqual(
      result.knownTimeouts.map((t) => t.id),
      ['corp-proxy-idle'],
    );
    assert.deepEqual(errors(result), [
      'wsInspector.knownTimeouts[1] "defaultSeconds" must be a positive number or null',
    ]);
  });
});
