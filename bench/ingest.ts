// npm run bench:ingest — message ingest throughput of the session engine vs a bare ws client.
// A flood server in a separate process sends COUNT text messages of SIZE bytes; we time
// from "go" to the last message, alternating bare and Session runs, and report medians.
// Target: Session / bare >= 0.85.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { makeEndpoint } from '../src/core/endpoint.js';
import { DEFAULT_SESSION_OPTIONS, Session } from '../src/core/session.js';
import { systemClock } from '../src/node/systemClock.js';
import { createWsSocket } from '../src/node/wsSocket.js';

const COUNT = 300_000;
const SIZE = 64;
const ROUNDS = 5;
const TARGET_RATIO = 0.85;
const RUN_TIMEOUT_MS = 60_000;

async function startServer(): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, ['bench/floodServer.mjs', String(COUNT), String(SIZE)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [data] = (await once(child.stdout!, 'data')) as [Buffer];
  return { port: Number(data.toString().trim()), child };
}

function withTimeout<T>(promise: Promise<T>, label: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${label} did not finish within ${RUN_TIMEOUT_MS} ms`)), RUN_TIMEOUT_MS);
    }),
  ]);
}

/**
 * Messages per second of wall time (the target's measure) and per second of this process's
 * CPU time. On a shared machine the wall rate swings with what else runs; the CPU rate counts
 * only the work this client did, so it shows the engine's own cost more steadily.
 */
interface Rates {
  rate: number;
  cpuRate: number;
}

function ratesSince(started: number, cpuAtStart: NodeJS.CpuUsage): Rates {
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuAtStart);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return { rate: (COUNT / elapsedMs) * 1000, cpuRate: (COUNT / cpuMs) * 1000 };
}

/**
 * A bare ws client: the ceiling for any client on this machine. It only counts messages,
 * or, with `decode`, also turns each text into a string as any real consumer must.
 */
function runBare(url: string, decode = false): Promise<Rates> {
  return withTimeout(
    new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      let received = 0;
      let started = 0;
      let cpuAtStart = process.cpuUsage();
      let decodedLength = 0;
      ws.on('open', () => {
        started = performance.now();
        cpuAtStart = process.cpuUsage();
        ws.send('go');
      });
      ws.on('message', (data: Buffer) => {
        if (decode) decodedLength += data.toString('utf8').length;
        if (++received === COUNT) {
          const rates = ratesSince(started, cpuAtStart);
          ws.terminate();
          if (decode && decodedLength === 0) reject(new Error('nothing was decoded'));
          else resolve(rates);
        }
      });
      ws.on('error', reject);
    }),
    decode ? 'bare decoding run' : 'bare run',
  );
}

/**
 * The real engine: ping heartbeat on, every message recorded, stats kept.
 * `listen: 'lifecycle'` is how the extension and CLI analysis listen on a busy session;
 * `listen: 'all'` also materialises every message as an object for a listener.
 */
function runSession(url: string, listen: 'lifecycle' | 'all'): Promise<Rates & { recorded: number; dropped: number; rttSamples: number }> {
  return withTimeout(
    new Promise((resolve, reject) => {
      const session = new Session(
        makeEndpoint(url, { heartbeat: { mode: 'ping', intervalMs: 100, timeoutMs: 10_000 }, reconnect: { enabled: false } }),
        DEFAULT_SESSION_OPTIONS,
        { clock: systemClock, createSocket: createWsSocket },
      );
      let started = 0;
      let cpuAtStart = process.cpuUsage();
      let done = false;
      const finish = () => {
        done = true;
        const rates = ratesSince(started, cpuAtStart);
        const stats = session.getStats();
        const result = { ...rates, recorded: session.record.size, dropped: session.record.droppedCount, rttSamples: stats.rtt?.count ?? 0 };
        session.dispose();
        resolve(result);
      };
      session.onLifecycleEvent((event) => {
        if (event.type === 'open') {
          started = performance.now();
          cpuAtStart = process.cpuUsage();
          session.send('go');
          // Check completion once per I/O turn; ws delivers a whole TCP read per turn.
          const poll = () => {
            if (done) return;
            if (session.getStats().messagesIn >= COUNT) finish();
            else setImmediate(poll);
          };
          setImmediate(poll);
        } else if (!done && (event.type === 'handshake-failed' || event.type === 'close')) {
          done = true;
          session.dispose();
          reject(new Error(`session ended early: ${JSON.stringify(event)}`));
        }
      });
      if (listen === 'all') {
        let received = 0;
        session.onEvent((event) => {
          if (event.type === 'message' && event.direction === 'in' && event.data.length > 0) received++;
        });
        void received;
      }
      session.start();
    }),
    `session run (${listen})`,
  );
}

function fmt(rate: number): string {
  return `${Math.round(rate).toLocaleString('en')} msg/s`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const { port, child } = await startServer();
  const url = `ws://127.0.0.1:${port}/`;
  try {
    console.log(`bench:ingest — ${COUNT.toLocaleString('en')} messages of ${SIZE} bytes, ${ROUNDS} alternating rounds (plus one warm-up each)`);
    await runBare(url);
    await runSession(url, 'lifecycle');
    const bare: Rates[] = [];
    const bareDecoding: Rates[] = [];
    const session: Rates[] = [];
    const sessionAll: Rates[] = [];
    let last = { recorded: 0, dropped: 0, rttSamples: 0 };
    for (let round = 1; round <= ROUNDS; round++) {
      const b = await runBare(url);
      const s = await runSession(url, 'lifecycle');
      const bd = await runBare(url, true);
      const sa = await runSession(url, 'all');
      bare.push(b);
      session.push(s);
      bareDecoding.push(bd);
      sessionAll.push(sa);
      last = s;
      console.log(
        `  round ${round}: bare ${fmt(b.rate)}, session ${fmt(s.rate)} (ratio ${(s.rate / b.rate).toFixed(3)}; per CPU second ${(s.cpuRate / b.cpuRate).toFixed(3)}); bare+decode ${fmt(bd.rate)}, session+every-event listener ${fmt(sa.rate)} (ratio ${(sa.rate / bd.rate).toFixed(3)})`,
      );
    }
    const wall = (runs: Rates[]) => median(runs.map((r) => r.rate));
    const cpu = (runs: Rates[]) => median(runs.map((r) => r.cpuRate));
    const ratio = wall(session) / wall(bare);
    console.log(`(a) bare ws client:    ${fmt(wall(bare))} (median)`);
    console.log(`(b) Session + record:  ${fmt(wall(session))} (median; ping heartbeat every 100 ms, lifecycle listener; record kept ${last.recorded.toLocaleString('en')} events, dropped ${last.dropped.toLocaleString('en')} oldest, ${last.rttSamples} RTT samples)`);
    console.log(`ratio b/a: ${ratio.toFixed(3)} (target >= ${TARGET_RATIO}) ${ratio >= TARGET_RATIO ? 'MET' : 'MISSED'}`);
    console.log(`per CPU second of this process (steadier on a shared machine): bare ${fmt(cpu(bare))}, Session ${fmt(cpu(session))}, ratio ${(cpu(session) / cpu(bare)).toFixed(3)} (for information; the target is the wall-clock ratio above)`);
    console.log(`for reference: bare client that decodes every text ${fmt(wall(bareDecoding))}; Session with a listener on every event ${fmt(wall(sessionAll))}; ratio ${(wall(sessionAll) / wall(bareDecoding)).toFixed(3)}`);
  } finally {
    child.kill('SIGTERM');
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
