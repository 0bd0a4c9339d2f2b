// What kind of close each event is. Most closes say so at once (the user's own disconnect,
// our heartbeat declaring the link dead, a close frame from the server); silent cuts and
// 1001s are drops, whose class waits on the timing patterns (see readings.ts).

import type { CloseEvent } from '../model/sessionEvents.js';
import type { Measure } from './dropClusters.js';
import { MAX_RETAINED_DROPS } from './dropLimits.js';
import { SlidingWindow } from './recentWindow.js';

/** What ended one connection (or attempt), as the analyzer sees it now. */
export type DropClass =
  | 'user-close'
  | 'endpoint-close'
  | 'heartbeat-timeout'
  | 'server-close'
  | 'idle-timeout'
  | 'lifetime-cap'
  | 'network-error'
  | 'handshake-failure';

export interface DropClassification {
  /** The close (or handshake-failed) event. */
  seq: number;
  dropClass: DropClass;
  /** The finding that explains it, if any. */
  findingId: string | null;
}

/** The class of a drop that a finding for this reading explains. */
export const FINDING_KIND: Record<Measure, 'idle-timeout' | 'lifetime-cap'> = {
  idle: 'idle-timeout',
  'message-idle': 'idle-timeout',
  age: 'lifetime-cap',
};

/** A close whose idle time and age were measured. */
export type MeasuredClose = CloseEvent & { idleMs: number; ageMs: number };

/**
 * False for a close a file implies but does not date (the next connection began): its time
 * is only a bound, no evidence of an idle timeout or a lifetime cap. A close dated by the
 * file's timing (Chrome's `timings.receive`) is measured, though its code is not known.
 */
export function isMeasuredClose(event: CloseEvent): event is MeasuredClose {
  return event.idleMs !== null && event.ageMs !== null;
}

/** A close frame got through: neither a 1006 nor a close that nobody initiated. */
export function closeFrameArrived(event: CloseEvent): boolean {
  return event.code !== 1006 && event.initiator !== 'none';
}

/**
 * What a close is, decided at once; 'drop' for a silent cut or a 1001 (which may come from
 * an intermediary), whose cause only the timing of all drops can tell.
 */
export function classifyClose(
  event: CloseEvent,
  heartbeatTimedOut: boolean,
): 'heartbeat-timeout' | 'user-close' | 'endpoint-close' | 'server-close' | 'drop' {
  if (heartbeatTimedOut) return 'heartbeat-timeout';
  if (event.initiator === 'local') return 'user-close';
  // A close frame from a side the file does not name (HTTP Toolkit's _webSocketClose): a
  // decision of the application or its server, not a proxy's timeout, blamed on neither.
  if (event.initiator === 'unknown' && closeFrameArrived(event)) return 'endpoint-close';
  // A close frame, 1001 "going away" included, is the application's decision (or that of
  // whatever stands in front of it, closing politely): a proxy's timeout cuts silently.
  return closeFrameArrived(event) ? 'server-close' : 'drop';
}

/** A silent cut's class given the reading that claims it, if any; unclaimed, a network error. */
export function dropClassOf(claimedBy: Measure | null): DropClass {
  if (claimedBy) return FINDING_KIND[claimedBy];
  return 'network-error';
}

/**
 * The classified closes whose class does not depend on clustering (and failed handshakes):
 * the most recent ones, plus a count per class of every close that left the windows.
 */
export class CloseTally {
  private readonly plainCloses = new SlidingWindow<DropClassification>(MAX_RETAINED_DROPS);
  /** Closes that left the windows, counted by the class they had then. */
  private readonly classesBeforeWindow = new Map<DropClass, number>();

  notePlain(classification: DropClassification): void {
    const evicted = this.plainCloses.push(classification);
    if (evicted) this.countBeforeWindow(evicted.dropClass);
  }

  countBeforeWindow(dropClass: DropClass): void {
    this.classesBeforeWindow.set(dropClass, (this.classesBeforeWindow.get(dropClass) ?? 0) + 1);
  }

  /** The most recent plain closes, oldest first. */
  recentPlain(): DropClassification[] {
    return this.plainCloses.toArray();
  }

  /** A copy of the counts of closes that left the windows, classes in order of first appearance. */
  countsBeforeWindow(): Map<DropClass, number> {
    return new Map(this.classesBeforeWindow);
  }

  get retainedPlain(): number {
    return this.plainCloses.size;
  }
}
