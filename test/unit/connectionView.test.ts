// What the Connections view and the status bar show, computed from real sessions over fake
// sockets and a fake clock.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeEndpoint, type EndpointConfig } from '../../src/core/model/endpoint.js';
import type { DiagnosisEvent } from '../../src/core/model/sessionEvents.js';
import { Connection } from '../../src/extension/model/connection.js';
import { connectionItem, RECENT_DROP_MS, stateText } from '../../src/extension/model/connectionView.js';
import { diagnosisItems } from '../../src/extension/model/findingView.js';
import { statusBarModel } from '../../src/extension/model/statusBarView.js';
import { SAMPLE_EVENTS } from '../helpers/sampleEvents.js';
import { FakeClock } from './fakes/fakeClock.js';
import { fakeLiveConnection } from './fakes/fakeConnection.js';

function setup(
  endpoint: EndpointConfig = makeEndpoint('wss://api.example.test/socket?token=abc', {
    name: 'API',
    heartbeat: { mode: 'ping', intervalMs: 1000 },
    reconnect: { jitter: 0 },
  }),
) {
  const { clock, sockets, session, connection } = fakeLiveConnection(endpoint);
  const item = () => connectionItem(connection.snapshot(clock.now()));
  const rows = () => Object.fromEntries(item().tooltip.rows.map((r) => [r.label, r.value]));
  return { clock, sockets, session, connection, item, rows };
}

function diagnosis(overrides: Partial<DiagnosisEvent> = {}): DiagnosisEvent {
  return {
    seq: 0,
    t: 0,
    type: 'diagnosis',
    findingId: 'idle-timeout@90000',
    kind: 'idle-timeout',
    intervalMs: 90_000,
    occurrences: 3,
    confidence: 0.8,
    summary: 'Dropped 3 times after 90.0 s without traffic — matches an idle timeout (nginx proxy_read_timeout 90 s?)',
    candidates: [
      {
        id: 'nginx-proxy-read-timeout',
        component: 'nginx',
        setting: 'proxy_read_timeout',
        defaultSeconds: 60,
        kind: 'idle',
        fix: {},
        source: 'nginx docs',
        unconfirmed: false,
      },
    ],
    advice: 'Send a heartbeat every 45 s or less, or raise proxy_read_timeout.',
    evidence: [7, 12, 19],
    ...overrides,
  };
}

describe('Connections view items', () => {
  it('an idle endpoint: "not connected", outline icon, connect menu state', () => {
    const { item, rows } = setup();
    const model = item();
    assert.equal(model.label, 'API');
    assert.equal(model.description, 'not connected');
    assert.deepEqual(model.icon, { id: 'circle-outline' });
    assert.equal(model.contextValue, 'wsInspector.connection;idle;settings;');
    assert.equal(model.hasChildren, false);
    // The URL is shown with its token hidden.
    assert.equal(rows()['URL'], 'wss://api.example.test/socket?token=%5Bredacted%5D');
    assert.equal(rows()['Source'], 'workspace settings');
  });

  it('connecting, then open with RTT, counters and uptime', () => {
    const { clock, sockets, session, item, rows } = setup();
    session.start();
    assert.equal(item().description, 'connecting…');
    assert.equal(item().icon.id, 'loading~spin');
    clock.advance(20);
    sockets.last.open();
    for (let i = 0; i < 12; i++) session.send(`m${i}`);
    for (let i = 0; i < 30; i++) sockets.last.receiveText(`r${i}`);
    clock.advance(1000); // heartbeat ping
    clock.advance(42);
    sockets.last.receivePong(sockets.last.pings[0]!);
    const model = item();
    assert.equal(model.description, 'open · 42 ms · ↑12 ↓30');
    assert.deepEqual(model.icon, { id: 'circle-filled', color: 'charts.green' });
    assert.equal(model.contextValue, 'wsInspector.connection;open;settings;');
    assert.equal(rows()['Uptime'], '1.0 s');
    assert.equal(rows()['Messages'], '12 sent, 30 received');
    assert.equal(model.accessibilityLabel, 'API, open · 42 ms · ↑12 ↓30');
  });

  it('a drop: reconnecting with the attempt number and countdown, then the drop count and last close', () => {
    const { clock, sockets, session, connection, item, rows } = setup();
    session.start();
    sockets.last.open();
    clock.advance(5000);
    sockets.last.end(1006);
    const waiting = item();
    // The drop count first: a long name cuts the description from its end.
    assert.equal(waiting.description, '1 drop · reconnecting (attempt 1) in 1.0 s');
    // The timeline's header ticks its own countdown: its state text has none.
    assert.equal(stateText(connection.snapshot(clock.now()), { countdown: false }), 'reconnecting (attempt 1)');
    assert.deepEqual(waiting.icon, { id: 'sync~spin', color: 'charts.yellow' });
    assert.equal(waiting.contextValue, 'wsInspector.connection;waiting;settings;');
    assert.equal(rows()['Last close'], 'code 1006, connection lost, after 5.0 s open');
    clock.advance(1000);
    assert.equal(item().description, '1 drop · reconnecting (attempt 1)');
    sockets.last.open();
    assert.equal(item().description, '1 drop · open · ↑0 ↓0');
    // Open again, but the drop is recent: the dot is yellow, not green.
    assert.deepEqual(item().icon, { id: 'circle-filled', color: 'charts.yellow' });
  });

  it('the yellow dot of a recent drop turns green after RECENT_DROP_MS without another', () => {
    const quiet = makeEndpoint('ws://quiet.test/', {
      name: 'Quiet',
      heartbeat: { mode: 'off' },
      reconnect: { jitter: 0 },
    });
    const { clock, sockets, session, item } = setup(quiet);
    session.start();
    sockets.last.open();
    assert.deepEqual(item().icon, { id: 'circle-filled', color: 'charts.green' }, 'no drop yet');
    sockets.last.end(1006);
    clock.advance(1000);
    sockets.last.open();
    assert.deepEqual(item().icon, { id: 'circle-filled', color: 'charts.yellow' });
    clock.advance(RECENT_DROP_MS - 1000 - 1); // RECENT_DROP_MS after the drop, less 1 ms
    assert.deepEqual(item().icon, { id: 'circle-filled', color: 'charts.yellow' });
    clock.advance(1);
    assert.deepEqual(item().icon, { id: 'circle-filled', color: 'charts.green' }, 'green once the drop is old');
    assert.equal(item().description, '1 drop · open · ↑0 ↓0', 'the count stays');
  });

  it('failed: stopped after the last attempt, with the handshake error', () => {
    const endpoint = makeEndpoint('ws://127.0.0.1:9/', { name: 'Down', reconnect: { maxAttempts: 1, jitter: 0 } });
    const { clock, sockets, session, item, rows } = setup(endpoint);
    session.start();
    sockets.last.failHandshake();
    sockets.last.end(1006);
    clock.advance(1000);
    sockets.last.failHandshake({ status: 502, statusText: 'Bad Gateway', errorCode: null });
    sockets.last.end(1006);
    const model = item();
    assert.equal(model.description, 'failed: HTTP 502');
    assert.deepEqual(model.icon, { id: 'error', color: 'errorForeground' });
    assert.equal(model.contextValue, 'wsInspector.connection;stopped;settings;');
    assert.equal(rows()['Last attempt'], 'HTTP 502 Bad Gateway');
  });

  it('closed by the user: "closed", no close code in the description', () => {
    const { sockets, session, item } = setup();
    session.start();
    sockets.last.open();
    void session.stop();
    sockets.last.end(1000, 'user disconnect');
    assert.equal(item().description, 'closed');
    assert.deepEqual(item().icon, { id: 'circle-slash' });
  });

  it('a diagnosis: a warning child that opens the timeline at its first evidence, and the tooltip line', () => {
    const { connection, clock, session, sockets } = setup();
    session.start();
    sockets.last.open();
    // The engine records diagnoses as lifecycle events; feed one the same way it will.
    (session as unknown as { emit(e: DiagnosisEvent): void }).emit(diagnosis({ occurrences: 2, confidence: 0.6 }));
    (session as unknown as { emit(e: DiagnosisEvent): void }).emit(diagnosis());
    const snapshot = connection.snapshot(clock.now());
    assert.equal(connectionItem(snapshot).hasChildren, true);
    const children = diagnosisItems(snapshot);
    assert.equal(children.length, 1, 'a later diagnosis with the same findingId supersedes the earlier one');
    assert.equal(children[0]!.label, 'Idle timeout ≈ 90 s · 3 drops');
    assert.equal(children[0]!.description, '80 % · matches an idle timeout (nginx proxy_read_timeout 90 s?)');
    assert.equal(children[0]!.seq, 7);
    assert.deepEqual(children[0]!.icon, { id: 'warning', color: 'problemsWarningIcon.foreground' });
    const rows = Object.fromEntries(connectionItem(snapshot).tooltip.rows.map((r) => [r.label, r.value]));
    assert.match(rows['Latest diagnosis']!, /^Dropped 3 times after 90\.0 s .* \(confidence 80 %\)$/);
    connection.clearRecord();
    assert.equal(diagnosisItems(connection.snapshot(clock.now())).length, 0);
  });

  it('an imported session: history icon, read-only context, stats from its events', () => {
    const clock = new FakeClock();
    const connection = Connection.imported({
      name: 'from file',
      endpoint: makeEndpoint('ws://x.test/'),
      events: [
        { seq: 1, t: 1000, type: 'connecting', attempt: 0, url: 'ws://x.test/', protocols: [] },
        {
          seq: 2,
          t: 1010,
          type: 'open',
          handshakeMs: 10,
          protocol: '',
          extensions: '',
          requestHeaders: {},
          responseHeaders: {},
        },
        { seq: 3, t: 1020, type: 'message', direction: 'in', opcode: 'text', size: 2, data: 'hi', truncated: false },
        {
          seq: 4,
          t: 9000,
          type: 'close',
          code: 1006,
          reason: '',
          wasClean: false,
          initiator: 'none',
          idleMs: 7980,
          ageMs: 7990,
        },
      ],
      fileName: 'session.har',
      format: 'har',
      producer: 'Chrome DevTools (WebInspector 537.36; Chrome 131)',
      redacted: true,
      droppedEvents: 0,
    });
    const model = connectionItem(connection.snapshot(clock.now()));
    assert.equal(model.description, '1 drop · imported · ↑0 ↓1');
    assert.deepEqual(model.icon, { id: 'history' });
    assert.equal(model.contextValue, 'wsInspector.connection;imported;imported;');
    const rows = Object.fromEntries(model.tooltip.rows.map((r) => [r.label, r.value]));
    assert.equal(
      rows['Source'],
      'imported from session.har (read-only) · Chrome DevTools (WebInspector 537.36; Chrome 131)',
    );
  });

  it('an untrusted workspace endpoint says so', () => {
    const { connection, clock } = setup();
    connection.untrusted = true;
    const model = connectionItem(connection.snapshot(clock.now()));
    assert.equal(model.description, 'not connected · untrusted workspace');
    assert.match(
      Object.fromEntries(model.tooltip.rows.map((r) => [r.label, r.value]))['Source']!,
      /untrusted workspace: never connects on its own/,
    );
  });
});

describe('status bar', () => {
  it('counts live connections and warns about diagnoses', () => {
    const a = setup();
    const b = setup();
    assert.deepEqual(statusBarModel([]).visible, false);
    a.session.start();
    a.sockets.last.open();
    let model = statusBarModel([a.connection.snapshot(a.clock.now()), b.connection.snapshot(b.clock.now())]);
    assert.equal(model.text, '$(plug) 1');
    assert.equal(model.warning, false);
    (a.session as unknown as { emit(e: DiagnosisEvent): void }).emit(diagnosis());
    model = statusBarModel([a.connection.snapshot(a.clock.now()), b.connection.snapshot(b.clock.now())]);
    assert.equal(model.text, '$(plug) 1 $(warning) 1');
    assert.equal(model.warning, true);
    assert.match(model.tooltip, /^WebSocket Inspector: 1 live connection, 1 active finding\nAPI: Dropped 3 times/);
    assert.equal(model.accessibilityLabel, 'WebSocket Inspector: 1 live connection, 1 active finding');
  });
});

describe('the route in the tooltip (Proxy and TLS rows)', () => {
  // Through a tinyproxy named by HTTPS_PROXY, over TLS with a client certificate.
  const sample = SAMPLE_EVENTS.open.route!;
  const viaTinyproxy = sample.proxy!;

  it('shows the proxy and TLS facts of the open connection', () => {
    const { session, sockets, rows } = setup();
    session.start();
    sockets.last.open({ route: sample });
    const shown = rows();
    assert.equal(
      shown['Proxy'],
      'via HTTP proxy http://proxy.corp.example:3128 (HTTPS_PROXY), with credentials, tinyproxy/1.11.1',
    );
    assert.equal(
      shown['TLS'],
      'TLSv1.3 · TLS_AES_256_GCM_SHA384 · CN=chat.example.com, issued by CN=Example Test CA, O=Example, ' +
        'expires 2027-01-01 · client certificate sent',
    );
  });

  it("shows a failed attempt's route and where it failed", () => {
    const { session, sockets, rows } = setup();
    session.start();
    sockets.last.failHandshake({
      status: 407,
      statusText: 'Proxy Authentication Required',
      errorCode: null,
      message: 'the proxy asked for credentials',
      stage: 'proxy',
      route: { proxy: { ...viaTinyproxy, authenticated: false, connectStatus: 407 } },
    });
    const shown = rows();
    assert.equal(shown['Last attempt'], 'HTTP 407 Proxy Authentication Required (at the proxy)');
    assert.match(shown['Proxy']!, /^via HTTP proxy http:\/\/proxy\.corp\.example:3128 \(HTTPS_PROXY\), tinyproxy/);
    assert.equal(shown['TLS'], undefined);
  });

  it('says why a configured proxy was bypassed, and shows nothing for a plain direct ws://', () => {
    const { session, sockets, rows } = setup();
    session.start();
    sockets.last.open({
      route: {
        proxy: null,
        bypassed: { url: 'http://proxy.corp:3128', from: 'http.proxy', reason: 'no-proxy', rule: '.example.test' },
      },
    });
    assert.equal(
      rows()['Proxy'],
      "direct: http.noProxy/NO_PROXY's .example.test matched, http://proxy.corp:3128 (http.proxy) not used",
    );
    const plain = setup(makeEndpoint('ws://plain.test/', { name: 'Plain' }));
    plain.session.start();
    plain.sockets.last.open({ route: { proxy: null } });
    assert.equal(plain.rows()['Proxy'], undefined);
    assert.equal(plain.rows()['TLS'], undefined);
  });

  it('never shows a credential the route or the endpoint carries', () => {
    const endpoint = makeEndpoint('wss://api.example.test/socket', {
      name: 'API',
      proxy: 'http://alice:hunter2-secret@127.0.0.1:3128',
    });
    const { session, sockets, item } = setup(endpoint);
    session.start();
    // A route that (wrongly) kept the credentials still does not reach the tooltip.
    sockets.last.open({ route: { proxy: { ...viaTinyproxy, url: 'http://alice:hunter2-secret@127.0.0.1:3128' } } });
    const text = JSON.stringify(item().tooltip);
    assert.match(text, /via HTTP proxy/);
    assert.doesNotMatch(text, /hunter2-secret/);
  });
});
