// npm run bench:tap — what the tap (ws-inspector tap: src/node/tapRelay.ts) costs an app's
// connection, against the same flooding server (bench/floodServer.mjs, a process of its own):
// (a) messages/s a `ws` client receives through the tap vs through a minimal relay of two `ws`
//     sockets (bench/minimalRelay.mjs), at two message sizes, in alternating rounds on
//     connections kept open; target: tap / minimal >= 0.8. The tap writes the frames of one read
//     together (tapRelay.ts, coalescingWrites), which the minimal relay does not: the tap against
//     a minimal relay that does too is printed beside, the cost of recording alone;
// (b) the latency the tap adds at 1 000 msg/s: each message carries the monotonic clock when the
//     server wrote it; p50 and p99 through the tap vs direct, after a warm-up round; target: the
//     tap's p99 over the direct p99 <= 2 ms on loopback; the minimal relay's beside it, since on
//     a shared 2-core machine the scheduler's stalls reach any relay in a process of its own;
// (c) the tap's peak resident memory with 100 app connections open at once, each exchanging messages.
// The tap runs as it ships: `ws-inspector tap --quiet` from the bundle (dist/cli.js), each relay
// in a process of its own, so the client here and the server measure nothing of their work.
// Figures, no pass/fail exit.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

const SIZES = [
  { size: 64, count: 200_000 },
  { size: 4096, count: 20_000 },
];
const ROUNDS = 5;
const WARM_UP_FLOODS = 1;
const TARGET_RATIO = 0.8;
const LATENCY_RATE = 1000;
const LATENCY_ROUND_MS = 1000;
const LATENCY_ROUNDS = 10;
/**
 * Latency rounds per route run first and not counted: right after the floods of (a), each relay
 * process is still collecting their garbage, and stalls of 5–10 ms showed in the first rounds of
 * the tap and of the minimal relay alike (measured), a cost of (a), not of relaying.
 */
const LATENCY_WARM_UP_ROUNDS = 1;
const TARGET_ADDED_P99_MS = 2;
const APP_CONNECTIONS = 100;
const MESSAGES_PER_CONNECTION = 100;
const ECHO_BYTES = 1024;
const STEP_TIMEOUT_MS = 60_000;
const CLI = 'dist/cli.js';

async function portOf(child: ChildProcess): Promise<number> {
  const [data] = (await once(child.stdout!, 'data')) as [Buffer];
  return Number(data.toString().trim());
}

/** `ws-inspector tap` as it ships (dist/cli.js, built by `npm run build`), its output discarded. */
async function startTap(target: string): Promise<{ child: ChildProcess; port: number }> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const child = spawn(
    process.execPath,
    [CLI, 'tap', '--listen', '127.0.0.1:0', '--target', target, '--no-proxy', '--quiet'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  // "tapping …: point your app at ws://127.0.0.1:PORT; Ctrl-C to stop". The pipe is read to its
  // end: a tap writing to a pipe closed under it would fail.
  const port = await new Promise<number>((resolve, reject) => {
    let said = '';
    const onData = (chunk: Buffer) => {
      said += String(chunk);
      const found = /point your app at wss?:\/\/[^ ]+:(\d+)/.exec(said)?.[1];
      if (!found) return;
      child.stderr!.off('data', onData);
      child.stderr!.resume();
      resolve(Number(found));
    };
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`ws-inspector tap ended (${code}) before listening: ${said}`)));
  });
  return { child, port };
}

/** The tap's resident memory now and at its peak, from Linux's /proc (VmRSS, VmHWM). */
function memoryOf(tap: ChildProcess): { rssBytes: number; maxRssBytes: number } {
  const status = readFileSync(`/proc/${tap.pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rssBytes: kib('VmRSS'), maxRssBytes: kib('VmHWM') };
}

function withTimeout<T>(what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${STEP_TIMEOUT_MS} ms`)), STEP_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function open(url: string): Promise<WebSocket> {
  // No permessage-deflate offer: the flood server takes none, and the app's side of the tap
  // (which accepts it) must not compress what the minimal relay passes plain.
  const ws = new WebSocket(url, { perMessageDeflate: false });
  await once(ws, 'open');
  return ws;
}

/** Messages/s of one flood of `count` messages of `size` bytes on an open connection. */
function flood(ws: WebSocket, count: number, size: number): Promise<number> {
  return withTimeout(
    'a flood',
    new Promise((resolve) => {
      let received = 0;
      const started = performance.now();
      const onMessage = () => {
        received += 1;
        if (received < count) return;
        ws.off('message', onMessage);
        resolve(count / ((performance.now() - started) / 1000));
      };
      ws.on('message', onMessage);
      ws.send(`go ${count} ${size}`);
    }),
  );
}

/** Milliseconds from the server's write to this client's receipt, one per message. */
function stampedLatencies(ws: WebSocket): Promise<number[]> {
  return withTimeout(
    'a paced run',
    new Promise((resolve) => {
      const latencies: number[] = [];
      const onMessage = (data: Buffer) => {
        const received = process.hrtime.bigint();
        const text = data.toString();
        if (text === 'stamp end') {
          ws.off('message', onMessage);
          resolve(latencies);
          return;
        }
        latencies.push(Number(received - BigInt(text.slice('stamp '.length))) / 1e6);
      };
      ws.on('message', onMessage);
      ws.send(`stamp ${LATENCY_RATE} ${LATENCY_ROUND_MS}`);
    }),
  );
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function median(values: readonly number[]): number {
  return percentile(values, 50);
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits });
const mb = (bytes: number) => `${fmt(bytes / (1024 * 1024), 1)} MB`;

async function main(): Promise<void> {
  const benchStarted = performance.now();
  const children: ChildProcess[] = [];
  try {
    const server = spawn(process.execPath, ['bench/floodServer.mjs'], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(server);
    const target = `ws://127.0.0.1:${await portOf(server)}`;
    const minimal = spawn(process.execPath, ['bench/minimalRelay.mjs', target], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(minimal);
    const minimalUrl = `ws://127.0.0.1:${await portOf(minimal)}`;
    const coalescing = spawn(process.execPath, ['bench/minimalRelay.mjs', target, 'coalesce'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(coalescing);
    const coalescingUrl = `ws://127.0.0.1:${await portOf(coalescing)}`;
    const tap = await startTap(target);
    children.push(tap.child);
    const tapUrl = `ws://127.0.0.1:${tap.port}`;
    console.log(
      `bench:tap: load average before ${loadavg()
        .map((n) => n.toFixed(2))
        .join(' ')}`,
    );

    // (a) Throughput, in rotating order, each on a connection kept open through its rounds.
    console.log(`\n(a) messages/s received through the tap vs a minimal relay (${ROUNDS} rounds each, alternating)`);
    const relays = { tap: tapUrl, minimal: minimalUrl, coalescing: coalescingUrl };
    type Relay = keyof typeof relays;
    const order = Object.keys(relays) as Relay[];
    for (const { size, count } of SIZES) {
      const sockets = {} as Record<Relay, WebSocket>;
      const rates: Record<Relay, number[]> = { tap: [], minimal: [], coalescing: [] };
      for (const relay of order) sockets[relay] = await open(`${relays[relay]}/flood`);
      for (let i = 0; i < WARM_UP_FLOODS; i++) for (const relay of order) await flood(sockets[relay], count, size);
      const ratios: number[] = [];
      const recordingRatios: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        // Rotate which goes first, so none always follows another's garbage.
        for (let i = 0; i < order.length; i++) {
          const relay = order[(round + i) % order.length]!;
          rates[relay].push(await flood(sockets[relay], count, size));
        }
        ratios.push(rates.tap[round]! / rates.minimal[round]!);
        recordingRatios.push(rates.tap[round]! / rates.coalescing[round]!);
      }
      for (const relay of order) sockets[relay].close();
      const spread = (values: number[]) =>
        `median ${median(values).toFixed(2)} (min ${Math.min(...values).toFixed(2)}, max ${Math.max(...values).toFixed(2)})`;
      console.log(
        `  ${String(size).padStart(5)} B x ${fmt(count)}: tap ${fmt(median(rates.tap))} msg/s, minimal relay ${fmt(median(rates.minimal))} msg/s, ` +
          `minimal relay coalescing writes ${fmt(median(rates.coalescing))} msg/s`,
      );
      console.log(`    tap / minimal relay: ${spread(ratios)}  target >= ${TARGET_RATIO}`);
      console.log(`    tap / minimal relay coalescing writes (the cost of recording): ${spread(recordingRatios)}`);
    }

    // (b) Latency at 1 000 msg/s, tap, minimal relay and direct in short rotating rounds, so that
    // what else the shared machine does falls on all three alike.
    console.log(
      `\n(b) latency at ${fmt(LATENCY_RATE)} msg/s (${LATENCY_ROUNDS} x ${LATENCY_ROUND_MS / 1000} s each, in rotating order, after ${LATENCY_WARM_UP_ROUNDS} uncounted)`,
    );
    const routes = { tap: `${tapUrl}/stamp`, minimal: `${minimalUrl}/stamp`, direct: `${target}/stamp` };
    const latencies: Record<keyof typeof routes, number[]> = { tap: [], minimal: [], direct: [] };
    const roundP99s: Record<keyof typeof routes, number[]> = { tap: [], minimal: [], direct: [] };
    const routeOrder = Object.keys(routes) as Array<keyof typeof routes>;
    for (let round = 0; round < LATENCY_WARM_UP_ROUNDS + LATENCY_ROUNDS; round++) {
      // Rotated as in (a): in a fixed order the tap always followed the direct route's round.
      for (let i = 0; i < routeOrder.length; i++) {
        const route = routeOrder[(round + i) % routeOrder.length]!;
        const ws = await open(routes[route]);
        const measured = await stampedLatencies(ws);
        if (round >= LATENCY_WARM_UP_ROUNDS) {
          latencies[route].push(...measured);
          roundP99s[route].push(percentile(measured, 99));
        }
        ws.close();
      }
    }
    const p = (route: keyof typeof routes, q: number) => percentile(latencies[route], q);
    // Stalls come in bursts (consecutive messages late together): how many were late says how often.
    const over1ms = (route: keyof typeof routes) => latencies[route].filter((ms) => ms > 1).length;
    for (const route of routeOrder) {
      console.log(
        `  ${route.padEnd(8)} p50 ${p(route, 50).toFixed(3)} ms, p99 ${p(route, 99).toFixed(3)} ms (${fmt(latencies[route].length)} messages; ` +
          `each round's p99 from ${Math.min(...roundP99s[route]).toFixed(3)} to ${Math.max(...roundP99s[route]).toFixed(3)} ms; ` +
          `${over1ms(route)} over 1 ms)`,
      );
    }
    console.log(
      `  added by the tap over direct: p50 ${(p('tap', 50) - p('direct', 50)).toFixed(3)} ms, p99 ${(p('tap', 99) - p('direct', 99)).toFixed(3)} ms  target p99 <= ${TARGET_ADDED_P99_MS} ms`,
    );
    console.log(
      `  added by the minimal relay over direct: p50 ${(p('minimal', 50) - p('direct', 50)).toFixed(3)} ms, p99 ${(p('minimal', 99) - p('direct', 99)).toFixed(3)} ms (for comparison)`,
    );

    // (c) Memory with 100 app connections, on a fresh tap (the floods above filled the other's record).
    tap.child.kill('SIGTERM');
    const freshTap = await startTap(target);
    children.push(freshTap.child);
    const before = memoryOf(freshTap.child);
    const apps = await Promise.all(
      Array.from({ length: APP_CONNECTIONS }, (_, i) => open(`ws://127.0.0.1:${freshTap.port}/app/${i}`)),
    );
    const echo = `echo ${'x'.repeat(ECHO_BYTES - 5)}`;
    await withTimeout(
      'the echoes',
      Promise.all(
        apps.map(
          (ws) =>
            new Promise<void>((resolve) => {
              let answered = 0;
              ws.on('message', () => {
                answered += 1;
                if (answered === MESSAGES_PER_CONNECTION) resolve();
              });
              for (let i = 0; i < MESSAGES_PER_CONNECTION; i++) ws.send(echo);
            }),
        ),
      ),
    );
    const during = memoryOf(freshTap.child);
    for (const ws of apps) ws.close();
    console.log(
      `\n(c) tap's memory with ${APP_CONNECTIONS} app connections open, ${MESSAGES_PER_CONNECTION} echoes of ${fmt(ECHO_BYTES)} B each`,
    );
    console.log(
      `  peak RSS ${mb(during.maxRssBytes)} (RSS at start ${mb(before.rssBytes)}, with the connections open ${mb(during.rssBytes)})`,
    );
    console.log(
      `\nbench:tap took ${((performance.now() - benchStarted) / 1000).toFixed(0)} s; load average after ${loadavg()
        .map((n) => n.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    for (const child of children) child.kill('SIGTERM');
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
