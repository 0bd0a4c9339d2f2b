// A finding's life cycle as the Connections view and the status bar show it: active (a warning,
// the fix offered, counted), resolved (greyed, what fixed it and since when, no fix offered, not
// counted), withdrawn (as before, not counted); short complete labels; the connection's icon
// colour; the status bar's accessible name matching what it shows.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeEndpoint } from '../../src/core/model/endpoint.js';
import type { DiagnosisEvent } from '../../src/core/model/sessionEvents.js';
import { connectionItem, MAX_LABEL_CHARS, shortLabel } from '../../src/extension/model/connectionView.js';
import { diagnosisItem, diagnosisItems, findingLabel } from '../../src/extension/model/findingView.js';
import { statusBarModel } from '../../src/extension/model/statusBarView.js';
import { fakeLiveConnection, FAKE_CONNECTION_START } from './fakes/fakeConnection.js';

const START = FAKE_CONNECTION_START;

function setup(name = 'Demo') {
  const endpoint = makeEndpoint('ws://demo.test/ws/', { name, heartbeat: { mode: 'off' }, reconnect: { jitter: 0 } });
  const { clock, sockets, session, connection } = fakeLiveConnection(endpoint);
  // The engine records diagnoses as lifecycle events; feed them the same way.
  const emit = (event: DiagnosisEvent) => (session as unknown as { emit(e: DiagnosisEvent): void }).emit(event);
  const snapshot = () => connection.snapshot(clock.now());
  return { clock, sockets, session, connection, emit, snapshot };
}

function idleFinding(overrides: Partial<DiagnosisEvent> = {}): DiagnosisEvent {
  return {
    seq: 0,
    t: START,
    type: 'diagnosis',
    findingId: 'idle-timeout@8000',
    kind: 'idle-timeout',
    intervalMs: 8000,
    occurrences: 2,
    confidence: 0.6,
    summary:
      'Dropped twice after 8.0 s without traffic — the handshake came through nginx (server: nginx/1.22.1): its proxy_read_timeout is probably set to 8 s (default 60 s)',
    candidates: [],
    advice: 'Keep the connection busy: send a heartbeat at least every 4 s, safely below the 8 s timeout.',
    recommendedHeartbeatMs: 4000,
    evidence: [4, 9],
    ...overrides,
  };
}

/** What the fix reports once the connection held: the contract's FindingResolution. */
const SINCE = START + 42_000;
const resolvedFinding = () => idleFinding({ resolved: { sinceT: SINCE, fix: 'heartbeat every 4 s', heldMs: 16_000 } });

const rowsOf = (tooltip: { rows: { label: string; value: string }[] }) =>
  Object.fromEntries(tooltip.rows.map((r) => [r.label, r.value]));

describe('finding rows', () => {
  it('an active finding: short complete label, the verdict in the description, the fix offered', () => {
    const { sockets, session, emit, snapshot } = setup();
    session.start();
    sockets.last.open();
    emit(idleFinding());
    const [row] = diagnosisItems(snapshot());
    assert.equal(row!.label, 'Idle timeout ≈ 8 s · 2 drops');
    assert.equal(
      row!.description,
      '60 % · the handshake came through nginx (server: nginx/1.22.1): its proxy_read_timeout is probably set to 8 s (default 60 s)',
    );
    assert.deepEqual(row!.icon, { id: 'warning', color: 'problemsWarningIcon.foreground' });
    assert.equal(row!.contextValue, 'wsInspector.diagnosis;heartbeat;');
    assert.equal(row!.seq, 4, 'the default action opens the timeline at the first drop');
    assert.equal(row!.tooltip.title, 'Idle timeout ≈ 8 s · 2 drops');
  });

  it('a fix already in place is not offered again: the row says so until the connection proves it', () => {
    // The connection runs a heartbeat every 4 s, what the finding recommends (or faster).
    for (const heartbeatMs of [4000, 1000]) {
      const row = diagnosisItem(idleFinding(), true, heartbeatMs);
      assert.equal(row.contextValue, 'wsInspector.diagnosis;', `heartbeat every ${heartbeatMs} ms`);
      assert.match(row.description, /^fix in place · 60 % · /);
    }
    // A slower heartbeat, or none, still needs the fix.
    for (const heartbeatMs of [5000, null]) {
      const row = diagnosisItem(idleFinding(), true, heartbeatMs);
      assert.equal(row.contextValue, 'wsInspector.diagnosis;heartbeat;', `heartbeat ${heartbeatMs} ms`);
      assert.match(row.description, /^60 % · /);
    }
  });

  it('a resolved finding: greyed pass icon, what fixed it, since when in local time, no fix offered', () => {
    const { sockets, session, emit, snapshot } = setup();
    session.start();
    sockets.last.open();
    emit(idleFinding());
    emit(resolvedFinding());
    const rows = diagnosisItems(snapshot());
    assert.equal(rows.length, 1, 'the resolution supersedes the active finding');
    const row = rows[0]!;
    assert.equal(row.label, 'Idle timeout ≈ 8 s · 2 drops');
    assert.equal(row.description, 'resolved · heartbeat every 4 s');
    assert.deepEqual(row.icon, { id: 'pass', color: 'disabledForeground' });
    assert.equal(row.contextValue, 'wsInspector.diagnosis;resolved;');
    assert.doesNotMatch(row.contextValue, /heartbeat;/, 'Apply Recommended Heartbeat is not offered');
    // Local time, as the timeline shows it; toTimeString() starts with it ("09:00:42 GMT…").
    const localSince = new Date(SINCE).toTimeString().slice(0, 8);
    assert.equal(row.tooltip.title, 'Resolved: Idle timeout ≈ 8 s · 2 drops');
    assert.equal(
      rowsOf(row.tooltip)['Resolved'],
      `heartbeat every 4 s; no such drop since ${localSince} (held 16.0 s)`,
    );
    assert.equal(row.tooltip.body, undefined, 'the old advice is not shown as if it were a new problem');
  });

  it('a withdrawn finding: as before, labelled withdrawn, no fix offered', () => {
    const { sockets, session, emit, snapshot } = setup();
    session.start();
    sockets.last.open();
    emit(
      idleFinding({
        confidence: 0,
        summary: 'Withdrawn: a later drop came after 20.0 s (was: Dropped twice after 8.0 s …)',
      }),
    );
    const [row] = diagnosisItems(snapshot());
    assert.equal(row!.label, 'Withdrawn: Idle timeout ≈ 8 s · 2 drops');
    assert.equal(row!.description, 'Withdrawn: a later drop came after 20.0 s (was: Dropped twice after 8.0 s …)');
    assert.equal(row!.contextValue, 'wsInspector.diagnosis;');
  });

  it("an app's finding (a tap's, heartbeatOf: 'app') offers no heartbeat of ours, live or not", () => {
    for (const live of [true, false]) {
      const row = diagnosisItem(idleFinding({ heartbeatOf: 'app' }), live);
      assert.doesNotMatch(row.contextValue, /heartbeat;/, `live ${live}`);
      assert.doesNotMatch(row.description, /fix in place/);
    }
  });

  it('an imported session never offers the fix', () => {
    const snapshot = { origin: 'imported', diagnoses: [idleFinding()] } as unknown as Parameters<
      typeof diagnosisItems
    >[0];
    assert.equal(diagnosisItems(snapshot)[0]!.contextValue, 'wsInspector.diagnosis;');
  });

  it('labels every kind in a few words, with what it counted', () => {
    assert.equal(
      findingLabel(idleFinding({ kind: 'lifetime-cap', intervalMs: 600_300, occurrences: 3 })),
      'Lifetime cap ≈ 600 s · 3 drops',
    );
    assert.equal(findingLabel(idleFinding({ intervalMs: 1500, occurrences: 1 })), 'Idle timeout ≈ 1.5 s · 1 drop');
    assert.equal(
      findingLabel(idleFinding({ kind: 'handshake', intervalMs: null, occurrences: 4 })),
      'Handshake failed · 4 failed attempts',
    );
    assert.equal(
      findingLabel(idleFinding({ kind: 'server-close', intervalMs: null, occurrences: 1 })),
      'Closed by the server · 1 close',
    );
    assert.equal(
      findingLabel(idleFinding({ kind: 'heartbeat-timeout', intervalMs: null, occurrences: 2 })),
      'Dead link (heartbeat timeout) · 2 drops',
    );
  });
});

describe('the connection row', () => {
  it('colours the dot: warning with an active finding, not once it is resolved and the drops are old', () => {
    const { clock, sockets, session, emit, snapshot } = setup();
    session.start();
    sockets.last.open();
    assert.deepEqual(connectionItem(snapshot()).icon, { id: 'circle-filled', color: 'charts.green' });
    emit(idleFinding());
    const warned = connectionItem(snapshot());
    assert.deepEqual(warned.icon, { id: 'circle-filled', color: 'problemsWarningIcon.foreground' });
    assert.equal(warned.accessibilityLabel, 'Demo, open · ↑0 ↓0, 1 active finding');
    sockets.last.end(1006);
    assert.deepEqual(
      connectionItem(snapshot()).icon,
      { id: 'sync~spin', color: 'problemsWarningIcon.foreground' },
      'reconnecting with an active finding',
    );
    clock.advance(1000);
    sockets.last.open();
    emit(resolvedFinding());
    assert.deepEqual(
      connectionItem(snapshot()).icon,
      { id: 'circle-filled', color: 'charts.yellow' },
      'resolved, but the drop is recent',
    );
    clock.advance(10 * 60_000);
    const healthy = connectionItem(snapshot());
    assert.deepEqual(healthy.icon, { id: 'circle-filled', color: 'charts.green' });
    assert.equal(healthy.accessibilityLabel, 'Demo, 1 drop · open · ↑0 ↓0');
    assert.equal(healthy.hasChildren, true, 'the resolved finding stays, greyed');
  });

  it('shortens a long name in the middle so that the drop count stays in view', () => {
    const long = 'production-gateway-eu-west-1-websocket-notifications-primary';
    assert.equal(shortLabel(long), 'production-gateway-e…tifications-primary');
    assert.equal([...shortLabel(long)].length, MAX_LABEL_CHARS);
    assert.equal(shortLabel('API'), 'API');
    const { sockets, session, snapshot } = setup(long);
    session.start();
    sockets.last.open();
    sockets.last.end(1006);
    const item = connectionItem(snapshot());
    assert.equal(item.label, 'production-gateway-e…tifications-primary');
    assert.match(item.description, /^1 drop · /);
    assert.match(item.accessibilityLabel, new RegExp(`^${long}, 1 drop`), 'the full name for screen readers');
    assert.equal(item.tooltip.title, long);
  });
});

describe('the status bar', () => {
  it('counts active findings only; its accessible name says what it shows', () => {
    const a = setup('A');
    const b = setup('B');
    for (const x of [a, b]) {
      x.session.start();
      x.sockets.last.open();
    }
    a.emit(idleFinding());
    b.emit(idleFinding({ findingId: 'lifetime-cap@60000', kind: 'lifetime-cap', intervalMs: 60_000 }));
    b.sockets.last.end(1006);
    let model = statusBarModel([a.snapshot(), b.snapshot()]);
    assert.equal(model.text, '$(plug) 1 $(sync) 1 $(warning) 2');
    assert.equal(model.warning, true);
    assert.equal(model.accessibilityLabel, 'WebSocket Inspector: 1 live connection, 1 reconnecting, 2 active findings');
    assert.equal(model.tooltip.split('\n')[0], model.accessibilityLabel);
    assert.match(model.tooltip, /\nA: Dropped twice .*\nB: Dropped twice /);

    a.emit(resolvedFinding());
    model = statusBarModel([a.snapshot(), b.snapshot()]);
    assert.equal(model.text, '$(plug) 1 $(sync) 1 $(warning) 1', 'the resolved one no longer counts');
    assert.equal(model.accessibilityLabel, 'WebSocket Inspector: 1 live connection, 1 reconnecting, 1 active finding');
    assert.doesNotMatch(model.tooltip, /\nA: /);

    b.emit(idleFinding({ findingId: 'lifetime-cap@60000', kind: 'lifetime-cap', confidence: 0 }));
    b.clock.advance(1000);
    b.sockets.last.open();
    model = statusBarModel([a.snapshot(), b.snapshot()]);
    assert.equal(model.text, '$(plug) 2', 'back to no warning: one resolved, one withdrawn');
    assert.equal(model.warning, false);
    assert.equal(model.accessibilityLabel, 'WebSocket Inspector: 2 live connections');
  });
});
