// Chrome DevTools HAR files read as Chrome writes them (test/fixtures/har/SOURCES.md): the open
// before the frames, closes from the entry's timing, placeholders skipped, error frames kept,
// and no timing finding drawn from a close the file never recorded.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { asDiagnosisEvents } from '../../src/core/diagnosis/analyzeRecorded.js';
import { analyzeSessionEvents } from '../../src/core/diagnosis/dropAnalyzer.js';
import { readHar } from '../../src/core/files/harReader.js';
import type { SessionEvent } from '../../src/core/model/sessionEvents.js';

interface HarFrame {
  type: string;
  time: number;
  opcode: number;
  data: string;
}
interface HarEntry {
  startedDateTime: string;
  time: number;
  timings: { receive: number };
  request: { method: string; url: string };
  response: { status: number };
  _resourceType?: string;
  _webSocketMessages?: HarFrame[];
}

const FIXTURES = ['chrome-exporter-lifecycle.har'];
const YEAR_2000 = Date.UTC(2000, 0, 1);

function load(name: string): { text: string; entries: HarEntry[] } {
  const text = readFileSync(resolve(__dirname, '..', 'fixtures', 'har', name), 'utf8');
  return { text, entries: (JSON.parse(text) as { log: { entries: HarEntry[] } }).log.entries };
}

function isPlaceholder(entry: HarEntry): boolean {
  return Date.parse(entry.startedDateTime) < 0;
}

function webSocketEntries(entries: HarEntry[]): HarEntry[] {
  return entries.filter((e) => e._resourceType === 'websocket' && !isPlaceholder(e));
}

/** The attempts of one session: from each `connecting` to the next. */
function attemptsOf(events: SessionEvent[]): SessionEvent[][] {
  const attempts: SessionEvent[][] = [];
  for (const event of events) {
    if (event.type === 'connecting') attempts.push([]);
    attempts[attempts.length - 1]?.push(event);
  }
  return attempts;
}

for (const name of FIXTURES) {
  describe(`Chrome HAR ${name}`, () => {
    const { text, entries } = load(name);
    const result = readHar(text, { idleGapMs: 5000 });
    const events = result.sessions.flatMap((s) => s.events);
    const sockets = webSocketEntries(entries);

    it('makes every data and control frame an event, each inside an open connection', () => {
      const frames = sockets.flatMap((e) => (e._webSocketMessages ?? []).filter((m) => m.type !== 'error'));
      const framed = events.filter((e) => e.type === 'message' || e.type === 'ping' || e.type === 'pong');
      assert.equal(framed.length, frames.length);
      for (const session of result.sessions) {
        for (const attempt of attemptsOf(session.events)) {
          const open = attempt.find((e) => e.type === 'open');
          const attemptFrames = attempt.filter((e) => e.type === 'message' || e.type === 'ping' || e.type === 'pong');
          if (attemptFrames.length === 0) continue;
          assert.ok(open, 'frames without an open');
          assert.ok(open.t <= attemptFrames[0]!.t, `open at ${open.t} after the first frame at ${attemptFrames[0]!.t}`);
          assert.ok(attempt.indexOf(open) < attempt.indexOf(attemptFrames[0]!));
        }
      }
    });

    it('keeps time running forwards along seq, and dates nothing before 2000', () => {
      for (const session of result.sessions) {
        for (let i = 1; i < session.events.length; i++) {
          const [a, b] = [session.events[i - 1]!, session.events[i]!];
          assert.ok(b.seq > a.seq);
          assert.ok(b.t >= a.t, `seq ${b.seq} (${b.type}) at ${b.t} before seq ${a.seq} (${a.type}) at ${a.t}`);
        }
      }
      for (const event of events) {
        assert.ok(event.t >= YEAR_2000, `${event.type} dated ${new Date(event.t).toISOString()}`);
      }
    });

    it('fails a handshake only where the file has one, keeping the error frames’ text', () => {
      const failedInFile = sockets.filter(
        (e) => e.response.status !== 101 && !(e._webSocketMessages ?? []).some((m) => m.type !== 'error'),
      );
      const failed = events.filter((e) => e.type === 'handshake-failed');
      assert.equal(failed.length, failedInFile.length);
      failedInFile.forEach((entry, i) => {
        for (const frame of entry._webSocketMessages ?? []) assert.ok(failed[i]!.message.includes(frame.data));
      });
    });

    it('records a close where timings.receive > 0, within 100 ms of startedDateTime + time', () => {
      for (const entry of sockets.filter((e) => e.timings.receive > 0)) {
        const end = Date.parse(entry.startedDateTime) + entry.time;
        const close = events.find((e) => e.type === 'close' && Math.abs(e.t - end) <= 100);
        assert.ok(close, `no close near ${new Date(end).toISOString()}`);
      }
    });

    it('draws no idle-timeout or lifetime-cap finding from inferred closes alone', () => {
      for (const session of result.sessions) {
        const findings = asDiagnosisEvents(analyzeSessionEvents(session.events), session.events);
        const timing = findings.filter((f) => f.kind === 'idle-timeout' || f.kind === 'lifetime-cap');
        assert.deepEqual(
          timing.map((f) => f.findingId),
          [],
        );
      }
    });

    it('skips Chrome placeholders and says so', () => {
      const placeholders = entries.filter(isPlaceholder).length;
      if (placeholders > 0) assert.match(result.notes.join('\n'), new RegExp(`${placeholders} WebSocket entr`));
      assert.equal(
        events.filter((e) => e.type === 'connecting').length,
        sockets.length,
        'one connecting event per real WebSocket entry',
      );
    });
  });
}

describe('Chrome HAR timing', () => {
  it('opens a socket with frames at the request and says the handshake time is unknown', () => {
    const { text, entries } = load('chrome-exporter-lifecycle.har');
    const { sessions, notes } = readHar(text, { idleGapMs: 60_000 });
    // The last entry is still open at export (timings.receive 0): its time ends at its last frame.
    const entry = entries[entries.length - 1]!;
    const opens = sessions[0]!.events.filter((e) => e.type === 'open');
    const open = opens[opens.length - 1];
    assert.equal(open?.t, Date.parse(entry.startedDateTime));
    assert.equal(open?.type === 'open' && open.handshakeMs, 0);
    assert.match(notes.join('\n'), /handshake times? (is|are) not in the HAR/);
  });

  it('draws an idle timeout from closes Chrome dated, less sure than from recorded ones and saying why', () => {
    // Four sockets to one URL, each cut 60 s after its last frame and reopened at once. Chrome
    // dates each close (timings.receive) but records no code: the page closing its own socket
    // would look the same, so the finding says so and is less confident than for close events.
    const start = Date.parse('2025-12-05T08:00:00.000Z');
    const entries = [0, 1, 2, 3].map((i) => {
      const t0 = start + i * 61_000;
      return {
        startedDateTime: new Date(t0).toISOString(),
        time: 61_000,
        request: {
          method: 'GET',
          url: 'wss://chat.example.test/socket',
          httpVersion: 'HTTP/1.1',
          headers: [],
          queryString: [],
          cookies: [],
          headersSize: -1,
          bodySize: 0,
        },
        response: {
          status: 101,
          statusText: 'Switching Protocols',
          httpVersion: 'HTTP/1.1',
          headers: [],
          cookies: [],
          content: { size: 0, mimeType: 'x-unknown' },
          redirectURL: '',
          headersSize: -1,
          bodySize: 0,
        },
        cache: {},
        timings: { blocked: -1, dns: -1, ssl: -1, connect: -1, send: 0, wait: 1000, receive: 60_000 },
        _resourceType: 'websocket',
        _webSocketMessages: [{ type: 'receive', time: (t0 + 1000) / 1000, opcode: 1, data: 'hello' }],
      };
    });
    const har = JSON.stringify({
      log: { version: '1.2', creator: { name: 'WebInspector', version: '537.36' }, pages: [], entries },
    });
    const { sessions } = readHar(har, { idleGapMs: 5000 });
    const events = sessions[0]!.events;
    const idleFinding = (list: SessionEvent[]) => {
      const found = asDiagnosisEvents(analyzeSessionEvents(list), list).filter(
        (f) => f.kind === 'idle-timeout' || f.kind === 'lifetime-cap',
      );
      assert.deepEqual(
        found.map((f) => [f.kind, f.intervalMs, f.occurrences]),
        [['idle-timeout', 60_000, 4]],
      );
      return found[0]!;
    };
    assert.equal(events.filter((e) => e.type === 'close' && e.inferred).length, 4);
    const dated = idleFinding(events);
    assert.match(dated.advice, /records when these connections closed, not how/);
    const recorded = idleFinding(
      events.map((e) => (e.type === 'close' ? { ...e, inferred: undefined } : e)) as SessionEvent[],
    );
    assert.doesNotMatch(recorded.advice, /records when these connections closed, not how/);
    assert.ok(dated.confidence < recorded.confidence, `${dated.confidence} < ${recorded.confidence}`);
  });

  it('marks the close from timing inferred, with no code received', () => {
    const { text } = load('chrome-exporter-lifecycle.har');
    const { sessions, notes } = readHar(text, { idleGapMs: 5000 });
    const closes = sessions[0]!.events.filter((e) => e.type === 'close');
    assert.equal(closes.length, 1);
    const close = closes[0]!;
    assert.equal(close.type === 'close' && close.inferred, true);
    assert.equal(close.type === 'close' && close.code, 1006);
    assert.equal(close.t, Date.parse('2025-12-05T08:02:33.000Z'));
    assert.match(notes.join('\n'), /1 close was inferred from the entries' timing/);
    assert.match(notes.join('\n'), /1 WebSocket entry was skipped: Chrome's placeholder/);
    // The error frame is an error event on the attempt, just before its failure.
    const failedAt = sessions[0]!.events.findIndex((e) => e.type === 'handshake-failed');
    const before = sessions[0]!.events[failedAt - 1];
    assert.deepEqual(before?.type === 'error' && [before.message, before.t <= sessions[0]!.events[failedAt]!.t], [
      'WebSocket is closed before the connection is established.',
      true,
    ]);
    const failed = sessions[0]!.events.find((e) => e.type === 'handshake-failed');
    assert.equal(
      failed?.type === 'handshake-failed' && failed.message,
      'the handshake did not complete: WebSocket is closed before the connection is established.',
    );
  });
});
