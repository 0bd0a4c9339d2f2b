// A tap session's file says it is an app's connection (`tappedApp`), and read back it is
// analyzed as the tap analyzed it live: the app's heartbeat and words, never the endpoint's.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recordedAnalyzerOptions } from '../../src/core/diagnosis/analyzeRecorded.js';
import { analyzeSessionEvents, type DiagnosisFinding } from '../../src/core/diagnosis/dropAnalyzer.js';
import { HarError } from '../../src/core/files/harEntries.js';
import { readHar } from '../../src/core/files/harReader.js';
import { serializeHar } from '../../src/core/files/harWriter.js';
import { recordedRun } from '../../src/core/files/recordedSession.js';
import { parseSessionLog, serializeSessionLog, SessionLogError } from '../../src/core/files/sessionLog.js';
import type { TappedApp } from '../../src/core/files/tappedApp.js';
import { makeEndpoint } from '../../src/core/model/endpoint.js';
import { redactionPolicyFor } from '../../src/core/model/redaction.js';
import type { SessionEvent } from '../../src/core/model/sessionEvents.js';
import { DEFAULT_TAP_RECORD_OPTIONS, TapSession } from '../../src/core/engine/tapSession.js';
import { Connection } from '../../src/extension/model/connection.js';
import { connectionItem, importedText } from '../../src/extension/model/connectionView.js';
import {
  exportChunks,
  openedFileMessage,
  readSessionFile,
  withDiagnoses,
} from '../../src/extension/model/sessionFiles.js';
import { Script } from './fakes/eventScript.js';
import { FakeClock } from './fakes/fakeClock.js';

// The tap's target: its heartbeat setting (every 20 s) is one the tap never ran.
const target = makeEndpoint('wss://app.example.test/ws', {
  name: 'app (tap-1, 127.0.0.1)',
  heartbeat: { mode: 'ping', intervalMs: 20_000 },
});
const APP: TappedApp = { address: '127.0.0.1', path: '/ws' };

/** Three connections of the app, each cut after 90 s without traffic. */
function appDrops(): SessionEvent[] {
  const script = new Script();
  for (let i = 0; i < 3; i++) script.connect().message('out', 'hello').wait(90_010).drop();
  return script.events;
}

function fileInput(tappedApp: TappedApp | null, secretValues: string[] = []) {
  return {
    endpoint: target,
    events: appDrops(),
    stats: null,
    droppedEvents: 0,
    exportedAt: new Date(Date.UTC(2026, 0, 1)),
    policy: redactionPolicyFor(target, { secretValues }),
    tappedApp,
  };
}

const sessionLogOf = (tappedApp: TappedApp | null) => serializeSessionLog(fileInput(tappedApp));
const harOf = (tappedApp: TappedApp | null) =>
  serializeHar({ ...fileInput(tappedApp), creator: { name: 'WebSocket Inspector', version: 'test' } });

function idleTimeoutOf(text: string, fileName: string): DiagnosisFinding {
  const [session] = readSessionFile(text, fileName, { idleGapMs: 30_000 }).sessions;
  const findings = analyzeSessionEvents(session!.events, recordedAnalyzerOptions(recordedRun(session!), []));
  const finding = findings.find((f) => f.kind === 'idle-timeout');
  assert.ok(finding, `an idle-timeout finding among ${findings.map((f) => f.kind).join(', ')}`);
  return finding;
}

describe('a session log and our HAR say when they hold an app recorded by the tap', () => {
  it('the session log writes tappedApp and reads it back; a log without it reads as before', () => {
    const tapped = parseSessionLog(sessionLogOf(APP));
    assert.deepEqual(tapped.tappedApp, APP);
    assert.equal(tapped.events.length, appDrops().length);
    const ours = parseSessionLog(sessionLogOf(null));
    assert.equal('tappedApp' in ours, false);
    assert.doesNotMatch(sessionLogOf(null), /tappedApp/);
  });

  it('our HAR writes it in log._wsInspector and reads it back; a HAR without it reads as before', () => {
    const tapped = readHar(harOf(APP), { idleGapMs: 30_000 });
    assert.equal(tapped.sessions.length, 1);
    assert.deepEqual(tapped.sessions[0]!.tappedApp, APP);
    assert.deepEqual((JSON.parse(harOf(APP)) as { log: { _wsInspector: unknown } }).log._wsInspector, {
      ...(JSON.parse(harOf(null)) as { log: { _wsInspector: object } }).log._wsInspector,
      tappedApp: APP,
    });
    assert.equal(readHar(harOf(null), { idleGapMs: 30_000 }).sessions[0]!.tappedApp, null);
  });

  it("our HAR of a tap session is one session, as the tap grouped it, whatever each attempt's query", () => {
    const script = new Script();
    for (let i = 0; i < 3; i++) script.connect(`wss://app.example.test/ws?attempt=${i}`).wait(90_010).drop();
    const har = (tappedApp: TappedApp | null) =>
      serializeHar({
        ...fileInput(tappedApp),
        events: script.events,
        creator: { name: 'WebSocket Inspector', version: 'test' },
      });
    const tapped = readHar(har(APP), { idleGapMs: 30_000 }).sessions;
    assert.equal(tapped.length, 1);
    assert.equal(tapped[0]!.events.filter((event) => event.type === 'close').length, 3);
    // Our own connection's HAR keeps each URL whole, as before.
    assert.equal(readHar(har(null), { idleGapMs: 30_000 }).sessions.length, 3);
  });

  it("writes the app's path without a query, and a known secret in it hidden as the rest of the file", () => {
    const text = serializeSessionLog(
      fileInput({ address: '127.0.0.1', path: '/rooms/room-key-42/ws?token=abc123' }, ['room-key-42']),
    );
    const { tappedApp } = parseSessionLog(text);
    assert.ok(tappedApp);
    assert.doesNotMatch(tappedApp.path, /abc123|token|room-key-42|\?/);
    assert.match(tappedApp.path, /^\/rooms\/.+\/ws$/);
    assert.doesNotMatch(text, /abc123|room-key-42/);
  });

  it('a malformed tappedApp is refused with where and what, in both formats', () => {
    const log = (tappedApp: unknown) => {
      const value = JSON.parse(sessionLogOf(APP)) as Record<string, unknown>;
      return JSON.stringify({ ...value, tappedApp });
    };
    assert.throws(
      () => parseSessionLog(log('127.0.0.1 /ws')),
      (error: unknown) =>
        error instanceof SessionLogError &&
        error.message === `tappedApp: expected an object with the app's address and path, got "127.0.0.1 /ws"`,
    );
    assert.throws(
      () => parseSessionLog(log({ address: 127, path: '/ws' })),
      (error: unknown) =>
        error instanceof SessionLogError && /^tappedApp\.address: expected a string/.test(error.message),
    );
    const har = JSON.parse(harOf(APP)) as { log: { _wsInspector: Record<string, unknown> } };
    har.log._wsInspector['tappedApp'] = { address: '127.0.0.1' };
    assert.throws(
      () => readHar(JSON.stringify(har), { idleGapMs: 30_000 }),
      (error: unknown) =>
        error instanceof HarError &&
        error.message === 'log._wsInspector.tappedApp.path: expected a string, got nothing',
    );
  });
});

describe("a tap's file read back is analyzed as the app's connection", () => {
  it('recordedRun reports the tap and no heartbeat of ours; the same events untapped keep the endpoint heartbeat', () => {
    const [tapped] = readSessionFile(sessionLogOf(APP), 'tap.json', { idleGapMs: 30_000 }).sessions;
    const [ours] = readSessionFile(sessionLogOf(null), 'ours.json', { idleGapMs: 30_000 }).sessions;
    const tappedRun = recordedRun(tapped!);
    assert.equal(tappedRun.tappedApp, true);
    assert.equal(tappedRun.heartbeat, null);
    assert.equal(tappedRun.captured, false);
    assert.deepEqual(recordedAnalyzerOptions(tappedRun, []), { knownTimeouts: [], tappedApp: true });
    assert.equal(recordedRun(ours!).tappedApp, false);
    assert.deepEqual(recordedRun(ours!).heartbeat, { mode: 'ping', intervalMs: 20_000 });
  });

  for (const [format, write] of [
    ['session log', sessionLogOf],
    ['HAR', harOf],
  ] as const) {
    it(`${format}: the app's findings for a tapped run, our heartbeat's for the same events untapped`, () => {
      const app = idleTimeoutOf(write(APP), format === 'HAR' ? 'tap.har' : 'tap.json');
      assert.equal(app.heartbeatOf, 'app');
      assert.match(app.summary, /^Your app's connection dropped 3 times after 90\.0 s without traffic/);
      assert.match(app.advice, /^Your app sent nothing for 90 s before each drop/);
      assert.doesNotMatch(`${app.summary}\n${app.advice}`, /every 20 s|Your heartbeat/);

      const own = idleTimeoutOf(write(null), format === 'HAR' ? 'ours.har' : 'ours.json');
      assert.equal(own.heartbeatOf, undefined);
      assert.match(own.summary, /^Dropped 3 times after 90\.0 s without traffic/);
      assert.match(own.advice, /^Your heartbeat is set to every 20 s/);
    });
  }

  it("Open Session Log…'s message says a tap's file is an app's connection; ours says nothing of the kind", () => {
    const tapped = readSessionFile(sessionLogOf(APP), 'tap.json', { idleGapMs: 30_000 });
    assert.equal(
      openedFileMessage('tap.json', tapped),
      "Opened 1 session from tap.json, an app's connection recorded by ws-inspector tap.",
    );
    const ours = readSessionFile(sessionLogOf(null), 'ours.json', { idleGapMs: 30_000 });
    assert.equal(openedFileMessage('ours.json', ours), 'Opened 1 session from ours.json.');
  });

  it("the extension's import appends the app's findings to a tap's file without diagnoses", () => {
    const [session] = readSessionFile(sessionLogOf(APP), 'tap.json', { idleGapMs: 30_000 }).sessions;
    const diagnosed = withDiagnoses(session!, []).events.filter((event) => event.type === 'diagnosis');
    assert.ok(diagnosed.length > 0);
    for (const diagnosis of diagnosed) assert.equal(diagnosis.heartbeatOf, 'app');
  });
});

describe("the extension's export of a tap session, and its import", () => {
  /** A tapped Connection as the extension's taps build it (tapManager.ts), its app cut once. */
  function tappedConnection(): Connection {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const session = new TapSession('tap-2', APP, { clock, options: DEFAULT_TAP_RECORD_OPTIONS });
    session.connecting('wss://app.example.test/ws', []);
    session.opened({ protocol: '', extensions: '', requestHeaders: {}, responseHeaders: {} });
    session.message('out', Buffer.from('hello'), false);
    clock.advance(90_000);
    session.closed({ code: 1006, reason: '', by: 'server', abrupt: true });
    return Connection.tapped(session, target, 'tap-2 · 127.0.0.1 /ws', (keepSecrets) =>
      redactionPolicyFor(target, { keepSecrets }),
    );
  }
  const exported = (connection: Connection, format: 'json' | 'har') =>
    [
      ...exportChunks(connection, {
        format,
        keepSecrets: false,
        exportedAt: new Date(Date.UTC(2026, 0, 1)),
        creator: { name: 'WebSocket Inspector', version: 'test' },
      }),
    ].join('');

  for (const format of ['json', 'har'] as const) {
    it(`Export Session Log… (${format}) of a tap session says so; opened again, the tree says whose it was`, () => {
      const file = exported(tappedConnection(), format);
      const [session] = readSessionFile(file, `tap.${format}`, { idleGapMs: 30_000 }).sessions;
      assert.deepEqual(session!.tappedApp, APP);
      const imported = Connection.imported(session!);
      assert.equal(
        importedText(imported.snapshot(0)),
        `imported from tap.${format} · an app's connection recorded by ws-inspector tap (client 127.0.0.1, path /ws)`,
      );
      assert.match(connectionItem(imported.snapshot(0)).description, /(^| · )imported \(an app, via tap\)( · |$)/);
      // Exported again from the import, the file still says it.
      const again = readSessionFile(exported(imported, format), `again.${format}`, { idleGapMs: 30_000 });
      assert.deepEqual(again.sessions[0]!.tappedApp, APP);
    });
  }

  it('an export of a connection of our own has no tappedApp', () => {
    const ours = Connection.imported({
      ...readSessionFile(sessionLogOf(null), 'o.json', { idleGapMs: 30_000 }).sessions[0]!,
    });
    assert.doesNotMatch(exported(ours, 'json'), /tappedApp/);
    assert.doesNotMatch(importedText(ours.snapshot(0)), /tap/);
    assert.doesNotMatch(connectionItem(ours.snapshot(0)).description, /tap/);
  });
});
