// A Session over the real ws adapter and clock, and a recorder of what it records, for
// integration tests that wait for events instead of sleeping.

import { performance } from 'node:perf_hooks';
import { sessionDiagnosis } from '../../src/core/diagnosis/dropAnalyzer.js';
import {
  makeEndpoint,
  type EndpointConfig,
  type HeartbeatConfig,
  type ReconnectConfig,
} from '../../src/core/model/endpoint.js';
import { DEFAULT_SESSION_OPTIONS, Session, type SessionOptions } from '../../src/core/engine/session.js';
import type { SessionEvent, SessionEventType } from '../../src/core/model/sessionEvents.js';
import type { ISocket, SocketFactory } from '../../src/core/engine/socket.js';
import { systemClock } from '../../src/node/systemClock.js';
import { createWsSocket } from '../../src/node/wsSocket.js';
import type { EventOf } from './testScope.js';

/** Every event of a session, with the performance.now() at which it was delivered. */
export class Recorder {
  readonly events: SessionEvent[] = [];
  /** performance.now() at delivery, parallel to `events`. */
  readonly at: number[] = [];
  private waiters: Array<() => void> = [];

  constructor(session: Session) {
    session.onEvent((event) => {
      this.events.push(event);
      this.at.push(performance.now());
      for (const waiter of this.waiters.slice()) waiter();
    });
  }

  types(from = 0, to = this.events.length): SessionEventType[] {
    return this.events.slice(from, to).map((e) => e.type);
  }

  ofType<T extends SessionEventType>(type: T): Array<EventOf<T>> {
    return this.events.filter((e): e is EventOf<T> => e.type === type);
  }

  /**
   * The first event at or after index `from` of `type` that satisfies `where`; waits for it
   * up to timeoutMs and fails naming the events seen so far.
   */
  waitFor<T extends SessionEventType>(
    type: T,
    options: { from?: number; timeoutMs?: number; where?: (e: EventOf<T>) => boolean } = {},
  ): Promise<{ event: EventOf<T>; index: number }> {
    const from = options.from ?? 0;
    const timeoutMs = options.timeoutMs ?? 3000;
    const find = () => {
      for (let i = from; i < this.events.length; i++) {
        const e = this.events[i]!;
        if (e.type === type && (!options.where || options.where(e as EventOf<T>))) {
          return { event: e as EventOf<T>, index: i };
        }
      }
      return null;
    };
    const found = find();
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = find();
        if (!hit) return;
        done();
        resolve(hit);
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(`no "${type}" event from index ${from} within ${timeoutMs} ms; saw: ${this.types().join(', ')}`),
        );
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
      };
      this.waiters.push(check);
    });
  }
}

export interface SessionSetup {
  heartbeat?: Partial<HeartbeatConfig>;
  reconnect?: Partial<ReconnectConfig>;
  options?: Partial<SessionOptions>;
  endpoint?: Partial<Pick<EndpointConfig, 'handshakeTimeoutMs' | 'allowSelfSignedCertificate'>>;
  createSocket?: SocketFactory;
}

/**
 * A session on the real ws adapter and clock, not started yet, disposed by `defer`. Heartbeat
 * off and short jitter-free reconnect delays unless told otherwise; the drop analyzer
 * observes it, as in the extension and the CLI.
 */
export function createSession(defer: (fn: () => unknown) => void, url: string, setup: SessionSetup = {}): Session {
  const endpoint = makeEndpoint(url, {
    heartbeat: { mode: 'off', ...setup.heartbeat },
    reconnect: { initialDelayMs: 50, maxDelayMs: 200, jitter: 0, ...setup.reconnect },
    handshakeTimeoutMs: 3000,
    ...setup.endpoint,
  });
  const session = new Session(
    endpoint,
    { ...DEFAULT_SESSION_OPTIONS, closeTimeoutMs: 1000, ...setup.options },
    { clock: systemClock, createSocket: setup.createSocket ?? createWsSocket, observer: sessionDiagnosis(endpoint) },
  );
  defer(() => session.dispose());
  return session;
}

/** createSession(), started, with a Recorder listening to every event from the first. */
export function startRecordedSession(
  defer: (fn: () => unknown) => void,
  url: string,
  setup: SessionSetup = {},
): { session: Session; rec: Recorder } {
  const session = createSession(defer, url, setup);
  const rec = new Recorder(session);
  session.start();
  return { session, rec };
}

/** The real ws adapter, counting its sockets: how single-flight tests see "one socket at most". */
export interface CountingSocketFactory {
  createSocket: SocketFactory;
  /** Sockets created and not yet closed or disposed. */
  live(): number;
  /** The most that were ever live at once. */
  max(): number;
}

export function countingSocketFactory(): CountingSocketFactory {
  const live = new Set<ISocket>();
  let max = 0;
  const createSocket: SocketFactory = (options) => {
    const socket = createWsSocket(options);
    live.add(socket);
    max = Math.max(max, live.size);
    socket.onClose(() => live.delete(socket));
    const dispose = socket.dispose.bind(socket);
    socket.dispose = () => {
      live.delete(socket);
      dispose();
    };
    return socket;
  };
  return { createSocket, live: () => live.size, max: () => max };
}
