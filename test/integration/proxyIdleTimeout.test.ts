// A forward proxy's own idle timeout cutting a quiet tunnel, diagnosed as that proxy: a real
// tinyproxy (Debian) with a short `Timeout`, a ws echo server, the heartbeat off, the real ws
// adapter tunnelling through the proxy (src/node/networkDefaults.ts createWsSocketFactory, as
// the CLI's --proxy sets it). tinyproxy's relay_connection closes both sockets after Timeout
// seconds without data either way (src/reqs.c), so every connection is cut silently at that age.
// And the reverse: the same kind of cuts, or an application's close, on a direct route are never
// blamed on a forward proxy.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DiagnosisCandidate } from '../../src/core/model/sessionEvents.js';
import { createWsSocketFactory } from '../../src/node/networkDefaults.js';
import { findTinyproxy, startTinyproxy } from '../helpers/forwardProxies.js';
import { startRecordedSession, type Recorder } from '../helpers/sessionRecorder.js';
import { cleanups } from '../helpers/testScope.js';
import { startClosingServer, startDestroyingServer, startEchoServer } from '../helpers/wsServers.js';

const TIMEOUT_SECONDS = 2;

const FORWARD_PROXY_CANDIDATE = /^(tinyproxy|squid|dante|skyhigh|http-proxy|socks-proxy)-/;

function forwardProxyCandidates(candidates: readonly DiagnosisCandidate[]): string[] {
  return candidates.map((c) => c.id).filter((id) => FORWARD_PROXY_CANDIDATE.test(id));
}

/** The latest diagnosis event for each finding id. */
function latestFindings(rec: Recorder) {
  const byId = new Map<string, ReturnType<Recorder['ofType']>[number] & { type: 'diagnosis' }>();
  for (const event of rec.ofType('diagnosis')) byId.set(event.findingId, event);
  return [...byId.values()];
}

test("the proxy's own idle timeout cutting a quiet tunnel: diagnosed as that proxy", async (t) => {
  const executable = findTinyproxy(t);
  if (!executable) return;
  const defer = cleanups(t);
  const server = await startEchoServer();
  defer(() => server.close());
  const proxy = await startTinyproxy({ executable, timeoutSeconds: TIMEOUT_SECONDS });
  defer(() => proxy.dispose());

  const createSocket = createWsSocketFactory(() => ({
    proxy: { setting: proxy.url, source: 'cli', from: '--proxy' },
  }));
  const { rec } = startRecordedSession(defer, server.url, { createSocket });

  const { event: finding } = await rec.waitFor('diagnosis', {
    where: (d) => d.kind === 'idle-timeout' && d.occurrences >= 3,
    timeoutMs: 30_000,
  });
  t.diagnostic(finding.summary);

  // The tunnel went through tinyproxy, and it said so in its answer to CONNECT.
  const open = rec.ofType('open')[0]!;
  assert.equal(open.route?.proxy?.url, proxy.bareUrl);
  const agent = Object.entries(open.route?.proxy?.connectHeaders ?? {}).find(([name]) => /^proxy-agent$/i.test(name));
  assert.match(agent?.[1] ?? '', /^tinyproxy/i);
  // Every connection was a tunnel of its own (tinyproxy logs its "Idle Timeout" at Info only).
  const tunnels = proxy.logText().match(/Request \(file descriptor \d+\): CONNECT /g) ?? [];
  assert.ok(tunnels.length >= 3, `${tunnels.length} CONNECTs in tinyproxy's log`);

  // Silent cuts (no close frame) at tinyproxy's Timeout, not the server's doing.
  const closes = rec.ofType('close');
  assert.ok(closes.length >= 3, `${closes.length} closes`);
  for (const close of closes.slice(0, 3)) assert.equal(close.code, 1006);

  assert.equal(finding.candidates[0]?.id, 'tinyproxy-timeout');
  assert.ok(
    Math.abs((finding.intervalMs ?? 0) - TIMEOUT_SECONDS * 1000) < 600,
    `interval ${finding.intervalMs} ms, Timeout ${TIMEOUT_SECONDS} s`,
  );
  assert.match(finding.summary, /the handshake came through tinyproxy \(proxy-agent: tinyproxy/i);
  assert.match(finding.summary, new RegExp(`its Timeout is probably set to ${TIMEOUT_SECONDS} s \\(default 600 s\\)`));
  assert.doesNotMatch(finding.advice, /direct connection/);
});

test('a server idle cut and an application close on a direct route are not blamed on a forward proxy', async (t) => {
  const defer = cleanups(t);
  // Cuts the TCP connection 2 s after open with nothing sent: what tinyproxy's Timeout 2 does.
  const cutting = await startDestroyingServer(TIMEOUT_SECONDS * 1000);
  defer(() => cutting.close());
  const closing = await startClosingServer(1000, 'done', 300);
  defer(() => closing.close());
  // Direct: no proxy in the CLI's defaults, and none from the environment.
  const createSocket = createWsSocketFactory(() => ({ env: {} }));

  const cut = startRecordedSession(defer, cutting.url, { createSocket }).rec;
  const { event: idle } = await cut.waitFor('diagnosis', {
    where: (d) => d.kind === 'idle-timeout' && d.occurrences >= 3,
    timeoutMs: 30_000,
  });
  t.diagnostic(idle.summary);
  assert.equal(cut.ofType('open')[0]?.route?.proxy ?? null, null);
  assert.deepEqual(forwardProxyCandidates(idle.candidates), []);
  assert.doesNotMatch(`${idle.summary} ${idle.advice}`, /tinyproxy|Squid|forward proxy/i);

  const app = startRecordedSession(defer, closing.url, { createSocket }).rec;
  await app.waitFor('diagnosis', { where: (d) => d.kind === 'server-close' && d.occurrences >= 2, timeoutMs: 15_000 });
  for (const finding of latestFindings(app)) {
    t.diagnostic(finding.summary);
    assert.notEqual(finding.kind, 'idle-timeout');
    assert.deepEqual(forwardProxyCandidates(finding.candidates), []);
    assert.doesNotMatch(`${finding.summary} ${finding.advice}`, /tinyproxy|Squid|forward proxy/i);
  }
});
