// A tap (src/node/tapRelay.ts) on a free 127.0.0.1 port in front of `target`, recording each
// app client's session with the drop analyzer for an app (tapDiagnosis), as `ws-inspector tap`
// does; stopped by `defer`.

import { tapDiagnosis } from '../../src/core/diagnosis/dropAnalyzer.js';
import { TapSession, TapSessions } from '../../src/core/engine/tapSession.js';
import type { SessionEvent } from '../../src/core/model/sessionEvents.js';
import { systemClock } from '../../src/node/systemClock.js';
import { TapRelay, type TapRelayOptions } from '../../src/node/tapRelay.js';
import { LOOPBACK } from '../../support/ports.js';

export interface TestTap {
  /** ws://127.0.0.1:<port> (no path: add the app's). */
  url: string;
  relay: TapRelay;
  sessions: TapSessions;
  /** Every event of every session, in order, with its session's id. */
  events: Array<{ session: string; event: SessionEvent }>;
  eventsOf(sessionId: string): SessionEvent[];
}

export async function startTap(
  defer: (fn: () => unknown) => void,
  target: string,
  options: Partial<TapRelayOptions> = {},
): Promise<TestTap> {
  const events: TestTap['events'] = [];
  const sessions = new TapSessions(
    (id, client) => new TapSession(id, client, { clock: systemClock, observer: tapDiagnosis() }),
  );
  sessions.onSession((session) => session.onEvent((event) => events.push({ session: session.id, event })));
  const relay = await TapRelay.start(
    {
      listenHost: LOOPBACK,
      listenPort: 0,
      target,
      headers: {},
      keepHostAndOrigin: false,
      allowSelfSignedCertificate: false,
      handshakeTimeoutMs: 5000,
      maxMessageBytes: 64 * 1024 * 1024,
      network: { proxy: { setting: 'none', source: 'cli', from: '--no-proxy' } },
      ...options,
    },
    sessions,
  );
  defer(async () => {
    await relay.close();
    sessions.dispose();
  });
  return {
    url: `ws://${LOOPBACK}:${relay.port}`,
    relay,
    sessions,
    events,
    eventsOf: (id) => events.filter((entry) => entry.session === id).map((entry) => entry.event),
  };
}

/** Resolves when `predicate` holds, polling every 10 ms; rejects after `timeoutMs` saying what it waited for. */
export async function until(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
