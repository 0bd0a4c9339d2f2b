import { reconnectDelay } from './backoff.js';
import type { Clock } from '../common/clock.js';
import { checkEndpoint, heartbeatSettingOf, type EndpointConfig, type HeartbeatSetting } from '../model/endpoint.js';
import { pathOf } from '../model/pathFingerprints.js';
import type { HandshakeStage } from '../model/network.js';
import { DisposableSlot, DisposableStore, Emitter, type Event, type IDisposable } from '../common/events.js';
import type { OutboundFrame, ProtocolCatalog } from './appProtocol.js';
import {
  EventRecord,
  MESSAGE_BINARY,
  MESSAGE_HEARTBEAT_PING,
  MESSAGE_HEARTBEAT_PONG,
  MESSAGE_TRUNCATED,
} from './eventRecord.js';
import { Heartbeat } from './heartbeat.js';
import { InboundCapture, NOT_CAPTURED } from './inboundCapture.js';
import {
  bytesToBase64,
  describeControlPayload,
  utf8ByteLength,
  utf8Decode,
  utf8DecodePrefix,
} from '../common/payload.js';
import { redactionPolicyFor, secretBytesOf, secretSafeCut } from '../model/redaction.js';
import type {
  CloseInitiator,
  HandshakeFailure,
  ProtocolDetection,
  SessionEvent,
  StoppedEvent,
} from '../model/sessionEvents.js';
import { ProtocolLink, type LinkInbound } from './protocolLink.js';
import {
  networkFailure,
  type ISocket,
  type SocketClose,
  type SocketError,
  type SocketFactory,
  type SocketOpenInfo,
} from './socket.js';
import type { SessionFinding, SessionObserver } from './sessionObserver.js';
import { SessionStats, type SessionStatsSnapshot } from '../model/stats.js';

/**
 * - `idle`: created, never started.
 * - `connecting`: an attempt is under way.
 * - `open`: connected.
 * - `closing`: we asked the socket to close and wait for it.
 * - `waiting`: closed; a reconnect is scheduled.
 * - `stopped`: closed and not reconnecting.
 */
export type SessionState = 'idle' | 'connecting' | 'open' | 'closing' | 'waiting' | 'stopped';

export interface SessionOptions {
  /** Silence longer than this, in both directions, is recorded as an idle gap. */
  idleGapMs: number;
  /** Ring-buffer capacity of the event record. */
  maxEvents: number;
  /** Payloads larger than this are truncated in the record (the size is kept). */
  maxRecordedPayloadBytes: number;
  /** Payload bytes the record keeps for inbound messages before dropping the oldest events. */
  maxRecordBytes: number;
  /** Messages larger than this close the connection with 1009. */
  maxMessageBytes: number;
  /** How long a graceful close may take before the socket is destroyed. */
  closeTimeoutMs: number;
}

/**
 * How late a heartbeat timer may fire and its silence still count as expected: timers of a
 * busy event loop (an extension host shared with other extensions) run late by tens or
 * hundreds of ms. A sleeping machine or a stalled loop makes the silence far longer, and that
 * stays a warning.
 */
const HEARTBEAT_TIMER_SLACK_MS = 1_000;

export const DEFAULT_SESSION_OPTIONS: SessionOptions = {
  idleGapMs: 5_000,
  maxEvents: 100_000,
  maxRecordedPayloadBytes: 64 * 1024,
  maxRecordBytes: 128 * 1024 * 1024,
  maxMessageBytes: 64 * 1024 * 1024,
  closeTimeoutMs: 3_000,
};

export interface SessionDeps {
  clock: Clock;
  createSocket: SocketFactory;
  /** Source of jitter; injectable so tests are deterministic. */
  random?: () => number;
  /** Explains the drops; its findings are recorded as `diagnosis` events. None: no diagnosis. */
  observer?: SessionObserver;
  /**
   * Secret values beyond those the endpoint itself sends (its secret headers, URL credentials
   * and subprotocol tokens): a truncated payload is never cut inside any of them.
   */
  secretValues?: readonly string[];
  /**
   * The application protocols the session may speak (core/protocols' catalog). None: every
   * frame is opaque, and the endpoint's `protocol` setting is not read.
   */
  protocols?: ProtocolCatalog;
}

export type SendResult = { ok: true } | { ok: false; reason: string };

/** Thrown when a session is created with an endpoint that cannot work. */
export class EndpointError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'EndpointError';
  }
}

/**
 * One endpoint's connection: connects, keeps it alive with a heartbeat, reconnects with
 * backoff, and records everything that happens in an ordered, bounded event record.
 *
 * Single flight: at most one socket exists at any moment. Every socket callback checks
 * that it comes from the current socket, only `close` moves the state machine on, and
 * the reconnect timer lives in a slot that holds at most one timer.
 */
export class Session implements IDisposable {
  readonly record: EventRecord;
  readonly createdAt: number;

  private readonly _onEvent = new Emitter<SessionEvent>();
  /** Every recorded event, in seq order. */
  readonly onEvent: Event<SessionEvent> = (listener) => {
    // Messages that arrived before the listener did are recorded without it.
    this.flushPendingMessages();
    const subscription = this._onEvent.event(listener);
    this.updateBatching();
    return {
      dispose: () => {
        subscription.dispose();
        this.updateBatching();
      },
    };
  };
  private readonly _onLifecycleEvent = new Emitter<SessionEvent>();
  /**
   * Every event except messages, pings and pongs. Cheap to listen to on busy sessions:
   * listening to onEvent makes every inbound message a materialised object.
   */
  readonly onLifecycleEvent: Event<SessionEvent> = this._onLifecycleEvent.event;
  private readonly _onDidChangeState = new Emitter<SessionState>();
  readonly onDidChangeState: Event<SessionState> = this._onDidChangeState.event;

  private readonly stats = new SessionStats();
  private readonly clock: Clock;
  private readonly createSocket: SocketFactory;
  private readonly random: () => number;
  private endpointConfig: EndpointConfig;
  private currentState: SessionState = 'idle';

  private socket: ISocket | undefined;
  /** Keeps the current socket's inbound payloads without a copy per message; null when it cannot. */
  private capture: InboundCapture | null = null;
  /** Whether messages the capture confirmed wait for flushMessages() (by the end of this turn). */
  private flushScheduled = false;
  /** When the waiting messages arrived. */
  private batchT = 0;
  /**
   * Whether confirmed messages may wait for flushMessages(): not when a text heartbeat reads
   * each message, nor when someone listens to every event as it happens. Kept, not computed
   * per message: it is read on the hot path.
   */
  private batching = true;
  private readonly socketListeners = new DisposableStore();
  private readonly heartbeat = new DisposableSlot<Heartbeat>();
  private readonly reconnectTimer = new DisposableSlot<IDisposable>();
  private readonly closeTimer = new DisposableSlot<IDisposable>();

  /** 0 for a first or user-initiated connect, then 1, 2, … for automatic reconnects. */
  private attempt = 0;
  private attemptStartedMono = 0;
  private opened = false;
  /** Whether this connection's set-up messages (endpoint.onOpen) are still to be sent. */
  private setUpPending = false;
  private openedAt = 0;
  private lastFrameAt = 0;
  private localCloseRequested = false;
  private reconnectImmediately = false;
  private stopRequested = false;
  private stopWaiters: Array<() => void> = [];
  private nextOverflowNotice = 1;
  private readonly deliveryQueue: SessionEvent[] = [];
  private delivering = false;
  private disposed = false;
  /** Explains the drops; null when the owner plugged none in (no diagnosis). */
  private readonly observer: SessionObserver | null;
  /** Findings from a drop, recorded once the session has reacted to it. */
  private readonly heldDiagnoses: SessionFinding[] = [];
  private readonly secretValues: readonly string[];
  /** The connection's application protocol and its client; null without a catalog. */
  private readonly protocolLink: ProtocolLink | null;
  /** The subprotocol the server chose for the current connection. */
  private subprotocol = '';
  /** The heartbeat the observer was last told of (the endpoint's, or a protocol's that replaced it). */
  private observedHeartbeat: HeartbeatSetting;
  /** The secrets a truncation must not cut into, as bytes, for the endpoint they were made for. */
  private cutSecrets: { endpoint: EndpointConfig; bytes: Uint8Array[] } | null = null;

  constructor(
    endpoint: EndpointConfig,
    readonly options: SessionOptions,
    deps: SessionDeps,
  ) {
    const problems = [
      ...checkEndpoint(endpoint),
      ...(deps.protocols ? ProtocolLink.problems(deps.protocols, endpoint) : []),
    ];
    if (problems.length > 0) throw new EndpointError(problems);
    this.endpointConfig = endpoint;
    this.protocolLink = deps.protocols ? new ProtocolLink(deps.protocols, endpoint) : null;
    this.observedHeartbeat = heartbeatSettingOf(endpoint);
    this.clock = deps.clock;
    this.createSocket = deps.createSocket;
    this.random = deps.random ?? Math.random;
    this.record = new EventRecord({ maxEvents: options.maxEvents, maxPayloadBytes: options.maxRecordBytes });
    this.observer = deps.observer ?? null;
    this.secretValues = deps.secretValues ?? [];
    this.createdAt = this.clock.now();
  }

  get endpoint(): EndpointConfig {
    return this.endpointConfig;
  }

  get state(): SessionState {
    return this.currentState;
  }

  /** The application protocol of the current (or last) connection, and why; null when none. */
  get appProtocol(): ProtocolDetection | null {
    return this.protocolLink?.current ?? null;
  }

  /** True while connecting, open, closing or waiting to reconnect. */
  get isActive(): boolean {
    return this.currentState !== 'idle' && this.currentState !== 'stopped';
  }

  getStats(): SessionStatsSnapshot {
    this.flushPendingMessages();
    return this.stats.snapshot(this.clock.now());
  }

  /** Connects, or connects at once if a reconnect is pending. Does nothing while connected. */
  start(): void {
    if (this.disposed) throw new Error('session is disposed');
    this.stopRequested = false;
    if (this.currentState === 'waiting') {
      this.reconnectTimer.clear();
      this.attempt = 0;
      this.connect();
    } else if (this.currentState === 'idle' || this.currentState === 'stopped') {
      this.attempt = 0;
      this.connect();
    }
  }

  /**
   * The user's disconnect: closes gracefully (destroying the socket after closeTimeoutMs)
   * and stops reconnecting. Resolves once the session is stopped.
   */
  stop(): Promise<void> {
    if (this.currentState === 'idle' || this.currentState === 'stopped') return Promise.resolve();
    const stopped = new Promise<void>((resolve) => this.stopWaiters.push(resolve));
    if (this.stopRequested) return stopped;
    this.stopRequested = true;
    this.reconnectTimer.clear();
    switch (this.currentState) {
      case 'waiting':
        this.finishStop('user');
        break;
      case 'connecting':
        this.localCloseRequested = true;
        this.armForcedRelease();
        this.socket?.terminate();
        break;
      case 'open':
        this.beginGracefulClose(1000, 'user disconnect');
        break;
      case 'closing':
        break;
    }
    return stopped;
  }

  /** Drops the current connection (or pending wait) and connects again at once. */
  reconnectNow(): void {
    if (this.disposed) return;
    this.stopRequested = false;
    switch (this.currentState) {
      case 'open':
        this.reconnectImmediately = true;
        this.beginGracefulClose(1000, 'reconnect');
        break;
      case 'waiting':
      case 'idle':
      case 'stopped':
        this.start();
        break;
      case 'connecting':
      case 'closing':
        // An attempt or a close is already in flight; a second one would break single flight.
        this.reconnectImmediately = true;
        break;
    }
  }

  /**
   * Sends a text or binary message on the open connection and records it. The endpoint's
   * set-up messages (onOpen) always go first, also when a listener of `open` sends at once.
   */
  send(data: string | Uint8Array): SendResult {
    if (this.setUpPending) this.sendSetUpMessages();
    const socket = this.socket;
    if (!socket || this.currentState !== 'open') {
      return { ok: false, reason: `not connected (state: ${this.currentState})` };
    }
    try {
      socket.send(data);
    } catch (error) {
      return { ok: false, reason: (error as Error).message };
    }
    const now = this.clock.now();
    this.noteFrame(now);
    this.recordOutboundMessage(data, now, undefined);
    return { ok: true };
  }

  /**
   * Applies new settings to the live session. Heartbeat and reconnect changes take effect
   * at once; a change of URL, headers, subprotocols or TLS policy reconnects; set-up
   * messages (onOpen) are sent from the next open on.
   */
  updateEndpoint(endpoint: EndpointConfig): void {
    const link = this.protocolLink;
    const problems = [...checkEndpoint(endpoint), ...(link ? ProtocolLink.problems(link.catalog, endpoint) : [])];
    if (problems.length > 0) throw new EndpointError(problems);
    const previous = this.endpointConfig;
    this.endpointConfig = endpoint;
    link?.setEndpoint(endpoint);
    if (JSON.stringify(previous.heartbeat) !== JSON.stringify(endpoint.heartbeat)) {
      // The advice is written for the heartbeat in use.
      this.tellObserverHeartbeat(heartbeatSettingOf(endpoint));
    }
    if (this.currentState === 'open' && JSON.stringify(previous.heartbeat) !== JSON.stringify(endpoint.heartbeat)) {
      this.startHeartbeat();
    }
    const connectionChanged =
      previous.url !== endpoint.url ||
      JSON.stringify(previous.headers) !== JSON.stringify(endpoint.headers) ||
      JSON.stringify(previous.protocols) !== JSON.stringify(endpoint.protocols) ||
      previous.protocol !== endpoint.protocol ||
      JSON.stringify(previous.protocolOptions) !== JSON.stringify(endpoint.protocolOptions) ||
      previous.allowSelfSignedCertificate !== endpoint.allowSelfSignedCertificate ||
      previous.proxy !== endpoint.proxy ||
      JSON.stringify(previous.tls) !== JSON.stringify(endpoint.tls);
    if (connectionChanged && (this.currentState === 'open' || this.currentState === 'waiting')) this.reconnectNow();
  }

  /**
   * Records findings the session's owner got from the observer outside the event stream,
   * e.g. when the user edits their known timeouts: the engine does not know what the
   * observer is configured with, only how to record what it says.
   */
  recordFindings(findings: readonly SessionFinding[]): void {
    this.recordDiagnoses(findings);
  }

  /**
   * Forgets the recorded events and starts the counters and the observer's analysis over;
   * the connection is unaffected.
   */
  clearRecord(): void {
    this.flushPendingMessages();
    this.record.clear();
    this.stats.reset();
    // The analysis starts over too: findings must not count drops, or cite seqs, cleared here.
    this.heldDiagnoses.length = 0;
    this.observer?.reset(this.clock.now());
    // The capture's queued positions were in the arena just cleared.
    this.capture?.invalidatePending();
    this.nextOverflowNotice = 1;
  }

  /** Tears everything down at once: no graceful close, no more events afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.stopRequested = true;
    this.reconnectTimer.dispose();
    this.closeTimer.dispose();
    this.heartbeat.dispose();
    this.socket?.terminate();
    this.releaseSocket();
    if (this.currentState !== 'idle' && this.currentState !== 'stopped') this.finishStop('disposed');
    this.disposed = true;
    this._onEvent.dispose();
    this._onLifecycleEvent.dispose();
    this._onDidChangeState.dispose();
    this.resolveStopWaiters();
  }

  // ---- connection attempts -------------------------------------------------------------

  /** The endpoint's subprotocols, or, when it lists none, those of the protocol the user chose. */
  private offeredSubprotocols(): string[] {
    return this.protocolLink?.offeredSubprotocols() ?? [...this.endpointConfig.protocols];
  }

  private connect(): void {
    if (this.socket) return; // single flight
    const endpoint = this.endpointConfig;
    this.opened = false;
    this.localCloseRequested = false;
    this.reconnectImmediately = false;
    this.attemptStartedMono = this.clock.monotonic();
    this.setState('connecting');
    this.emit({
      seq: 0,
      type: 'connecting',
      t: this.clock.now(),
      attempt: this.attempt,
      url: endpoint.url,
      protocols: this.offeredSubprotocols(),
    });
    let socket: ISocket;
    try {
      socket = this.createSocket({
        url: endpoint.url,
        headers: endpoint.headers,
        protocols: this.offeredSubprotocols(),
        handshakeTimeoutMs: endpoint.handshakeTimeoutMs,
        allowSelfSignedCertificate: endpoint.allowSelfSignedCertificate,
        maxMessageBytes: this.options.maxMessageBytes,
        ...(endpoint.proxy !== undefined ? { proxy: endpoint.proxy } : {}),
        ...(endpoint.tls !== undefined ? { tls: endpoint.tls } : {}),
      });
    } catch (error) {
      this.emit({
        seq: 0,
        type: 'handshake-failed',
        t: this.clock.now(),
        ...networkFailure((error as { code?: string }).code ?? null, (error as Error).message),
        // An adapter that cannot even start (a TLS file it cannot read) says where: 'config'.
        ...stageOf(error),
        handshakeMs: this.elapsedSinceAttempt(),
      });
      this.afterConnectionEnded(false, 0);
      return;
    }
    this.socket = socket;
    const listeners = this.socketListeners;
    // Events from a socket that is no longer current are stale and must not move the state.
    const current =
      <T>(handler: (value: T) => void) =>
      (value: T) => {
        if (this.socket === socket) handler(value);
      };
    listeners.add(socket.onOpen(current((info: SocketOpenInfo) => this.handleOpen(info))));
    listeners.add(
      socket.onHandshakeFailed(current((failure: HandshakeFailure) => this.handleHandshakeFailed(failure))),
    );
    listeners.add(
      // current()'s check written out: one closure per message rather than two.
      socket.onMessage((bytes: Uint8Array, isBinary: boolean) => {
        if (this.socket !== socket) return;
        // The fast path: the capture already holds the payload, so the message is only
        // counted here and recorded with the rest of its read at the end of this turn.
        const capture = this.capture;
        if (capture !== null && this.batching && capture.confirm(bytes.length, isBinary)) {
          if (!this.flushScheduled) {
            this.flushScheduled = true;
            this.batchT = this.clock.now();
            void Promise.resolve().then(this.flushMessages);
          }
          return;
        }
        this.handleMessage(bytes, isBinary);
      }),
    );
    if (socket.onRawData) {
      const capture = new InboundCapture(this.record, this.options.maxRecordedPayloadBytes);
      this.capture = capture;
      listeners.add(
        socket.onRawData(
          current((chunk: Uint8Array) => {
            // The parser reads these bytes right after: nothing here may keep it from them.
            try {
              capture.observe(chunk);
            } catch (error) {
              capture.stop(`capture failed: ${(error as Error).message}`);
            }
          }),
        ),
      );
    }
    listeners.add(socket.onPing(current((payload: Uint8Array) => this.handlePing(payload))));
    listeners.add(socket.onPong(current((payload: Uint8Array) => this.handlePong(payload))));
    listeners.add(socket.onError(current((error: SocketError) => this.handleError(error))));
    listeners.add(socket.onClose(current((close: SocketClose) => this.handleClose(close))));
  }

  private handleOpen(info: SocketOpenInfo): void {
    const now = this.clock.now();
    this.opened = true;
    this.openedAt = now;
    this.lastFrameAt = now;
    // Compressed payloads on the wire are not what the messages hold.
    if (info.extensions !== '') this.capture?.stop(`the connection uses ${info.extensions}`);
    this.setState('open');
    // From here on, whoever sends (a listener of `open` included) sends after the set-up messages.
    this.setUpPending = (this.endpointConfig.onOpen?.length ?? 0) > 0;
    this.subprotocol = info.protocol;
    const app = this.protocolLink?.open(info.protocol) ?? null;
    this.emit({
      seq: 0,
      type: 'open',
      t: now,
      handshakeMs: this.elapsedSinceAttempt(),
      protocol: info.protocol,
      extensions: info.extensions,
      requestHeaders: info.requestHeaders,
      responseHeaders: info.responseHeaders,
      ...pathOf({ url: this.endpointConfig.url, responseHeaders: info.responseHeaders }),
      ...(app ? { app } : {}),
      ...(info.route ? { route: info.route } : {}),
    });
    // The user may have asked to stop while the handshake was in flight.
    if (this.stopRequested) {
      this.setUpPending = false;
      this.beginGracefulClose(1000, 'user disconnect');
      return;
    }
    // The protocol's init goes first, and the set-up messages (a subscribe) wait for its handshake.
    if (this.protocolLink && !this.sendProtocolFrames(this.protocolLink.startFrames(), undefined)) return;
    if (this.setUpPending && (this.protocolLink?.setUpMayGo ?? true)) {
      const socket = this.socket;
      this.sendSetUpMessages();
      // A listener may have closed, stopped or disposed the session meanwhile.
      if (this.socket !== socket || this.currentState !== 'open') return;
    }
    this.startHeartbeat();
  }

  /**
   * Sends the endpoint's set-up messages (onOpen), in order, recorded as ordinary outbound
   * messages right after `open`. Once per connection: a send that fails is recorded as an
   * error and the rest are not sent (the connection is going away).
   */
  private sendSetUpMessages(): void {
    this.setUpPending = false;
    const socket = this.socket;
    for (const text of this.endpointConfig.onOpen ?? []) {
      if (!socket || this.socket !== socket || this.currentState !== 'open') return;
      try {
        socket.send(text);
      } catch (error) {
        this.handleError({ message: `set-up message not sent: ${(error as Error).message}`, code: null });
        return;
      }
      const now = this.clock.now();
      this.noteFrame(now);
      this.recordOutboundMessage(text, now, undefined);
    }
  }

  private handleHandshakeFailed(failure: HandshakeFailure): void {
    this.emit({
      seq: 0,
      type: 'handshake-failed',
      t: this.clock.now(),
      ...failure,
      handshakeMs: this.elapsedSinceAttempt(),
      ...pathOf({ url: this.endpointConfig.url, responseHeaders: failure.responseHeaders, body: failure.body }),
    });
  }

  /**
   * Records the messages the capture confirmed, as a batch: one read's messages share their
   * arrival time, so the per-message bookkeeping (idle gap, heartbeat, observer) runs once.
   * Runs by the end of the turn they arrived in, and before anything else is recorded.
   */
  private readonly flushMessages = (): void => {
    if (!this.flushScheduled) return;
    this.flushScheduled = false;
    const capture = this.capture;
    if (capture === null || capture.confirmedCount === 0) return;
    const t = this.batchT;
    this.noteFrame(t);
    this.heartbeat.value?.noteInbound();
    // Events the batch causes land where they would after messages handled one by one: what
    // the first message reveals right after it, an overflow notice after the message that
    // made it due.
    this.recordConfirmed(capture, t, 1);
    if (this.observer) {
      const findings = this.observer.noteMessageReceived(t);
      if (findings.length > 0) this.recordDiagnoses(findings);
    }
    while (capture.confirmedCount > 0) this.recordConfirmed(capture, t, capture.confirmedCount);
  };

  /** Records up to `max` confirmed messages, stopping early where an overflow notice falls due. */
  private recordConfirmed(capture: InboundCapture, t: number, max: number): void {
    const record = this.record;
    // Appends fill the free slots first, then each one drops the oldest event.
    const untilNotice = record.capacity - record.size + this.nextOverflowNotice - record.droppedCount;
    const count = capture.takeConfirmed(t, Math.max(1, Math.min(max, untilNotice)));
    this.stats.observeInbound(count, capture.takenBytes);
    this.noteOverflow(t);
  }

  private updateBatching(): void {
    this.batching =
      this.heartbeat.value?.mode !== 'text' &&
      this._onEvent.listenerCount === 0 &&
      !(this.protocolLink?.readsFrames ?? false);
  }

  /** The observer reasons about the heartbeat that runs: tell it when that changes. */
  private tellObserverHeartbeat(setting: HeartbeatSetting): void {
    const told = this.observedHeartbeat;
    if (told.mode === setting.mode && told.intervalMs === setting.intervalMs) return;
    this.observedHeartbeat = { ...setting };
    if (this.observer) this.recordDiagnoses(this.observer.setHeartbeat(setting, this.clock.now()));
  }

  private flushPendingMessages(): void {
    if (this.flushScheduled) this.flushMessages();
  }

  private handleMessage(bytes: Uint8Array, isBinary: boolean): void {
    this.flushPendingMessages();
    const now = this.clock.now();
    this.noteFrame(now);
    let flags = isBinary ? MESSAGE_BINARY : 0;
    let rttMs: number | undefined;
    const heartbeat = this.heartbeat.value;
    // The protocol reads the frame before it is recorded: it may be the protocol's heartbeat.
    const link = this.protocolLink?.readsFrames ? this.protocolLink : null;
    const linked = link?.inbound(bytes, isBinary, this.subprotocol) ?? null;
    const reaction = linked?.reaction ?? null;
    if (reaction?.heartbeat === 'ping') flags |= MESSAGE_HEARTBEAT_PING;
    if (reaction?.heartbeat === 'pong') flags |= MESSAGE_HEARTBEAT_PONG;
    if (reaction?.answers !== undefined) {
      const rtt = heartbeat?.noteProtocolReply(reaction.answers) ?? null;
      if (rtt !== null) rttMs = rtt;
    }
    if (heartbeat) {
      heartbeat.noteInbound();
      if (!isBinary && heartbeat.mode === 'text') {
        const reply = heartbeat.matchTextReply(utf8Decode(bytes));
        if (reply.isReply) {
          flags |= MESSAGE_HEARTBEAT_PONG;
          if (reply.rttMs !== null) rttMs = reply.rttMs;
        }
      }
    }
    // Stored compactly (the capture's bytes, or a copy), and turned into an object only if
    // someone listens. Busy reads take the batched path in the message listener instead.
    const storedAt = this.capture === null ? NOT_CAPTURED : this.capture.take(bytes.length, isBinary);
    let seq: number;
    if (storedAt !== NOT_CAPTURED && rttMs === undefined) {
      seq = this.record.appendStoredMessage(now, flags, storedAt, bytes.length);
    } else {
      let payload = bytes;
      if (payload.length > this.options.maxRecordedPayloadBytes) {
        payload = payload.subarray(0, this.truncationCut(payload));
        flags |= MESSAGE_TRUNCATED;
      }
      seq = this.record.appendMessage(now, flags, bytes.length, payload, rttMs);
    }
    this.stats.observeMessage('in', bytes.length, rttMs);
    if (this._onEvent.listenerCount > 0) this.deliver(this.record.get(seq)!);
    this.noteOverflow(now);
    if (this.observer) {
      const findings = this.observer.noteMessageReceived(now);
      if (findings.length > 0) this.recordDiagnoses(findings);
    }
    if (!link) return;
    // Detection read its last frame without a match: the batched fast path may take over again.
    if (!link.readsFrames) this.updateBatching();
    this.actOnProtocol(link, linked!);
  }

  /** Does what an inbound frame asked of the protocol's client: its detection, answers, heartbeat. */
  private actOnProtocol(link: ProtocolLink, linked: LinkInbound): void {
    const socket = this.socket;
    if (linked.detected) {
      this.emit({ seq: 0, type: 'protocol', t: this.clock.now(), ...linked.detected });
      if (!this.sendProtocolFrames(link.startFrames(), undefined)) return;
    }
    const reaction = linked.reaction;
    // An answer to the server's ping is our pong.
    const answerKind = reaction?.heartbeat === 'ping' ? 'pong' : undefined;
    if (reaction?.send && !this.sendProtocolFrames(reaction.send, answerKind)) return;
    if (this.socket !== socket || this.currentState !== 'open') return;
    if (this.setUpPending && link.setUpMayGo) {
      this.sendSetUpMessages();
      if (this.socket !== socket || this.currentState !== 'open') return;
    }
    if (linked.detected || reaction?.heartbeatChanged) {
      if (link.drivesHeartbeat) this.startHeartbeat();
      else this.updateBatching();
    }
  }

  /**
   * Sends the protocol's frames in order, recorded as outbound messages (`heartbeat` marks a
   * protocol beat or an answer to the server's). False when the connection went away meanwhile.
   */
  private sendProtocolFrames(frames: readonly OutboundFrame[], heartbeat: 'ping' | 'pong' | undefined): boolean {
    const socket = this.socket;
    for (const frame of frames) {
      if (!socket || this.socket !== socket || this.currentState !== 'open') return false;
      try {
        socket.send(frame);
      } catch (error) {
        this.handleError({ message: `protocol frame not sent: ${(error as Error).message}`, code: null });
        return false;
      }
      const now = this.clock.now();
      this.noteFrame(now);
      this.recordOutboundMessage(frame, now, heartbeat);
    }
    return this.socket === socket && this.currentState === 'open';
  }

  private handlePing(payload: Uint8Array): void {
    const now = this.clock.now();
    this.noteFrame(now);
    this.heartbeat.value?.noteInbound();
    const described = describeControlPayload(payload);
    this.emit({ seq: 0, type: 'ping', t: now, direction: 'in', ...described });
    // We answer pings ourselves (autoPong is off in the adapter) so the pong is recorded.
    this.socket?.pong(payload);
    this.emit({ seq: 0, type: 'pong', t: this.clock.now(), direction: 'out', ...described, rttMs: null });
  }

  private handlePong(payload: Uint8Array): void {
    const now = this.clock.now();
    this.noteFrame(now);
    const heartbeat = this.heartbeat.value;
    heartbeat?.noteInbound();
    const described = describeControlPayload(payload);
    const rttMs = heartbeat?.notePong(described.data) ?? null;
    this.emit({ seq: 0, type: 'pong', t: now, direction: 'in', ...described, rttMs });
  }

  private handleError(error: SocketError): void {
    this.emit({ seq: 0, type: 'error', t: this.clock.now(), message: error.message, code: error.code });
  }

  private handleClose(close: SocketClose): void {
    const wasOpened = this.opened;
    // A protocol violation is closed by our side (the adapter), with the code it sent.
    const closedForViolation = close.protocolErrorCode !== undefined;
    const initiator: CloseInitiator =
      this.localCloseRequested || closedForViolation ? 'local' : close.code === 1006 ? 'none' : 'remote';
    this.releaseSocket();
    const now = this.clock.now();
    let ageMs = 0;
    if (wasOpened) {
      ageMs = now - this.openedAt;
      const idleMs = now - this.lastFrameAt;
      this.noteFrame(now);
      this.emit({
        seq: 0,
        type: 'close',
        t: now,
        code: close.protocolErrorCode ?? close.code,
        reason: close.reason,
        wasClean: close.code !== 1006,
        initiator,
        idleMs,
        ageMs,
      });
    }
    this.afterConnectionEnded(wasOpened, ageMs);
  }

  /** Decides what follows a finished attempt: stop, reconnect at once, or back off. */
  private afterConnectionEnded(wasOpened: boolean, ageMs: number): void {
    if (this.disposed) return;
    if (this.stopRequested) {
      this.finishStop('user');
      return;
    }
    if (this.reconnectImmediately) {
      this.attempt = 0;
      this.connect();
      return;
    }
    const policy = this.endpointConfig.reconnect;
    if (!policy.enabled) {
      this.finishStop('reconnect-disabled');
      return;
    }
    // Only a connection that stayed up long enough proves the endpoint healthy.
    if (wasOpened && ageMs >= policy.resetAfterMs) this.attempt = 0;
    const nextAttempt = this.attempt + 1;
    if (policy.maxAttempts !== null && nextAttempt > policy.maxAttempts) {
      this.finishStop('max-attempts');
      return;
    }
    this.attempt = nextAttempt;
    const delayMs = reconnectDelay(policy, nextAttempt, this.random);
    this.setState('waiting');
    this.emit({ seq: 0, type: 'reconnect-scheduled', t: this.clock.now(), attempt: nextAttempt, delayMs });
    this.reconnectTimer.value = this.clock.setTimeout(() => {
      this.reconnectTimer.value = undefined;
      if (this.currentState === 'waiting') this.connect();
    }, delayMs);
  }

  private beginGracefulClose(code: number, reason: string): void {
    const socket = this.socket;
    if (!socket) return;
    this.localCloseRequested = true;
    this.heartbeat.clear();
    this.setState('closing');
    try {
      socket.close(code, reason);
    } catch {
      socket.terminate();
    }
    this.armForcedRelease();
  }

  /**
   * A peer that never completes the closing handshake must not hold the session hostage:
   * destroy the socket after closeTimeoutMs, and if even that yields no close event,
   * release it ourselves.
   */
  private armForcedRelease(): void {
    const socket = this.socket;
    this.closeTimer.value = this.clock.setTimeout(() => {
      if (this.socket !== socket) return;
      socket?.terminate();
      this.closeTimer.value = this.clock.setTimeout(() => {
        if (this.socket === socket) this.handleClose({ code: 1006, reason: 'close timed out' });
      }, this.options.closeTimeoutMs);
    }, this.options.closeTimeoutMs);
  }

  /**
   * Starts (or restarts) the heartbeat: the endpoint's, or the protocol's own when a detected
   * protocol drives it (the user left the heartbeat at its default) and its cadence is known.
   */
  private startHeartbeat(): void {
    const config = this.endpointConfig.heartbeat;
    const protocolBeat = this.protocolLink?.heartbeat() ?? null;
    const heartbeat = new Heartbeat(
      config,
      this.clock,
      {
        sendPing: (payload) => this.sendHeartbeatPing(payload),
        sendText: (text) => this.sendHeartbeatText(text),
        sendBeat: (frame) => void this.sendProtocolFrames([frame], 'ping'),
        dead: (waitedMs) =>
          this.handleHeartbeatDead(
            heartbeat.mode === 'text' ? 'text' : heartbeat.mode === 'protocol' ? 'protocol' : 'ping',
            waitedMs,
          ),
      },
      protocolBeat,
    );
    this.heartbeat.value = heartbeat;
    this.updateBatching();
    // A protocol's heartbeat is messages both ways at its cadence: traffic, as a text heartbeat is.
    if (protocolBeat) this.tellObserverHeartbeat({ mode: 'text', intervalMs: protocolBeat.intervalMs });
    else if (!this.protocolLink?.drivesHeartbeat) this.tellObserverHeartbeat(heartbeatSettingOf(this.endpointConfig));
    heartbeat.start();
  }

  private sendHeartbeatPing(payload: string): void {
    const socket = this.socket;
    if (!socket) return;
    try {
      socket.ping(payload);
    } catch (error) {
      this.handleError({ message: `ping failed: ${(error as Error).message}`, code: null });
      return;
    }
    const now = this.clock.now();
    this.noteFrame(now);
    this.emit({ seq: 0, type: 'ping', t: now, direction: 'out', data: payload, encoding: 'utf8' });
  }

  private sendHeartbeatText(text: string): void {
    const socket = this.socket;
    if (!socket) return;
    try {
      socket.send(text);
    } catch (error) {
      this.handleError({ message: `heartbeat send failed: ${(error as Error).message}`, code: null });
      return;
    }
    const now = this.clock.now();
    this.noteFrame(now);
    this.recordOutboundMessage(text, now, 'ping');
  }

  private handleHeartbeatDead(mode: 'ping' | 'text' | 'protocol', waitedMs: number): void {
    const socket = this.socket;
    if (!socket) return;
    this.emit({ seq: 0, type: 'heartbeat-timeout', t: this.clock.now(), mode, waitedMs });
    // A listener may have stopped or disposed the session meanwhile.
    if (this.socket !== socket || this.disposed) return;
    // A dead link cannot complete a closing handshake; destroy it and let close reconnect.
    this.localCloseRequested = true;
    this.heartbeat.clear();
    this.armForcedRelease();
    socket.terminate();
  }

  // ---- recording -----------------------------------------------------------------------

  private recordOutboundMessage(data: string | Uint8Array, t: number, heartbeat: 'ping' | 'pong' | undefined): void {
    const cap = this.options.maxRecordedPayloadBytes;
    if (typeof data === 'string') {
      const size = utf8ByteLength(data);
      let recorded = data;
      if (size > cap) {
        const bytes = new TextEncoder().encode(data);
        recorded = utf8DecodePrefix(bytes.subarray(0, this.truncationCut(bytes)));
      }
      const event: SessionEvent = {
        seq: 0,
        type: 'message',
        t,
        direction: 'out',
        opcode: 'text',
        size,
        data: recorded,
        truncated: size > cap,
      };
      if (heartbeat) event.heartbeat = heartbeat;
      this.emit(event);
    } else {
      const truncated = data.length > cap;
      this.emit({
        seq: 0,
        type: 'message',
        t,
        direction: 'out',
        opcode: 'binary',
        size: data.length,
        data: bytesToBase64(truncated ? data.subarray(0, this.truncationCut(data)) : data),
        truncated,
        ...(heartbeat ? { heartbeat } : {}),
      });
    }
  }

  /**
   * How many bytes of a payload longer than the cap the record keeps: the cap, or less so that
   * no known secret is cut in two (its first characters would survive every later redaction).
   * Only truncated payloads come here: the per-message cost of the others is unchanged.
   */
  private truncationCut(payload: Uint8Array): number {
    const endpoint = this.endpointConfig;
    if (this.cutSecrets?.endpoint !== endpoint) {
      const policy = redactionPolicyFor(endpoint, { secretValues: this.secretValues });
      this.cutSecrets = { endpoint, bytes: secretBytesOf(policy) };
    }
    return secretSafeCut(payload, this.options.maxRecordedPayloadBytes, this.cutSecrets.bytes);
  }

  /**
   * Records an idle gap if the silence that ends now was long enough: `expected` when our
   * heartbeat is running and the silence fits between its beats (see expectedQuietMs).
   */
  private noteFrame(now: number): void {
    this.flushPendingMessages();
    const gap = now - this.lastFrameAt;
    if (this.opened && gap > this.options.idleGapMs) {
      const event: SessionEvent = { seq: 0, type: 'idle-gap', t: now, durationMs: gap, startT: this.lastFrameAt };
      const quietMs = this.expectedQuietMs();
      if (quietMs !== null && gap <= quietMs) event.expected = true;
      this.emit(event);
    }
    this.lastFrameAt = now;
  }

  /**
   * The longest silence that is normal with our heartbeat running: a beat every interval, and
   * one that waits for its reply skips the next beats until the timeout decides. Null when no
   * heartbeat runs: then any long silence is worth seeing.
   */
  private expectedQuietMs(): number | null {
    const quietMs = this.heartbeat.value?.expectedQuietMs ?? null;
    return quietMs === null ? null : quietMs + HEARTBEAT_TIMER_SLACK_MS;
  }

  private emit(event: SessionEvent): void {
    this.flushPendingMessages();
    const stored = this.record.append(event);
    this.stats.observe(stored);
    this.deliver(stored);
    this.noteOverflow(stored.t);
    if (this.observer && stored.type !== 'diagnosis') this.diagnose(stored);
  }

  /**
   * Feeds the observer. What a drop reveals is recorded after the session has reacted to
   * it (reconnect-scheduled or the next connecting; just before `stopped`), so a heartbeat
   * timeout or a close is followed directly by what the session does about it.
   */
  private diagnose(event: SessionEvent): void {
    const findings = this.observer!.observe(event);
    if (event.type === 'heartbeat-timeout' || event.type === 'close' || event.type === 'handshake-failed') {
      this.heldDiagnoses.push(...findings);
      return;
    }
    if (this.heldDiagnoses.length > 0) findings.unshift(...this.heldDiagnoses.splice(0));
    this.recordDiagnoses(findings);
  }

  private recordDiagnoses(findings: readonly SessionFinding[]): void {
    for (const finding of findings) this.emit({ seq: 0, t: this.clock.now(), ...finding });
  }

  /** Records (sparingly) that the ring buffer dropped old events. */
  private noteOverflow(t: number): void {
    if (this.record.droppedCount < this.nextOverflowNotice) return;
    this.nextOverflowNotice = this.record.droppedCount + this.record.capacity;
    const notice = this.record.append({
      seq: 0,
      type: 'overflow',
      t,
      droppedEvents: this.record.droppedCount,
      capacity: this.record.capacity,
    });
    this.deliver(notice);
  }

  /**
   * Listeners may cause events to be recorded while one is being delivered; queueing keeps
   * every listener seeing events in seq order.
   */
  private deliver(event: SessionEvent): void {
    if (this.delivering) {
      this.deliveryQueue.push(event);
      return;
    }
    this.delivering = true;
    try {
      this.fireEvent(event);
      while (this.deliveryQueue.length > 0) this.fireEvent(this.deliveryQueue.shift()!);
    } finally {
      this.delivering = false;
    }
  }

  private fireEvent(event: SessionEvent): void {
    this._onEvent.fire(event);
    if (event.type !== 'message' && event.type !== 'ping' && event.type !== 'pong') this._onLifecycleEvent.fire(event);
  }

  // ---- state ---------------------------------------------------------------------------

  private releaseSocket(): void {
    const socket = this.socket;
    this.socket = undefined;
    this.setUpPending = false;
    this.flushPendingMessages();
    this.capture?.stop('the connection ended');
    this.capture = null;
    this.socketListeners.clear();
    this.heartbeat.clear();
    this.protocolLink?.end();
    this.updateBatching();
    this.closeTimer.clear();
    socket?.dispose();
  }

  private finishStop(reason: StoppedEvent['reason']): void {
    this.reconnectTimer.clear();
    this.setState('stopped');
    // `stopped` stays the last event of a stopped session: what the last drop revealed comes first.
    this.recordDiagnoses(this.heldDiagnoses.splice(0));
    this.emit({ seq: 0, type: 'stopped', t: this.clock.now(), reason });
    this.resolveStopWaiters();
  }

  private resolveStopWaiters(): void {
    const waiters = this.stopWaiters;
    this.stopWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private setState(state: SessionState): void {
    if (this.currentState === state) return;
    this.currentState = state;
    this._onDidChangeState.fire(state);
  }

  private elapsedSinceAttempt(): number {
    return Math.round((this.clock.monotonic() - this.attemptStartedMono) * 10) / 10;
  }
}

/** The `stage` an adapter's thrown error names (see HandshakeStage), as a field to spread. */
function stageOf(error: unknown): { stage?: HandshakeStage } {
  const stage = (error as { stage?: unknown } | null)?.stage;
  return stage === 'proxy' || stage === 'tls' || stage === 'config' ? { stage } : {};
}
