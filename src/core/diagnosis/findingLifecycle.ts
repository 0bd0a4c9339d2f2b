// A finding's life cycle: active → resolved, and back to active when such a drop happens
// again. A finding is resolved only when the events show the fix working, never on the
// strength of a setting alone:
// - An idle timeout (or a server's close after a stable silence, which a heartbeat keeps
//   away too) resolves when the heartbeat in use fits it (more often than the timeout, and
//   a text heartbeat when the timer counts only messages), and the connection now open has
//   stayed open, without a drop, for twice the timeout, counted from the later of the
//   finding's last drop, the heartbeat's change and the connection's open; and our heartbeat
//   frames of that kind were seen on it since the change, which shows the heartbeat ran (a
//   recorded file's endpoint says only how it was set at export). A connection kept open by
//   chatty traffic alone proves nothing about the fix and resolves nothing. Should the
//   heartbeat stop fitting (turned off, slowed down), the finding is active again: its
//   advice must match the settings.
// - A handshake finding resolves when a later attempt opens.
// - A lifetime cap never resolves here: no heartbeat can help, and a connection that
//   outlives the cap already withdraws the finding (readings.ts). A heartbeat timeout never
//   resolves either: it records that a link died silently, which depends on the network,
//   and nothing we change can be shown to have prevented the next one. Nor does a close
//   frame without a stable silence before it: that was the application's decision.
// - For the user's app seen through the tap (DropAnalyzer's tappedApp), the app's own frames take
//   the place of our heartbeat: the same rule (the connection now open held for twice the
//   timeout since the later of the last drop and its open, with the app's frames of that kind
//   on it), and the words say what the evidence shows: the app's heartbeat when one below the
//   timeout was detected on that connection (AppKeepAlive), its traffic otherwise. The app's
//   traffic does show the drops stopped for that app, which is what the user changed; it is
//   worded as traffic, never as a heartbeat fix.
// Time moves only with the events seen. No timer is needed: a heartbeat fix sends its own
// frames every interval, and each is observed, so the moment the proof is complete is seen
// within one heartbeat interval; a handshake finding resolves on the `open` event itself.

import { formatSeconds } from '../format/duration.js';
import type { HeartbeatSetting } from '../model/endpoint.js';
import type { FindingResolution } from '../model/sessionEvents.js';

/** How long a connection must hold with the fix, in multiples of the finding's timeout. */
export const RESOLVE_AFTER_TIMEOUTS = 2;

/** What a finding needs for it to resolve. */
export type ResolutionBasis =
  | {
      kind: 'heartbeat';
      /** The silence that cut the connection: the heartbeat must come more often. */
      timeoutMs: number;
      /** The timer counts messages only: ping frames do not reset it. */
      textOnly: boolean;
      /** When the finding's most recent drop happened (epoch ms). */
      lastDropT: number;
    }
  | { kind: 'opened'; lastFailureT: number };

/** The heartbeat that fits an active finding, before a connection has proved it. */
export interface PendingFix {
  heartbeat: HeartbeatSetting;
  /** How long a connection must then stay open without such a drop. */
  confirmAfterMs: number;
  /** The heartbeat was changed to this after the finding's last drop (not in use during it). */
  setAfterDrops: boolean;
}

/**
 * For a tapped app: the app's heartbeat on the connection open now, detected from its own frames
 * (appHeartbeat.ts), in the form of a setting; null when none is seen there.
 */
export interface AppKeepAlive {
  heartbeatNow(): HeartbeatSetting | null;
}

export type LifeState =
  | { state: 'active'; pendingFix: PendingFix | null }
  | {
      state: 'resolved';
      resolution: FindingResolution;
      /**
       * The heartbeat that proved the fix: ours, or (`whose: 'app'`) the app's own; null for a
       * handshake finding, or for an app whose traffic, with no heartbeat seen, kept it open.
       */
      heartbeat: HeartbeatSetting | null;
      whose: 'ours' | 'app';
    };

const ACTIVE: LifeState = Object.freeze({ state: 'active', pendingFix: null });

interface Held {
  resolution: FindingResolution;
  heartbeat: HeartbeatSetting | null;
  whose: 'ours' | 'app';
  /** The last drop (or failure) it was resolved after: a later one makes it active again. */
  lastDropT: number;
}

/**
 * Our heartbeat frames seen on the connection now open, since the heartbeat last changed (for a
 * tapped app: the app's frames).
 */
interface OpenConnection {
  openT: number;
  firstHeartbeatT: number | null;
  firstTextHeartbeatT: number | null;
  /** For a tapped app: its frames' cadence since the open (any frame, and messages only). */
  appFrames: FrameCadence;
  appMessages: FrameCadence;
}

/** When frames last came, and the longest silence between them since the connection opened. */
interface FrameCadence {
  lastT: number;
  longestGapMs: number;
}

export class FindingLifecycle {
  private heartbeat: HeartbeatSetting | null;
  /** When the heartbeat last changed, as far as the events tell; -Infinity: in use from the start. */
  private heartbeatSetT = -Infinity;
  /** The latest event time seen. */
  private now = -Infinity;
  private connection: OpenConnection | null = null;
  private lastOpenT = -Infinity;
  private readonly held = new Map<string, Held>();
  /** When a pending proof completes, if the connection holds: judge again at the first event from then. */
  private dueT = Infinity;

  /**
   * `app`: the session is the user's app seen through the tap; heartbeatSent() is then told of
   * every frame the app sends, and `heartbeat` is null (no heartbeat of ours runs on it).
   */
  constructor(
    heartbeat: HeartbeatSetting | null,
    private readonly app: AppKeepAlive | null = null,
  ) {
    this.heartbeat = heartbeat;
  }

  /** An event at `t` was seen. True when a pending proof may be complete: judge again. */
  advance(t: number): boolean {
    if (t > this.now) this.now = t;
    return t >= this.dueT;
  }

  /**
   * The heartbeat in use changed at `t` (default: the latest event's time, the change then
   * counting as after it); false when its kind and interval are the same.
   */
  setHeartbeat(heartbeat: HeartbeatSetting | null, t = this.now): boolean {
    const previous = this.heartbeat;
    this.heartbeat = heartbeat;
    if (previous?.mode === heartbeat?.mode && previous?.intervalMs === heartbeat?.intervalMs) return false;
    if (t > this.now) this.now = t;
    this.heartbeatSetT = t;
    // Frames of the old heartbeat prove nothing about the new one.
    if (this.connection) {
      this.connection.firstHeartbeatT = null;
      this.connection.firstTextHeartbeatT = null;
    }
    return true;
  }

  opened(t: number): void {
    this.connection = {
      openT: t,
      firstHeartbeatT: null,
      firstTextHeartbeatT: null,
      appFrames: { lastT: t, longestGapMs: 0 },
      appMessages: { lastT: t, longestGapMs: 0 },
    };
    if (t > this.lastOpenT) this.lastOpenT = t;
  }

  closed(): void {
    this.connection = null;
  }

  /**
   * Our heartbeat (for a tapped app: the app) sent a frame; true when it is the first of its
   * kind here (a proof may start).
   */
  heartbeatSent(t: number, text: boolean): boolean {
    const c = this.connection;
    if (!c) return false;
    if (this.app) {
      noteFrame(c.appFrames, t);
      if (text) noteFrame(c.appMessages, t);
    }
    let first = false;
    if (c.firstHeartbeatT === null) {
      c.firstHeartbeatT = t;
      first = true;
    }
    if (text && c.firstTextHeartbeatT === null) {
      c.firstTextHeartbeatT = t;
      first = true;
    }
    return first;
  }

  /**
   * The findings are gone (the record was cleared): their resolutions go, while the
   * heartbeat, its last change and the connection open now (its heartbeat frames) stay.
   */
  forgetFindings(): void {
    this.held.clear();
    this.dueT = Infinity;
  }

  /** Before judging all findings: the next due time is recomputed from them. */
  startJudging(): void {
    this.dueT = Infinity;
  }

  /** Where the finding stands now. */
  judge(findingId: string, basis: ResolutionBasis | null): LifeState {
    if (!basis) {
      this.held.delete(findingId);
      return ACTIVE;
    }
    return basis.kind === 'opened'
      ? this.judgeOpened(findingId, basis.lastFailureT)
      : this.judgeHeartbeat(findingId, basis);
  }

  get size(): number {
    return this.held.size;
  }

  private judgeOpened(findingId: string, lastFailureT: number): LifeState {
    const held = this.stillHeld(findingId, lastFailureT);
    if (held) return held;
    if (this.lastOpenT <= lastFailureT) return ACTIVE;
    return this.resolve(findingId, lastFailureT, null, this.app ? 'app' : 'ours', {
      sinceT: this.lastOpenT,
      fix: 'a connection opened',
      heldMs: Math.max(0, this.now - this.lastOpenT),
    });
  }

  private judgeHeartbeat(findingId: string, basis: Extract<ResolutionBasis, { kind: 'heartbeat' }>): LifeState {
    // Our heartbeat must fit before anything counts; the app's frames are weighed once they held.
    const ours = fitsTimeout(this.heartbeat, basis) ? { ...this.heartbeat } : null;
    if (!this.app && !ours) {
      this.held.delete(findingId);
      return ACTIVE;
    }
    const held = this.stillHeld(findingId, basis.lastDropT);
    if (held) return held;
    const confirmAfterMs = RESOLVE_AFTER_TIMEOUTS * basis.timeoutMs;
    // Nothing of ours to put in place on an app's connection: its advice speaks of the app.
    const pending: LifeState = ours
      ? {
          state: 'active',
          // Set at the very time of the drop: the change was seen after it (events come in order).
          pendingFix: { heartbeat: ours, confirmAfterMs, setAfterDrops: this.heartbeatSetT >= basis.lastDropT },
        }
      : ACTIVE;
    const c = this.connection;
    const firstFrameT = c ? (basis.textOnly ? c.firstTextHeartbeatT : c.firstHeartbeatT) : null;
    if (!c || firstFrameT === null) return pending;
    const holdingSince = Math.max(c.openT, this.heartbeatSetT, basis.lastDropT);
    const provenAt = holdingSince + confirmAfterMs;
    if (this.now < provenAt) {
      if (provenAt < this.dueT) this.dueT = provenAt;
      return pending;
    }
    const heldMs = this.now - holdingSince;
    const sinceT = Math.max(basis.lastDropT, this.heartbeatSetT);
    if (!ours) {
      // The app's frames must have come more often than the timeout all along: a connection the
      // server's traffic alone kept open shows nothing the app did.
      const cadence = basis.textOnly ? c.appMessages : c.appFrames;
      if (Math.max(cadence.longestGapMs, this.now - cadence.lastT) >= basis.timeoutMs) return pending;
      const appHeartbeat = this.app?.heartbeatNow() ?? null;
      // A heartbeat slower than the timeout (or pings against a timer that counts messages) did
      // not keep it open: the rest of the app's traffic did.
      const kept = fitsTimeout(appHeartbeat, basis) ? appHeartbeat : null;
      return this.resolve(findingId, basis.lastDropT, kept && { ...kept }, 'app', {
        sinceT,
        fix: kept ? `the app's ${heartbeatFixText(kept)}` : "the app's traffic",
        heldMs,
      });
    }
    return this.resolve(findingId, basis.lastDropT, ours, 'ours', { sinceT, fix: heartbeatFixText(ours), heldMs });
  }

  /** A resolution that still stands: no drop since it was judged. */
  private stillHeld(findingId: string, lastDropT: number): LifeState | null {
    const held = this.held.get(findingId);
    if (!held) return null;
    if (held.lastDropT === lastDropT) {
      return { state: 'resolved', resolution: held.resolution, heartbeat: held.heartbeat, whose: held.whose };
    }
    this.held.delete(findingId);
    return null;
  }

  private resolve(
    findingId: string,
    lastDropT: number,
    heartbeat: HeartbeatSetting | null,
    whose: 'ours' | 'app',
    resolution: FindingResolution,
  ): LifeState {
    this.held.set(findingId, { resolution, heartbeat, whose, lastDropT });
    return { state: 'resolved', resolution, heartbeat, whose };
  }
}

function noteFrame(cadence: FrameCadence, t: number): void {
  cadence.longestGapMs = Math.max(cadence.longestGapMs, t - cadence.lastT);
  cadence.lastT = t;
}

/** A heartbeat more frequent than the timeout, and a text one when the timer counts only messages. */
function fitsTimeout(
  heartbeat: HeartbeatSetting | null,
  basis: Extract<ResolutionBasis, { kind: 'heartbeat' }>,
): heartbeat is HeartbeatSetting {
  return (
    heartbeat !== null &&
    heartbeat.mode !== 'off' &&
    heartbeat.intervalMs < basis.timeoutMs &&
    (!basis.textOnly || heartbeat.mode === 'text')
  );
}

/** "heartbeat every 4 s", "text heartbeat every 4 s": what fixed it, short enough for a label. */
export function heartbeatFixText(heartbeat: HeartbeatSetting): string {
  return `${heartbeat.mode === 'text' ? 'text heartbeat' : 'heartbeat'} every ${formatSeconds(heartbeat.intervalMs)}`;
}
