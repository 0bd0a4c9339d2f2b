// The probe's reasoning, without sessions or timers: what each connection proved (silences
// survived, ages alive, where it was cut) becomes a bracket on an idle timeout and on a
// lifetime cap, the explanation the evidence leaves standing, and the measured value.
//
// Three explanations are weighed: an idle timeout whose timer any frame resets (pings too),
// one whose timer only messages reset, and a lifetime cap. Silent connections fit all three;
// ping connections that outlive a silent one rule out the cap and the messages-only timeout;
// ping connections cut at the silent ones' age fit the cap and the messages-only timeout
// alike, and only a connection that sends messages (a text heartbeat) tells those two apart.

import type { DiagnosisAlternative, HandshakeFailedEvent, ResetBy } from '../model/sessionEvents.js';

/** silent: heartbeat off; control: the fast heartbeat; ladder: one rung of heartbeat intervals. */
export type ProbeRole = 'silent' | 'control' | 'ladder';

export type ConnectionState = 'connecting' | 'open' | 'cut' | 'lost' | 'failed' | 'closed';

/**
 * Quiet spells on one connection as one explanation counts traffic: `frames` (inbound frames
 * and the messages we sent, for an idle timeout any frame resets) or `messages` (messages in
 * either direction, for one only messages reset). The open starts the first spell.
 */
export interface QuietTrack {
  /** When the last counted frame passed (the open at first). */
  lastAt: number;
  /**
   * Each spell longer than every earlier one, ended by a counted frame at `at`: survived once
   * the connection is known alive at `at`. Increasing in both fields.
   */
  records: Array<{ at: number; quietMs: number }>;
  /** The longest spell an inbound frame proved survived (it arrived, so the path was alive). */
  provenMs: number;
}

export function quietTrack(at: number): QuietTrack {
  return { lastAt: at, records: [], provenMs: 0 };
}

/** A counted frame at t ends the current spell. */
export function noteQuietEnd(track: QuietTrack, t: number, inbound: boolean): void {
  const quiet = t - track.lastAt;
  if (inbound) track.provenMs = Math.max(track.provenMs, quiet);
  const last = track.records[track.records.length - 1];
  if (quiet > (last?.quietMs ?? 0)) track.records.push({ at: t, quietMs: quiet });
  track.lastAt = t;
}

/** An inbound frame that is not counted still proves the path alive after the current spell so far. */
export function noteAliveDuringQuiet(track: QuietTrack, t: number): void {
  track.provenMs = Math.max(track.provenMs, t - track.lastAt);
}

/** The longest spell survived by a connection known alive at `until`. */
function survivedUntil(track: QuietTrack, until: number): number {
  let survived = Math.max(track.provenMs, until - track.lastAt);
  for (let i = track.records.length - 1; i >= 0; i--) {
    const record = track.records[i]!;
    if (record.at <= until) {
      survived = Math.max(survived, record.quietMs);
      break;
    }
  }
  return survived;
}

/** What the probe saw of one connection; the orchestration adds the session it runs on. */
export interface ObservedConnection {
  round: number;
  role: ProbeRole;
  /** Heartbeat interval; null for a silent connection. */
  heartbeatMs: number | null;
  /** Its heartbeat is a text message (the probe's text heartbeat) rather than a ping frame. */
  textHeartbeat: boolean;
  state: ConnectionState;
  opened: boolean;
  openedAt: number;
  /** Inbound frames are what prove the path alive; the open counts as one. */
  lastInboundAt: number;
  longestGap: number;
  lastAliveAge: number;
  inboundFrames: number;
  /** Quiet spells between frames (inbound, or messages we sent). */
  frames: QuietTrack;
  /** Quiet spells between messages (either direction): pings and pongs do not end them. */
  messages: QuietTrack;
  /** When the probe closed it (state `closed`): the moment its evidence is frozen at. */
  closedAt: number;
  /** When the cut reached us (state `cut`). */
  endedAt: number;
  /** silenceMs: since the last frame; messageSilenceMs: since the last message (or the open). */
  end: {
    ageMs: number;
    silenceMs: number;
    messageSilenceMs: number;
    code: number | null;
    reason: string | null;
  } | null;
  failure: HandshakeFailedEvent | null;
}

export interface Hypothesis {
  lowMs: number;
  highMs: number | null;
  consistent: boolean;
}

export interface Assessment {
  cuts: number;
  /** An idle timeout any frame resets (bounded by silences between frames). */
  idle: Hypothesis;
  /** An idle timeout only messages reset (bounded by silences between messages). */
  messageIdle: Hypothesis;
  cap: Hypothesis;
  leading: 'idle-timeout' | 'lifetime-cap' | null;
  /** For a leading idle timeout: what resets its timer, as far as the evidence shows. */
  resetBy: ResetBy | null;
  /**
   * A leading lifetime cap that an idle timeout only messages reset fits as well: no
   * connection that sent messages lived, or was cut, past the cap's age.
   */
  ambiguous: boolean;
  /** No hypothesis fits the evidence. */
  inconsistent: boolean;
  converged: boolean;
}

/** The hypothesis a decided assessment measures with. */
export function leadingHypothesis(a: Assessment): Hypothesis {
  if (a.leading === 'lifetime-cap') return a.cap;
  return a.leading === 'idle-timeout' && a.resetBy === 'messages' ? a.messageIdle : a.idle;
}

/**
 * Brackets the timeout under both hypotheses at once and keeps the one the evidence does not
 * contradict. `settle`: how long a cut may take to reach us; `tol`: the relative accuracy wanted.
 */
export function assessEvidence(
  connections: readonly ObservedConnection[],
  now: number,
  settle: number,
  tol: number,
): Assessment {
  let idleLow = 0;
  let messageLow = 0;
  let capLow = 0;
  let idleHigh: number | null = null;
  let messageHigh: number | null = null;
  let capHigh: number | null = null;
  let cuts = 0;
  const silentDrops = silentDropsSeen(connections);
  for (const c of connections) {
    if (!c.opened) continue;
    const { survivedSilence, survivedMessageSilence, aliveAge } = proven(c, now, settle, silentDrops);
    idleLow = Math.max(idleLow, survivedSilence);
    messageLow = Math.max(messageLow, survivedMessageSilence);
    capLow = Math.max(capLow, aliveAge);
    if (c.end) {
      cuts++;
      idleHigh = idleHigh === null ? c.end.silenceMs : Math.min(idleHigh, c.end.silenceMs);
      messageHigh = messageHigh === null ? c.end.messageSilenceMs : Math.min(messageHigh, c.end.messageSilenceMs);
      capHigh = capHigh === null ? c.end.ageMs : Math.min(capHigh, c.end.ageMs);
    }
  }
  const hypothesis = (lowMs: number, highMs: number | null): Hypothesis => ({
    lowMs,
    highMs,
    consistent: highMs === null || lowMs <= highMs * (1 + tol),
  });
  const idle = hypothesis(idleLow, idleHigh);
  const messageIdle = hypothesis(messageLow, messageHigh);
  const cap = hypothesis(capLow, capHigh);
  let leading: Assessment['leading'] = null;
  let resetBy: ResetBy | null = null;
  let ambiguous = false;
  if (cuts > 0) {
    if (!cap.consistent && idle.consistent) {
      leading = 'idle-timeout';
      // A ping connection that outlived the timeout rules out a timeout only messages reset.
      resetBy = messageIdle.consistent ? 'unknown' : 'any-frame';
    } else if (!cap.consistent && messageIdle.consistent) {
      leading = 'idle-timeout';
      resetBy = 'messages';
    } else if (cap.consistent && !idle.consistent) {
      leading = 'lifetime-cap';
      ambiguous = messageIdle.consistent;
    }
  }
  const a: Assessment = {
    cuts,
    idle,
    messageIdle,
    cap,
    leading,
    resetBy,
    ambiguous,
    inconsistent: cuts > 0 && !idle.consistent && !messageIdle.consistent && !cap.consistent,
    converged: false,
  };
  const chosen = bracketOf(leadingHypothesis(a));
  // A connection that can still tell the readings apart is on its way past the cut's age:
  // one sending messages (a cap, or an idle timeout only messages reset?), or one sending
  // pings (is the timer reset by any frame, or by messages only?).
  const settling =
    (ambiguous && connections.some((c) => c.textHeartbeat && c.state === 'open')) ||
    (resetBy === 'unknown' &&
      connections.some((c) => c.heartbeatMs !== null && !c.textHeartbeat && c.state === 'open'));
  // Two cuts at least: one drop is an anecdote, two that agree are a measurement.
  a.converged = leading !== null && cuts >= 2 && !settling && relativeHalfWidth(chosen.lowMs, chosen.highMs) <= tol;
  return a;
}

/** The value a decided assessment measured, and its bracket. */
export function measureVerdict(
  a: Assessment,
  connections: readonly ObservedConnection[],
  tolerance: number,
): {
  kind: 'idle-timeout' | 'lifetime-cap';
  resetBy: ResetBy | null;
  alternatives: DiagnosisAlternative[];
  intervalMs: number;
  lowMs: number;
  highMs: number;
} {
  const kind = a.leading!;
  const byMessages = kind === 'idle-timeout' && a.resetBy === 'messages';
  const measure = (h: Hypothesis, of: (end: NonNullable<ObservedConnection['end']>) => number) => {
    const { lowMs, highMs } = bracketOf(h);
    // Cuts are direct measurements; their median, kept inside the bracket, is the value. An
    // unanswered ping only says the path was dead by then: no measurement, take the middle.
    const measured = connections
      .filter((c) => c.state === 'cut')
      .map((c) => of(c.end!))
      .filter((ms) => ms >= lowMs && ms <= highMs * (1 + tolerance));
    const intervalMs = Math.round(clamp(measured.length > 0 ? median(measured) : (lowMs + highMs) / 2, lowMs, highMs));
    return { intervalMs, lowMs, highMs };
  };
  const measured =
    kind === 'lifetime-cap'
      ? measure(a.cap, (end) => end.ageMs)
      : byMessages
        ? measure(a.messageIdle, (end) => end.messageSilenceMs)
        : measure(a.idle, (end) => end.silenceMs);
  const alternatives: DiagnosisAlternative[] = a.ambiguous
    ? [
        {
          kind: 'idle-timeout',
          resetBy: 'messages',
          intervalMs: measure(a.messageIdle, (end) => end.messageSilenceMs).intervalMs,
        },
      ]
    : [];
  return { kind, resetBy: kind === 'idle-timeout' ? a.resetBy : null, alternatives, ...measured };
}

/**
 * A ping went unanswered: this path drops connections without a close, so a connection
 * that looks open proves nothing; only pongs and other inbound frames do.
 */
export function silentDropsSeen(connections: readonly ObservedConnection[]): boolean {
  return connections.some((c) => c.state === 'lost');
}

/**
 * What a connection proved: the longest silence it lived through (between frames, and between
 * messages) and the oldest age it was alive at. Inbound frames prove them. A connection with no
 * close in sight also proves it was alive until a cut could have reached us, settle ago, and a
 * cut after s ms of silence proves it alive at s - settle. A path that drops connections
 * without a close breaks that inference: then only inbound frames count.
 */
export function proven(
  c: ObservedConnection,
  now: number,
  settle: number,
  silentDrops: boolean,
): { survivedSilence: number; survivedMessageSilence: number; aliveAge: number } {
  let until: number | null = null;
  if (!silentDrops) {
    if (c.state === 'open') until = now - settle;
    else if (c.state === 'closed') until = c.closedAt - settle;
    else if (c.state === 'cut') until = c.endedAt - settle;
  }
  if (until === null) {
    return { survivedSilence: c.longestGap, survivedMessageSilence: c.messages.provenMs, aliveAge: c.lastAliveAge };
  }
  return {
    survivedSilence: Math.max(c.longestGap, survivedUntil(c.frames, until)),
    survivedMessageSilence: survivedUntil(c.messages, until),
    aliveAge: Math.max(c.lastAliveAge, until - c.openedAt),
  };
}

/**
 * The range the evidence gives. Cut times jitter by a few ms, so a survivor may outlast the
 * earliest cut by a hair (within the tolerance); the range then spans both.
 */
export function bracketOf(h: Hypothesis): { lowMs: number; highMs: number } {
  const high = h.highMs ?? Infinity;
  return { lowMs: Math.min(h.lowMs, high), highMs: Math.max(h.lowMs, high) };
}

export function relativeHalfWidth(low: number, high: number): number {
  if (!Number.isFinite(high)) return Infinity;
  return high + low === 0 ? 0 : (high - low) / (high + low);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), high);
}
