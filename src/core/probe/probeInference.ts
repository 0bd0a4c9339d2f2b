// The probe's reasoning, without sessions or timers: what each connection proved (silences
// survived, ages alive, where it was cut) becomes a bracket on an idle timeout and on a
// lifetime cap, the explanation the evidence leaves standing, and the measured value.

import type { HandshakeFailedEvent } from '../model/sessionEvents.js';

/** silent: heartbeat off; control: the fast heartbeat; ladder: one rung of heartbeat intervals. */
export type ProbeRole = 'silent' | 'control' | 'ladder';

export type ConnectionState = 'connecting' | 'open' | 'cut' | 'lost' | 'failed' | 'closed';

/** What the probe saw of one connection; the orchestration adds the session it runs on. */
export interface ObservedConnection {
  round: number;
  role: ProbeRole;
  heartbeatMs: number | null;
  state: ConnectionState;
  opened: boolean;
  openedAt: number;
  /** Inbound frames are what prove the path alive; the open counts as one. */
  lastInboundAt: number;
  longestGap: number;
  lastAliveAge: number;
  inboundFrames: number;
  /** When the probe closed it (state `closed`): the moment its evidence is frozen at. */
  closedAt: number;
  /** When the cut reached us (state `cut`). */
  endedAt: number;
  end: { ageMs: number; silenceMs: number; code: number | null; reason: string | null } | null;
  failure: HandshakeFailedEvent | null;
}

export interface Hypothesis {
  lowMs: number;
  highMs: number | null;
  consistent: boolean;
}

export interface Assessment {
  cuts: number;
  idle: Hypothesis;
  cap: Hypothesis;
  leading: 'idle-timeout' | 'lifetime-cap' | null;
  /** Neither hypothesis fits the evidence. */
  inconsistent: boolean;
  converged: boolean;
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
  let capLow = 0;
  let idleHigh: number | null = null;
  let capHigh: number | null = null;
  let cuts = 0;
  const silentDrops = silentDropsSeen(connections);
  for (const c of connections) {
    if (!c.opened) continue;
    const { survivedSilence, aliveAge } = proven(c, now, settle, silentDrops);
    idleLow = Math.max(idleLow, survivedSilence);
    capLow = Math.max(capLow, aliveAge);
    if (c.end) {
      cuts++;
      idleHigh = idleHigh === null ? c.end.silenceMs : Math.min(idleHigh, c.end.silenceMs);
      capHigh = capHigh === null ? c.end.ageMs : Math.min(capHigh, c.end.ageMs);
    }
  }
  const hypothesis = (lowMs: number, highMs: number | null): Hypothesis => ({
    lowMs,
    highMs,
    consistent: highMs === null || lowMs <= highMs * (1 + tol),
  });
  const idle = hypothesis(idleLow, idleHigh);
  const cap = hypothesis(capLow, capHigh);
  let leading: Assessment['leading'] = null;
  if (cuts > 0 && idle.consistent && !cap.consistent) leading = 'idle-timeout';
  if (cuts > 0 && cap.consistent && !idle.consistent) leading = 'lifetime-cap';
  const chosen = bracketOf(leading === 'lifetime-cap' ? cap : idle);
  // Two cuts at least: one drop is an anecdote, two that agree are a measurement.
  const converged = leading !== null && cuts >= 2 && relativeHalfWidth(chosen.lowMs, chosen.highMs) <= tol;
  return { cuts, idle, cap, leading, inconsistent: cuts > 0 && !idle.consistent && !cap.consistent, converged };
}

/** The value a decided assessment measured, and its bracket. */
export function measureVerdict(
  a: Assessment,
  connections: readonly ObservedConnection[],
  tolerance: number,
): { kind: 'idle-timeout' | 'lifetime-cap'; intervalMs: number; lowMs: number; highMs: number } {
  const kind = a.leading!;
  const { lowMs, highMs } = bracketOf(kind === 'idle-timeout' ? a.idle : a.cap);
  // Cuts are direct measurements; their median, kept inside the bracket, is the value. An
  // unanswered ping only says the path was dead by then: no measurement, take the middle.
  const measured = connections
    .filter((c) => c.state === 'cut')
    .map((c) => (kind === 'idle-timeout' ? c.end!.silenceMs : c.end!.ageMs))
    .filter((ms) => ms >= lowMs && ms <= highMs * (1 + tolerance));
  const intervalMs = Math.round(clamp(measured.length > 0 ? median(measured) : (lowMs + highMs) / 2, lowMs, highMs));
  return { kind, intervalMs, lowMs, highMs };
}

/**
 * A ping went unanswered: this path drops connections without a close, so a connection
 * that looks open proves nothing; only pongs and other inbound frames do.
 */
export function silentDropsSeen(connections: readonly ObservedConnection[]): boolean {
  return connections.some((c) => c.state === 'lost');
}

/**
 * What a connection proved: the longest silence it lived through and the oldest age it was
 * alive at. Inbound frames prove both. A connection with no close in sight also proves it was
 * alive until a cut could have reached us, settle ago, and a cut after s ms of silence proves
 * it alive at s - settle. A path that drops connections without a close breaks that
 * inference: then only inbound frames count.
 */
export function proven(
  c: ObservedConnection,
  now: number,
  settle: number,
  silentDrops: boolean,
): { survivedSilence: number; aliveAge: number } {
  let until: number | null = null;
  if (!silentDrops) {
    if (c.state === 'open') until = now - settle;
    else if (c.state === 'closed') until = c.closedAt - settle;
    else if (c.state === 'cut') until = c.endedAt - settle;
  }
  if (until === null) return { survivedSilence: c.longestGap, aliveAge: c.lastAliveAge };
  return {
    survivedSilence: Math.max(c.longestGap, until - c.lastInboundAt),
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
