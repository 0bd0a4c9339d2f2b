// The tap's node in the Connections view and its app sessions' rows: words, icons and the
// context values the menus match (a tap's rows never get a connection's commands).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_TAP_RECORD_OPTIONS, TapSession } from '../../src/core/engine/tapSession.js';
import { AppSecrets } from '../../src/core/model/appSecrets.js';
import { makeEndpoint } from '../../src/core/model/endpoint.js';
import type { DiagnosisEvent } from '../../src/core/model/sessionEvents.js';
import { Connection } from '../../src/extension/model/connection.js';
import { diagnosisItem, diagnosisItems } from '../../src/extension/model/findingView.js';
import { tapItem, tapSessionItem } from '../../src/extension/model/tapView.js';
import { SAMPLE_EVENTS } from '../helpers/sampleEvents.js';
import { FakeClock } from './fakes/fakeClock.js';

const TOKEN = 'app-url-token-31c9';

describe('tap nodes', () => {
  const base = {
    name: 'Prices tap',
    address: 'ws://127.0.0.1:8787',
    displayTarget: 'wss://api.example.test/prices',
    beyondLoopback: false,
    sessions: 2,
    liveSessions: 1,
  };

  it('reads "<name> · tap HOST:PORT → target", with Clear Ended Sessions only when a session ended', () => {
    const item = tapItem(base);
    assert.equal(item.label, 'Prices tap');
    assert.equal(item.description, 'tap 127.0.0.1:8787 → wss://api.example.test/prices');
    assert.equal(item.contextValue, 'wsInspector.tap;ended;');
    assert.equal(tapItem({ ...base, liveSessions: 2 }).contextValue, 'wsInspector.tap;none;');
    assert.deepEqual(item.icon, { id: 'radio-tower' });
    assert.deepEqual(
      item.tooltip.rows.map((r) => r.label),
      ['Point your app at', 'Relays to', 'App sessions'],
    );
  });

  it('warns, in the icon and the tooltip, when it listens beyond loopback', () => {
    const item = tapItem({ ...base, address: 'ws://0.0.0.0:8787', beyondLoopback: true });
    assert.equal(item.icon.color, 'list.warningForeground');
    assert.match(item.tooltip.rows.find((r) => r.label === 'Warning')!.value, /anyone who can reach this machine/);
  });

  it('says so when stopped (its entry gone from wsInspector.taps), its sessions still listed', () => {
    const item = tapItem({ ...base, running: false });
    assert.equal(item.description, 'tap stopped, was 127.0.0.1:8787 → wss://api.example.test/prices');
    assert.deepEqual(item.icon, { id: 'debug-stop' });
    assert.deepEqual(
      item.tooltip.rows.map((r) => r.label),
      ['Stopped', 'Relays to', 'App sessions'],
    );
    assert.equal(item.contextValue, 'wsInspector.tap;ended;');
  });
});

describe('tap session rows', () => {
  function tapped() {
    const clock = new FakeClock(1_000);
    const target = makeEndpoint('ws://127.0.0.1:9000/');
    const secrets = new AppSecrets(target);
    const session = new TapSession(
      'tap-3',
      { address: '127.0.0.1', path: '/live' },
      {
        clock,
        options: DEFAULT_TAP_RECORD_OPTIONS,
      },
    );
    session.onEvent((event) => secrets.learn(event));
    const connection = Connection.tapped(session, target, 'tap-3 · 127.0.0.1 /live', (keep) => secrets.policy(keep));
    return { clock, session, connection };
  }

  it("shows the app's state and drops, never its URL token, and offers none of a connection's commands", () => {
    const { clock, session, connection } = tapped();
    session.connecting(`ws://127.0.0.1:9000/live?access_token=${TOKEN}`, []);
    assert.equal(connection.state, 'connecting');
    session.opened({ protocol: '', extensions: '', requestHeaders: {}, responseHeaders: {} });
    clock.advance(1000);
    session.message('out', Buffer.from(`hello ${TOKEN}`), false);
    session.message('in', Buffer.from('hi'), false);
    const open = tapSessionItem(connection.snapshot(clock.now()), session.busy);
    assert.equal(open.label, 'tap-3 · 127.0.0.1 /live');
    assert.match(open.description, /^open/);
    assert.equal(open.contextValue, 'wsInspector.tapSession;open;live;');
    clock.advance(1000);
    session.closed({ code: 1006, reason: '', by: 'server', abrupt: true });
    const dropped = tapSessionItem(connection.snapshot(clock.now()), session.busy);
    assert.equal(dropped.contextValue, 'wsInspector.tapSession;stopped;ended;');
    assert.match(dropped.description, /1 drop.*closed \(1006\)/);
    const shown = JSON.stringify([open, dropped, connection.snapshot(clock.now())]);
    assert.ok(!shown.includes(TOKEN), shown);
    assert.ok(connection.redactionPolicy().secretValues.includes(TOKEN));
    assert.ok(connection.redactionPolicy(true).keepSecrets);
  });

  it('offers no heartbeat fix on its diagnoses: the heartbeat is the app’s', () => {
    const { connection, session, clock } = tapped();
    session.connecting('ws://127.0.0.1:9000/live', []);
    session.opened({ protocol: '', extensions: '', requestHeaders: {}, responseHeaders: {} });
    // The sample finding, still active and about our heartbeat: one that recommends a fix of ours.
    const { resolved: _resolved, heartbeatOf: _heartbeatOf, ...active } = SAMPLE_EVENTS.diagnosis;
    const diagnosis: DiagnosisEvent = { seq: 0, t: clock.now(), ...active };
    // A connection of our own would be offered the fix.
    assert.match(diagnosisItem(diagnosis, true).contextValue, /;heartbeat;/);
    // Recorded as the analyzer would (TapSession emits what its observer finds).
    (session as unknown as { emit(event: DiagnosisEvent): void }).emit(diagnosis);
    const [row] = diagnosisItems(connection.snapshot(clock.now()));
    assert.ok(row);
    assert.doesNotMatch(row.contextValue, /;heartbeat;/);
  });
});
