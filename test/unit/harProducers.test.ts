// What each HAR producer writes for a WebSocket, read as that producer means it (fixtures
// written from the exporters' code, sources in test/fixtures/har/SOURCES.md), and the
// advice for a captured connection, which speaks of what the capture shows.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { recordedAnalyzerOptions } from '../../src/core/diagnosis/analyzeRecorded.js';
import { detectAppHeartbeat } from '../../src/core/diagnosis/appHeartbeat.js';
import { analyzeSessionEvents, DropAnalyzer } from '../../src/core/diagnosis/dropAnalyzer.js';
import { readHar } from '../../src/core/files/harReader.js';
import type { SessionEvent } from '../../src/core/model/sessionEvents.js';

const HAR_DIR = join(__dirname, '..', 'fixtures', 'har');
const load = (name: string) => readFileSync(join(HAR_DIR, name), 'utf8');
const read = (text: string) => readHar(text, { idleGapMs: 5000 });
const ofType = <T extends SessionEvent['type']>(events: readonly SessionEvent[], type: T) =>
  events.filter((e): e is Extract<SessionEvent, { type: T }> => e.type === type);

/** A HAR with the given creator and WebSocket entries. */
const har = (creator: string, entries: unknown[]) =>
  JSON.stringify({ log: { version: '1.2', creator: { name: creator, version: '1.0' }, entries } });

const T0 = Date.parse('2025-12-05T08:00:00.000Z');
const wsEntry = (start: number, extra: Record<string, unknown> = {}) => ({
  startedDateTime: new Date(start).toISOString(),
  time: 50,
  request: { method: 'GET', url: 'wss://app.example.test/live', headers: [] },
  response: { status: 101, statusText: 'Switching Protocols', headers: [] },
  timings: { send: 0, wait: 50, receive: 0 },
  _resourceType: 'websocket',
  _webSocketMessages: [{ type: 'receive', time: (start + 100) / 1000, opcode: 1, data: 'hello' }],
  ...extra,
});

describe('HAR producers', () => {
  it("HTTP Toolkit: _webSocketClose's 1000 closes are read, at startedDateTime + time, from a side the file does not name", () => {
    const text = load('http-toolkit-export.har');
    const raw = JSON.parse(text) as { log: { entries: Array<{ startedDateTime: string; time: number }> } };
    const { sessions, notes, producer } = read(text);
    assert.equal(producer?.id, 'http-toolkit');
    assert.match(sessions[0]!.producer, /^HTTP Toolkit [0-9a-f]{40}/);
    const closes = ofType(sessions[0]!.events, 'close');
    assert.deepEqual(
      closes.map((c) => [c.code, c.wasClean, c.initiator, c.inferred]),
      [
        [1000, true, 'unknown', undefined],
        [1000, true, 'unknown', undefined],
      ],
    );
    const ends = raw.log.entries
      .filter((e) => e.time > 0 && e.time < 60_000)
      .map((e) => Date.parse(e.startedDateTime) + e.time);
    assert.deepEqual(
      closes.map((c) => Math.round(c.t)),
      ends.map((t) => Math.round(t)),
    );
    assert.match(notes.join('\n'), /2 closes were read from the HAR's _webSocketClose/);
    // Clean closes by the app or its server: no idle timeout, nothing blamed on a proxy.
    const analyzer = new DropAnalyzer(
      recordedAnalyzerOptions({ events: sessions[0]!.events, heartbeat: null, captured: true }, []),
    );
    for (const event of sessions[0]!.events) analyzer.ingest(event);
    assert.deepEqual(analyzer.findings(), []);
    assert.deepEqual([...analyzer.closeCounts()], [['endpoint-close', 2]]);
  });

  it('HTTP Toolkit: "aborted" is a close without a close frame', () => {
    const start = T0;
    const text = har('HTTP Toolkit', [wsEntry(start, { time: 5000, _webSocketClose: 'aborted' })]);
    const close = ofType(read(text).sessions[0]!.events, 'close')[0]!;
    assert.deepEqual([close.code, close.wasClean, close.initiator, close.t], [1006, false, 'none', start + 5000]);
  });

  it("Playwright: frame times in epoch milliseconds, said so; a socket's failure kept", () => {
    const { sessions, notes, producer } = read(load('playwright-recorder.har'));
    assert.equal(producer?.id, 'playwright');
    assert.equal(sessions[0]!.producer, 'Playwright 1.62.0 (chromium 140.0.7339.16)');
    const messages = ofType(sessions[0]!.events, 'message');
    assert.equal(messages.length, 6);
    for (const message of messages) assert.equal(new Date(message.t).getUTCFullYear(), 2025);
    assert.match(notes.join('\n'), /read as epoch milliseconds .*as Playwright's HAR recorder writes them/);
    // A handshake that failed leaves only response._failureText (harTracer.ts).
    const failedText = har('Playwright', [
      {
        ...wsEntry(T0, { _webSocketMessages: [] }),
        response: { status: -1, headers: [], _failureText: 'net::ERR_CONNECTION_REFUSED' },
      },
    ]);
    const failed = ofType(read(failedText).sessions[0]!.events, 'handshake-failed')[0]!;
    assert.equal(failed.message, 'the handshake did not complete: net::ERR_CONNECTION_REFUSED');
    assert.equal(failed.status, null);
  });

  it("mitmproxy: the upgrade request's https:// URL is shown as wss://, and said so", () => {
    const { sessions, notes, producer } = read(load('mitmproxy-savehar.har'));
    assert.equal(producer?.id, 'mitmproxy');
    assert.equal(sessions[0]!.url, 'wss://chat.example.com/socket?room=lobby');
    assert.equal(ofType(sessions[0]!.events, 'connecting')[0]!.url, 'wss://chat.example.com/socket?room=lobby');
    assert.match(notes.join('\n'), /1 WebSocket URL was written as http:\/\/ or https:\/\//);
    assert.equal(ofType(sessions[0]!.events, 'message').filter((m) => m.opcode === 'binary').length, 1);
    // mitmproxy's `time` is the handshake's timings summed: the open is there when no frame
    // comes earlier.
    const start = T0;
    const handshake = read(
      har('mitmproxy', [
        wsEntry(start, { request: { method: 'GET', url: 'https://app.example.test/live', headers: [] }, time: 42 }),
      ]),
    );
    const open = ofType(handshake.sessions[0]!.events, 'open')[0]!;
    assert.deepEqual([open.t, open.handshakeMs], [start + 42, 42]);
  });

  it('Firefox: the handshake only, with no frames, and said so', () => {
    const { sessions, notes, producer } = read(load('firefox-export.har'));
    assert.equal(producer?.id, 'firefox');
    const events = sessions[0]!.events;
    assert.deepEqual(
      events.map((e) => e.type),
      ['connecting', 'open'],
    );
    assert.ok(ofType(events, 'open')[0]!.handshakeMs > 0);
    assert.match(notes.join('\n'), /Firefox exports no WebSocket frames/);
  });

  it('a producer the reader does not know: the shared fields, and a note saying so', () => {
    const start = T0;
    const text = har('ACME Recorder', [
      wsEntry(start, { time: 3_000, _webSocketClose: { code: 4000, reason: 'bye', timestamp: 1 } }),
    ]);
    const { sessions, notes, producer } = read(text);
    assert.equal(producer?.id, 'unknown');
    assert.equal(sessions[0]!.producer, 'HAR from ACME Recorder 1.0');
    assert.match(notes.join('\n'), /written by ACME Recorder, which this reader does not know/);
    const close = ofType(sessions[0]!.events, 'close')[0]!;
    assert.deepEqual([close.code, close.reason, close.t], [4000, 'bye', start + 3_000]);
  });

  it('connections to one URL open at the same time are sessions of their own', () => {
    const text = har('WebInspector', [wsEntry(T0, { time: 10_000 }), wsEntry(T0 + 50, { time: 10_000 })]);
    const { sessions, notes } = read(text);
    assert.deepEqual(
      sessions.map((s) => s.label),
      ['wss://app.example.test/live', 'wss://app.example.test/live (2)'],
    );
    assert.match(notes.join('\n'), /1 connection was open at the same time as an earlier one/);
  });

  it('reconnects that differ only in their query (a fresh token) are one session', () => {
    const entry = (start: number, token: string) =>
      wsEntry(start, {
        request: { method: 'GET', url: `wss://app.example.test/live?token=${token}`, headers: [] },
      });
    const { sessions, notes } = read(har('WebInspector', [entry(T0, 'a'), entry(T0 + 60_000, 'b')]));
    assert.equal(sessions.length, 1);
    assert.deepEqual(
      ofType(sessions[0]!.events, 'connecting').map((c) => c.url),
      ['wss://app.example.test/live?token=a', 'wss://app.example.test/live?token=b'],
    );
    assert.match(notes.join('\n'), /1 session joins connections to one address whose query strings differ/);
  });

  it('refuses frames that are not dated after 2000, naming the frame', () => {
    const text = har('WebInspector', [
      wsEntry(T0, { _webSocketMessages: [{ type: 'receive', time: 282411.6, opcode: 1, data: 'x' }] }),
    ]);
    assert.throws(() => read(text), /log\.entries\[0\]\._webSocketMessages\[0\]\.time.*expected a date after 2000/);
  });
});

describe('closes a capture dates but does not describe', () => {
  /** `count` Chrome entries, each closed (timings.receive) 25 s after it opened, with traffic until then. */
  const closedAt25s = (count: number) =>
    har(
      'WebInspector',
      Array.from({ length: count }, (_, i) => {
        const start = T0 + i * 60_000;
        const messages = [0, 5, 10, 15, 20, 24.9].map((s) => ({
          type: 'send',
          time: (start + s * 1000) / 1000,
          opcode: 1,
          data: `update ${s}`,
        }));
        return wsEntry(start, {
          time: 25_000,
          timings: { send: 0, wait: 24_900, receive: 100 },
          _webSocketMessages: messages,
        });
      }),
    );
  const timingFindings = (text: string) => {
    const events = read(text).sessions[0]!.events;
    return analyzeSessionEvents(events, recordedAnalyzerOptions({ events, heartbeat: null, captured: true }, []))
      .filter((f) => f.kind === 'idle-timeout' || f.kind === 'lifetime-cap')
      .map((f) => [f.kind, f.intervalMs, f.occurrences]);
  };

  it('two alike are no pattern: the page may have closed them itself (a real capture: a logout)', () => {
    assert.deepEqual(timingFindings(closedAt25s(2)), []);
    assert.deepEqual(timingFindings(readFileSync(join(HAR_DIR, 'real', 'chrome-booka-6.har'), 'utf8')), []);
  });

  it('three alike are', () => {
    assert.deepEqual(timingFindings(closedAt25s(3)), [['lifetime-cap', 25_000, 3]]);
  });
});

describe("a captured connection's heartbeat", () => {
  it("recognises Socket.IO's ping and pong in a real Chrome capture", () => {
    const { sessions } = read(readFileSync(join(HAR_DIR, 'real', 'chrome-flux-1.har'), 'utf8'));
    const heartbeat = detectAppHeartbeat(sessions[0]!.events);
    assert.deepEqual(heartbeat && [heartbeat.payload, heartbeat.direction, heartbeat.reply], ['2', 'in', '3']);
  });

  it('finds none in traffic without a steady short message', () => {
    const { sessions } = read(readFileSync(join(HAR_DIR, 'real', 'chrome-booka-2.har'), 'utf8'));
    assert.equal(detectAppHeartbeat(sessions[0]!.events), null);
  });

  it("names the app's heartbeat in the advice, and what its stopping means", () => {
    // Four connections: "ping" every 20 s answered "pong", then 60 s of silence and a cut
    // Chrome dated (timings.receive).
    const entries = [0, 1, 2, 3].map((i) => {
      const start = T0 + i * 200_000;
      const messages = [0, 1, 2, 3].flatMap((k) => [
        { type: 'send', time: (start + 1_000 + k * 20_000) / 1000, opcode: 1, data: 'ping' },
        { type: 'receive', time: (start + 1_050 + k * 20_000) / 1000, opcode: 1, data: 'pong' },
      ]);
      const lastFrame = 1_050 + 3 * 20_000;
      return wsEntry(start, {
        time: lastFrame + 60_000,
        timings: { send: 0, wait: lastFrame, receive: 60_000 },
        _webSocketMessages: messages,
      });
    });
    const { sessions } = read(har('WebInspector', entries));
    const events = sessions[0]!.events;
    const findings = analyzeSessionEvents(
      events,
      recordedAnalyzerOptions({ events, heartbeat: null, captured: true }, []),
    );
    const idle = findings.find((f) => f.kind === 'idle-timeout');
    assert.ok(idle, JSON.stringify(findings.map((f) => f.summary)));
    assert.match(idle.advice, /The capture shows a heartbeat: "ping" from the application every 20 s, answered "pong"/);
    assert.match(idle.advice, /it was not running then/);
    assert.doesNotMatch(idle.advice, /Your heartbeat/);
    // The same record analyzed as one of ours speaks of our heartbeat setting instead.
    const ours = analyzeSessionEvents(events, { heartbeat: { mode: 'text', intervalMs: 20_000 } });
    assert.match(ours.find((f) => f.kind === 'idle-timeout')!.advice, /Your heartbeat is set to every 20 s/);
  });
});
