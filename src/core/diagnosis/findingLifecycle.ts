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

export type LifeState =
  | { state: 'active'; pendingFix: PendingFix | null }
  | {
      state: 'resolved';
      resolution: FindingResolution;
      /** The heartbeat that proved the fix; null for a handshake finding. */
      heartbeat: HeartbeatSetting | null;
    };

const ACTIVE: LifeState = Object.freeze({ state: 'active', pendingFix: null });

interface Held {
  resolution: FindingResolution;
  heartbeat: HeartbeatSetting | null;
  /** The last drop (or failure) it was resolved after: a later one makes it active again. */
  lastDropT: number;
}

/** Our heartbeat frames seen on the connection now open, since the heartbeat last changed. */
interface OpenConnection {
  openT: number;
  firstHeartbeatT: number | null;
  firstTextHeartbeatT: number | null;
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

  constructor(heartbeat: HeartbeatSetting | null) {
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
    this.connection = { openT: t, firstHeartbeatT: null, firstTextHeartbeatT: null };
    if (t > this.lastOpenT) this.lastOpenT = t;
  }

  closed(): void {
    this.connection = null;
  }

  /** Our heartbeat sent a frame; true when it is the first of its kind here (a proof may start). */
  heartbeatSent(t: number, text: boolean): boolean {
    const c = this.connection;
    if (!c) return false;
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
    return this.resolve(findingId, lastFailureT, null, {
      sinceT: this.lastOpenT,
      fix: 'a connection opened',
      heldMs: Math.max(0, this.now - this.lastOpenT),
    });
  }

  private judgeHeartbeat(findingId: string, basis: Extract<ResolutionBasis, { kind: 'heartbeat' }>): LifeState {
    const heartbeat = this.heartbeat;
    const fits =
      heartbeat !== null &&
      heartbeat.mode !== 'off' &&
      heartbeat.intervalMs < basis.timeoutMs &&
      (!basis.textOnly || heartbeat.mode === 'text');
    if (!fits) {
      this.held.delete(findingId);
      return ACTIVE;
    }
    const held = this.stillHeld(findingId, basis.lastDropT);
    if (held) return held;
    const confirmAfterMs = RESOLVE_AFTER_TIMEOUTS * basis.timeoutMs;
    const pending: LifeState = {
      state: 'active',
      // Set at the very time of the drop: the change was seen after it (events come in order).
      pendingFix: { heartbeat, confirmAfterMs, setAfterDrops: this.heartbeatSetT >= basis.lastDropT },
    };
    const c = this.connection;
    const firstFrameT = c ? (basis.textOnly ? c.firstTextHeartbeatT : c.firstHeartbeatT) : null;
    if (!c || firstFrameT === null) return pending;
    const holdingSince = Math.max(c.openT, this.heartbeatSetT, basis.lastDropT);
    const provenAt = holdingSince + confirmAfterMs;
    if (this.now < provenAt) {
      if (provenAt < this.dueT) this.dueT = provenAt;
      return pending;
    }
    return this.resolve(
      findingId,
      basis.lastDropT,
      { ...heartbeat },
      {
        sinceT: Math.max(basis.lastDropT, this.heartbeatSetT),
        fix: heartbeatFixText(heartbeat),
        heldMs: this.now - holdingSince,
      },
    );
  }

  /** A resolution that still stands: no drop since it was judged. */
  private stillHeld(findingId: string, lastDropT: number): LifeState | null {
    const held = this.held.get(findingId);
    if (!held) return null;
    if (held.lastDropT === lastDropT) {
      return { state: 'resolved', resolution: held.resolution, heartbeat: held.heartbeat };
    }
    this.held.delete(findingId);
    return null;
  }

  private resolve(
    findingId: string,
    lastDropT: number,
    heartbeat: HeartbeatSetting | null,
    resolution: FindingResolution,
  ): LifeState {
    this.held.set(findingId, { resolution, heartbeat, lastDropT });
    return { state: 'resolved', resolution, heartbeat };
  }
}

/** "heartbeat every 4 s", "text heartbeat every 4 s": what fixed it, short enough for a label. */
export function heartbeatFixText(heartbeat: HeartbeatSetting): string {
  return `${heartbeat.mode === 'text' ? 'text heartbeat' : 'heartbeat'} every ${formatSeconds(heartbeat.intervalMs)}`;
}
