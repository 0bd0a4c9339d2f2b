// `ws-inspector probe` against real intermediaries on 127.0.0.1: nginx with proxy_read_timeout 2s
// (an idle timeout), a TCP proxy that cuts every connection 3 s after it opens (a lifetime cap),
// a server that cuts a connection after 1.5 s without a message while it answers pings (an idle
// timeout only messages reset: --text-heartbeat), and a bare echo server (neither). Runs runProbe in this process with a collecting CliIo; the
// last test runs the built CLI as a user would.
// nginx: skipped with an install hint outside CI, a failure in CI (CI=true).

import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { before, test } from 'node:test';
import { runProbe } from '../../src/cli/probe.js';
import type { CliIo } from '../../src/cli/output.js';
import type { ProbeProgress } from '../../src/core/probe/idleProbe.js';
import type { ProbeResult } from '../../src/core/probe/probeReport.js';
import { buildCli, describeRun, runCli } from '../helpers/cliProcess.js';
import { freePort } from '../../support/ports.js';
import { startTcpProxy } from '../helpers/tcpProxy.js';
import { behindNginx, cleanups } from '../helpers/testScope.js';
import { startEchoServer, startHandshakeStatusServer, startMessageIdleServer } from '../helpers/wsServers.js';

before(buildCli);

interface ProbeRun {
  code: number;
  out: string[];
  err: string[];
  elapsedMs: number;
}

/** runProbe in this process, collecting what it prints. */
async function probe(args: string[], stop = new AbortController().signal): Promise<ProbeRun> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (text) => out.push(text), err: (text) => err.push(text) };
  const started = performance.now();
  const code = await runProbe(args, io, stop);
  return { code, out, err, elapsedMs: performance.now() - started };
}

/** The NDJSON lines of a --json run: progress objects, then the result last. */
function parseJson(run: ProbeRun): { progress: ProbeProgress[]; result: ProbeResult } {
  const objects = run.out.map((line, i) => {
    try {
      return JSON.parse(line) as ProbeProgress | ProbeResult;
    } catch {
      throw new Error(`line ${i + 1} is not JSON: ${line}`);
    }
  });
  const last = objects[objects.length - 1];
  assert.ok(last && last.type === 'probe-result', `the last line is the result; got ${run.out[run.out.length - 1]}`);
  const progress = objects.slice(0, -1);
  for (const p of progress) assert.equal(p.type, 'probe-progress');
  return { progress: progress as ProbeProgress[], result: last };
}

/** Polls until ready() or timeoutMs: the far side notices a close a moment after we make it. */
async function eventually(ready: () => boolean, timeoutMs = 2000): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!ready() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return ready();
}

function describe(run: ProbeRun): string {
  return `exit ${run.code} after ${run.elapsedMs.toFixed(0)} ms\n--- out ---\n${run.out.join('\n')}\n--- err ---\n${run.err.join('\n')}`;
}

test(
  'through nginx (proxy_read_timeout 2s): `ws-inspector probe --json` reports idle-timeout 2000 ±5 % in under 15 s of wall time',
  { timeout: 30_000 },
  async (t) => {
    const defer = cleanups(t);
    const setup = await behindNginx(t, defer, startEchoServer, '2s');
    if (!setup) return;

    // The built CLI as a user runs it; the wall time includes starting the process.
    const cli = await runCli(defer, ['probe', setup.nginx.url, '--json'], 25_000);
    const run: ProbeRun = {
      code: cli.code ?? -1,
      out: cli.lines,
      err: cli.stderr.split('\n'),
      elapsedMs: cli.elapsedMs,
    };
    const { progress, result } = parseJson(run);
    t.diagnostic(
      `${result.kind} ${result.intervalMs} ms, bracket [${result.lowMs}, ${result.highMs}], ±${((result.accuracy ?? 0) * 100).toFixed(1)} %, ${result.rounds} round(s), ${result.connectionsUsed} connections, probe ${result.elapsedMs} ms, wall ${run.elapsedMs.toFixed(0)} ms`,
    );
    assert.equal(run.code, 0, describe(run));
    assert.equal(result.kind, 'idle-timeout', describe(run));
    assert.ok(
      result.intervalMs !== null && Math.abs(result.intervalMs - 2000) <= 100,
      `intervalMs ${result.intervalMs} within 2000 ±5 %`,
    );
    assert.equal(result.converged, true);
    assert.ok(
      result.lowMs! <= 2000 * 1.05 && result.highMs! >= 2000 * 0.95,
      `bracket [${result.lowMs}, ${result.highMs}] around 2000`,
    );
    assert.ok(run.elapsedMs < 15_000, `wall time ${run.elapsedMs.toFixed(0)} ms`);
    assert.ok(result.maxParallel <= 6);
    assert.ok(
      progress.some((p) => p.event === 'connection-cut'),
      'progress shows the cuts',
    );
    // nginx really cut idle connections; every probe connection is gone afterwards.
    assert.match(setup.nginx.errorLog(), /upstream timed out/);
    assert.ok(
      await eventually(() => setup.upstream.liveSockets() === 0),
      `${setup.upstream.liveSockets()} probe connection(s) left open on the server`,
    );
  },
);

test(
  'through a TCP proxy that cuts every connection 3 s after it opens: lifetime-cap ≈ 3000, not idle-timeout',
  { timeout: 30_000 },
  async (t) => {
    const defer = cleanups(t);
    const echo = await startEchoServer();
    defer(() => echo.close());
    const proxy = await startTcpProxy({ targetPort: echo.port, lifetimeMs: 3000 });
    defer(() => proxy.close());

    const run = await probe([proxy.url, '--json']);
    const { result } = parseJson(run);
    t.diagnostic(
      `${result.kind} ${result.intervalMs} ms, bracket [${result.lowMs}, ${result.highMs}], ${result.rounds} round(s), wall ${run.elapsedMs.toFixed(0)} ms`,
    );
    assert.equal(run.code, 0, describe(run));
    assert.equal(result.kind, 'lifetime-cap', describe(run));
    assert.ok(
      result.intervalMs !== null && Math.abs(result.intervalMs - 3000) <= 150,
      `intervalMs ${result.intervalMs} within 3000 ±5 %`,
    );
    // Pings only: an idle timeout only messages reset would cut at the same age.
    assert.deepEqual(
      result.alternatives?.map((a) => [a.kind, a.resetBy]),
      [['idle-timeout', 'messages']],
    );
    assert.match(result.summary, /^ambiguous: /);
    // Connections with ping traffic died at the same age as the silent ones.
    const busy = result.evidence.filter(
      (e) => e.outcome === 'cut' && e.heartbeatMs !== null && e.silenceMs! < e.ageMs! / 2,
    );
    assert.ok(busy.length > 0, 'a connection with heartbeat traffic was cut too');
    assert.ok(run.elapsedMs < 15_000, `wall time ${run.elapsedMs.toFixed(0)} ms`);
    assert.ok(
      await eventually(() => proxy.connections() === 0),
      `${proxy.connections()} connection(s) left open through the proxy`,
    );
  },
);

test(
  'a server that cuts after 1.5 s without a message, answering pings: --text-heartbeat finds an idle timeout reset by messages; without it, ambiguous',
  { timeout: 40_000 },
  async (t) => {
    const defer = cleanups(t);
    const server = await startMessageIdleServer(1500);
    defer(() => server.close());

    const withText = await probe([server.url, '--text-heartbeat', 'ping', '--max', '20s', '--json']);
    const { result } = parseJson(withText);
    t.diagnostic(
      `with text: ${result.kind} ${result.resetBy} ${result.intervalMs} ms, bracket [${result.lowMs}, ${result.highMs}], ${result.rounds} round(s), wall ${withText.elapsedMs.toFixed(0)} ms`,
    );
    assert.equal(withText.code, 0, describe(withText));
    assert.equal(result.kind, 'idle-timeout', describe(withText));
    assert.equal(result.resetBy, 'messages', describe(withText));
    assert.equal(result.alternatives, undefined);
    assert.ok(
      result.intervalMs !== null && Math.abs(result.intervalMs - 1500) <= 150,
      `intervalMs ${result.intervalMs} within 1500 ±10 %`,
    );
    // The ping connections died at 1.5 s of age like under a cap; the text ones lived on.
    assert.ok(result.evidence.some((e) => e.heartbeat === 'ping' && e.outcome === 'cut'));
    assert.ok(result.evidence.some((e) => e.heartbeat === 'text' && e.outcome === 'survived' && e.ageMs! > 1500));
    assert.ok(withText.elapsedMs < 10_000, `wall time ${withText.elapsedMs.toFixed(0)} ms`);

    const readable = await probe([server.url, '--text-heartbeat', 'ping', '--max', '20s', '--connections', '4']);
    assert.equal(readable.code, 0, describe(readable));
    assert.match(
      readable.err.join('\n'),
      /4 connections at once, some sending "ping" as a text heartbeat, at most 20(\.0)? s/,
    );
    assert.match(readable.out.join('\n'), /^result: idle timeout of 1\.\d s that only messages reset/m);
    assert.match(readable.out.join('\n'), /^timer reset by: messages only \(ping frames do not count\)$/m);

    const pingsOnly = await probe([server.url, '--max', '20s', '--json']);
    const ambiguous = parseJson(pingsOnly).result;
    t.diagnostic(
      `pings only: ${ambiguous.kind} ${ambiguous.intervalMs} ms, alternatives ${JSON.stringify(ambiguous.alternatives)}, wall ${pingsOnly.elapsedMs.toFixed(0)} ms`,
    );
    assert.equal(pingsOnly.code, 0, describe(pingsOnly));
    // Never a plain lifetime cap: the idle timeout only messages reset is named beside it.
    assert.equal(ambiguous.kind, 'lifetime-cap', describe(pingsOnly));
    assert.equal(ambiguous.alternatives?.length, 1, describe(pingsOnly));
    const [alternative] = ambiguous.alternatives!;
    assert.equal(alternative!.kind, 'idle-timeout');
    assert.equal(alternative!.resetBy, 'messages');
    assert.ok(Math.abs(alternative!.intervalMs - 1500) <= 150, `alternative ${alternative!.intervalMs} ms`);
    assert.match(
      ambiguous.summary,
      /^ambiguous: a lifetime cap of 1\.\d s, or an idle timeout of 1\.\d s that only messages reset/,
    );
    assert.match(ambiguous.advice, /--text-heartbeat TEXT/);
    assert.ok(
      await eventually(() => server.liveSockets() === 0),
      `${server.liveSockets()} connection(s) left open on the server`,
    );
  },
);

test('straight to an echo server with --max 3s: none, after about 3 s', { timeout: 20_000 }, async (t) => {
  const defer = cleanups(t);
  const echo = await startEchoServer();
  defer(() => echo.close());

  const run = await probe([echo.url, '--max', '3s', '--json']);
  const { result } = parseJson(run);
  assert.equal(run.code, 0, describe(run));
  assert.equal(result.kind, 'none', describe(run));
  assert.equal(result.intervalMs, null);
  assert.ok(result.lowMs! >= 2500, `a silent connection lived ${result.lowMs} ms`);
  assert.ok(run.elapsedMs >= 2900 && run.elapsedMs < 5000, `wall time ${run.elapsedMs.toFixed(0)} ms`);
  assert.ok(
    await eventually(() => echo.liveSockets() === 0),
    `${echo.liveSockets()} connection(s) left open on the server`,
  );
});

test('the readable output: progress lines, then the verdict with advice', { timeout: 20_000 }, async (t) => {
  const defer = cleanups(t);
  const echo = await startEchoServer();
  defer(() => echo.close());
  const proxy = await startTcpProxy({ targetPort: echo.port, lifetimeMs: 1500 });
  defer(() => proxy.close());

  // With a text heartbeat (the echo server answers it), the cap is plain: the text
  // connection was cut at the same age.
  const run = await probe([proxy.url, '--connections', '5', '--text-heartbeat', 'ping']);
  assert.equal(run.code, 0, describe(run));
  assert.match(
    run.err.join('\n'),
    /^probing ws:\/\/127\.0\.0\.1:\d+\/: up to 5 connections at once, some sending "ping" as a text heartbeat, at most 15 m; Ctrl-C to stop$/,
  );
  assert.match(run.out[0]!, /^\s+\d+ ms {2}round 1: 5 connections \(silent, silent, ping 500 ms, text 500 ms, ping \d/);
  assert.ok(
    run.out.some((line) => /cut after .* of silence, 1\.\d s after opening \(code 1006\)/.test(line)),
    describe(run),
  );
  const result = run.out.find((line) => line.startsWith('result: '));
  assert.match(
    result ?? '',
    /^result: lifetime cap of 1\.\d s: connections are cut 1\.\d s after opening, whatever the traffic/,
  );
  assert.ok(
    run.out.some((line) => /^advice: Heartbeats cannot keep a connection past a lifetime cap/.test(line)),
    describe(run),
  );
  assert.match(
    run.out[run.out.length - 1]!,
    /^took \d+(\.\d)? s: \d rounds?, \d+ connections \(at most 5 at once\), ±\d+\.\d %$/,
  );
});

test('exit 1 with a handshake-failed result when it cannot connect; no waiting', { timeout: 20_000 }, async (t) => {
  const defer = cleanups(t);
  const port = await freePort();
  const refused = await probe([`ws://127.0.0.1:${port}/`, '--json']);
  assert.equal(refused.code, 1, describe(refused));
  const { result } = parseJson(refused);
  assert.equal(result.kind, 'error');
  assert.equal(result.error?.reason, 'handshake-failed');
  assert.equal(result.error?.handshake?.errorCode, 'ECONNREFUSED');
  assert.ok(refused.elapsedMs < 3000, `gave up after ${refused.elapsedMs.toFixed(0)} ms`);

  const notFound = await startHandshakeStatusServer(404, 'no such socket');
  defer(() => notFound.close());
  const run = await probe([notFound.url]);
  assert.equal(run.code, 1, describe(run));
  assert.match(run.out.join('\n'), /^result: no verdict: could not connect: HTTP 404/m);
  assert.match(run.out.join('\n'), /^fix: /m);
});

test(
  'Ctrl-C (the stop signal) ends the probe at once: exit 1, every connection closed',
  { timeout: 20_000 },
  async (t) => {
    const defer = cleanups(t);
    const echo = await startEchoServer();
    defer(() => echo.close());
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 1000);
    defer(() => clearTimeout(timer));

    const run = await probe([echo.url, '--json'], controller.signal);
    assert.equal(run.code, 1, describe(run));
    const { result } = parseJson(run);
    assert.equal(result.error?.reason, 'cancelled');
    assert.ok(run.elapsedMs < 2000, `stopped after ${run.elapsedMs.toFixed(0)} ms`);
    assert.ok(
      await eventually(() => echo.liveSockets() === 0),
      `${echo.liveSockets()} connection(s) left open on the server`,
    );
  },
);

test('exit 2 with a clear message for bad usage', async () => {
  for (const [args, message] of [
    [[], /probe needs a URL/],
    [['ws://x/', '--connections', '2'], /--connections must be a whole number of at least 3, got "2"/],
    [['ws://x/', '--max', 'soon'], /--max: invalid duration "soon"/],
    [['http://x/'], /must start with ws:\/\/ or wss:\/\//],
    [['ws://x/', '-H', 'nocolon'], /-H expects "Name: value"/],
    [['ws://x/', '--bogus'], /Unknown option '--bogus'/],
    [['ws://x/', '--text-heartbeat', ''], /--text-heartbeat needs a text/],
  ] as const) {
    const run = await probe([...args]);
    assert.equal(run.code, 2, describe(run));
    assert.deepEqual(run.out, []);
    assert.match(run.err.join('\n'), message);
  }
});

// ---- the built CLI -------------------------------------------------------------------------

test(
  'node bin/ws-inspector.js probe --json through the lifetime-cap proxy: the last stdout line is the result',
  { timeout: 30_000 },
  async (t) => {
    const defer = cleanups(t);
    const echo = await startEchoServer();
    defer(() => echo.close());
    const proxy = await startTcpProxy({ targetPort: echo.port, lifetimeMs: 3000 });
    defer(() => proxy.close());

    const run = await runCli(defer, ['probe', proxy.url, '--json'], 25_000);
    assert.equal(run.code, 0, describeRun(run));
    const result = JSON.parse(run.lines[run.lines.length - 1]!) as ProbeResult;
    assert.equal(result.type, 'probe-result');
    assert.equal(result.kind, 'lifetime-cap');
    assert.ok(Math.abs(result.intervalMs! - 3000) <= 150);
  },
);
