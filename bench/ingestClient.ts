// One client of bench:ingest, in a process of its own (see bench/ingest.ts for why).
// Usage: node --import tsx bench/ingestClient.ts <bare|bare-decode|session|session-all> <url> <count>
// The parent sends { fresh } over IPC to ask for one flood of <count> messages, on the
// connection this process keeps open (fresh: false) or on a new one (fresh: true); the
// client answers with a FloodResult once the last message has been handled.

import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { sessionDiagnosis } from '../src/core/diagnosis/dropAnalyzer.js';
import { makeEndpoint } from '../src/core/model/endpoint.js';
import { DEFAULT_SESSION_OPTIONS, Session } from '../src/core/engine/session.js';
import { Catalog } from '../src/core/protocols/catalog.js';
import { systemClock } from '../src/node/systemClock.js';
import { createWsSocket } from '../src/node/wsSocket.js';

export type ClientKind = 'bare' | 'bare-decode' | 'session' | 'session-all';

export interface FloodRequest {
  fresh: boolean;
}

export interface FloodResult {
  wallMs: number;
  cpuMs: number;
  /** Session clients: what the record held after the flood. */
  recorded?: number;
  dropped?: number;
  rttSamples?: number;
}

/** One connection that can be flooded again and again; `close` ends it. */
interface FloodTarget {
  flood(): Promise<FloodResult>;
  close(): void;
}

function cpuNowMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/**
 * A bare ws client: the ceiling for any client on this machine. It only counts messages or,
 * with `decode`, also turns each text into a string as any real consumer must.
 */
async function openBare(url: string, count: number, decode: boolean): Promise<FloodTarget> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  await once(ws, 'open');
  let received = 0;
  let decodedLength = 0;
  let finish: (() => void) | null = null;
  ws.on('message', (data: Buffer) => {
    if (decode) decodedLength += data.toString('utf8').length;
    if (++received === count) finish?.();
  });
  return {
    flood: () =>
      new Promise((resolve, reject) => {
        received = 0;
        decodedLength = 0;
        const startedWall = performance.now();
        const startedCpu = cpuNowMs();
        finish = () => {
          finish = null;
          if (decode && decodedLength === 0) reject(new Error('nothing was decoded'));
          else resolve({ wallMs: performance.now() - startedWall, cpuMs: cpuNowMs() - startedCpu });
        };
        ws.send('go');
      }),
    close: () => ws.terminate(),
  };
}

/**
 * The real engine, as the extension and the CLI run it: ping heartbeat on, every message
 * recorded, stats kept, the drop analyzer observing, protocol detection on (`auto`: the
 * flood's first frames are read for a protocol, then the fast path takes over). `listenAll` adds a listener on every
 * event, which materialises each message as an object; without it the session has only a
 * lifecycle listener, as a busy session in the extension does.
 */
async function openSession(url: string, count: number, listenAll: boolean): Promise<FloodTarget> {
  const endpoint = makeEndpoint(url, {
    heartbeat: { mode: 'ping', intervalMs: 100, timeoutMs: 10_000 },
    reconnect: { enabled: false },
  });
  const session = new Session(endpoint, DEFAULT_SESSION_OPTIONS, {
    clock: systemClock,
    createSocket: createWsSocket,
    observer: sessionDiagnosis(endpoint),
    protocols: new Catalog(),
  });
  let ended: Error | null = null;
  await new Promise<void>((resolve, reject) => {
    session.onLifecycleEvent((event) => {
      if (event.type === 'open') resolve();
      else if (event.type === 'handshake-failed' || event.type === 'close') {
        ended = new Error(`session ended: ${JSON.stringify(event)}`);
        reject(ended);
      }
    });
    session.start();
  });
  if (listenAll) {
    let received = 0;
    session.onEvent((event) => {
      if (event.type === 'message' && event.direction === 'in' && event.data.length > 0) received++;
    });
    void received;
  }
  return {
    flood: () =>
      new Promise((resolve, reject) => {
        const target = session.getStats().messagesIn + count;
        const startedWall = performance.now();
        const startedCpu = cpuNowMs();
        session.send('go');
        // Check once per I/O turn: ws delivers a whole TCP read per turn.
        const poll = () => {
          if (ended) {
            reject(ended);
            return;
          }
          if (session.getStats().messagesIn < target) {
            setImmediate(poll);
            return;
          }
          const wallMs = performance.now() - startedWall;
          const cpuMs = cpuNowMs() - startedCpu;
          resolve({
            wallMs,
            cpuMs,
            recorded: session.record.size,
            dropped: session.record.droppedCount,
            rttSamples: session.getStats().rtt?.count ?? 0,
          });
        };
        setImmediate(poll);
      }),
    close: () => session.dispose(),
  };
}

function open(kind: ClientKind, url: string, count: number): Promise<FloodTarget> {
  switch (kind) {
    case 'bare':
      return openBare(url, count, false);
    case 'bare-decode':
      return openBare(url, count, true);
    case 'session':
      return openSession(url, count, false);
    case 'session-all':
      return openSession(url, count, true);
  }
}

async function main(): Promise<void> {
  const [kind, url, countText] = process.argv.slice(2) as [ClientKind, string, string];
  const count = Number(countText);
  if (!process.send) throw new Error('ingestClient runs under bench/ingest.ts, which talks to it over IPC');
  let kept: FloodTarget | null = null;
  process.on('message', (request: FloodRequest) => {
    void (async () => {
      try {
        let result: FloodResult;
        if (request.fresh) {
          const target = await open(kind, url, count);
          result = await target.flood();
          target.close();
        } else {
          kept ??= await open(kind, url, count);
          result = await kept.flood();
        }
        process.send!({ ok: true, result });
      } catch (error) {
        process.send!({ ok: false, error: String(error) });
      }
    })();
  });
  process.on('disconnect', () => {
    kept?.close();
    process.exit(0);
  });
  process.send({ ready: true });
}

void main();
