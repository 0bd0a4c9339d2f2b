// npm run bench:webview — the timeline webview's figures in real Chromium, against the targets below.
// A benchmark, not a test: it prints what it measured next to each target and never asserts
// on timing. Needs Chromium (/usr/bin/chromium) and the bundle (`npm run build`).
//
// What stands in for what:
// - This Node process is the extension host: the real TimelineFeed runs here, over an imported
//   Connection (first paint, scrolling) or a live one (the flood: a real core Session on the real
//   ws adapter and system clock, connected to a flood server in another process on 127.0.0.1).
// - The webview harness (support/timelineHarness.ts) serves the real panel HTML and bundle to
//   Chromium; Playwright's bridge (exposeBinding + page.evaluate) stands in for VS Code's
//   postMessage IPC between the extension host and the webview.
//
// Figures:
// 1. first paint of a 100 000-event session: navigation start → body[data-ready=true] + one
//    animation frame, median of several loads (target ≤ 300 ms);
// 2. scrolling #event-list over 1 000 000 events, top to bottom in a few seconds, frame
//    intervals from requestAnimationFrame (target median ≥ 50 fps; p5 and min reported);
// 3. a live flood of 20 000 messages/s for 10 s (exactly 200 000) with the panel open:
//    host event-loop delay p99 (target ≤ 50 ms), webview fps (target ≥ 30), no lost events.

import { spawn, type ChildProcess } from 'node:child_process';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { sessionDiagnosis } from '../src/core/diagnosis/dropAnalyzer.js';
import { makeEndpoint } from '../src/core/model/endpoint.js';
import { DEFAULT_SESSION_OPTIONS, Session } from '../src/core/engine/session.js';
import type { SessionEvent } from '../src/core/model/sessionEvents.js';
import { Connection } from '../src/extension/model/connection.js';
import { systemClock } from '../src/node/systemClock.js';
import { createWsSocket } from '../src/node/wsSocket.js';
import { harnessSkipReason, launchTimelineHarness, type TimelineHarness } from '../support/timelineHarness.js';

const FIRST_PAINT_EVENTS = 100_000;
const FIRST_PAINT_LOADS = 7;
const SCROLL_EVENTS = 1_000_000;
const SCROLL_DURATION_MS = 4000;
const FLOOD_RATE = 20_000;
const FLOOD_COUNT = 200_000;
const FLOOD_SIZE = 64;
/** Every stage gives up after this long: the benchmark is bounded even when something hangs. */
const STAGE_TIMEOUT_MS = 60_000;
const VIEWPORT = { width: 1280, height: 800 };
const START_T = Date.UTC(2026, 10, 26, 9, 12, 0);

interface Figure {
  name: string;
  measured: string;
  target: string;
  met: boolean;
}
const figures: Figure[] = [];

function record(name: string, measured: string, target: string, met: boolean): void {
  figures.push({ name, measured, target, met });
  console.log(`  → ${name}: ${measured} (target ${target}) ${met ? 'met' : 'MISSED'}`);
}

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function withTimeout<T>(promise: Promise<T>, label: string, ms = STAGE_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${label} did not finish within ${ms} ms`)), ms);
    }),
  ]);
}

/** An event without its seq and t, per type. */
type EventFields = SessionEvent extends infer E ? (E extends SessionEvent ? Omit<E, 'seq' | 't'> : never) : never;

/** A realistic session: JSON messages both ways every few ms, a ping/pong every 100 events, a drop and reconnect every 20 000. */
function syntheticEvents(count: number): SessionEvent[] {
  const events: SessionEvent[] = [];
  let seq = 0;
  let t = START_T;
  const push = (event: EventFields, advanceMs: number) => {
    t += advanceMs;
    events.push({ ...event, seq: ++seq, t } as SessionEvent);
  };
  push({ type: 'connecting', attempt: 0, url: 'wss://bench.example.test/ws', protocols: [] }, 0);
  push({ type: 'open', handshakeMs: 12, protocol: '', extensions: '', requestHeaders: {}, responseHeaders: {} }, 12);
  while (events.length < count) {
    const n = events.length;
    if (n % 20_000 === 19_990) {
      push({ type: 'idle-gap', durationMs: 6000, startT: t }, 6000);
      push(
        { type: 'close', code: 1006, reason: '', wasClean: false, initiator: 'none', idleMs: 6000, ageMs: 60_000 },
        0,
      );
      push({ type: 'reconnect-scheduled', attempt: 1, delayMs: 1000 }, 0);
      push({ type: 'connecting', attempt: 1, url: 'wss://bench.example.test/ws', protocols: [] }, 1000);
      push(
        { type: 'open', handshakeMs: 10, protocol: '', extensions: '', requestHeaders: {}, responseHeaders: {} },
        10,
      );
    } else if (n % 100 === 50) {
      push({ type: 'ping', direction: 'out', data: '', encoding: 'utf8' }, 3);
      push({ type: 'pong', direction: 'in', data: '', encoding: 'utf8', rttMs: 0.8 + (n % 7) / 10 }, 1);
    } else {
      const direction = n % 5 === 0 ? 'out' : 'in';
      const data = `{"type":"price","seq":${n},"symbol":"EURUSD","bid":1.08${n % 100},"ask":1.08${(n + 3) % 100},"ts":${t}}`;
      push({ type: 'message', direction, opcode: 'text', size: data.length, data, truncated: false }, 2 + (n % 3));
    }
  }
  return events.slice(0, count);
}

function importedConnection(events: SessionEvent[]): Connection {
  return Connection.imported({
    name: 'bench',
    endpoint: makeEndpoint('wss://bench.example.test/ws'),
    events,
    fileName: 'bench.json',
    format: 'session-log',
    producer: 'WebSocket Inspector session log',
    redacted: true,
    droppedEvents: 0,
  });
}

// Page-side code is passed as strings or closures over plain values, and the page's globals are
// typed locally: bench/ compiles without the DOM lib.
interface PageGlobals {
  __wsiFirstPaint?: number;
  performance: { now(): number };
  requestAnimationFrame(callback: (now: number) => void): number;
  document: {
    querySelector(selector: string): {
      scrollTop: number;
      scrollHeight: number;
      clientHeight: number;
      querySelectorAll(selector: string): ArrayLike<{ getAttribute(name: string): string | null }>;
    } | null;
  };
  __wsiFrames?: { intervals: number[]; running: boolean };
}

// Page code with inner functions goes in as source text: tsx would wrap named inner functions
// in a __name() helper that the page does not have.
interface ScrollResult {
  intervals: number[];
  max: number;
  finalTop: number;
  lastSeq: string | null;
}
/** Scrolls #event-list from top to bottom over durationMs, one step per animation frame; resolves with the frame intervals. */
const SCROLL_SOURCE = `(durationMs) => {
  const list = document.querySelector('#event-list');
  if (!list) throw new Error('#event-list is missing');
  const max = list.scrollHeight - list.clientHeight;
  const intervals = [];
  return new Promise((resolve) => {
    let start = -1;
    let last = -1;
    function step(now) {
      if (start < 0) start = now;
      else intervals.push(now - last);
      last = now;
      const fraction = Math.min(1, (now - start) / durationMs);
      list.scrollTop = fraction * max;
      if (fraction < 1) requestAnimationFrame(step);
      else requestAnimationFrame(() => {
        const rows = list.querySelectorAll('.row');
        const seqs = Array.from(rows, (row) => Number(row.getAttribute('data-seq'))).filter((seq) => seq > 0);
        resolve({ intervals, max, finalTop: list.scrollTop, lastSeq: seqs.length ? String(Math.max(...seqs)) : null });
      });
    }
    requestAnimationFrame(step);
  });
}`;
/** Collects every animation-frame interval in window.__wsiFrames until `running` is cleared. */
const FRAMES_SOURCE = `(() => {
  const frames = { intervals: [], running: true };
  window.__wsiFrames = frames;
  let last = -1;
  function step(now) {
    if (last >= 0) frames.intervals.push(now - last);
    last = now;
    if (frames.running) requestAnimationFrame(step);
  }
  requestAnimationFrame(step);
})()`;

/** Records, in every document, when the first init was painted: the frame after body[data-ready=true]. */
const FIRST_PAINT_PROBE = `(() => {
  const check = () => {
    if (!document.body || document.body.dataset.ready !== 'true') return false;
    requestAnimationFrame(() => { window.__wsiFirstPaint = performance.now(); });
    return true;
  };
  const observer = new MutationObserver(() => { if (check()) observer.disconnect(); });
  observer.observe(document, { attributes: true, subtree: true, childList: true, attributeFilter: ['data-ready'] });
})();`;

async function benchFirstPaint(): Promise<void> {
  console.log(
    `\n1. First paint of a ${FIRST_PAINT_EVENTS.toLocaleString('en')}-event session (${FIRST_PAINT_LOADS} loads after a warm-up)`,
  );
  const connection = importedConnection(syntheticEvents(FIRST_PAINT_EVENTS));
  const harness = await launchTimelineHarness({ connection, theme: 'dark', viewport: VIEWPORT });
  try {
    await harness.page.addInitScript({ content: FIRST_PAINT_PROBE });
    await harness.ready();
    const times: number[] = [];
    for (let load = 0; load < FIRST_PAINT_LOADS; load++) {
      // A hide + show: the page reloads and the feed answers its ready with a fresh init.
      await withTimeout(harness.reload(), 'reload');
      await harness.page.waitForFunction(
        () => (globalThis as unknown as PageGlobals).__wsiFirstPaint !== undefined,
        undefined,
        { timeout: 20_000 },
      );
      const ms = await harness.page.evaluate(() => (globalThis as unknown as PageGlobals).__wsiFirstPaint!);
      times.push(ms);
      console.log(`  load ${load + 1}: ${ms.toFixed(0)} ms`);
    }
    const rows = await harness.page.evaluate(
      () =>
        (globalThis as unknown as PageGlobals).document.querySelector('#event-list')?.querySelectorAll('.row').length ??
        0,
    );
    console.log(
      `  rows painted: ${rows}; min ${Math.min(...times).toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms`,
    );
    reportProblems(harness);
    const median = percentile(times, 50);
    record('first paint, 100 000 events (median)', `${median.toFixed(0)} ms`, '≤ 300 ms', median <= 300);
  } finally {
    await harness.close();
  }
}

async function benchScroll(): Promise<void> {
  console.log(
    `\n2. Scrolling through ${SCROLL_EVENTS.toLocaleString('en')} events (top to bottom in ${SCROLL_DURATION_MS / 1000} s, rAF-driven)`,
  );
  const started = performance.now();
  const connection = importedConnection(syntheticEvents(SCROLL_EVENTS));
  console.log(`  built the session in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const harness = await launchTimelineHarness({ connection, theme: 'dark', viewport: VIEWPORT, timeoutMs: 30_000 });
  try {
    await withTimeout(harness.ready(), 'first paint of 1 000 000 events');
    const page = harness.page;
    // Start at the top and let the rows there page in.
    await page.evaluate(() => {
      const list = (globalThis as unknown as PageGlobals).document.querySelector('#event-list');
      if (list) list.scrollTop = 0;
    });
    await page.waitForTimeout(500);
    const result = await withTimeout(
      page.evaluate<ScrollResult>(`(${SCROLL_SOURCE})(${SCROLL_DURATION_MS})`),
      'scroll',
    );
    const medianInterval = percentile(result.intervals, 50);
    const p95Interval = percentile(result.intervals, 95);
    const maxInterval = Math.max(...result.intervals);
    const fps = 1000 / medianInterval;
    console.log(
      `  ${result.intervals.length} frames over ${(result.max / 1e6).toFixed(1)} M px of scroll; frame interval median ${medianInterval.toFixed(1)} ms, p95 ${p95Interval.toFixed(1)} ms, max ${maxInterval.toFixed(1)} ms`,
    );
    console.log(
      `  fps: median ${fps.toFixed(1)}, p5 ${(1000 / p95Interval).toFixed(1)}, min ${(1000 / maxInterval).toFixed(1)}; newest row in the list on the last frame: #${result.lastSeq ?? '—'} of ${SCROLL_EVENTS.toLocaleString('en')}`,
    );
    // The rows of the last page arrive from the host after the scroll stopped: how long until the bottom is filled in.
    const settleStarted = performance.now();
    const settled = await page
      .waitForFunction(
        (seq) => {
          const rows = (globalThis as unknown as PageGlobals).document
            .querySelector('#event-list')
            ?.querySelectorAll('.row');
          return rows !== undefined && Array.from(rows).some((row) => Number(row.getAttribute('data-seq')) === seq);
        },
        SCROLL_EVENTS,
        { timeout: 5000 },
      )
      .then(() => true)
      .catch(() => false);
    console.log(
      `  the bottom row (#${SCROLL_EVENTS.toLocaleString('en')}) was in the list ${settled ? `${(performance.now() - settleStarted).toFixed(0)} ms after the scroll ended` : 'NOT within 5 s of the scroll ending'}`,
    );
    reportProblems(harness);
    record(
      'scroll 1 000 000 events, median fps',
      `${fps.toFixed(1)} fps (p5 ${(1000 / p95Interval).toFixed(1)}, min ${(1000 / maxInterval).toFixed(1)})`,
      'median ≥ 50 fps',
      fps >= 50,
    );
  } finally {
    await harness.close();
  }
}

async function startFloodServer(): Promise<{ port: number; child: ChildProcess; sent: Promise<number> }> {
  const child = spawn(
    process.execPath,
    ['bench/pacedFloodServer.mjs', String(FLOOD_COUNT), String(FLOOD_RATE), String(FLOOD_SIZE)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout! });
  const iterator = lines[Symbol.asyncIterator]();
  const first = await withTimeout(iterator.next(), 'flood server start', 10_000);
  const port = Number(first.value);
  if (!Number.isInteger(port) || port <= 0) {
    throw new Error(`flood server printed ${JSON.stringify(first.value)} instead of a port`);
  }
  const sent = (async () => {
    for (let line = await iterator.next(); !line.done; line = await iterator.next()) {
      const match = /^sent (\d+)$/.exec(line.value);
      if (match) return Number(match[1]);
    }
    throw new Error('the flood server exited without reporting what it sent');
  })();
  sent.catch(() => undefined);
  return { port, child, sent };
}

async function benchFlood(): Promise<void> {
  console.log(
    `\n3. Live flood: ${FLOOD_RATE.toLocaleString('en')} messages/s of ${FLOOD_SIZE} bytes for ${FLOOD_COUNT / FLOOD_RATE} s (${FLOOD_COUNT.toLocaleString('en')} messages), panel open`,
  );
  const server = await startFloodServer();
  const endpoint = makeEndpoint(`ws://127.0.0.1:${server.port}/`, {
    name: 'flood',
    heartbeat: { mode: 'ping', intervalMs: 1000, timeoutMs: 10_000 },
    reconnect: { enabled: false },
  });
  // Room for every message: a lost event must mean a real loss, not the ring buffer.
  const analyzer = sessionDiagnosis(endpoint);
  const session = new Session(
    endpoint,
    { ...DEFAULT_SESSION_OPTIONS, maxEvents: FLOOD_COUNT + 50_000 },
    { clock: systemClock, createSocket: createWsSocket, observer: analyzer },
  );
  const connection = Connection.live('adhoc', session, endpoint, null, analyzer);
  let harness: TimelineHarness | null = null;
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  try {
    const opened = new Promise<void>((resolve, reject) => {
      const listener = session.onLifecycleEvent((event) => {
        if (event.type === 'open') {
          listener.dispose();
          resolve();
        } else if (event.type === 'handshake-failed' || event.type === 'close') {
          reject(new Error(`the flood connection failed: ${JSON.stringify(event)}`));
        }
      });
    });
    session.start();
    await withTimeout(opened, 'connecting to the flood server', 10_000);
    harness = await launchTimelineHarness({ connection, theme: 'dark', viewport: VIEWPORT });
    await harness.ready();
    const page = harness.page;

    // Webview frames: every rAF interval while the flood runs.
    await page.evaluate(FRAMES_SOURCE);
    loopDelay.enable();
    const started = performance.now();
    session.send('go');
    const sent = await withTimeout(server.sent, 'the flood', 30_000);
    // The last messages may still be in flight: wait until the session has them all (bounded).
    const deadline = performance.now() + 10_000;
    while (session.getStats().messagesIn < sent && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const floodMs = performance.now() - started;
    loopDelay.disable();
    const frames = await page.evaluate(() => {
      const frames = (globalThis as unknown as PageGlobals).__wsiFrames!;
      frames.running = false;
      return frames.intervals;
    });
    const received = session.getStats().messagesIn;
    const recorded = [...session.record].filter((event) => event.type === 'message' && event.direction === 'in').length;
    const dropped = session.record.droppedCount;

    // Let the webview catch up with the tail, and see that its list reaches the newest event.
    const lastSeq = session.record.lastSeq;
    const caughtUpStarted = performance.now();
    const caughtUp = await page
      .waitForFunction(
        (seq) =>
          Array.from(
            (
              globalThis as unknown as {
                document: { querySelectorAll(s: string): ArrayLike<{ getAttribute(n: string): string | null }> };
              }
            ).document.querySelectorAll('#event-list .row'),
          ).some((row) => Number(row.getAttribute('data-seq')) >= seq),
        lastSeq,
        { timeout: 10_000 },
      )
      .then(() => true)
      .catch(() => false);
    const caughtUpMs = performance.now() - caughtUpStarted;

    const p99 = loopDelay.percentile(99) / 1e6;
    const p50 = loopDelay.percentile(50) / 1e6;
    const maxDelay = loopDelay.max / 1e6;
    const medianFrame = percentile(frames, 50);
    const fps = 1000 / medianFrame;
    const p95Frame = percentile(frames, 95);
    const averageFps = frames.length / (frames.reduce((a, b) => a + b, 0) / 1000);
    console.log(
      `  flood took ${(floodMs / 1000).toFixed(2)} s (server pacing ${FLOOD_COUNT / FLOOD_RATE} s); server sent ${sent.toLocaleString('en')}, session counted ${received.toLocaleString('en')}, record holds ${recorded.toLocaleString('en')} inbound messages, ring buffer dropped ${dropped}`,
    );
    console.log(
      `  host event-loop delay: p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${maxDelay.toFixed(1)} ms`,
    );
    console.log(
      `  webview: ${frames.length} frames, median interval ${medianFrame.toFixed(1)} ms (${fps.toFixed(1)} fps), p95 ${p95Frame.toFixed(1)} ms (p5 ${(1000 / p95Frame).toFixed(1)} fps), average ${averageFps.toFixed(1)} fps`,
    );
    console.log(
      `  webview list reached the newest event (#${lastSeq}) ${caughtUp ? `${caughtUpMs.toFixed(0)} ms after the flood` : 'NOT within 10 s'}; host posts: ${harness.received.length}`,
    );
    reportProblems(harness);
    record('flood: host event-loop delay p99', `${p99.toFixed(1)} ms`, '≤ 50 ms', p99 <= 50);
    record(
      'flood: webview fps (median)',
      `${fps.toFixed(1)} fps (average ${averageFps.toFixed(1)})`,
      '≥ 30 fps',
      fps >= 30,
    );
    const lossless = received === sent && recorded === sent && dropped === 0;
    record(
      'flood: no lost events',
      `server sent ${sent.toLocaleString('en')}, record has ${recorded.toLocaleString('en')}`,
      'equal',
      lossless,
    );
  } finally {
    loopDelay.disable();
    await harness?.close();
    connection.dispose();
    server.child.kill('SIGTERM');
  }
}

function reportProblems(harness: TimelineHarness): void {
  const problems = [...harness.problems(), ...harness.logs.map((line) => `feed log: ${line}`)];
  if (problems.length) console.log(`  page problems (${problems.length}): ${problems.slice(0, 5).join(' | ')}`);
}

async function main(): Promise<void> {
  const skip = harnessSkipReason();
  if (skip) {
    console.error(`bench:webview cannot run: ${skip}`);
    process.exitCode = 1;
    return;
  }
  console.log(
    'bench:webview — the timeline webview in Chromium (headless, --disable-gpu), fed by the real TimelineFeed in this Node process.',
  );
  console.log(
    "This process stands in for the extension host; Playwright's bridge stands in for VS Code's postMessage IPC.",
  );
  const started = performance.now();
  const stages: Array<[string, () => Promise<void>]> = [
    ['first paint', benchFirstPaint],
    ['scroll', benchScroll],
    ['flood', benchFlood],
  ];
  for (const [name, stage] of stages) {
    try {
      await stage();
    } catch (error) {
      console.log(`  ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
      record(name, 'not measured (failed)', '—', false);
    }
  }
  console.log(
    `\nSummary (${((performance.now() - started) / 1000).toFixed(0)} s in all; machine: ${process.platform}, Node ${process.version})`,
  );
  const width = (key: keyof Figure) => Math.max(key.length, ...figures.map((figure) => String(figure[key]).length));
  const widths = { name: width('name'), measured: width('measured'), target: width('target') };
  console.log(
    `${'figure'.padEnd(widths.name)}  ${'measured'.padEnd(widths.measured)}  ${'target'.padEnd(widths.target)}  result`,
  );
  for (const figure of figures) {
    console.log(
      `${figure.name.padEnd(widths.name)}  ${figure.measured.padEnd(widths.measured)}  ${figure.target.padEnd(widths.target)}  ${figure.met ? 'met' : 'MISSED'}`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
