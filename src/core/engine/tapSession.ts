// What the tap records of the user's own application (ws-inspector tap, issue 21). Unlike
// Session, a tap session opens nothing, sends nothing and never reconnects: the relay
// (node/tapRelay.ts) tells it what passed between the app and its server, and it records that
// with the vocabulary of any session, `out` being what the app sent and `in` what the server
// sent, so the exports, the timeline and the drop analyzer read it as they read our own.

import type { Clock } from '../common/clock.js';
import { Emitter, type Event } from '../common/events.js';
import { describeControlPayload } from '../common/payload.js';
import type { NetworkRoute } from '../model/network.js';
import { secretSafeCut } from '../model/redaction.js';
import { SessionStats, type SessionStatsSnapshot } from '../model/stats.js';
import type { CloseInitiator, Direction, HandshakeFailure, HeaderMap, SessionEvent } from '../model/sessionEvents.js';
import { EventRecord, MESSAGE_BINARY, MESSAGE_OUT, MESSAGE_TRUNCATED } from './eventRecord.js';
import type { SessionObserver, SessionFinding } from './sessionObserver.js';

export interface TapRecordOptions {
  /** A silence longer than this between frames is recorded as an `idle-gap`. */
  idleGapMs: number;
  maxEvents: number;
  maxRecordBytes: number;
  /** Longer payloads are recorded cut to this many bytes (and flagged truncated). */
  maxRecordedPayloadBytes: number;
}

export const DEFAULT_TAP_RECORD_OPTIONS: TapRecordOptions = {
  idleGapMs: 5_000,
  maxEvents: 100_000,
  maxRecordBytes: 128 * 1024 * 1024,
  maxRecordedPayloadBytes: 64 * 1024,
};

/** How many ended sessions a tap keeps (TapSessions); older ones are removed as new ones begin. */
export const DEFAULT_MAX_ENDED_TAP_SESSIONS = 100;

/** What the relay knows when the server accepted the upstream handshake. */
export interface TapOpenInfo {
  protocol: string;
  /** The extensions the server agreed with the tap (the app's side negotiates its own). */
  extensions: string;
  requestHeaders: HeaderMap;
  responseHeaders: HeaderMap;
  /** The proxy the tap's upstream connection went through (or bypassed) and its TLS facts. */
  route?: NetworkRoute;
}

/** How an attempt ended, from the relay: which side's close came first and how. */
export interface TapClose {
  code: number;
  reason: string;
  /**
   * 'app' or 'server' sent the first close frame, or one of them was lost without one; 'tap':
   * the tap ended the connection itself (Stop Tap, a restart), which no proxy or server did.
   */
  by: 'app' | 'server' | 'tap';
  /** No close frame: the connection was lost (ws reports 1006). */
  abrupt: boolean;
}

export interface TapSessionDeps {
  clock: Clock;
  /** Explains the app's drops; none: no `diagnosis` events. */
  observer?: SessionObserver;
  options?: TapRecordOptions;
  /**
   * The secrets a truncation must not cut into, as UTF-8 bytes (secretSafeCut, as Session):
   * asked at each truncation, so secrets learned from the app's handshake count. None: the cut
   * is at maxRecordedPayloadBytes.
   */
  cutSecrets?: () => readonly Uint8Array[];
}

/** One app client's connections through the tap, attempt after attempt. */
export class TapSession {
  readonly record: EventRecord;
  private readonly stats = new SessionStats();
  private readonly clock: Clock;
  private readonly observer: SessionObserver | null;
  private readonly options: TapRecordOptions;
  private readonly cutSecrets: () => readonly Uint8Array[];
  private readonly _onEvent = new Emitter<SessionEvent>();
  /** Every recorded event, messages included, in seq order. */
  readonly onEvent: Event<SessionEvent> = this._onEvent.event;
  private readonly _onLifecycleEvent = new Emitter<SessionEvent>();
  /**
   * Every event except messages, pings and pongs, as Session's: cheap on a busy connection,
   * where listening to onEvent makes every message a materialised object. Fired before
   * onEvent, so what a lifecycle listener learns (the app's secrets: TapService) is known to
   * every onEvent listener of the same event.
   */
  readonly onLifecycleEvent: Event<SessionEvent> = this._onLifecycleEvent.event;
  /** Attempts since the last connection that opened (as Session's `attempt`). */
  private attempt = 0;
  private connectedBefore = false;
  private state: 'idle' | 'connecting' | 'open' = 'idle';
  private openedAt = 0;
  private connectingAt = 0;
  private lastFrameAt = 0;
  private _endedAt = 0;

  constructor(
    /** Stable for the tap's life: 'tap-1', 'tap-2', … (the `session` field of --json). */
    readonly id: string,
    /** Who the app is, for people: its address and the path it asked for. */
    readonly client: { address: string; path: string },
    deps: TapSessionDeps,
  ) {
    this.clock = deps.clock;
    this.observer = deps.observer ?? null;
    this.options = deps.options ?? DEFAULT_TAP_RECORD_OPTIONS;
    this.cutSecrets = deps.cutSecrets ?? (() => []);
    this.record = new EventRecord({ maxEvents: this.options.maxEvents, maxPayloadBytes: this.options.maxRecordBytes });
  }

  /** True from the app's connection until it ends: a second client then gets a session of its own. */
  get busy(): boolean {
    return this.state !== 'idle';
  }

  /** When its last connection ended (closed, or its handshake failed); 0 before that. */
  get endedAt(): number {
    return this._endedAt;
  }

  getStats(): SessionStatsSnapshot {
    return this.stats.snapshot(this.clock.now());
  }

  /** The app connected to the tap; the tap now connects to `url` on its behalf. */
  connecting(url: string, protocols: readonly string[]): void {
    this.state = 'connecting';
    // As Session's: 0 for the app's first connection (not a reconnect), then counted from the last open.
    if (this.connectedBefore) this.attempt += 1;
    this.connectedBefore = true;
    this.connectingAt = this.clock.now();
    this.emit({
      seq: 0,
      type: 'connecting',
      t: this.connectingAt,
      attempt: this.attempt,
      url,
      protocols: [...protocols],
    });
  }

  opened(info: TapOpenInfo): void {
    const now = this.clock.now();
    this.state = 'open';
    this.openedAt = now;
    this.lastFrameAt = now;
    // As Session: an attempt that opened resets the count of consecutive attempts.
    this.attempt = 0;
    this.emit({ seq: 0, type: 'open', t: now, handshakeMs: now - this.connectingAt, ...info });
  }

  handshakeFailed(failure: HandshakeFailure): void {
    const now = this.clock.now();
    this.state = 'idle';
    this._endedAt = now;
    this.emit({ seq: 0, type: 'handshake-failed', t: now, handshakeMs: now - this.connectingAt, ...failure });
  }

  /** A data message passed: `out` from the app, `in` from the server. */
  message(direction: Direction, payload: Uint8Array, isBinary: boolean): void {
    const now = this.clock.now();
    this.noteFrame(now);
    let flags = (direction === 'out' ? MESSAGE_OUT : 0) | (isBinary ? MESSAGE_BINARY : 0);
    let kept = payload;
    if (payload.length > this.options.maxRecordedPayloadBytes) {
      kept = payload.subarray(0, secretSafeCut(payload, this.options.maxRecordedPayloadBytes, this.cutSecrets()));
      flags |= MESSAGE_TRUNCATED;
    }
    const seq = this.record.appendMessage(now, flags, payload.length, kept, undefined);
    this.stats.observeMessage(direction, payload.length, undefined);
    // Messages become objects only for listeners, or for the observer when they are the
    // app's (the analyzer tells messages from pings by what it is told: Session does the same).
    const needsObject = this._onEvent.listenerCount > 0 || (direction === 'out' && this.observer !== null);
    const event = needsObject ? this.record.get(seq) : undefined;
    if (event) this._onEvent.fire(event);
    if (!this.observer) return;
    if (direction === 'in') this.recordFindings(this.observer.noteMessageReceived(now));
    else if (event) this.recordFindings(this.observer.observe(event));
  }

  ping(direction: Direction, payload: Uint8Array): void {
    const now = this.clock.now();
    this.noteFrame(now);
    this.emit({ seq: 0, type: 'ping', t: now, direction, ...describeControlPayload(payload) });
  }

  pong(direction: Direction, payload: Uint8Array): void {
    const now = this.clock.now();
    this.noteFrame(now);
    // The app's heartbeat is not ours: no round trip is measured.
    this.emit({ seq: 0, type: 'pong', t: now, direction, ...describeControlPayload(payload), rttMs: null });
  }

  /** The attempt ended (recorded once, however both sides' closes arrive). */
  closed(close: TapClose): void {
    const now = this.clock.now();
    if (this.state !== 'idle') this._endedAt = now;
    if (this.state !== 'open') {
      this.state = 'idle';
      return;
    }
    this.state = 'idle';
    const idleMs = now - this.lastFrameAt;
    this.noteFrame(now);
    // Session's words: `local` is the client's side, here the app. The tap's own ending counts as
    // the user's close, as Disconnect does for our connections: no drop for the analyzer to explain.
    const initiator: CloseInitiator =
      close.by === 'tap' ? 'local' : close.abrupt ? 'none' : close.by === 'app' ? 'local' : 'remote';
    this.emit({
      seq: 0,
      type: 'close',
      t: now,
      code: close.abrupt ? 1006 : close.code,
      reason: close.reason,
      wasClean: !close.abrupt,
      initiator,
      idleMs,
      ageMs: now - this.openedAt,
    });
  }

  /** Something went wrong on the relay that the record should show (a write failed, …). */
  error(message: string, code: string | null): void {
    this.emit({ seq: 0, type: 'error', t: this.clock.now(), message, code });
  }

  dispose(): void {
    this._onEvent.dispose();
    this._onLifecycleEvent.dispose();
  }

  private noteFrame(now: number): void {
    const gap = now - this.lastFrameAt;
    if (this.state === 'open' && gap > this.options.idleGapMs) {
      this.emit({ seq: 0, type: 'idle-gap', t: now, durationMs: gap, startT: this.lastFrameAt });
    }
    this.lastFrameAt = now;
  }

  private emit(event: SessionEvent): void {
    const stored = this.record.append(event);
    this.stats.observe(stored);
    if (stored.type !== 'ping' && stored.type !== 'pong') this._onLifecycleEvent.fire(stored);
    this._onEvent.fire(stored);
    if (this.observer && stored.type !== 'diagnosis') this.recordFindings(this.observer.observe(stored));
  }

  private recordFindings(findings: readonly SessionFinding[]): void {
    for (const finding of findings) this.emit({ seq: 0, t: this.clock.now(), ...finding });
  }
}

/**
 * The tap's sessions, grouped by who connects: a connection from the same client address to
 * the same path as an earlier one is that session's next attempt when the session has no
 * connection open (the app reconnecting); otherwise it starts a session of its own (another
 * tab, another client, or the same app with two sockets).
 *
 * A long-running tap facing many short-lived clients stays bounded: when a new session begins,
 * the sessions that ended longest ago are removed (remove()) beyond `maxEndedSessions`; a
 * session with a connection open is never removed.
 */
export class TapSessions {
  private readonly sessions: TapSession[] = [];
  private readonly byClient = new Map<string, TapSession[]>();
  private readonly _onSession = new Emitter<TapSession>();
  /** A new session began (its first connection follows). */
  readonly onSession: Event<TapSession> = this._onSession.event;
  private readonly _onSessionRemoved = new Emitter<TapSession>();
  /** A session was removed (remove()); fired before it is disposed. */
  readonly onSessionRemoved: Event<TapSession> = this._onSessionRemoved.event;
  /** Ids keep counting after a removal, so `tap-3` never names two sessions. */
  private created = 0;

  constructor(
    private readonly createSession: (id: string, client: { address: string; path: string }) => TapSession,
    private readonly maxEndedSessions = DEFAULT_MAX_ENDED_TAP_SESSIONS,
  ) {}

  /** The session the connection of `address` to `path` (without its query) belongs to. */
  sessionFor(address: string, path: string): TapSession {
    const key = `${address} ${path}`;
    const group = this.byClient.get(key) ?? [];
    const free = group.find((session) => !session.busy);
    if (free) return free;
    this.created += 1;
    const session = this.createSession(`tap-${this.created}`, { address, path });
    group.push(session);
    this.byClient.set(key, group);
    this.sessions.push(session);
    this.removeEndedBeyondCap(session);
    this._onSession.fire(session);
    return session;
  }

  all(): readonly TapSession[] {
    return this.sessions;
  }

  /**
   * Forgets a session that has no connection open (Clear, or a cap on ended sessions) and
   * disposes it; false, and nothing changes, while it is busy. Its id is never reused.
   */
  remove(session: TapSession): boolean {
    const index = this.sessions.indexOf(session);
    if (index < 0 || session.busy) return false;
    this.sessions.splice(index, 1);
    const key = `${session.client.address} ${session.client.path}`;
    const group = (this.byClient.get(key) ?? []).filter((other) => other !== session);
    if (group.length > 0) this.byClient.set(key, group);
    else this.byClient.delete(key);
    this._onSessionRemoved.fire(session);
    session.dispose();
    return true;
  }

  /** Removes the sessions that ended longest ago while more than the cap have ended (`fresh` stays). */
  private removeEndedBeyondCap(fresh: TapSession): void {
    const ended = this.sessions.filter((session) => session !== fresh && !session.busy);
    if (ended.length <= this.maxEndedSessions) return;
    ended.sort((a, b) => a.endedAt - b.endedAt);
    for (const session of ended.slice(0, ended.length - this.maxEndedSessions)) this.remove(session);
  }

  dispose(): void {
    for (const session of this.sessions) session.dispose();
    this._onSession.dispose();
    this._onSessionRemoved.dispose();
  }
}
