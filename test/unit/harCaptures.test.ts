// Every HAR fixture (real captures in test/fixtures/har/real, and the files written from the
// exporters' code beside them; sources in test/fixtures/har/SOURCES.md) read by the HAR
// reader, checked against what the file itself says: the expectations are computed from the
// raw JSON here, not from the reader.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { recordedAnalyzerOptions } from '../../src/core/diagnosis/analyzeRecorded.js';
import { analyzeSessionEvents } from '../../src/core/diagnosis/dropAnalyzer.js';
import { readHar } from '../../src/core/files/harReader.js';
import type { SessionEvent } from '../../src/core/model/sessionEvents.js';

const HAR_DIR = join(__dirname, '..', 'fixtures', 'har');
const REAL_DIR = join(HAR_DIR, 'real');

const fixtures = [
  ...readdirSync(REAL_DIR)
    .filter((name) => name.endsWith('.har'))
    .map((name) => ({ name: `real/${name}`, path: join(REAL_DIR, name) })),
  ...readdirSync(HAR_DIR)
    .filter((name) => name.endsWith('.har'))
    .map((name) => ({ name, path: join(HAR_DIR, name) })),
];

interface RawMessage {
  type: string;
  time: number;
  opcode: number;
}
interface RawEntry {
  startedDateTime: string;
  time: number;
  request: { url: string; method?: string };
  response?: { status?: number; headers?: Array<{ name: string; value: string }> };
  timings?: { receive?: number };
  _resourceType?: string;
  _webSocketMessages?: RawMessage[];
  _webSocketClose?: unknown;
}

/** What the file says, read straight from its JSON. */
function factsOf(text: string) {
  const log = (JSON.parse(text) as { log: { creator?: { name?: string }; entries: RawEntry[] } }).log;
  const creator = log.creator?.name ?? '';
  const webSockets = log.entries.filter((entry) => {
    const upgrade = entry.response?.headers?.find((h) => h.name.toLowerCase() === 'upgrade')?.value ?? '';
    return (
      entry._resourceType === 'websocket' ||
      Array.isArray(entry._webSocketMessages) ||
      /^wss?:\/\//i.test(entry.request.url) ||
      (entry.response?.status === 101 && /websocket/i.test(upgrade))
    );
  });
  // Chrome's placeholders for sockets that never sent a request are dated before 1970.
  const real = webSockets.filter((entry) => Date.parse(entry.startedDateTime) >= 0);
  const messages = real.flatMap((entry) => entry._webSocketMessages ?? []);
  const frames = messages.filter((m) => m.type !== 'error' && [1, 2, 9, 10].includes(m.opcode)).length;
  const opened = (entry: RawEntry) =>
    entry.response?.status === 101 || (entry._webSocketMessages ?? []).some((m) => m.type !== 'error');
  const failed = real.filter((entry) => !opened(entry)).length;
  const start = (entry: RawEntry) => Date.parse(entry.startedDateTime);
  // Where the file dates a close: Chrome once the socket closed (timings.receive > 0, at
  // startedDateTime + time); HTTP Toolkit in _webSocketClose (at startedDateTime + time too).
  const closes = real
    .filter((entry) => opened(entry))
    .filter((entry) =>
      creator === 'WebInspector'
        ? (entry.timings?.receive ?? 0) > 0
        : entry._webSocketClose !== undefined && entry._webSocketClose !== null,
    )
    .map((entry) => start(entry) + entry.time);
  return { creator, entries: real.length, frames, failed, closes };
}

function sessionsOf(text: string) {
  return readHar(text, { idleGapMs: 5000 }).sessions;
}

describe('HAR fixtures read as they happened', () => {
  it('finds the fixtures (at least six real Chrome captures from three repositories, and mitmproxy’s own)', () => {
    const chrome = fixtures.filter((f) => f.name.startsWith('real/chrome-'));
    assert.ok(chrome.length >= 6, `${chrome.length} real Chrome captures`);
    const repositories = new Set(chrome.map((f) => f.name.replace(/^real\/chrome-([a-z]+)-\d+\.har$/, '$1')));
    assert.ok(repositories.size >= 3, [...repositories].join());
    assert.ok(fixtures.some((f) => f.name === 'real/mitmproxy-websocket.har'));
    const sources = readFileSync(join(HAR_DIR, 'SOURCES.md'), 'utf8');
    for (const { name } of fixtures) {
      const heading = new RegExp(`^## ${name.replace(/^real\//, '').replace(/\./g, '\\.')}( |$)`, 'm');
      assert.ok(heading.test(sources), `${name} has no section in SOURCES.md`);
    }
    // Among the real ones, one with failed attempts and one whose closes Chrome recorded.
    const facts = chrome.map((f) => factsOf(readFileSync(f.path, 'utf8')));
    assert.ok(facts.some((f) => f.failed > 0));
    assert.ok(facts.some((f) => f.closes.length > 0));
  });

  for (const fixture of fixtures) {
    describe(fixture.name, () => {
      const text = readFileSync(fixture.path, 'utf8');
      const facts = factsOf(text);
      const sessions = sessionsOf(text);
      const all = sessions.flatMap((s) => s.events);

      it('every data and control frame becomes an event', () => {
        const frames = all.filter((e) => e.type === 'message' || e.type === 'ping' || e.type === 'pong');
        assert.equal(frames.length, facts.frames);
      });

      it('no frame lies outside an open connection, and time never runs backwards along seq', () => {
        for (const session of sessions) {
          let open = false;
          let previous: SessionEvent | null = null;
          for (const event of session.events) {
            if (previous) {
              assert.ok(event.seq > previous.seq, `seq ${event.seq} after ${previous.seq}`);
              assert.ok(event.t >= previous.t, `seq ${event.seq} at ${event.t} before seq ${previous.seq}`);
            }
            previous = event;
            if (event.type === 'open') open = true;
            else if (event.type === 'close') open = false;
            else if (event.type === 'message' || event.type === 'ping' || event.type === 'pong') {
              assert.ok(open, `seq ${event.seq} (${event.type}) outside an open connection`);
            }
          }
        }
      });

      it('dates every event between 2000 and 2100', () => {
        for (const event of all) {
          assert.ok(
            event.t >= Date.UTC(2000, 0, 1) && event.t < Date.UTC(2100, 0, 1),
            `seq ${event.seq} at ${new Date(event.t).toISOString()}`,
          );
        }
      });

      it('has a failed handshake only where the file has one', () => {
        assert.equal(all.filter((e) => e.type === 'handshake-failed').length, facts.failed);
        assert.equal(all.filter((e) => e.type === 'connecting').length, facts.entries);
      });

      it('closes within 100 ms of where the file records each close', () => {
        const closes = all.filter((e) => e.type === 'close');
        for (const expected of facts.closes) {
          assert.ok(
            closes.some((c) => Math.abs(c.t - expected) <= 100),
            `no close near ${new Date(expected).toISOString()}: ${closes.map((c) => new Date(c.t).toISOString()).join(', ')}`,
          );
        }
        // Every other close is one the reader inferred from the next connection, and says so.
        const placed = closes.filter((c) => facts.closes.some((expected) => Math.abs(c.t - expected) <= 100));
        for (const close of closes.filter((c) => !placed.includes(c))) {
          assert.ok(close.type === 'close' && close.inferred === true && close.idleMs === null, `seq ${close.seq}`);
        }
      });

      it('claims no idle timeout or lifetime cap from closes the file does not date', () => {
        for (const session of sessions) {
          const findings = analyzeSessionEvents(
            session.events,
            recordedAnalyzerOptions({ events: session.events, heartbeat: null, captured: true }, []),
          );
          for (const finding of findings.filter((f) => f.kind === 'idle-timeout' || f.kind === 'lifetime-cap')) {
            const evidence = session.events.filter((e) => finding.evidence.includes(e.seq));
            assert.ok(
              evidence.some((e) => e.type === 'close' && e.idleMs !== null),
              `${finding.summary} rests on undated closes only`,
            );
          }
          // Never advice about a heartbeat setting of ours: the capture is the application's.
          for (const finding of findings) assert.doesNotMatch(finding.advice, /Your heartbeat/);
        }
      });
    });
  }
});
