// A live Session (system clock, real `ws` sockets, the drop analyzer watching) as integration
// tests drive it, and the wait for a proxy's idle cut/reconnect cycles with the checks of its cuts.

import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import type { TestContext } from 'node:test';
import { sessionDiagnosis } from '../../src/core/diagnosis/dropAnalyzer.js';
import { DEFAULT_SESSION_OPTIONS, Session, type SessionOptions } from '../../src/core/engine/session.js';
import { makeEndpoint, type HeartbeatConfig, type ReconnectConfig } from '../../src/core/model/endpoint.js';
import type { SocketFactory } from '../../src/core/engine/socket.js';
import type { ProxySetting, TlsConfig } from '../../src/core/model/network.js';
import type { SessionEvent, SessionEventType } from '../../src/core/model/sessionEvents.js';
import { Catalog } from '../../src/core/protocols/catalog.js';
import { systemClock } from '../../src/node/systemClock.js';
import { createWsSocket } from '../../src/node/wsSocket.js';
import type { EventOf } from './testScope.js';

/** Reconnect after 100-200 ms without jitter: many drops in a short test. */
export const QUICK_RECONNECT: Partial<ReconnectConfig> = { initialDelayMs: 100, maxDelayMs: 200, jitter: 0 };

export interface LiveSessionOptions {
  heartbeat: Partial<HeartbeatConfig>;
  /** The endpoint's defaults (the CLI's policy) unless told. */
  reconnect?: Partial<ReconnectConfig>;
  /** DEFAULT_SESSION_OPTIONS unless told. */
  sessionOptions?: SessionOptions;
  /** Called with each event after it is recorded. */
  onEvent?: (event: SessionEvent) => void;
  /** The endpoint's application protocol ('auto' when absent) and its client's options. */
  protocol?: string;
  protocolOptions?: Record<string, unknown>;
  /** Subprotocols to offer. */
  protocols?: string[];
  /** Set-up messages sent after every open (and after the protocol's handshake). */
  onOpen?: string[];
  /** The endpoint's `proxy` and `tls` settings. */
  proxy?: ProxySetting;
  tls?: TlsConfig;
  /** createWsSocket (the process's environment only) unless told, e.g. createWsSocketFactory(...). */
  createSocket?: SocketFactory;
}

export interface LiveSession {
  session: Session;
  /** Every event so far, in order. */
  events: SessionEvent[];
  /** Each event's time in ms since the start, index for index with `events`. */
  at: number[];
  ofType<T extends SessionEventType>(type: T): Array<EventOf<T>>;
}

/** Starts a Session on `url`, disposed by `defer`, collecting its events. */
export function startLiveSession(
  defer: (fn: () => unknown) => void,
  url: string,
  options: LiveSessionOptions,
): LiveSession {
  const endpoint = makeEndpoint(url, {
    heartbeat: options.heartbeat,
    reconnect: options.reconnect ?? {},
    ...(options.protocol !== undefined ? { protocol: options.protocol } : {}),
    ...(options.protocolOptions ? { protocolOptions: options.protocolOptions } : {}),
    ...(options.protocols ? { protocols: options.protocols } : {}),
    ...(options.onOpen ? { onOpen: options.onOpen } : {}),
    ...(options.proxy !== undefined ? { proxy: options.proxy } : {}),
    ...(options.tls ? { tls: options.tls } : {}),
  });
  const session = new Session(endpoint, options.sessionOptions ?? DEFAULT_SESSION_OPTIONS, {
    clock: systemClock,
    createSocket: options.createSocket ?? createWsSocket,
    observer: sessionDiagnosis(endpoint),
    protocols: new Catalog(),
  });
  defer(() => session.dispose());
  const events: SessionEvent[] = [];
  const at: number[] = [];
  const startedAt = performance.now();
  session.onEvent((event) => {
    events.push(event);
    at.push(performance.now() - startedAt);
    options.onEvent?.(event);
  });
  const ofType = <T extends SessionEventType>(type: T) => events.filter((e): e is EventOf<T> => e.type === type);
  session.start();
  return { session, events, at, ofType };
}

export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves when `ready()` holds (checked every 50 ms) or after timeoutMs, whichever is first. */
export async function until(ready: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!ready() && performance.now() < deadline) await delay(50);
}

/**
 * Waits until the `cycles`-th close has been followed by its reconnect's open (or `windowMs`),
 * stops the session and checks those closes: `cycles` of them, each a 1006 cut by nobody after
 * `idleTimeoutMs` (±10 %) of silence. Returns the indices in `events` of the non-local closes.
 */
export async function awaitIdleCutCycles(
  t: TestContext,
  live: LiveSession,
  { cycles, windowMs, idleTimeoutMs }: { cycles: number; windowMs: number; idleTimeoutMs: number },
): Promise<number[]> {
  const { session, events, at } = live;
  const cyclesDone = () => {
    const closes = events.flatMap((e, i) => (e.type === 'close' ? [i] : []));
    return closes.length >= cycles && events.slice(closes[cycles - 1]!).some((e) => e.type === 'open');
  };
  await until(cyclesDone, windowMs);
  await session.stop();

  const closes = events.flatMap((e, i) => (e.type === 'close' && e.initiator !== 'local' ? [i] : []));
  const summary = closes.map((i) => {
    const c = events[i] as EventOf<'close'>;
    return `close at ${at[i]!.toFixed(0)} ms: code ${c.code}, idleMs ${c.idleMs}, ageMs ${c.ageMs}`;
  });
  t.diagnostic(summary.join('; '));
  assert.ok(
    cyclesDone(),
    `${cycles} cut/reconnect cycles within ${windowMs} ms; got: ${summary.join('; ') || 'no close'}; events: ${events.map((e) => e.type).join(', ')}`,
  );
  for (const index of closes.slice(0, cycles)) {
    const close = events[index] as EventOf<'close'>;
    assert.ok(close.idleMs !== null, 'a live close is measured');
    assert.ok(
      Math.abs(close.idleMs - idleTimeoutMs) <= idleTimeoutMs * 0.1,
      `idleMs ${close.idleMs} within 10 % of ${idleTimeoutMs}`,
    );
    assert.equal(close.wasClean, false);
    assert.equal(close.code, 1006);
    assert.equal(close.initiator, 'none');
  }
  return closes;
}
