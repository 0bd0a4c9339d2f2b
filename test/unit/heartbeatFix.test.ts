// "Apply Recommended Heartbeat" without VS Code: the edit of the endpoints array, the menu's
// context value, and the whole loop — an endpoint without heartbeat dropped twice by an
// 8 s idle timeout, the diagnosis' recommendation written into its settings entry, and the
// live session sending pings at that interval — over a fake clock and fake sockets.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_HEARTBEAT } from '../../src/core/model/endpoint.js';
import type { DiagnosisEvent } from '../../src/core/model/sessionEvents.js';
import { ConnectionManager } from '../../src/extension/model/connectionManager.js';
import { DIAGNOSIS_CONTEXT, diagnosisItems } from '../../src/extension/model/findingView.js';
import {
  applyHeartbeatToEntries,
  diagnosisWithRecommendation,
  recommendedHeartbeat,
} from '../../src/extension/model/heartbeatFix.js';
import { parseSettings } from '../../src/extension/model/settings.js';
import { FakeClock } from './fakes/fakeClock.js';
import { FakeSocketFactory } from './fakes/fakeSocket.js';

const IDLE_TIMEOUT_MS = 8000;

function diagnosis(overrides: Partial<DiagnosisEvent> = {}): DiagnosisEvent {
  return {
    seq: 9,
    t: 0,
    type: 'diagnosis',
    findingId: 'idle-timeout@8000',
    kind: 'idle-timeout',
    intervalMs: 8000,
    occurrences: 2,
    confidence: 0.8,
    summary: 'Dropped 2 times after 8.0 s without traffic',
    candidates: [],
    advice: 'Send a heartbeat every 4 s or less.',
    recommendedHeartbeatMs: 4000,
    evidence: [4, 8],
    ...overrides,
  };
}

describe('applyHeartbeatToEntries', () => {
  it('gives the named entry a ping heartbeat at the interval, keeps its other heartbeat fields, and leaves the other entries alone', () => {
    const other = { name: 'Other', url: 'ws://other.test/', heartbeat: { mode: 'off' } };
    const entries = [
      other,
      { name: ' Proxied ', url: 'ws://proxied.test/', heartbeat: { mode: 'off', timeoutMs: 2500 }, autoConnect: true },
    ];
    const edit = applyHeartbeatToEntries(entries, 'Proxied', 4000);
    assert.ok(edit.ok);
    assert.equal(edit.index, 1);
    assert.deepEqual(edit.entries[1], {
      name: ' Proxied ',
      url: 'ws://proxied.test/',
      heartbeat: { mode: 'ping', timeoutMs: 2500, intervalMs: 4000 },
      autoConnect: true,
    });
    assert.equal(edit.entries[0], other, 'other entries are the same objects');
    assert.deepEqual(entries[1]!.heartbeat, { mode: 'off', timeoutMs: 2500 }, 'the input is not modified');
  });

  it('adds a heartbeat to an entry without one, finds an unnamed entry by its URL, and keeps a text heartbeat text', () => {
    const added = applyHeartbeatToEntries([{ url: 'ws://bare.test/' }], 'ws://bare.test/', 1000);
    assert.ok(added.ok);
    assert.deepEqual(added.entries[0], { url: 'ws://bare.test/', heartbeat: { mode: 'ping', intervalMs: 1000 } });
    const text = applyHeartbeatToEntries(
      [
        {
          name: 'T',
          url: 'ws://t.test/',
          heartbeat: { mode: 'text', payload: 'hb', expect: 'ok', intervalMs: 60_000 },
        },
      ],
      'T',
      30_000,
    );
    assert.ok(text.ok);
    assert.deepEqual(text.heartbeat, { mode: 'text', payload: 'hb', expect: 'ok', intervalMs: 30_000 });
  });

  it('the edited entry passes the settings parser with exactly the recommended heartbeat', () => {
    const edit = applyHeartbeatToEntries([{ name: 'P', url: 'ws://p.test/', heartbeat: { mode: 'off' } }], 'P', 4000);
    assert.ok(edit.ok);
    const settings = parseSettings({ endpoints: { workspace: edit.entries }, values: {} });
    assert.deepEqual(settings.problems, []);
    assert.deepEqual(settings.endpoints[0]!.endpoint.heartbeat, {
      ...DEFAULT_HEARTBEAT,
      mode: 'ping',
      intervalMs: 4000,
    });
  });

  it('names what is wrong: no such entry, not an array, a bad interval', () => {
    const missing = applyHeartbeatToEntries([{ name: 'A', url: 'ws://a.test/' }], 'B', 4000);
    assert.deepEqual(missing, { ok: false, reason: 'no endpoint named "B" is in this settings file' });
    const notArray = applyHeartbeatToEntries({ name: 'A' }, 'A', 4000);
    assert.deepEqual(notArray, { ok: false, reason: 'the endpoints setting must be an array, got an object' });
    const badInterval = applyHeartbeatToEntries([{ name: 'A', url: 'ws://a.test/' }], 'A', 0);
    assert.equal(badInterval.ok, false);
    assert.match(badInterval.ok ? '' : badInterval.reason, /positive number of milliseconds, got 0/);
  });
});

describe('recommendedHeartbeat and diagnosisWithRecommendation', () => {
  it('switches an off heartbeat to ping, keeps text, and sets the interval', () => {
    assert.deepEqual(recommendedHeartbeat({ ...DEFAULT_HEARTBEAT, mode: 'off' }, 4000), {
      ...DEFAULT_HEARTBEAT,
      mode: 'ping',
      intervalMs: 4000,
    });
    assert.equal(recommendedHeartbeat({ ...DEFAULT_HEARTBEAT, mode: 'text' }, 4000).mode, 'text');
  });

  it('picks the newest diagnosis with a recommendation, or the one asked for; never a withdrawn one', () => {
    const older = diagnosis({ findingId: 'idle-timeout@60000', recommendedHeartbeatMs: 30_000, seq: 3 });
    const newer = diagnosis();
    const lifetime = diagnosis({ findingId: 'lifetime-cap@30000', kind: 'lifetime-cap', seq: 12 });
    delete lifetime.recommendedHeartbeatMs;
    assert.equal(diagnosisWithRecommendation([older, newer, lifetime]), newer);
    assert.equal(diagnosisWithRecommendation([older, newer, lifetime], 'idle-timeout@60000'), older);
    assert.equal(diagnosisWithRecommendation([lifetime]), undefined);
    assert.equal(diagnosisWithRecommendation([diagnosis({ confidence: 0 })]), undefined);
  });

  it("never offers our heartbeat for an app's finding (a tap's, heartbeatOf: 'app')", () => {
    const ours = diagnosis({ findingId: 'idle-timeout@60000', recommendedHeartbeatMs: 30_000, seq: 3 });
    const app = diagnosis({ heartbeatOf: 'app' });
    assert.equal(diagnosisWithRecommendation([app]), undefined);
    assert.equal(diagnosisWithRecommendation([ours, app]), ours);
  });

  it('offers no fix for a finding since resolved, and offers it again once it is active again', () => {
    const active = diagnosis({ seq: 3 });
    const resolved = diagnosis({
      seq: 20,
      summary: 'Fixed: heartbeat every 4 s, no drops for 16 s (idle timeout ≈ 8 s)',
      resolved: { sinceT: 1_000, fix: 'heartbeat every 4 s', heldMs: 16_000 },
    });
    // The resolution is the newest word on it: the earlier active event no longer counts.
    assert.equal(diagnosisWithRecommendation([active, resolved]), undefined);
    assert.equal(diagnosisWithRecommendation([active, resolved], 'idle-timeout@8000'), undefined);
    const other = diagnosis({ findingId: 'idle-timeout@60000', recommendedHeartbeatMs: 30_000, seq: 2 });
    assert.equal(
      diagnosisWithRecommendation([other, active, resolved]),
      other,
      'another active finding still offers it',
    );
    const again = diagnosis({ seq: 30, occurrences: 3 });
    assert.equal(diagnosisWithRecommendation([active, resolved, again]), again);
  });
});

describe('Apply Recommended Heartbeat, the loop through the connection manager', () => {
  it('an idle-timeout diagnosis offers the fix; applied to the settings entry, the live session pings at the recommended interval', async () => {
    const clock = new FakeClock();
    const sockets = new FakeSocketFactory();
    const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
    const manager = new ConnectionManager({
      clock,
      createSocket: sockets.create,
      getSecret: async () => undefined,
      log,
      random: () => 0.5,
    });
    let workspaceEntries: unknown[] = [
      { name: 'Ticker', url: 'ws://ticker.test/' },
      {
        name: 'Proxied',
        url: 'ws://proxied.test/',
        heartbeat: { mode: 'off' },
        reconnect: { initialDelayMs: 500, maxDelayMs: 2000 },
        autoConnect: true,
      },
    ];
    const apply = () =>
      manager.applySettings(parseSettings({ endpoints: { workspace: workspaceEntries }, values: {} }), true);
    await apply();
    const proxied = manager.list().find((c) => c.name === 'Proxied')!;

    // Two silent cuts after exactly the proxy's idle timeout, as the demo's proxy does.
    for (let cut = 0; cut < 2; cut++) {
      sockets.last.open();
      clock.advance(IDLE_TIMEOUT_MS);
      sockets.last.end(1006);
      clock.advance(1000); // the reconnect (500 ms, jittered) fires
    }
    const found = diagnosisWithRecommendation(proxied.latestDiagnoses());
    assert.ok(
      found,
      `a diagnosis with a recommendation; got ${JSON.stringify(proxied.latestDiagnoses().map((d) => d.summary))}`,
    );
    assert.equal(found.kind, 'idle-timeout');
    assert.equal(found.recommendedHeartbeatMs, 4000);
    const node = diagnosisItems(proxied.snapshot(clock.now())).find((d) => d.findingId === found.findingId)!;
    assert.equal(node.contextValue, `${DIAGNOSIS_CONTEXT};heartbeat;`, 'the tree node offers the fix');

    const edit = applyHeartbeatToEntries(workspaceEntries, proxied.name, found.recommendedHeartbeatMs);
    assert.ok(edit.ok);
    workspaceEntries = edit.entries;
    await apply(); // what the configuration change does in the extension
    sockets.last.open();
    assert.deepEqual(proxied.session!.endpoint.heartbeat, { ...DEFAULT_HEARTBEAT, mode: 'ping', intervalMs: 4000 });
    const socket = sockets.last;
    clock.advance(4000);
    assert.equal(socket.pings.length, 1, 'one ping after the recommended interval');
    socket.receivePong(socket.pings[0]!);
    clock.advance(4000);
    assert.equal(socket.pings.length, 2);
    manager.dispose();
  });

  it('an imported session never offers the fix (it has no live session to apply it to)', () => {
    const snapshot = { origin: 'imported', diagnoses: [diagnosis()] } as unknown as Parameters<
      typeof diagnosisItems
    >[0];
    assert.equal(diagnosisItems(snapshot)[0]!.contextValue, `${DIAGNOSIS_CONTEXT};`);
  });
});
