// A server that cuts a connection after 1.5 s without a *message* while it answers ping
// frames (an idle timer that counts messages only, as some gateways keep): watched with a
// ping heartbeat, the drops come at a fixed age with nothing but pings sent, so the finding
// must say it cannot tell a lifetime cap from that idle timeout, and how to tell them apart;
// with a message sent more often than that the connection stays up.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HeartbeatConfig } from '../../src/core/model/endpoint.js';
import type { DiagnosisEvent, SessionEvent } from '../../src/core/model/sessionEvents.js';
import { QUICK_RECONNECT, startLiveSession } from '../helpers/liveSession.js';
import { cleanups } from '../helpers/testScope.js';
import { startMessageIdleServer } from '../helpers/wsServers.js';

const CUT_MS = 1_500;

/** Watches `url` for `ms`; with `sendEveryMs`, the application sends a message that often. */
async function watchFor(
  defer: (fn: () => unknown) => void,
  url: string,
  heartbeat: Partial<HeartbeatConfig>,
  ms: number,
  sendEveryMs: number | null = null,
): Promise<SessionEvent[]> {
  const { session, events } = startLiveSession(defer, url, { heartbeat, reconnect: QUICK_RECONNECT });
  const sender = sendEveryMs === null ? null : setInterval(() => session.send('tick'), sendEveryMs);
  await new Promise((resolve) => setTimeout(resolve, ms));
  if (sender) clearInterval(sender);
  await session.stop();
  return events;
}

test(
  'ping heartbeat against a server that counts only messages: ambiguous, never a bare lifetime cap; sending messages keeps it up',
  { timeout: 30_000 },
  async (t) => {
    const defer = cleanups(t);
    const server = await startMessageIdleServer(CUT_MS);
    defer(() => server.close());

    const pinged = await watchFor(defer, server.url, { mode: 'ping', intervalMs: 500, timeoutMs: 400 }, 6_500);
    const drops = pinged.filter((e) => e.type === 'close' && e.initiator === 'none');
    assert.ok(drops.length >= 3, `3 cuts; got ${drops.length}`);
    const latest = new Map<string, DiagnosisEvent>();
    for (const e of pinged) if (e.type === 'diagnosis') latest.set(e.findingId, e);
    const active = [...latest.values()].filter((d) => d.confidence > 0);
    const claim = active.find((d) => d.kind === 'lifetime-cap' || d.kind === 'idle-timeout');
    assert.ok(claim, `a finding: ${[...latest.values()].map((d) => d.summary).join(' | ')}`);
    t.diagnostic(claim.summary);
    const other = claim.kind === 'lifetime-cap' ? 'idle-timeout' : 'lifetime-cap';
    const alternative = claim.alternatives?.find((a) => a.kind === other);
    assert.ok(alternative, `the other reading listed: ${JSON.stringify(claim.alternatives)}`);
    for (const interval of [claim.intervalMs!, alternative.intervalMs]) {
      assert.ok(Math.abs(interval - CUT_MS) <= CUT_MS * 0.1, `${interval} within 10 % of ${CUT_MS}`);
    }
    assert.match(claim.advice, /To tell them apart, send any message/);
    assert.doesNotMatch(claim.advice, /^Heartbeats will not help/m);

    // What the advice says to try: any message more often than the cut, and it stays open.
    const sending = await watchFor(defer, server.url, { mode: 'ping', intervalMs: 500, timeoutMs: 400 }, 4_000, 500);
    assert.equal(sending.filter((e) => e.type === 'close' && e.initiator !== 'local').length, 0);
  },
);
