// 10 000 reconnect cycles against a real ws server on loopback that terminates every
// connection as soon as it opens: heap, RSS and handle counts stay stable (measured after a
// forced GC and reported), and the session never holds more than one socket at a time.

import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { sessionDiagnosis } from '../../src/core/diagnosis/dropAnalyzer.js';
import { makeEndpoint } from '../../src/core/model/endpoint.js';
import { DEFAULT_SESSION_OPTIONS, Session } from '../../src/core/engine/session.js';
import { systemClock } from '../../src/node/systemClock.js';
import { countingSocketFactory } from '../helpers/sessionRecorder.js';
import { startWsServer } from '../helpers/wsServers.js';

const CYCLES = 10_000;
/** The cycle at which the first steady-state sample is taken. */
const WARM_UP_CYCLES = 1_000;
/** A correctness cap, not a speed target: the run stops here whatever happened. */
const TIME_CAP_MS = 55_000;
const MiB = 1024 * 1024;
const WATCHED = ['TCPSocketWrap', 'TCPServerWrap', 'Timeout'] as const;

// A GC on demand without starting node with --expose-gc: the flag is set at run time and
// the gc function taken from a fresh context, where V8 installs it.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

interface Sample {
  heapUsedMiB: number;
  rssMiB: number;
  handles: Record<string, number>;
}

async function settledSample(): Promise<Sample> {
  // Let closed sockets finish their callbacks, then collect twice (weak refs, finalizers).
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  gc();
  await new Promise<void>((resolve) => setImmediate(resolve));
  gc();
  const memory = process.memoryUsage();
  const handles: Record<string, number> = Object.fromEntries(WATCHED.map((name) => [name, 0]));
  for (const resource of process.getActiveResourcesInfo()) if (resource in handles) handles[resource]!++;
  return { heapUsedMiB: round(memory.heapUsed / MiB), rssMiB: round(memory.rss / MiB), handles };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

test(
  `${CYCLES} reconnect cycles against a real server: one socket at a time, heap/RSS/handles stable`,
  { timeout: TIME_CAP_MS + 20_000 },
  async (t) => {
    const baseline = await settledSample();

    const server = await startWsServer((ws) => ws.terminate());
    const httpServer = server.server.options.server!;
    // Server side, at every accept: TCP connections open at that moment (this one included).
    let tcpOpen = 0;
    let tcpMax = 0;
    httpServer.on('connection', (socket: Socket) => {
      tcpOpen++;
      tcpMax = Math.max(tcpMax, tcpOpen);
      socket.once('close', () => tcpOpen--);
    });
    // Client side: adapter sockets created and not yet closed or disposed.
    const sockets = countingSocketFactory();
    const { createSocket } = sockets;

    // Delays of 0–1 ms, no jitter: the run is all connect and close.
    const endpoint = makeEndpoint(server.url, {
      heartbeat: { mode: 'off' },
      reconnect: { initialDelayMs: 0, maxDelayMs: 1, multiplier: 2, jitter: 0 },
    });
    const session = new Session(
      endpoint,
      // A small ring buffer, so what the record legitimately keeps does not hide a leak.
      { ...DEFAULT_SESSION_OPTIONS, maxEvents: 2_000 },
      { clock: systemClock, createSocket, observer: sessionDiagnosis(endpoint) },
    );
    let opens = 0;
    let closes = 0;
    let failures = 0;
    let warm: Sample | null = null;
    let warmAt = 0;
    const started = performance.now();
    const finished = new Promise<'done' | 'capped'>((resolve) => {
      const cap = setTimeout(() => resolve('capped'), TIME_CAP_MS);
      session.onLifecycleEvent((event) => {
        if (event.type === 'open') opens++;
        else if (event.type === 'handshake-failed') failures++;
        else if (event.type === 'close') {
          closes++;
          if (closes === WARM_UP_CYCLES) warmAt = closes;
          if (closes >= CYCLES) {
            clearTimeout(cap);
            resolve('done');
          }
        }
      });
    });
    // The warm sample is taken between cycles, with the session still running.
    const warmSampled = (async () => {
      while (warmAt === 0) await new Promise<void>((resolve) => setTimeout(resolve, 20));
      warm = await settledSample();
    })();

    session.start();
    const outcome = await finished;
    const elapsedMs = performance.now() - started;
    await warmSampled;
    const running = await settledSample();
    const stats = session.getStats();
    session.dispose();
    await server.close();
    const after = await settledSample();

    t.diagnostic(
      `${closes} cycles (${opens} opens, ${failures} failed handshakes) in ${(elapsedMs / 1000).toFixed(1)} s (${outcome}); ` +
        `max simultaneous: server TCP ${tcpMax}, client sockets ${sockets.max()}`,
    );
    t.diagnostic(`baseline  ${JSON.stringify(baseline)}`);
    t.diagnostic(`cycle ${WARM_UP_CYCLES} ${JSON.stringify(warm)}`);
    t.diagnostic(`cycle ${closes} ${JSON.stringify(running)}`);
    t.diagnostic(`after dispose ${JSON.stringify(after)}`);
    if (warm !== null) {
      const perCycle = (
        ((running.heapUsedMiB - (warm as Sample).heapUsedMiB) * MiB) /
        Math.max(1, closes - WARM_UP_CYCLES)
      ).toFixed(0);
      // With the drop analyzer on (the default) this is its per-drop history; without it, ~0.
      t.diagnostic(`heap growth per cycle after warm-up: ${perCycle} bytes`);
    }

    assert.equal(outcome, 'done', `${closes} of ${CYCLES} cycles within ${TIME_CAP_MS} ms`);
    assert.ok(opens >= CYCLES, `${opens} opens`);
    assert.equal(tcpMax, 1, 'the server never had two connections from the session at once');
    assert.equal(sockets.max(), 1, 'the session never held two sockets at once');
    assert.equal(sockets.live(), 0);
    assert.equal(stats.connections, opens);
    // Steady state: 9 000 more cycles may not grow the heap by more than 1 MiB. The drop
    // analyzer's window (MAX_RETAINED_DROPS, about 0.3 MiB here) fills up in that time; an
    // analyzer keeping every drop grew ~1.7 MiB (~200 bytes per cycle).
    const warmSample = warm as Sample | null;
    assert.ok(warmSample !== null);
    const heapGrowth = running.heapUsedMiB - warmSample.heapUsedMiB;
    assert.ok(heapGrowth < 1, `heap grew ${heapGrowth.toFixed(1)} MiB from cycle ${WARM_UP_CYCLES} to ${closes}`);
    const rssGrowth = running.rssMiB - warmSample.rssMiB;
    assert.ok(rssGrowth < 64, `RSS grew ${rssGrowth.toFixed(1)} MiB from cycle ${WARM_UP_CYCLES} to ${closes}`);
    // Handles: back to the baseline once disposed. Slack of 1 per kind for the test runner's
    // own bookkeeping timer; a leak would be one per cycle, thousands.
    for (const name of WATCHED) {
      assert.ok(
        after.handles[name]! <= baseline.handles[name]! + 1,
        `${name}: ${baseline.handles[name]} before, ${after.handles[name]} after`,
      );
    }
    assert.ok(
      after.heapUsedMiB - baseline.heapUsedMiB < 16,
      `heap ${baseline.heapUsedMiB} MiB before, ${after.heapUsedMiB} MiB after dispose`,
    );
  },
);
