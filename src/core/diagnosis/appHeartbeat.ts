// The heartbeat an application ran on a connection someone else recorded (a browser's HAR,
// a proxy's capture): a short message, or ping frames, repeated at a steady interval. The
// advice for a captured connection speaks of that heartbeat, never of a setting of ours.

import { formatSeconds } from '../format/duration.js';
import type { SessionEvent } from '../model/sessionEvents.js';
import { SlidingWindow } from './recentWindow.js';

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
/** Distinct short messages followed at once; past it, the least repeated one makes room. */
const MAX_CANDIDATES = 64;
/** Intervals (and times) kept per candidate, enough for a median: the most recent ones. */
const MAX_INTERVALS = 2048;
/** A heartbeat faster than this is traffic, not a keep-alive (advice.ts says so when it matters). */
export const MIN_APP_HEARTBEAT_MS = 2_000;

interface Candidate {
  frame: 'text' | 'ping';
  payload: string;
  direction: 'in' | 'out';
  occurrences: number;
  lastT: number | null;
  /** The most recent intervals within connections. */
  intervals: SlidingWindow<number>;
  /** Times of the most recent occurrences, to look for replies. */
  times: SlidingWindow<number>;
}

interface Reply {
  t: number;
  direction: 'in' | 'out';
  payload: string;
}

/**
 * Finds the heartbeat in a record: the short message (or ping frame) repeated most often at
 * a steady interval within connections. Null when nothing repeats regularly enough.
 */
export function detectAppHeartbeat(events: Iterable<SessionEvent>): AppHeartbeat | null {
  const watch = new AppHeartbeatWatch();
  for (const event of events) watch.observe(event);
  return watch.current();
}

/**
 * The same detection, event by event, for a connection watched live (the tap): give it the
 * events whose frames count (a tap gives the app's own), and ask current() when the advice is
 * written. Memory stays bounded however long it runs: the most recent intervals per candidate,
 * and when more distinct short messages come than it follows, the least repeated one leaves.
 */
export class AppHeartbeatWatch {
  private readonly candidates = new Map<string, Candidate>();
  private readonly replies = new SlidingWindow<Reply>(MAX_INTERVALS * 4);
  /** The last answer of current(); undefined once a frame may have changed it. */
  private latest: AppHeartbeat | null | undefined = null;

  /** Takes one event (frames, and the opens and closes that bound connections). */
  observe(event: SessionEvent): void {
    if (event.type === 'open' || event.type === 'close') {
      // Intervals are measured within one connection only.
      for (const candidate of this.candidates.values()) candidate.lastT = null;
    } else if (event.type === 'message' && event.opcode === 'text' && event.data.length <= MAX_PAYLOAD_CHARS) {
      this.take('text', event.direction, event.data, event.t);
      this.replies.push({ t: event.t, direction: event.direction, payload: event.data });
    } else if (event.type === 'ping') {
      this.take('ping', event.direction, '', event.t);
    }
  }

  /** The heartbeat the frames so far show, or null. */
  current(): AppHeartbeat | null {
    if (this.latest === undefined) this.latest = this.detect();
    return this.latest;
  }

  private take(frame: 'text' | 'ping', direction: 'in' | 'out', payload: string, t: number): void {
    const key = `${frame}\u0000${direction}\u0000${payload}`;
    let candidate = this.candidates.get(key);
    if (!candidate) {
      if (this.candidates.size >= MAX_CANDIDATES) this.forgetLeastRepeated();
      candidate = {
        frame,
        payload,
        direction,
        occurrences: 0,
        lastT: null,
        intervals: new SlidingWindow<number>(MAX_INTERVALS),
        times: new SlidingWindow<number>(MAX_INTERVALS),
      };
      this.candidates.set(key, candidate);
    }
    candidate.occurrences++;
    if (candidate.lastT !== null) candidate.intervals.push(t - candidate.lastT);
    candidate.lastT = t;
    candidate.times.push(t);
    this.latest = undefined;
  }

  /** Makes room for a new candidate: a chat of distinct short messages must not crowd the heartbeat out. */
  private forgetLeastRepeated(): void {
    let least: [string, Candidate] | null = null;
    for (const entry of this.candidates) {
      if (!least || entry[1].occurrences < least[1].occurrences) least = entry;
    }
    if (least) this.candidates.delete(least[0]);
  }

  private detect(): AppHeartbeat | null {
    let best: { candidate: Candidate; intervalMs: number } | null = null;
    for (const candidate of this.candidates.values()) {
      if (candidate.occurrences < MIN_OCCURRENCES || candidate.intervals.size < MIN_OCCURRENCES - 1) continue;
      const intervals = candidate.intervals.toArray();
      const intervalMs = median(intervals);
      if (intervalMs < MIN_APP_HEARTBEAT_MS) continue;
      const regular = intervals.filter((gap) => isNearMultiple(gap, intervalMs)).length;
      if (regular / intervals.length < MIN_REGULAR_SHARE) continue;
      if (!best || candidate.occurrences > best.candidate.occurrences) best = { candidate, intervalMs };
    }
    if (!best) return null;
    const { candidate, intervalMs } = best;
    return {
      frame: candidate.frame,
      payload: candidate.payload,
      direction: candidate.direction,
      reply: candidate.frame === 'text' ? replyOf(candidate, intervalMs, this.replies.toArray()) : null,
      intervalMs: Math.round(intervalMs),
      occurrences: candidate.occurrences,
    };
  }
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
function replyOf(candidate: Candidate, intervalMs: number, messages: readonly Reply[]): string | null {
  const within = Math.min(5_000, intervalMs / 2);
  const counts = new Map<string, number>();
  let next = 0;
  const times = candidate.times.toArray();
  for (const t of times) {
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
  return most >= times.length * MIN_REGULAR_SHARE ? reply : null;
}

/** Within 20 % of the interval, or of two or three of them (a missed or throttled beat). */
function isNearMultiple(gapMs: number, intervalMs: number): boolean {
  return [1, 2, 3].some((n) => Math.abs(gapMs - n * intervalMs) <= intervalMs * 0.2);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}
