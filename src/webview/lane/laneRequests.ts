// When the lane asks the host for marks, and which answers it keeps.
//
// The lane holds no copy of the record: it asks for the visible range plus a margin, at most
// ~4 times a second. Changes while the user zooms or pans are coalesced (a short quiet time, but
// never longer than MAX_REQUEST_DELAY_MS during a long drag); one request is in flight at a time;
// an answer that never comes is given up on; an answer for a view the user has left far behind,
// or for a cleared record, is dropped. Meanwhile the lane keeps drawing the last answer, rescaled.

import type { Clock } from '../../core/common/clock.js';
import type { IDisposable } from '../../core/common/events.js';
import { MAX_LANE_BUCKETS, type HostMessageOf } from '../../shared/timelineProtocol.js';
import { covers, laneRequestRange, type TimeRange } from './scale.js';

export type LaneAnswer = HostMessageOf<'lane'>;

/** Quiet time after a zoom or pan step before asking for the new range… */
export const INTERACTION_DEBOUNCE_MS = 120;
/** …but never wait longer than this during a long drag. */
const MAX_REQUEST_DELAY_MS = 400;
/** At most ~4 lane requests a second. */
const MIN_REQUEST_INTERVAL_MS = 250;
/** An answer that has not come by then is given up on (the panel may have been hidden). */
const REQUEST_TIMEOUT_MS = 5000;
const RETRY_AFTER_ERROR_MS = 1000;
/** Requested margin on each side of the view, as a share of its span: small pans need no new request. */
const REQUEST_MARGIN = 0.5;

export interface LaneRequestsHost {
  /** Asks the host for marks and message counts in [fromT, toT). */
  fetch(fromT: number, toT: number, buckets: number): Promise<LaneAnswer>;
  /** What should be covered now: the view and the plot's width, or null when nothing is shown. */
  wanted(): { view: TimeRange; plotWidthPx: number } | null;
  /** A usable answer arrived: draw it. */
  answered(answer: LaneAnswer): void;
  /** A request went out; `count` so far (published for tests and tools). */
  requested(count: number): void;
}

/** The page's clock; unit tests pass a fake one. */
const PAGE_CLOCK: Pick<Clock, 'monotonic' | 'setTimeout'> = {
  monotonic: () => performance.now(),
  setTimeout: (fn, ms) => {
    const id = setTimeout(fn, ms);
    return { dispose: () => clearTimeout(id) };
  },
};

export class LaneRequests {
  private current: LaneAnswer | null = null;
  /** New events arrived since the last request: the answer is out of date. */
  private dirty = true;
  private timer: IDisposable | null = null;
  private due = 0;
  private wantedSince: number | null = null;
  private inFlight: { generation: number; timer: IDisposable } | null = null;
  /** Bumped whenever answers still on their way must be ignored. */
  private generation = 0;
  private lastRequestAt = -Infinity;
  private count = 0;
  private disposed = false;

  constructor(
    private readonly host: LaneRequestsHost,
    private readonly clock: Pick<Clock, 'monotonic' | 'setTimeout'> = PAGE_CLOCK,
  ) {}

  /** The last usable answer. */
  get answer(): LaneAnswer | null {
    return this.current;
  }

  /** New events arrived: refresh soon (coalesced). */
  invalidate(): void {
    if (this.disposed) return;
    this.dirty = true;
    this.soon(0);
  }

  /** The view or the plot's width changed: ask again, after `debounceMs`, if the answer no longer draws it well. */
  viewChanged(debounceMs: number): void {
    if (this.needsRequest()) this.soon(debounceMs);
  }

  /** The record was cleared: forget the answer and any request on its way. */
  reset(): void {
    this.current = null;
    this.generation++;
    this.clearInFlight();
    this.dirty = true;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.generation++;
    this.clearInFlight();
    this.timer?.dispose();
    this.timer = null;
  }

  /** Whether the last answer cannot draw the wanted view well: missing, not covering it, or at the wrong resolution. */
  private needsRequest(): boolean {
    const wanted = this.host.wanted();
    if (!wanted) return false;
    if (this.dirty || !this.current) return true;
    if (!covers({ fromT: this.current.fromT, toT: this.current.toT }, wanted.view)) return true;
    return (
      this.current.bucketMs !==
      laneRequestRange(wanted.view, wanted.plotWidthPx, REQUEST_MARGIN, MAX_LANE_BUCKETS).bucketMs
    );
  }

  /** Schedules a request after `debounceMs` of quiet (capped during a long drag), and never before `notBeforeMs`. */
  private soon(debounceMs: number, notBeforeMs = 0): void {
    if (this.disposed) return;
    const now = this.clock.monotonic();
    this.wantedSince ??= now;
    let due = Math.max(now + debounceMs, this.lastRequestAt + MIN_REQUEST_INTERVAL_MS);
    due = Math.min(
      due,
      Math.max(this.wantedSince + MAX_REQUEST_DELAY_MS, this.lastRequestAt + MIN_REQUEST_INTERVAL_MS),
    );
    due = Math.max(due, now + notBeforeMs);
    if (this.timer !== null) {
      if (due <= this.due) return;
      this.timer.dispose();
    }
    this.due = due;
    this.timer = this.clock.setTimeout(
      () => {
        this.timer = null;
        this.issue();
      },
      Math.max(0, due - now),
    );
  }

  private issue(): void {
    if (this.disposed) return;
    const wanted = this.host.wanted();
    if (!wanted) return;
    if (this.inFlight) return; // The answer's arrival asks again if still needed.
    if (!this.needsRequest()) {
      this.wantedSince = null;
      return;
    }
    const request = laneRequestRange(wanted.view, wanted.plotWidthPx, REQUEST_MARGIN, MAX_LANE_BUCKETS);
    const generation = ++this.generation;
    this.dirty = false;
    this.wantedSince = null;
    this.lastRequestAt = this.clock.monotonic();
    this.host.requested(++this.count);
    const timer = this.clock.setTimeout(() => {
      // No answer: give up on it, so a later change can ask again.
      if (this.inFlight?.generation !== generation) return;
      this.generation++;
      this.inFlight = null;
      this.dirty = true;
      this.soon(0);
    }, REQUEST_TIMEOUT_MS);
    this.inFlight = { generation, timer };
    this.host.fetch(request.fromT, request.toT, request.buckets).then(
      (answer) => this.onAnswer(generation, answer),
      () => {
        if (generation !== this.generation || this.disposed) return;
        this.clearInFlight();
        this.dirty = true;
        this.soon(0, RETRY_AFTER_ERROR_MS);
      },
    );
  }

  private clearInFlight(): void {
    this.inFlight?.timer.dispose();
    this.inFlight = null;
  }

  private onAnswer(generation: number, answer: LaneAnswer): void {
    // A cleared record, a timed-out request or a disposed lane: the answer belongs to the past.
    if (generation !== this.generation || this.disposed) return;
    this.clearInFlight();
    const wanted = this.host.wanted();
    // Stale: the user moved far away meanwhile, or zoomed so much that its buckets are useless.
    const overlaps = wanted !== null && answer.toT > wanted.view.fromT && answer.fromT < wanted.view.toT;
    const wantedBucketMs = wanted
      ? laneRequestRange(wanted.view, wanted.plotWidthPx, REQUEST_MARGIN, MAX_LANE_BUCKETS).bucketMs
      : 0;
    if (overlaps && answer.bucketMs <= wantedBucketMs * 4 && answer.bucketMs >= wantedBucketMs / 4) {
      this.current = answer;
      this.host.answered(answer);
    } else {
      this.dirty = true;
    }
    if (this.needsRequest()) this.soon(0);
  }
}
