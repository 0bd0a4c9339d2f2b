import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeEndpoint } from '../../src/core/model/endpoint.js';
import { base64ToBytes } from '../../src/core/common/payload.js';
import { redactEvent, redactionPolicyFor, redactUrl, REDACTED } from '../../src/core/model/redaction.js';
import type { SessionEvent } from '../../src/core/model/sessionEvents.js';
import { parseSessionLog, serializeSessionLog, SessionLogError } from '../../src/core/files/sessionLog.js';

const SECRET_TOKEN = 'Bearer s3cr3t-token-value';
const endpoint = makeEndpoint('wss://user:hunter2@api.example.test/ws?token=abc123&room=7', {
  headers: { Authorization: SECRET_TOKEN, 'X-Api-Key': 'key-999', 'X-Trace': 'visible' },
  secretHeaders: ['x-api-key'],
});

const events: SessionEvent[] = [
  { seq: 1, t: 1000, type: 'connecting', attempt: 0, url: endpoint.url, protocols: [] },
  {
    seq: 2,
    t: 1010,
    type: 'open',
    handshakeMs: 10,
    protocol: '',
    extensions: '',
    requestHeaders: {
      Authorization: SECRET_TOKEN,
      Cookie: 'sid=cookie-secret',
      'Sec-WebSocket-Key': 'key==',
      'X-Api-Key': 'key-999',
    },
    responseHeaders: { 'Set-Cookie': 'sid=set-cookie-secret', 'Sec-WebSocket-Accept': 'acc==', Server: 'nginx' },
  },
  { seq: 3, t: 1020, type: 'message', direction: 'in', opcode: 'text', size: 5, data: 'hello', truncated: false },
  { seq: 4, t: 1030, type: 'message', direction: 'out', opcode: 'binary', size: 2, data: '/wA=', truncated: false },
  { seq: 5, t: 1040, type: 'ping', direction: 'out', data: 'wsi-1', encoding: 'utf8' },
  { seq: 6, t: 1041, type: 'pong', direction: 'in', data: 'wsi-1', encoding: 'utf8', rttMs: 1 },
  {
    seq: 7,
    t: 3041,
    type: 'close',
    code: 1006,
    reason: '',
    wasClean: false,
    initiator: 'none',
    idleMs: 2000,
    ageMs: 2031,
  },
];

const SECRETS = [
  SECRET_TOKEN,
  's3cr3t',
  'cookie-secret',
  'set-cookie-secret',
  'key-999',
  'hunter2',
  'abc123',
  'key==',
  'acc==',
];

function exportLog(keepSecrets = false): string {
  return serializeSessionLog({
    endpoint,
    events,
    stats: null,
    droppedEvents: 0,
    exportedAt: new Date(Date.UTC(2026, 10, 26)),
    policy: redactionPolicyFor(endpoint, { keepSecrets }),
  });
}

describe('session log export', () => {
  it('writes the documented shape with every event in seq order', () => {
    const parsed = JSON.parse(exportLog());
    assert.equal(parsed.format, 'ws-inspector-session');
    assert.equal(parsed.version, 1);
    assert.equal(parsed.redacted, true);
    assert.deepEqual(
      parsed.events.map((e: SessionEvent) => e.seq),
      [1, 2, 3, 4, 5, 6, 7],
    );
    assert.equal(parsed.events[2].data, 'hello');
  });

  it('contains no secret value by default', () => {
    const text = exportLog();
    for (const secret of SECRETS) assert.ok(!text.includes(secret), `export leaks ${secret}`);
    assert.ok(text.includes('"X-Trace": "visible"'), 'non-secret headers are kept');
    assert.ok(text.includes('nginx'));
    assert.ok(text.includes('room=7'), 'non-secret query parameters are kept');
  });

  it('keeps secrets only when the user opts in', () => {
    const text = exportLog(true);
    assert.ok(text.includes(SECRET_TOKEN));
    assert.equal(JSON.parse(text).redacted, false);
  });

  it('hides literal secret values wherever they appear', () => {
    const policy = redactionPolicyFor(endpoint, { secretValues: ['tok-xyz'] });
    assert.equal(redactUrl('ws://h/?x=tok-xyz', policy), `ws://h/?x=${REDACTED}`);
  });

  it('masks a secret value echoed in a binary message, a control frame or a close reason', () => {
    const policy = redactionPolicyFor(endpoint, { secretValues: ['tok-xyz-123'] });
    const secretBytes = Buffer.from('id=7;tok-xyz-123;end');
    const echoed: SessionEvent[] = [
      {
        seq: 1,
        t: 1,
        type: 'message',
        direction: 'in',
        opcode: 'binary',
        size: secretBytes.length,
        data: secretBytes.toString('base64'),
        truncated: false,
      },
      {
        seq: 2,
        t: 2,
        type: 'ping',
        direction: 'in',
        data: Buffer.concat([Buffer.from([0xff]), secretBytes]).toString('base64'),
        encoding: 'base64',
      },
      { seq: 3, t: 3, type: 'pong', direction: 'out', data: 'tok-xyz-123', encoding: 'utf8', rttMs: null },
      {
        seq: 4,
        t: 4,
        type: 'close',
        code: 4001,
        reason: 'bad token tok-xyz-123',
        wasClean: true,
        initiator: 'remote',
        idleMs: 0,
        ageMs: 4,
      },
      { seq: 5, t: 5, type: 'message', direction: 'in', opcode: 'binary', size: 2, data: '/wA=', truncated: false },
    ];
    const [binary, ping, pong, close, untouched] = echoed.map((event) => redactEvent(event, policy)) as [
      SessionEvent,
      SessionEvent,
      SessionEvent,
      SessionEvent,
      SessionEvent,
    ];
    const bytesOf = (event: SessionEvent) =>
      Buffer.from(base64ToBytes((event as { data: string }).data)).toString('latin1');
    assert.equal(bytesOf(binary), 'id=7;***********;end', 'same size, the secret bytes masked');
    assert.equal(bytesOf(ping), '\xffid=7;***********;end');
    assert.equal((pong as { data: string }).data, REDACTED);
    assert.equal((close as { reason: string }).reason, `bad token ${REDACTED}`);
    assert.equal(untouched, echoed[4], 'a payload without a secret is passed through as it is');
    assert.equal(
      (echoed[0] as { data: string }).data,
      secretBytes.toString('base64'),
      'the recorded event is not changed',
    );
  });

  it('writes an empty session as valid JSON', () => {
    const text = serializeSessionLog({
      endpoint,
      events: [],
      stats: null,
      droppedEvents: 0,
      exportedAt: new Date(0),
      policy: redactionPolicyFor(endpoint),
    });
    assert.deepEqual(JSON.parse(text).events, []);
  });
});

describe('session log: set-up messages (onOpen)', () => {
  it("keeps the endpoint's onOpen with secret values hidden, and reads it back", () => {
    const endpoint = makeEndpoint('ws://a.test/', {
      onOpen: ['{"type":"connection_init","payload":{"token":"tok-123456"}}', 'subscribe'],
    });
    const write = (keepSecrets: boolean) =>
      serializeSessionLog({
        endpoint,
        events: [],
        stats: null,
        droppedEvents: 0,
        exportedAt: new Date(0),
        policy: redactionPolicyFor(endpoint, { keepSecrets, secretValues: ['tok-123456'] }),
      });
    const redacted = parseSessionLog(write(false));
    assert.deepEqual(redacted.endpoint.onOpen, [
      `{"type":"connection_init","payload":{"token":"${REDACTED}"}}`,
      'subscribe',
    ]);
    assert.deepEqual(parseSessionLog(write(true)).endpoint.onOpen, endpoint.onOpen);
    // An endpoint without set-up messages is written as before: no onOpen field.
    const plain = makeEndpoint('ws://a.test/');
    const text = serializeSessionLog({
      endpoint: plain,
      events: [],
      stats: null,
      droppedEvents: 0,
      exportedAt: new Date(0),
      policy: redactionPolicyFor(plain),
    });
    assert.equal('onOpen' in JSON.parse(text).endpoint, false);
    assert.equal(parseSessionLog(text).endpoint.onOpen, undefined);
    assert.throws(
      () => parseSessionLog(text.replace('"url":', '"onOpen":[1],"url":')),
      (error: unknown) => error instanceof SessionLogError && /endpoint\.onOpen\[0\]/.test(error.message),
    );
  });
});

describe('session log import', () => {
  it('reads back what export wrote', () => {
    const log = parseSessionLog(exportLog());
    assert.equal(log.events.length, events.length);
    assert.deepEqual(log.events[6], events[6]);
    assert.equal(log.endpoint.heartbeat.mode, 'ping');
  });

  const broken: Array<[string, (log: Record<string, unknown>) => unknown, RegExp]> = [
    ['wrong format', (log) => ({ ...log, format: 'har' }), /^format: expected "ws-inspector-session"/],
    ['future version', (log) => ({ ...log, version: 9 }), /^version: unsupported version 9/],
    ['events not an array', (log) => ({ ...log, events: {} }), /^events: expected an array/],
    [
      'seq out of order',
      (log) => ({ ...log, events: [events[1], events[0]] }),
      /^events\[1\]\.seq: seq must be an integer greater/,
    ],
    [
      'unknown type',
      (log) => ({ ...log, events: [{ seq: 1, t: 1, type: 'banana' }] }),
      /^events\[0\]\.type: unknown event type "banana"/,
    ],
    [
      'wrong field type',
      (log) => ({ ...log, events: [{ ...events[2], size: '5' }] }),
      /^events\[0\]\.size: expected a number, got "5"/,
    ],
    [
      'bad direction',
      (log) => ({ ...log, events: [{ ...events[2], direction: 'up' }] }),
      /^events\[0\]\.direction: expected one of in, out/,
    ],
  ];
  for (const [name, mutate, message] of broken) {
    it(`rejects a log with ${name}, naming where`, () => {
      const log = JSON.parse(exportLog());
      assert.throws(
        () => parseSessionLog(JSON.stringify(mutate(log))),
        (error: unknown) => error instanceof SessionLogError && message.test(error.message),
      );
    });
  }

  it('rejects truncated JSON with the parser position', () => {
    const text = exportLog();
    assert.throws(() => parseSessionLog(text.slice(0, text.length / 2)), /not valid JSON/);
  });
});
