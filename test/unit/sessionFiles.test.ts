// Export and import as the extension does them, plus the text timeline and secret references.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sessionDiagnosis } from '../../src/core/diagnosis/dropAnalyzer.js';
import { makeEndpoint } from '../../src/core/model/endpoint.js';
import { redactEvent, redactionPolicyFor } from '../../src/core/model/redaction.js';
import { DEFAULT_SESSION_OPTIONS, Session } from '../../src/core/engine/session.js';
import { Connection } from '../../src/extension/model/connection.js';
import {
  checkSecretReferences,
  referencedSecrets,
  resolveSecretReferences,
} from '../../src/extension/model/secretRefs.js';
import {
  defaultExportName,
  exportChunks,
  readSessionFile,
  SessionFileError,
  withDiagnoses,
} from '../../src/extension/model/sessionFiles.js';
import { FakeClock } from './fakes/fakeClock.js';
import { FakeSocketFactory } from './fakes/fakeSocket.js';

function liveConnection() {
  const clock = new FakeClock(Date.UTC(2026, 10, 26, 9, 0, 0));
  const sockets = new FakeSocketFactory();
  const endpoint = makeEndpoint('ws://api.test/socket', {
    name: 'API',
    headers: { 'X-Api-Key': 'key-s3cret' },
    heartbeat: { mode: 'off' },
  });
  const session = new Session(endpoint, DEFAULT_SESSION_OPTIONS, {
    clock,
    createSocket: sockets.create,
    observer: sessionDiagnosis(endpoint),
  });
  const connection = Connection.live('settings', session, endpoint, 'user');
  connection.secretValues = ['key-s3cret'];
  session.start();
  sockets.last.open({ requestHeaders: { 'X-Api-Key': 'key-s3cret' } });
  session.send('the key is key-s3cret');
  sockets.last.receiveBinary(new Uint8Array([1, 2]));
  sockets.last.receivePing('p');
  return { connection, clock };
}

const exportText = (connection: Connection, format: 'json' | 'har', keepSecrets: boolean) =>
  [
    ...exportChunks(connection, {
      format,
      keepSecrets,
      exportedAt: new Date(0),
      creator: { name: 'WebSocket Inspector', version: '0.1.0' },
    }),
  ].join('');

describe('export', () => {
  for (const format of ['json', 'har'] as const) {
    it(`${format}: hides resolved secret values unless the user opts in, and reads back as the same session`, () => {
      const { connection } = liveConnection();
      const redacted = exportText(connection, format, false);
      assert.ok(!redacted.includes('key-s3cret'), 'secret leaked');
      const kept = exportText(connection, format, true);
      assert.ok(kept.includes('key-s3cret'));
      const back = readSessionFile(kept, `s.${format}`, { idleGapMs: 5000 });
      assert.equal(back.sessions.length, 1);
      assert.equal(back.sessions[0]!.format, format === 'json' ? 'session-log' : 'ws-inspector-har');
      assert.equal(back.sessions[0]!.name, 'API');
      assert.deepEqual(back.sessions[0]!.events, JSON.parse(JSON.stringify([...connection.events()])));
    });
  }

  it('suggests a file name without characters file systems reject', () => {
    assert.equal(
      defaultExportName('wss://api.test:8443/a b?x=1', 'har', new Date(Date.UTC(2026, 10, 26, 9, 5, 7, 123))),
      'api.test-8443-a-b-x-1-2026-11-26T090507Z.har',
    );
    assert.equal(defaultExportName('Echo (e2e)', 'json', new Date(0)), 'Echo-e2e-1970-01-01T000000Z.json');
  });
});

describe('import', () => {
  it('names the JSON path of a broken session log', () => {
    const { connection } = liveConnection();
    const log = JSON.parse(exportText(connection, 'json', false)) as { events: Array<Record<string, unknown>> };
    log.events[2]!['seq'] = 'three';
    assert.throws(
      () => readSessionFile(JSON.stringify(log), 'x.json', { idleGapMs: 5000 }),
      (error: unknown) =>
        error instanceof SessionFileError && error.message === 'events[2].seq: expected a number, got "three"',
    );
  });

  it('says where a file is not JSON, and what it is not', () => {
    assert.throws(
      () => readSessionFile('{"format": "ws-inspector-session",\n  "events": [1 2]}', 'x.json', { idleGapMs: 5000 }),
      {
        message: 'line 2, column 16: not valid JSON: expected "," or "]" after an array element, found "2"',
      },
    );
    assert.throws(
      () => readSessionFile('{"hello": 1}', 'x.json', { idleGapMs: 5000 }),
      /neither a WebSocket Inspector session log .* nor a HAR file/,
    );
  });
});

describe('secret references', () => {
  it('finds, checks and resolves ${secret:NAME}', () => {
    const endpoint = makeEndpoint('ws://a.test/', {
      headers: { Authorization: 'Bearer ${secret:A}', Cookie: 'x=${secret:B}; y=${secret:A}', 'X-Plain': 'p' },
    });
    assert.deepEqual(referencedSecrets(endpoint), ['A', 'B']);
    const resolved = resolveSecretReferences(endpoint, (name) => (name === 'A' ? 'alpha' : undefined));
    assert.deepEqual(resolved.missing, ['B']);
    assert.deepEqual(resolved.secretValues, ['alpha']);
    assert.deepEqual(resolved.endpoint.headers, {
      Authorization: 'Bearer alpha',
      Cookie: 'x=; y=alpha',
      'X-Plain': 'p',
    });
    assert.deepEqual(resolved.endpoint.secretHeaders, ['Authorization', 'Cookie']);
    assert.equal(checkSecretReferences('Bearer ${secret:GOOD_1.x-y}'), null);
    assert.match(checkSecretReferences('${secret}') ?? '', /malformed secret reference at character 1/);
    assert.match(checkSecretReferences('${secret:bad name}') ?? '', /not a valid secret reference/);
    // Redaction hides the resolved value wherever it appears.
    const policy = redactionPolicyFor(resolved.endpoint, { secretValues: resolved.secretValues });
    assert.ok(policy.secretHeaders.has('authorization'));
  });

  it('resolves them in set-up messages (onOpen) too, as secret values', () => {
    const endpoint = makeEndpoint('ws://a.test/', {
      headers: { 'X-Plain': 'p' },
      onOpen: ['{"type":"connection_init","payload":{"token":"${secret:GQL}"}}', 'plain'],
    });
    assert.deepEqual(referencedSecrets(endpoint), ['GQL']);
    assert.deepEqual(resolveSecretReferences(endpoint, () => undefined).missing, ['GQL']);
    const resolved = resolveSecretReferences(endpoint, (name) => (name === 'GQL' ? 'gql-secret-1' : undefined));
    assert.deepEqual(resolved.endpoint.onOpen, [
      '{"type":"connection_init","payload":{"token":"gql-secret-1"}}',
      'plain',
    ]);
    assert.deepEqual(resolved.secretValues, ['gql-secret-1']);
    assert.deepEqual(resolved.endpoint.secretHeaders, [], 'no header is made secret by a message');
    // The message as sent and recorded is shown with the value hidden.
    const policy = redactionPolicyFor(resolved.endpoint, { secretValues: resolved.secretValues });
    const clock = new FakeClock();
    const sockets = new FakeSocketFactory();
    const session = new Session(resolved.endpoint, DEFAULT_SESSION_OPTIONS, { clock, createSocket: sockets.create });
    session.start();
    sockets.last.open();
    assert.equal(sockets.last.sent[0], '{"type":"connection_init","payload":{"token":"gql-secret-1"}}');
    const sent = session.record.toArray().find((e) => e.type === 'message');
    assert.ok(sent);
    const shown = redactEvent(sent, policy);
    assert.ok(shown.type === 'message');
    assert.equal(shown.data, '{"type":"connection_init","payload":{"token":"[redacted]"}}');
    session.dispose();
  });
});

describe('imported sessions are analyzed like live ones', () => {
  const t0 = Date.UTC(2026, 10, 26, 9, 0, 0);
  const starts = [0, 1, 2, 3].map((i) => t0 + i * 91_000);
  /** A Chrome entry with two frames; `closedAfterMs` sets timings.receive as Chrome does once the socket closed. */
  const entry = (start: number, closedAfterMs: number | null) => ({
    _resourceType: 'websocket',
    startedDateTime: new Date(start).toISOString(),
    time: closedAfterMs ?? 100,
    request: { method: 'GET', url: 'wss://app.test/live', headers: [] },
    response: { status: 101, statusText: 'Switching Protocols', headers: [] },
    timings: { send: 0, wait: 100, receive: closedAfterMs === null ? 0 : closedAfterMs - 100 },
    _webSocketMessages: [
      { type: 'send', time: (start + 50) / 1000, opcode: 1, data: 'subscribe' },
      { type: 'receive', time: (start + 100) / 1000, opcode: 1, data: 'ok' },
    ],
  });
  const chromeHar = (entries: unknown[]) =>
    JSON.stringify({ log: { version: '1.2', creator: { name: 'WebInspector', version: '537.36' }, entries } });

  it('a page that reconnected every 91 s with no close in the file: the closes are inferred and prove nothing', () => {
    const read = readSessionFile(chromeHar(starts.map((start) => entry(start, null))), 'chrome.har', {
      idleGapMs: 5000,
    });
    assert.match(read.notes.join(), /3 closes were inferred from the next connection to the same URL/);
    const session = read.sessions[0]!;
    assert.equal(session.format, 'har');
    assert.equal(session.producer, 'Chrome DevTools (WebInspector 537.36)');
    const closes = session.events.filter((e) => e.type === 'close');
    assert.deepEqual(
      closes.map((c) => c.type === 'close' && [c.code, c.idleMs, c.ageMs, c.inferred]),
      [
        [1006, null, null, true],
        [1006, null, null, true],
        [1006, null, null, true],
      ],
    );
    // Each close is at the next connection's start: the latest it can have happened.
    assert.deepEqual(
      closes.map((c) => c.t),
      starts.slice(1),
    );
    const analyzed = withDiagnoses(session, []);
    const claims = analyzed.events.filter(
      (e) => e.type === 'diagnosis' && (e.kind === 'idle-timeout' || e.kind === 'lifetime-cap'),
    );
    assert.deepEqual(claims, [], 'no timing finding from closes the file does not date');
  });

  it('the same page whose closes Chrome dated (timings.receive): an idle timeout, said of the capture', () => {
    const read = readSessionFile(chromeHar(starts.map((start) => entry(start, 91_000))), 'chrome.har', {
      idleGapMs: 5000,
    });
    assert.match(read.notes.join(), /4 closes were inferred from the entries' timing/);
    const session = read.sessions[0]!;
    const closes = session.events.filter((e) => e.type === 'close');
    assert.deepEqual(
      closes.map((c) => c.type === 'close' && [c.t - t0, c.idleMs, c.inferred]),
      starts.map((start) => [start - t0 + 91_000, 90_900, true]),
    );
    const analyzed = withDiagnoses(session, []);
    const diagnoses = analyzed.events.filter((e) => e.type === 'diagnosis');
    const idle = diagnoses.find((d) => d.type === 'diagnosis' && d.kind === 'idle-timeout');
    assert.ok(
      idle && idle.type === 'diagnosis',
      JSON.stringify(diagnoses.map((d) => d.type === 'diagnosis' && d.summary)),
    );
    assert.equal(idle.occurrences, 4);
    assert.ok(Math.abs((idle.intervalMs ?? 0) - 90_900) < 1000);
    // Advice about what the capture shows, never about a heartbeat setting of ours.
    assert.doesNotMatch(idle.advice, /Your heartbeat/);
    assert.match(idle.advice, /The capture shows no heartbeat on these connections/);
    assert.match(idle.advice, /records when these connections closed, not how/);
    // Seqs continue after the record's last event.
    assert.ok(idle.seq > session.events[session.events.length - 1]!.seq);
    // A file that already has diagnoses keeps its own.
    assert.equal(withDiagnoses(analyzed, []), analyzed);
  });
});
