// The idle-timeout probe: measures an unknown intermediary's idle timeout or lifetime cap with
// a few parallel connections, instead of waiting for drops to repeat. This file runs the rounds
// and their sessions; probeInference.ts draws the conclusions, probeReport.ts words the result.
//
// How it reasons. Every connection starts silent: no frame after the handshake until its
// first heartbeat. Each round opens, in parallel,
// - a silent connection (heartbeat off): its cut measures the timeout directly;
// - a control connection with a fast ping heartbeat: it survives an idle timeout but not a
//   lifetime cap, so it tells the two apart;
// - ladder connections pinging at different intervals: one that got its pong after I ms of
//   silence proves the timeout is longer than I; one cut before its first ping measures it;
// - with a text heartbeat (options.textHeartbeat), a control connection that sends that text
//   as a message instead of pings: an idle timeout that only messages reset cuts the ping
//   connections at the same age as a lifetime cap would, and only this one tells them apart
//   (it survives the idle timeout, not the cap). Once that timeout is the leading explanation,
//   later rounds' ladders send the text too.
// The evidence brackets the timeout under two hypotheses at once: an idle timeout (bounded
// by silences survived and silences at the cuts) and a lifetime cap (bounded by ages); the
// one the evidence contradicts is dropped. A cut after s ms of silence also shows the
// connection was alive at s minus the time a cut takes to reach us (settle), so a timeout
// that is long next to the latency is known within ±5 % after one round: the wall time is
// about the timeout itself. Short timeouts, slow links and paths that drop connections
// without a close take more rounds, each aiming its ladder just below the measured cut.

import type { Clock } from '../common/clock.js';
import { formatDuration } from '../format/duration.js';
import { checkEndpoint, type EndpointConfig } from '../model/endpoint.js';
import { DisposableSlot, Emitter, type Event, type IDisposable } from '../common/events.js';
import { DEFAULT_SESSION_OPTIONS, EndpointError, Session, type SessionOptions } from '../engine/session.js';
import type { SessionEvent } from '../model/sessionEvents.js';
import type { SocketFactory } from '../engine/socket.js';
import {
  assessEvidence,
  bracketOf,
  leadingHypothesis,
  measureVerdict,
  noteAliveDuringQuiet,
  noteQuietEnd,
  quietTrack,
  relativeHalfWidth,
  silentDropsSeen,
  type Assessment,
  type ObservedConnection,
  type ProbeRole,
} from './probeInference.js';
import {
  describeAssessment,
  describeCodes,
  describeFailure,
  describeInconsistency,
  handshakeErrorOf,
  noTimeoutSummary,
  probeEvidence,
  probeNotes,
  verdictText,
  type ProbeErrorReason,
  type ProbeHandshakeError,
  type ProbeResult,
} from './probeReport.js';
import { sessionDiagnosis } from '../diagnosis/dropAnalyzer.js';

export interface IdleProbeOptions {
  /** Most connections open at the same time (at least 3: silent, control, one ladder). */
  maxConnections: number;
  /** Total time budget. No cut within it means there is no timeout up to this long. */
  maxDurationMs: number;
  /** Relative accuracy to reach: 0.05 means the timeout is known within ±5 %. */
  tolerance: number;
  /** The control connection's ping interval in round 1 (later rounds go faster if needed). */
  fastHeartbeatMs: number;
  /** A ping without a pong for this long means the path died silently. */
  pongTimeoutMs: number;
  /**
   * How long a cut may take to reach us. Open connections count as evidence only up to
   * this long ago; the slowest handshake seen is added to it as a measure of the latency.
   */
  settleMs: number;
  /** Gives up (with the best bracket so far) after this many rounds. */
  maxRounds: number;
  /**
   * A text message some connections send as an application-level heartbeat (on the ping
   * connections' schedule), to tell a lifetime cap from an idle timeout only messages reset.
   * Null: pings only, and such a cut is reported as either (`alternatives`).
   */
  textHeartbeat: string | null;
}

export const DEFAULT_PROBE_OPTIONS: IdleProbeOptions = {
  maxConnections: 6,
  maxDurationMs: 15 * 60_000,
  tolerance: 0.05,
  fastHeartbeatMs: 500,
  pongTimeoutMs: 5_000,
  settleMs: 100,
  maxRounds: 8,
  textHeartbeat: null,
};

/** Below this a heartbeat cannot be told apart from the handshake: nothing to measure. */
const MIN_HEARTBEAT_MS = 25;

/** What the probe needs from a session: start it, read its events, throw it away. */
export type ProbeSession = Pick<Session, 'start' | 'dispose' | 'onEvent' | 'send'>;

export interface IdleProbeDeps {
  clock: Clock;
  /** Creates one probe connection; the probe starts, observes and disposes it. */
  createSession: (endpoint: EndpointConfig) => ProbeSession;
}

/** Session options for probe connections: small records, since the probe reads events live. */
export const PROBE_SESSION_OPTIONS: SessionOptions = {
  ...DEFAULT_SESSION_OPTIONS,
  maxEvents: 2_000,
  maxRecordBytes: 1024 * 1024,
  idleGapMs: 60 * 60_000,
};

/** The usual session factory: real Sessions over the given clock and sockets. */
export function probeSessionFactory(clock: Clock, createSocket: SocketFactory): (endpoint: EndpointConfig) => Session {
  return (endpoint) =>
    new Session(endpoint, PROBE_SESSION_OPTIONS, { clock, createSocket, observer: sessionDiagnosis(endpoint) });
}

/** The part of AbortSignal the probe uses (the DOM and Node signals both fit). */
export interface AbortSignalLike {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** A step of the probe, for progress notifications and the CLI. */
export interface ProbeProgress {
  type: 'probe-progress';
  event: 'round-started' | 'connection-cut' | 'round-finished';
  round: number;
  elapsedMs: number;
  /** Connections open right now. */
  connectionsAlive: number;
  connectionsUsed: number;
  /** The explanation the evidence points to so far, if it is decided. */
  leading: 'idle-timeout' | 'lifetime-cap' | null;
  lowMs: number | null;
  highMs: number | null;
  /** One line for people. */
  message: string;
}

/** One connection a round plans: its role and heartbeat (null: silent). */
interface PlannedConnection {
  role: ProbeRole;
  heartbeatMs: number | null;
  /** Sends the text heartbeat rather than pings. */
  text: boolean;
}

/** A probe connection: what it showed, and the session it runs on while it is open. */
interface ProbeConnection extends ObservedConnection {
  session: ProbeSession | null;
  subscription: IDisposable | null;
  /** The next text heartbeat, for a text-heartbeat connection that is open. */
  textTimer: IDisposable | null;
}

/**
 * Measures the idle timeout (or lifetime cap) between us and an endpoint. Create it, listen
 * to onProgress, call run() once. Every session and timer is disposed on every path:
 * verdict, error, deadline, cancel() or an aborted signal.
 */
export class IdleTimeoutProbe implements IDisposable {
  private readonly _onProgress = new Emitter<ProbeProgress>();
  readonly onProgress: Event<ProbeProgress> = this._onProgress.event;

  readonly options: IdleProbeOptions;
  private readonly clock: Clock;
  private readonly createSession: (endpoint: EndpointConfig) => ProbeSession;
  private readonly connections: ProbeConnection[] = [];
  private readonly roundTimer = new DisposableSlot<IDisposable>();
  private readonly deadlineTimer = new DisposableSlot<IDisposable>();
  /** Reactions postponed to the next tick (see the heartbeat-timeout case). */
  private readonly deferred = new Set<IDisposable>();
  private liveSessions = 0;
  private round = 0;
  /** The age by which every connection of this round has answered its question. */
  private roundHorizonMs = Infinity;
  private launching = false;
  private startedMono = 0;
  private maxHandshakeMs = 0;
  private maxParallel = 0;
  private result: Promise<ProbeResult> | null = null;
  private resolveResult: ((result: ProbeResult) => void) | null = null;
  private finished = false;
  private cancelRequested = false;
  private detachSignal: (() => void) | null = null;

  constructor(
    private readonly endpoint: EndpointConfig,
    options: Partial<IdleProbeOptions>,
    deps: IdleProbeDeps,
  ) {
    const problems = checkEndpoint(endpoint);
    if (problems.length > 0) throw new EndpointError(problems);
    this.options = { ...DEFAULT_PROBE_OPTIONS, ...options };
    const o = this.options;
    if (!Number.isInteger(o.maxConnections) || o.maxConnections < 3) {
      throw new RangeError(`maxConnections must be a whole number of at least 3, got ${o.maxConnections}`);
    }
    if (!(o.maxDurationMs > 0)) throw new RangeError(`maxDurationMs must be positive, got ${o.maxDurationMs}`);
    if (!(o.tolerance > 0 && o.tolerance < 0.5)) {
      throw new RangeError(`tolerance must be between 0 and 0.5, got ${o.tolerance}`);
    }
    if (!(o.fastHeartbeatMs >= MIN_HEARTBEAT_MS)) {
      throw new RangeError(`fastHeartbeatMs must be at least ${MIN_HEARTBEAT_MS}, got ${o.fastHeartbeatMs}`);
    }
    if (!(o.pongTimeoutMs > 0)) throw new RangeError(`pongTimeoutMs must be positive, got ${o.pongTimeoutMs}`);
    if (!(o.settleMs >= 0)) throw new RangeError(`settleMs must be zero or more, got ${o.settleMs}`);
    if (!(Number.isInteger(o.maxRounds) && o.maxRounds >= 1)) {
      throw new RangeError(`maxRounds must be a whole number of at least 1, got ${o.maxRounds}`);
    }
    if (o.textHeartbeat !== null && (typeof o.textHeartbeat !== 'string' || o.textHeartbeat === '')) {
      throw new RangeError('textHeartbeat must be a non-empty text, or null');
    }
    this.clock = deps.clock;
    this.createSession = deps.createSession;
  }

  /** Runs the probe; calling it again returns the same result. Never rejects. */
  run(signal?: AbortSignalLike): Promise<ProbeResult> {
    if (this.result) return this.result;
    this.result = new Promise<ProbeResult>((resolve) => (this.resolveResult = resolve));
    this.startedMono = this.clock.monotonic();
    if (signal) {
      const onAbort = () => this.cancel();
      signal.addEventListener('abort', onAbort);
      this.detachSignal = () => signal.removeEventListener('abort', onAbort);
    }
    if (this.cancelRequested || signal?.aborted) {
      this.finishWithError('cancelled', 'the probe was cancelled before it started');
      return this.result;
    }
    this.deadlineTimer.value = this.clock.setTimeout(() => this.onDeadline(), this.options.maxDurationMs);
    this.startRound();
    return this.result;
  }

  /** Stops at once; run() resolves with a `cancelled` error. */
  cancel(): void {
    this.cancelRequested = true;
    if (!this.result || this.finished) return;
    this.finishWithError('cancelled', 'the probe was cancelled');
  }

  dispose(): void {
    this.cancel();
    this.releaseEverything();
    this._onProgress.dispose();
  }

  // ---- rounds ----------------------------------------------------------------------------

  private startRound(): void {
    this.round++;
    const plan = this.planRound();
    const assessment = this.assess();
    this.roundHorizonMs =
      this.round === 1
        ? Infinity
        : this.horizonAfterCut(maxOf([assessment.idle.highMs, assessment.cap.highMs]) ?? Infinity);
    const rungs = plan
      .map((p) => (p.heartbeatMs === null ? 'silent' : `${p.text ? 'text' : 'ping'} ${formatDuration(p.heartbeatMs)}`))
      .join(', ');
    this.progress('round-started', `round ${this.round}: ${plan.length} connections (${rungs})`, assessment);
    this.launching = true;
    for (const planned of plan) {
      this.openConnection(planned);
      if (this.finished) return;
    }
    this.launching = false;
    this.afterEvidence();
  }

  /** Round 1 spreads the ladder over the whole budget; later rounds aim just below the cut. */
  private planRound(): PlannedConnection[] {
    const o = this.options;
    const text = o.textHeartbeat !== null;
    const silentOne: PlannedConnection = { role: 'silent', heartbeatMs: null, text: false };
    if (this.round === 1) {
      const controls: PlannedConnection[] = [
        { role: 'control', heartbeatMs: o.fastHeartbeatMs, text: false },
        ...(text ? [{ role: 'control' as const, heartbeatMs: o.fastHeartbeatMs, text: true }] : []),
      ];
      const ladderSlots = o.maxConnections - 1 - controls.length;
      // Two silent connections when there is room: a timeout longer than every rung is then
      // still measured twice in one round, and two cuts that agree make a verdict.
      const silent = ladderSlots >= 2 ? 2 : 1;
      return [
        ...Array.from({ length: silent }, () => silentOne),
        ...controls,
        ...geometric(o.fastHeartbeatMs, o.maxDurationMs, ladderSlots - (silent - 1)).map((ms) => ({
          role: 'ladder' as const,
          heartbeatMs: ms,
          text: false,
        })),
      ];
    }
    const a = this.assess();
    const byMessages = a.leading === 'idle-timeout' && a.resetBy === 'messages';
    // Texts once they matter: while a cap and an idle timeout only messages reset are both
    // possible, and to measure the latter; pings unless that is what the evidence shows.
    const textControl =
      text && (a.leading === null || a.ambiguous || a.resetBy === 'messages' || a.resetBy === 'unknown');
    const { lowMs, highMs } = this.planningBracket();
    // A quarter of the shortest cut: comfortably inside an idle timeout of that length.
    const control = Math.max(MIN_HEARTBEAT_MS, Math.round(Math.min(o.fastHeartbeatMs, highMs / 4)));
    const controls: PlannedConnection[] = [
      ...(byMessages ? [] : [{ role: 'control' as const, heartbeatMs: control, text: false }]),
      ...(textControl ? [{ role: 'control' as const, heartbeatMs: control, text: true }] : []),
    ];
    const rung = (ms: number): PlannedConnection => ({ role: 'ladder', heartbeatMs: Math.round(ms), text: byMessages });
    const floor = Math.max(lowMs, MIN_HEARTBEAT_MS);
    if (silentDropsSeen(this.connections)) {
      // An unanswered ping only bounds the timeout from above, and a silent connection
      // proves nothing here: bisect the bracket with every slot.
      return [...controls, ...evenly(floor, highMs, o.maxConnections - controls.length).map(rung)];
    }
    // A cut measured the timeout: a heartbeat just inside the tolerance proves it lies in the
    // top band, and the rest of the ladder covers the bracket in case the cut came late.
    const ladderSlots = o.maxConnections - 1 - controls.length;
    const top = highMs * (1 - o.tolerance);
    const rungs = ladderSlots <= 0 ? [] : [top, ...(floor < top ? geometric(floor, top, ladderSlots - 1) : [])];
    return [silentOne, ...controls, ...rungs.map(rung)];
  }

  private planningBracket(): { lowMs: number; highMs: number } {
    const a = this.assess();
    const chosen = leadingHypothesis(a);
    const highMs = chosen.highMs ?? a.cap.highMs ?? this.options.maxDurationMs;
    return { lowMs: Math.min(chosen.lowMs, highMs), highMs };
  }

  private openConnection({ role, heartbeatMs, text }: PlannedConnection): void {
    const connection: ProbeConnection = {
      round: this.round,
      role,
      heartbeatMs,
      textHeartbeat: text && heartbeatMs !== null,
      session: null,
      subscription: null,
      textTimer: null,
      state: 'connecting',
      opened: false,
      openedAt: 0,
      lastInboundAt: 0,
      longestGap: 0,
      lastAliveAge: 0,
      inboundFrames: 0,
      frames: quietTrack(0),
      messages: quietTrack(0),
      closedAt: 0,
      endedAt: 0,
      end: null,
      failure: null,
    };
    this.connections.push(connection);
    const endpoint: EndpointConfig = {
      ...this.endpoint,
      name: `${this.endpoint.name} (probe round ${this.round}, ${role}${heartbeatMs === null ? '' : ` ${connection.textHeartbeat ? 'text' : 'ping'} ${heartbeatMs} ms`})`,
      // The probe sends the text heartbeat itself (scheduleText): the session's text heartbeat
      // waits for a reply before it sends again, and a server need not reply.
      heartbeat:
        heartbeatMs === null || connection.textHeartbeat
          ? { ...this.endpoint.heartbeat, mode: 'off' }
          : {
              ...this.endpoint.heartbeat,
              mode: 'ping',
              intervalMs: heartbeatMs,
              timeoutMs: this.options.pongTimeoutMs,
            },
      // A reconnect would be a new connection with a new age: the probe opens its own.
      reconnect: { ...this.endpoint.reconnect, enabled: false },
    };
    try {
      const session = this.createSession(endpoint);
      connection.session = session;
      this.liveSessions++;
      this.maxParallel = Math.max(this.maxParallel, this.liveSessions);
      connection.subscription = session.onEvent((event) => this.handleEvent(connection, event));
      session.start();
    } catch (error) {
      connection.state = 'failed';
      connection.failure = {
        seq: 0,
        type: 'handshake-failed',
        t: this.clock.now(),
        status: null,
        statusText: null,
        requestHeaders: null,
        responseHeaders: null,
        body: null,
        errorCode: null,
        message: (error as Error).message,
        handshakeMs: 0,
      };
      this.release(connection);
    }
  }

  private handleEvent(c: ProbeConnection, event: SessionEvent): void {
    if (this.finished || c.session === null) return;
    switch (event.type) {
      case 'open':
        c.state = 'open';
        c.opened = true;
        c.openedAt = c.lastInboundAt = event.t;
        c.frames = quietTrack(event.t);
        c.messages = quietTrack(event.t);
        this.maxHandshakeMs = Math.max(this.maxHandshakeMs, event.handshakeMs);
        if (c.textHeartbeat) this.scheduleText(c);
        break;
      case 'message':
        if (c.state !== 'open') return;
        if (event.direction === 'out') {
          // Our text heartbeat (or a set-up message): a frame and a message on the way,
          // though no proof of life.
          noteQuietEnd(c.frames, event.t, false);
          noteQuietEnd(c.messages, event.t, false);
          return;
        }
        noteQuietEnd(c.messages, event.t, true);
        this.noteInbound(c, event.t);
        return;
      case 'pong':
      case 'ping':
        if (event.direction !== 'in' || c.state !== 'open') return;
        noteAliveDuringQuiet(c.messages, event.t);
        this.noteInbound(c, event.t);
        return;
      case 'heartbeat-timeout': {
        if (c.state !== 'open') return;
        // The oldest unanswered ping went out waitedMs ago: the path was dead by then.
        const pingAt = event.t - event.waitedMs;
        const end = {
          ageMs: pingAt - c.openedAt,
          silenceMs: pingAt - c.frames.lastAt,
          messageSilenceMs: pingAt - c.messages.lastAt,
          code: null,
          reason: null,
        };
        // The session still has work to do after reporting this (it terminates the socket),
        // so it must not be disposed from inside its own report: continue on the next tick.
        const timer = this.clock.setTimeout(() => {
          this.deferred.delete(timer);
          if (this.finished || c.state !== 'open') return;
          this.endConnection(c, 'lost', end);
          this.afterEvidence();
        }, 0);
        this.deferred.add(timer);
        return;
      }
      case 'close':
        if (c.state !== 'open' || event.initiator === 'local') return;
        this.endConnection(c, 'cut', {
          ageMs: event.ageMs ?? event.t - c.openedAt,
          silenceMs: event.t - c.frames.lastAt,
          messageSilenceMs: event.t - c.messages.lastAt,
          code: event.code,
          reason: event.reason,
        });
        break;
      case 'handshake-failed':
        if (c.state !== 'connecting') return;
        c.state = 'failed';
        c.failure = event;
        this.release(c);
        break;
      case 'stopped':
        // A socket that closed before opening, without a handshake answer.
        if (c.state !== 'connecting') return;
        c.state = 'failed';
        this.release(c);
        break;
      default:
        return;
    }
    this.afterEvidence();
  }

  /** The text heartbeat: every heartbeatMs, whether or not the server answers. */
  private scheduleText(c: ProbeConnection): void {
    c.textTimer = this.clock.setTimeout(() => {
      c.textTimer = null;
      if (this.finished || c.state !== 'open' || c.session === null) return;
      c.session.send(this.options.textHeartbeat!);
      // A failed send shows as the close that follows; only a live session sends again.
      if (c.session !== null && c.state === 'open') this.scheduleText(c);
    }, c.heartbeatMs!);
  }

  private noteInbound(c: ProbeConnection, t: number): void {
    const gap = t - c.lastInboundAt;
    c.lastInboundAt = t;
    noteQuietEnd(c.frames, t, true);
    c.lastAliveAge = t - c.openedAt;
    c.inboundFrames++;
    // Only a longer silence than before is new evidence; a busy connection costs nothing more.
    if (gap > c.longestGap) {
      c.longestGap = gap;
      this.afterEvidence();
    }
  }

  private endConnection(c: ProbeConnection, state: 'cut' | 'lost', end: NonNullable<ProbeConnection['end']>): void {
    c.state = state;
    c.end = end;
    c.endedAt = this.clock.now();
    this.release(c);
    if (c.round === this.round) this.roundHorizonMs = Math.min(this.roundHorizonMs, this.horizonAfterCut(end.ageMs));
    const heartbeat = `${c.textHeartbeat ? 'text' : 'ping'} ${formatDuration(c.heartbeatMs ?? 0)}`;
    const who = c.role === 'silent' ? 'silent connection' : `${c.role} (${heartbeat})`;
    const sinceMessage =
      c.textHeartbeat || end.messageSilenceMs < end.ageMs
        ? `, ${formatDuration(end.messageSilenceMs)} after the last message`
        : '';
    const how =
      state === 'lost'
        ? `lost: its ping after ${formatDuration(end.silenceMs)} of silence got no pong`
        : `cut after ${formatDuration(end.silenceMs)} of silence${sinceMessage}, ${formatDuration(end.ageMs)} after opening (code ${end.code ?? '-'}${end.reason ? ` "${end.reason}"` : ''})`;
    this.progress('connection-cut', `round ${c.round}: ${who} ${how}`, this.assess());
  }

  /**
   * A cut at this age: the round has its answers once every connection is either cut too
   * or proven alive past the age a lifetime cap would allow (see assess), plus a ping's
   * wait for its pong when the path drops connections silently.
   */
  private horizonAfterCut(ageMs: number): number {
    // Whole milliseconds: a fractional horizon added to an epoch timestamp rounds, and the
    // wake-up timer could fire a hair before it forever.
    return (
      Math.ceil(ageMs * (1 + this.options.tolerance) + this.settleMs()) +
      1 +
      (silentDropsSeen(this.connections) ? this.options.pongTimeoutMs : 0)
    );
  }

  private settleMs(): number {
    return this.options.settleMs + this.maxHandshakeMs;
  }

  /** Re-assesses after new evidence: finish, end the round, or wait for the next answer. */
  private afterEvidence(): void {
    if (this.finished || this.launching) return;
    const assessment = this.assess();
    if (assessment.leading && assessment.converged) {
      this.closeRound();
      this.progress('round-finished', `round ${this.round} done: ${describeAssessment(assessment)}`, assessment);
      this.finishWithVerdict(assessment);
      return;
    }
    const now = this.clock.now();
    const pending = this.roundConnections().filter(
      (c) => c.state === 'connecting' || (c.state === 'open' && now - c.openedAt < this.roundHorizonMs),
    );
    if (pending.length === 0) {
      this.endRound();
      return;
    }
    // Wake up when the youngest open connection reaches the horizon (connecting ones report).
    const opens = pending.filter((c) => c.state === 'open');
    if (opens.length > 0 && Number.isFinite(this.roundHorizonMs)) {
      const due = Math.max(...opens.map((c) => c.openedAt + this.roundHorizonMs));
      this.roundTimer.value = this.clock.setTimeout(
        () => {
          this.roundTimer.value = undefined;
          this.afterEvidence();
        },
        Math.max(0, due - now),
      );
    } else {
      this.roundTimer.clear();
    }
  }

  private endRound(): void {
    this.closeRound();
    const a = this.assess();
    const round = this.roundConnections();
    const opened = round.some((c) => c.opened);
    this.progress(
      'round-finished',
      `round ${this.round} done: ${opened ? describeAssessment(a) : 'no connection opened'}`,
      a,
    );
    if (!opened) {
      if (this.round === 1) this.finishWithHandshakeError(round);
      else {
        this.finishUnconverged(
          a,
          `round ${this.round}: no connection opened (${describeFailure(round.find((c) => c.failure)?.failure ?? null)})`,
        );
      }
      return;
    }
    if (a.inconsistent) {
      this.finishWithError('inconclusive', describeInconsistency(this.connections));
      return;
    }
    if (a.leading && a.converged) {
      this.finishWithVerdict(a);
      return;
    }
    if (this.round >= this.options.maxRounds) {
      this.finishUnconverged(a, `stopped after ${this.round} rounds`);
      return;
    }
    const { highMs } = this.planningBracket();
    if (highMs / 4 < MIN_HEARTBEAT_MS) {
      this.finishWithError(
        'inconclusive',
        `connections were cut ${formatDuration(highMs)} after opening, too soon for a heartbeat to tell an idle timeout from a lifetime cap${describeCodes(this.connections)}`,
      );
      return;
    }
    // Worth another round only if its top rung can answer within the budget.
    const remaining = this.options.maxDurationMs - this.elapsedMs();
    const topRungAnswersAfter =
      highMs * (1 - this.options.tolerance) +
      this.settleMs() +
      this.maxHandshakeMs +
      (silentDropsSeen(this.connections) ? this.options.pongTimeoutMs : 0);
    if (remaining < topRungAnswersAfter) {
      this.finishUnconverged(
        a,
        `the time limit (${formatDuration(this.options.maxDurationMs)}) left no room for another round`,
      );
      return;
    }
    this.startRound();
  }

  private onDeadline(): void {
    this.deadlineTimer.value = undefined;
    if (this.finished) return;
    this.closeRound();
    const a = this.assess();
    if (a.cuts === 0) {
      const opened = this.connections.some((c) => c.opened);
      if (!opened) this.finishWithHandshakeError(this.roundConnections());
      else this.finishWithNone(a);
      return;
    }
    if (a.inconsistent) this.finishWithError('inconclusive', describeInconsistency(this.connections));
    else this.finishUnconverged(a, `the time limit (${formatDuration(this.options.maxDurationMs)}) was reached`);
  }

  /** Closes the connections still open in this round; their evidence is frozen now. */
  private closeRound(): void {
    this.roundTimer.clear();
    const now = this.clock.now();
    for (const c of this.roundConnections()) {
      if (c.state === 'open') {
        c.state = 'closed';
        c.closedAt = now;
      } else if (c.state === 'connecting') {
        c.state = 'failed';
      }
      this.release(c);
    }
  }

  private roundConnections(): ProbeConnection[] {
    return this.connections.filter((c) => c.round === this.round);
  }

  private release(c: ProbeConnection): void {
    c.textTimer?.dispose();
    c.textTimer = null;
    // Unsubscribe first: disposing a session reports its own 'stopped' event.
    c.subscription?.dispose();
    c.subscription = null;
    const session = c.session;
    c.session = null;
    if (session) {
      this.liveSessions--;
      session.dispose();
    }
  }

  // ---- evidence ----------------------------------------------------------------------------

  private assess(): Assessment {
    return assessEvidence(this.connections, this.clock.now(), this.settleMs(), this.options.tolerance);
  }

  // ---- results -----------------------------------------------------------------------------

  private finishWithVerdict(a: Assessment, extraNote?: string): void {
    const verdict = measureVerdict(a, this.connections, this.options.tolerance);
    const { kind, intervalMs, lowMs, highMs, resetBy, alternatives } = verdict;
    const { summary, advice } = verdictText(verdict, this.options.textHeartbeat !== null);
    const notes = probeNotes(this.connections);
    if (extraNote) notes.push(extraNote);
    this.finish({
      kind,
      intervalMs,
      lowMs,
      highMs,
      converged: a.converged,
      summary,
      advice,
      notes,
      error: null,
      ...(resetBy ? { resetBy } : {}),
      ...(alternatives.length > 0 ? { alternatives } : {}),
    });
  }

  /** Out of time or rounds: the leading explanation with its bracket, or no verdict at all. */
  private finishUnconverged(a: Assessment, why: string): void {
    if (a.leading) {
      this.finishWithVerdict(
        a,
        a.converged ? undefined : `${why} before the bracket reached ±${Math.round(this.options.tolerance * 100)} %`,
      );
      return;
    }
    if (a.cuts === 0) {
      this.finishWithNone(a);
      return;
    }
    const high = a.idle.highMs ?? a.cap.highMs ?? 0;
    this.finishWithError(
      'inconclusive',
      `connections were cut after about ${formatDuration(high)}, but ${why} before the probe could tell an idle timeout from a lifetime cap`,
    );
  }

  private finishWithNone(a: Assessment): void {
    const lowMs = a.idle.lowMs;
    this.finish({
      kind: 'none',
      intervalMs: null,
      lowMs,
      highMs: null,
      converged: true,
      summary: noTimeoutSummary(lowMs),
      advice: '',
      notes: probeNotes(this.connections),
      error: null,
    });
  }

  private finishWithHandshakeError(round: ProbeConnection[]): void {
    const failure = round.find((c) => c.failure)?.failure ?? null;
    const handshake = handshakeErrorOf(failure, this.endpoint.url);
    this.finishWithError('handshake-failed', `could not connect: ${describeFailure(failure)}`, handshake);
  }

  private finishWithError(
    reason: ProbeErrorReason,
    message: string,
    handshake: ProbeHandshakeError | null = null,
  ): void {
    const a = this.assess();
    this.finish({
      kind: 'error',
      intervalMs: null,
      lowMs: a.cuts > 0 || a.idle.lowMs > 0 ? a.idle.lowMs : null,
      highMs: a.idle.highMs,
      converged: false,
      summary: `no verdict: ${message}`,
      advice: handshake?.fix ?? '',
      notes: probeNotes(this.connections),
      error: { reason, message, handshake },
    });
  }

  private finish(
    outcome: Pick<
      ProbeResult,
      | 'kind'
      | 'intervalMs'
      | 'lowMs'
      | 'highMs'
      | 'converged'
      | 'summary'
      | 'advice'
      | 'notes'
      | 'error'
      | 'resetBy'
      | 'alternatives'
    >,
  ): void {
    if (this.finished) return;
    this.finished = true;
    this.closeRound();
    this.releaseEverything();
    const accuracy =
      outcome.highMs !== null && outcome.lowMs !== null && outcome.kind !== 'none' && outcome.kind !== 'error'
        ? round3(relativeHalfWidth(outcome.lowMs, outcome.highMs))
        : null;
    const result: ProbeResult = {
      type: 'probe-result',
      kind: outcome.kind,
      intervalMs: outcome.intervalMs,
      lowMs: outcome.lowMs === null ? null : Math.round(outcome.lowMs),
      highMs: outcome.highMs === null ? null : Math.round(outcome.highMs),
      accuracy,
      converged: outcome.converged,
      ...(outcome.resetBy ? { resetBy: outcome.resetBy } : {}),
      ...(outcome.alternatives ? { alternatives: outcome.alternatives } : {}),
      summary: outcome.summary,
      advice: outcome.advice,
      rounds: this.round,
      connectionsUsed: this.connections.length,
      maxParallel: this.maxParallel,
      elapsedMs: Math.round(this.elapsedMs()),
      limitMs: this.options.maxDurationMs,
      notes: outcome.notes,
      evidence: probeEvidence(this.connections, this.clock.now()),
      error: outcome.error,
    };
    const resolve = this.resolveResult;
    this.resolveResult = null;
    resolve?.(result);
  }

  private releaseEverything(): void {
    this.roundTimer.dispose();
    this.deadlineTimer.dispose();
    for (const timer of this.deferred) timer.dispose();
    this.deferred.clear();
    for (const c of this.connections) this.release(c);
    this.detachSignal?.();
    this.detachSignal = null;
  }

  private elapsedMs(): number {
    return this.clock.monotonic() - this.startedMono;
  }

  private progress(event: ProbeProgress['event'], message: string, a: Assessment): void {
    const h = leadingHypothesis(a);
    const bracket = h.highMs === null ? null : bracketOf(h);
    this._onProgress.fire({
      type: 'probe-progress',
      event,
      round: this.round,
      elapsedMs: Math.round(this.elapsedMs()),
      connectionsAlive: this.connections.filter((c) => c.state === 'open').length,
      connectionsUsed: this.connections.length,
      leading: a.leading,
      lowMs: Math.round(bracket?.lowMs ?? h.lowMs),
      highMs: bracket === null ? null : Math.round(bracket.highMs),
      message,
    });
  }
}

// ---- helpers -------------------------------------------------------------------------------

/** n values spaced evenly strictly between from and to. */
function evenly(from: number, to: number, n: number): number[] {
  if (n <= 0 || !(to > from)) return [];
  return Array.from({ length: n }, (_, i) => Math.round(from + ((to - from) * (i + 1)) / (n + 1)));
}

/** n values spaced geometrically strictly between from and to. */
function geometric(from: number, to: number, n: number): number[] {
  if (n <= 0 || !(to > from)) return [];
  const ratio = Math.pow(to / from, 1 / (n + 1));
  return Array.from({ length: n }, (_, i) => Math.round(from * Math.pow(ratio, i + 1)));
}

function maxOf(values: Array<number | null>): number | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length > 0 ? Math.max(...present) : null;
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
