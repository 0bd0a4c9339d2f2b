// A tapped app's idle-timeout finding resolves when the app's own fix holds: through TapSession
// and tapDiagnosis (dropAnalyzer.ts), with the rule of findingLifecycle.ts (RESOLVE_AFTER_TIMEOUTS)
// and the app's heartbeat as AppHeartbeatWatch detects it on the connection open now.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DropAnalyzer, tapDiagnosis } from '../../src/core/diagnosis/dropAnalyzer.js';
import { RESOLVE_AFTER_TIMEOUTS } from '../../src/core/diagnosis/findingLifecycle.js';
import { resolutionLine } from '../../src/cli/findingText.js';
import { diagnosisItem } from '../../src/extension/model/findingView.js';
import { TapSession } from '../../src/core/engine/tapSession.js';
import { findingStateOf, type SessionEvent } from '../../src/core/model/sessionEvents.js';
import type { EventOf } from '../helpers/testScope.js';
import { FakeClock } from './fakes/fakeClock.js';

const TARGET = 'ws://server.test/live';
const OPEN = { protocol: '', extensions: '', requestHeaders: {}, responseHeaders: {} };
/** The proxy's idle timeout in these tests. */
const TIMEOUT_MS = 3_000;
const bytes = (text: string) => new TextEncoder().encode(text);

function tappedApp() {
  const clock = new FakeClock();
  const session = new TapSession('tap-1', { address: '127.0.0.1', path: '/live' }, { clock, observer: tapDiagnosis() });
  const events: SessionEvent[] = [];
  session.onEvent((event) => events.push(event));

  const open = () => {
    session.connecting(TARGET, []);
    clock.advance(5);
    session.opened(OPEN);
    session.message('out', bytes('subscribe'), false);
  };
  /** The proxy cuts the connection after the timeout without traffic. */
  const cut = () => {
    clock.advance(TIMEOUT_MS);
    session.closed({ code: 1006, reason: '', by: 'server', abrupt: true });
    clock.advance(1_000);
  };
  /** The demo page's heartbeat every 4 s, above the timeout: each connection drops before its first beat. */
  const slowHeartbeatDrops = (times: number) => {
    for (let i = 0; i < times; i++) {
      open();
      cut();
    }
  };
  const idleFindings = () =>
    events.filter((e): e is EventOf<'diagnosis'> => e.type === 'diagnosis' && e.kind === 'idle-timeout');
  const latest = () => {
    const all = idleFindings();
    assert.ok(all.length > 0, 'an idle-timeout diagnosis');
    return all.at(-1)!;
  };
  /** `times` text messages, one every `everyMs`, the nth saying text(n). */
  const sendEvery = (times: number, everyMs: number, direction: 'in' | 'out', text: (n: number) => string) => {
    for (let n = 1; n <= times; n++) {
      clock.advance(everyMs);
      session.message(direction, bytes(text(n)), false);
    }
  };
  return { session, clock, events, open, cut, slowHeartbeatDrops, sendEvery, idleFindings, latest };
}

test("a tapped app's finding resolves once its faster heartbeat has kept a connection open for twice the timeout", () => {
  const app = tappedApp();
  app.slowHeartbeatDrops(2);
  const dropped = app.latest();
  assert.equal(findingStateOf(dropped), 'active');
  assert.equal(dropped.intervalMs, TIMEOUT_MS);
  // The app's advice never offers a fix of ours as "in place".
  assert.doesNotMatch(dropped.advice, /fix is in place|Your heartbeat/);

  // The page's heartbeat changed to every 2 s, below the timeout.
  app.open();
  const openT = app.clock.now();
  const resolvedAt = openT + RESOLVE_AFTER_TIMEOUTS * TIMEOUT_MS;
  while (app.clock.now() < resolvedAt - 2_000) {
    app.clock.advance(2_000);
    app.session.message('out', bytes('ping'), false);
    app.session.message('in', bytes('pong'), false);
  }
  assert.equal(findingStateOf(app.latest()), 'active', 'not yet twice the timeout');
  app.clock.advance(2_000);
  app.session.message('out', bytes('ping'), false);

  const finding = app.latest();
  assert.equal(findingStateOf(finding), 'resolved');
  assert.equal(finding.heartbeatOf, 'app');
  assert.equal(finding.resolved?.fix, "the app's text heartbeat every 2 s");
  assert.equal(finding.resolved.heldMs, RESOLVE_AFTER_TIMEOUTS * TIMEOUT_MS);
  assert.ok(finding.resolved.sinceT < openT, 'since its last drop');
  assert.equal(
    finding.summary,
    "Your app's text heartbeat every 2 s has kept its connection open for 2 idle timeouts (3 s each) since its last drop",
  );
  assert.match(finding.advice, /^Resolved: the app's own text heartbeat every 2 s, more often than the 3 s timeout/);
  assert.doesNotMatch(`${finding.summary}\n${finding.advice}`, /Your heartbeat|traffic/);
  assert.equal(finding.occurrences, 2);

  // Said once: more beats record nothing more.
  const count = app.idleFindings().length;
  app.sendEvery(3, 2_000, 'out', () => 'ping');
  assert.equal(app.idleFindings().length, count);

  // The heartbeat stops (a background tab): the same drop returns, and the finding is active again.
  app.cut();
  const again = app.latest();
  assert.equal(findingStateOf(again), 'active');
  assert.equal(again.findingId, finding.findingId);
  assert.equal(again.occurrences, 3);
  assert.match(again.summary, /^Your app's connection dropped 3 times after 3\.0 s without traffic/);
});

test("a tapped app's ping frames below the timeout resolve it as its heartbeat", () => {
  const app = tappedApp();
  app.slowHeartbeatDrops(2);
  app.open();
  for (let i = 0; i < 4; i++) {
    app.clock.advance(2_000);
    app.session.ping('out', bytes(''));
    app.session.pong('in', bytes(''));
  }
  const finding = app.latest();
  assert.equal(findingStateOf(finding), 'resolved');
  assert.equal(finding.resolved?.fix, "the app's heartbeat every 2 s");
  assert.match(finding.summary, /^Your app's heartbeat every 2 s has kept its connection open for 2 idle timeouts/);
});

test("busy traffic from the app without a heartbeat resolves it as traffic, not as a heartbeat's fix", () => {
  const app = tappedApp();
  app.slowHeartbeatDrops(2);
  app.open();
  // Every second a different update (as a chat or a game sends): no steady heartbeat among them.
  app.sendEvery(7, 1_000, 'out', (n) => `{"move":${n}}`);
  const finding = app.latest();
  assert.equal(findingStateOf(finding), 'resolved');
  assert.equal(finding.resolved?.fix, "the app's traffic");
  assert.equal(
    finding.summary,
    "Your app's traffic has kept its connection open for 2 idle timeouts (3 s each) since its last drop; no heartbeat was recognised in it, so it holds only while the app keeps sending",
  );
  assert.match(finding.advice, /the tap saw no steady heartbeat from the app on it/);
  assert.match(finding.advice, /have it send a heartbeat every /);
  assert.doesNotMatch(finding.advice, /own .*heartbeat every/);
});

test('a connection kept open by the server alone resolves nothing: the app did nothing the record shows', () => {
  const app = tappedApp();
  app.slowHeartbeatDrops(2);
  app.open();
  app.sendEvery(10, 1_000, 'in', (n) => `{"tick":${n}}`);
  assert.equal(findingStateOf(app.latest()), 'active');
});

test('a session of our own is unchanged: unmarked frames prove nothing, our heartbeat frames resolve it as before', () => {
  const app = tappedApp();
  app.slowHeartbeatDrops(2);
  app.open();
  app.sendEvery(4, 2_000, 'out', () => 'ping');
  const recorded = app.session.record.toArray().filter((e) => e.type !== 'diagnosis');
  const textEvery2s = { mode: 'text', intervalMs: 2_000 } as const;

  const ours = new DropAnalyzer({ heartbeat: textEvery2s });
  for (const event of recorded) ours.observe(event);
  const unmarked = ours.findings().find((f) => f.kind === 'idle-timeout');
  assert.ok(unmarked);
  assert.equal(findingStateOf(unmarked), 'active', 'frames not marked as our heartbeat prove nothing');

  const withOurHeartbeat = new DropAnalyzer({ heartbeat: textEvery2s });
  for (const event of recorded) {
    const ourBeat = event.type === 'message' && event.direction === 'out' && event.data === 'ping';
    withOurHeartbeat.observe(ourBeat ? { ...event, heartbeat: 'ping' } : event);
  }
  const resolved = withOurHeartbeat.findings().find((f) => f.kind === 'idle-timeout');
  assert.ok(resolved);
  assert.equal(findingStateOf(resolved), 'resolved');
  assert.equal(resolved.heartbeatOf, undefined);
  assert.equal(resolved.resolved?.fix, 'text heartbeat every 2 s');
  assert.match(resolved.summary, /^Fixed: text heartbeat every 2 s, no drops for 6 s \(idle timeout ≈ 3 s\)$/);
});

test("the CLI's resolution line and the extension's finding row speak of the app's fix, traffic's caveat included", () => {
  const clock = (t: number) => new Date(t).toISOString().slice(11, 19);
  for (const [send, fix] of [
    [() => 'ping', "the app's text heartbeat every 2 s"],
    [(n: number) => `{"move":${n}}`, "the app's traffic"],
  ] as const) {
    const app = tappedApp();
    app.slowHeartbeatDrops(2);
    app.open();
    app.sendEvery(4, 2_000, 'out', send);
    const finding = app.latest();
    assert.equal(findingStateOf(finding), 'resolved');
    assert.match(resolutionLine(finding, clock) ?? '', new RegExp(`^  ✓ resolved: ${fix}, no such drop since `));
    const row = diagnosisItem(finding, true);
    assert.equal(row.description, `resolved · ${fix}`);
    const shown = row.tooltip.rows.map((r) => r.value).join('\n');
    assert.doesNotMatch(shown, /Your heartbeat/);
    if (fix === "the app's traffic") assert.match(shown, /no heartbeat was recognised in it/);
    else assert.match(shown, /^Your app's text heartbeat every 2 s has kept its connection open/m);
  }
});
