// The application's own closes are not blamed on proxies: real `ws` servers on 127.0.0.1 that
// close idle clients themselves (with 1000, and with 1001 and a close frame), and one that
// terminate()s clients at random moments, watched by a live Session with its drop analyzer.
// No proxy claim above low confidence, and never two idle or lifetime findings at once.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DiagnosisEvent, SessionEvent } from '../../src/core/model/sessionEvents.js';
import { QUICK_RECONNECT, startLiveSession } from '../helpers/liveSession.js';
import { seededRandom } from '../../support/seededRandom.js';
import { cleanups } from '../helpers/testScope.js';
import { startWsServer } from '../helpers/wsServers.js';

/** Below this a proxy claim is a lead, not a verdict (the banner and status bar show from 0.5). */
const LOW_CONFIDENCE = 0.5;
const IDLE_CLOSE_MS = 1_500;

/** Watches `url` with the heartbeat off and a quick reconnect until `done(closes)`, then stops. */
async function watch(
  defer: (fn: () => unknown) => void,
  url: string,
  done: (closes: number) => boolean,
  timeoutMs: number,
): Promise<SessionEvent[]> {
  let closes = 0;
  let finish = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const { session, events } = startLiveSession(defer, url, {
    heartbeat: { mode: 'off' },
    reconnect: QUICK_RECONNECT,
    onEvent: (event) => {
      if (event.type === 'close' && done(++closes)) finish();
    },
  });
  await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, timeoutMs))]);
  await session.stop();
  return events;
}

/** The diagnoses in force after each event: the latest of every finding, withdrawn ones out. */
function activeFindingsOverTime(events: readonly SessionEvent[]): DiagnosisEvent[][] {
  const latest = new Map<string, DiagnosisEvent>();
  const over: DiagnosisEvent[][] = [];
  for (const event of events) {
    if (event.type !== 'diagnosis') continue;
    latest.set(event.findingId, event);
    over.push([...latest.values()].filter((d) => d.confidence > 0));
  }
  return over;
}

function assertNoProxyBlame(events: readonly SessionEvent[], what: string): void {
  const diagnoses = events.filter((e): e is DiagnosisEvent => e.type === 'diagnosis');
  for (const d of diagnoses) {
    if (d.kind === 'idle-timeout' || d.kind === 'lifetime-cap') {
      assert.ok(d.confidence < LOW_CONFIDENCE, `${what}: a proxy claim at ${d.confidence}: ${d.summary}`);
    }
  }
  for (const active of activeFindingsOverTime(events)) {
    const proxy = active.filter((d) => d.kind === 'idle-timeout' || d.kind === 'lifetime-cap');
    assert.ok(proxy.length <= 1, `${what}: two findings at once: ${proxy.map((d) => d.summary).join(' | ')}`);
  }
}

for (const [code, reason] of [
  [1000, 'idle'],
  [1001, 'going away'],
] as const) {
  test(
    `a server that closes idle clients itself with ${code} and a close frame: the server's close, no proxy blamed`,
    { timeout: 30_000 },
    async (t) => {
      const defer = cleanups(t);
      const server = await startWsServer((ws, { setTimeout }) => {
        setTimeout(() => ws.close(code, reason), IDLE_CLOSE_MS);
      });
      defer(() => server.close());
      const events = await watch(defer, server.url, (closes) => closes >= 4, 20_000);
      const closes = events.filter((e) => e.type === 'close');
      assert.ok(closes.length >= 4, `4 closes; got ${closes.length}`);
      assertNoProxyBlame(events, `${code}`);
      const diagnoses = events.filter((e): e is DiagnosisEvent => e.type === 'diagnosis');
      const serverClose = diagnoses.filter((d) => d.findingId === `server-close@${code}`).pop();
      assert.ok(serverClose, `a server-close@${code} finding: ${diagnoses.map((d) => d.summary).join(' | ')}`);
      assert.deepEqual(serverClose.candidates, []);
      assert.match(serverClose.summary, new RegExp(`with ${code} `));
      // The same silence each time: the server's own idle timeout (or what stands in front of it).
      assert.match(serverClose.advice, /an idle timeout of the server's own, or of what stands in front of it/);
    },
  );
}

test(
  'a server that terminate()s clients at random moments: no consistent finding, never two at once',
  { timeout: 60_000 },
  async (t) => {
    const defer = cleanups(t);
    // Seeded: the same irregular cuts every run (1 to 4 s after open).
    const random = seededRandom(42);
    const cuts: number[] = [];
    const server = await startWsServer((ws, { setTimeout }) => {
      const after = 1_000 + Math.round(random() * 3_000);
      cuts.push(after);
      setTimeout(() => ws.terminate(), after);
    });
    defer(() => server.close());
    const events = await watch(defer, server.url, (closes) => closes >= 8, 45_000);
    t.diagnostic(`cuts after ${cuts.join(', ')} ms`);
    assert.ok(events.filter((e) => e.type === 'close').length >= 8);
    assertNoProxyBlame(events, 'random terminate()');
  },
);
