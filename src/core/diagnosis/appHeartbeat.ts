// The heartbeat an application ran on a connection someone else recorded (a browser's HAR,
// a proxy's capture): a short message, or ping frames, repeated at a steady interval. The
// advice for a captured connection speaks of that heartbeat, never of a setting of ours.

import { formatSeconds } from '../format/duration.js';
import type { SessionEvent } from '../model/sessionEvents.js';

/** A heartbeat seen in a record. */
export interface AppHeartbeat {
  /** 'text' for a short text message (`ping`, `2`, `{"type":"ping"}`), 'ping' for ping frames. */
  frame: 'text' | 'ping';
  /** The text message as sent; '' for ping frames. */
  payload: string;
  /** Who sent it: 'out' the application, 'in' its server. */
  direction: 'in' | 'out';
  /** The answer that followed most of them (`pong`, `3`), when one did. */
  reply: string | null;
  /** The usual time between two of them on one connection. */
  intervalMs: number;
  occurrences: number;
}

/** Messages longer than this are application data, not a heartbeat. */
const MAX_PAYLOAD_CHARS = 40;
/** Fewer repetitions than this are not a pattern. */
const MIN_OCCURRENCES = 3;
/** At least this share of the intervals must lie near the usual one (beats missed in between are allowed). */
const MIN_REGULAR_SHARE = 0.6;
/** Distinct short messages followed at once; a chat of short messages stops adding new ones here. */
const MAX_CANDIDATES = 64;
/** Intervals kept per candidate, enough for a median. */
const MAX_INTERVALS = 2048;
/** A heartbeat faster than this is traffic, not a keep-alive. */
const MIN_INTERVAL_MS = 2_000;

interface Candidate {
  frame: 'text' | 'ping';
  payload: string;
  direction: 'in' | 'out';
  occurrences: number;
  lastT: number | null;
  intervals: number[];
  /** Times of the occurrences (bounded), to look for replies. */
  times: number[];
}

/**
 * Finds the heartbeat in a record: the short message (or ping frame) repeated most often at
 * a steady interval within connections. Null when nothing repeats regularly enough.
 */
export function detectAppHeartbeat(events: Iterable<SessionEvent>): AppHeartbeat | null {
  const candidates = new Map<string, Candidate>();
  const replies: Array<{ t: number; direction: 'in' | 'out'; payload: string }> = [];
  const take = (frame: 'text' | 'ping', direction: 'in' | 'out', payload: string, t: number) => {
    const key = `${frame}\u0000${direction}\u0000${payload}`;
    let candidate = candidates.get(key);
    if (!candidate) {
      if (candidates.size >= MAX_CANDIDATES) return;
      candidate = { frame, payload, direction, occurrences: 0, lastT: null, intervals: [], times: [] };
      candidates.set(key, candidate);
    }
    candidate.occurrences++;
    if (candidate.lastT !== null && candidate.intervals.length < MAX_INTERVALS) {
      candidate.intervals.push(t - candidate.lastT);
    }
    candidate.lastT = t;
    if (candidate.times.length < MAX_INTERVALS) candidate.times.push(t);
  };
  for (const event of events) {
    if (event.type === 'open' || event.type === 'close') {
      // Intervals are measured within one connection only.
      for (const candidate of candidates.values()) candidate.lastT = null;
    } else if (event.type === 'message' && event.opcode === 'text' && event.data.length <= MAX_PAYLOAD_CHARS) {
      take('text', event.direction, event.data, event.t);
      if (replies.length < MAX_INTERVALS * 4) {
        replies.push({ t: event.t, direction: event.direction, payload: event.data });
      }
    } else if (event.type === 'ping') {
      take('ping', event.direction, '', event.t);
    }
  }
  let best: { candidate: Candidate; intervalMs: number } | null = null;
  for (const candidate of candidates.values()) {
    if (candidate.occurrences < MIN_OCCURRENCES || candidate.intervals.length < MIN_OCCURRENCES - 1) continue;
    const intervalMs = median(candidate.intervals);
    if (intervalMs < MIN_INTERVAL_MS) continue;
    const regular = candidate.intervals.filter((gap) => isNearMultiple(gap, intervalMs)).length;
    if (regular / candidate.intervals.length < MIN_REGULAR_SHARE) continue;
    if (!best || candidate.occurrences > best.candidate.occurrences) best = { candidate, intervalMs };
  }
  if (!best) return null;
  const { candidate, intervalMs } = best;
  return {
    frame: candidate.frame,
    payload: candidate.payload,
    direction: candidate.direction,
    reply: candidate.frame === 'text' ? replyOf(candidate, intervalMs, replies) : null,
    intervalMs: Math.round(intervalMs),
    occurrences: candidate.occurrences,
  };
}

/** `"ping" every 25 s (answered "pong")`, or `ping frames every 30 s`. */
export function describeAppHeartbeat(heartbeat: AppHeartbeat): string {
  const every = formatSeconds(heartbeat.intervalMs);
  const what = heartbeat.frame === 'ping' ? 'ping frames' : `"${heartbeat.payload}"`;
  const by = heartbeat.direction === 'out' ? 'the application' : 'the server';
  const reply = heartbeat.reply === null ? '' : `, answered "${heartbeat.reply}"`;
  return `${what} from ${by} every ${every}${reply}`;
}

/** The short message in the other direction that followed most heartbeats promptly. */
function replyOf(
  candidate: Candidate,
  intervalMs: number,
  messages: ReadonlyArray<{ t: number; direction: 'in' | 'out'; payload: string }>,
): string | null {
  const within = Math.min(5_000, intervalMs / 2);
  const counts = new Map<string, number>();
  let next = 0;
  for (const t of candidate.times) {
    while (next < messages.length && messages[next]!.t < t) next++;
    for (let i = next; i < messages.length && messages[i]!.t - t <= within; i++) {
      const message = messages[i]!;
      if (message.direction !== candidate.direction) {
        counts.set(message.payload, (counts.get(message.payload) ?? 0) + 1);
        break;
      }
    }
  }
  let reply: string | null = null;
  let most = 0;
  for (const [payload, count] of counts) {
    if (count > most) [reply, most] = [payload, count];
  }
  return most >= candidate.times.length * MIN_REGULAR_SHARE ? reply : null;
}

/** Within 20 % of the interval, or of two or three of them (a missed or throttled beat). */
function isNearMultiple(gapMs: number, intervalMs: number): boolean {
  return [1, 2, 3].some((n) => Math.abs(gapMs - n * intervalMs) <= intervalMs * 0.2);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}
