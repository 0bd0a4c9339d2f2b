// Answers the timeline lane's range requests (`get-lane`): message counts per time bucket,
// marks for everything that is not a message (and for messages when few enough), and the
// connection lifetimes that overlap the range.
//
// Lifetimes outlive the events they came from: they are collected from the record once and
// then from lifecycle events as they happen, so a connection whose open was evicted still
// shows as a bar.

import type { Clock } from '../../core/common/clock.js';
import type { IDisposable } from '../../core/common/events.js';
import type { RedactionPolicy } from '../../core/model/redaction.js';
import type { SessionEvent } from '../../core/model/sessionEvents.js';
import {
  MAX_LANE_MARKS,
  type HostMessageOf,
  type LaneLifetime,
  type TimelineRow,
  type WebviewMessageOf,
} from '../../shared/timelineProtocol.js';
import type { Connection } from './connection.js';
import { ROW_PREVIEW_BYTES, toRow } from './timelineRows.js';
import type { TimelineSource } from './timelineSource.js';

/** An idle gap is recorded when the silence ends: look this far past a lane range for one that covers it. */
const IDLE_GAP_LOOKAHEAD = 16;
/** Past this many remembered connection lifetimes, those older than the record are forgotten. */
const MAX_LIFETIMES = 1000;

interface Lifetime extends LaneLifetime {
  openSeq: number;
}

export class TimelineLane implements IDisposable {
  private readonly lifetimes: Lifetime[] = [];
  private readonly subscription: IDisposable | undefined;

  constructor(
    private readonly source: TimelineSource,
    connection: Connection,
    clock: Clock,
  ) {
    this.collectLifetimes(connection, clock);
    // Lifecycle events are rare and cheap; messages are never delivered to us one by one.
    this.subscription =
      connection.session?.onLifecycleEvent((event) => this.noteLifetime(event)) ??
      // A tap session has one stream: its messages are skipped here at once.
      connection.tap?.onEvent((event) => this.noteLifetime(event));
  }

  answer(request: WebviewMessageOf<'get-lane'>, policy: RedactionPolicy): HostMessageOf<'lane'> {
    const { requestId, fromT, toT, buckets } = request;
    const source = this.source;
    const messagesIn = new Array<number>(buckets).fill(0);
    const messagesOut = new Array<number>(buckets).fill(0);
    const marks: TimelineRow[] = [];
    const valid = toT > fromT;
    const bucketMs = valid ? (toT - fromT) / buckets : 0;
    const start = valid ? source.positionAtOrAfterTime(fromT) : 0;
    const end = valid ? source.positionAtOrAfterTime(toT) : 0;
    const messagesIncluded = end - start <= MAX_LANE_MARKS;
    for (let position = start; position < end; position++) {
      if (source.typeAt(position) === 'message') {
        const bucket = Math.min(buckets - 1, Math.max(0, Math.floor((source.timeAt(position) - fromT) / bucketMs)));
        if (source.directionAt(position) === 'out') messagesOut[bucket]!++;
        else messagesIn[bucket]!++;
        if (!messagesIncluded) continue;
      }
      marks.push(toRow(source.previewAt(position, ROW_PREVIEW_BYTES), policy));
    }
    if (valid) {
      for (let position = end; position < Math.min(source.size, end + IDLE_GAP_LOOKAHEAD); position++) {
        if (source.typeAt(position) !== 'idle-gap') continue;
        const gap = source.eventAt(position);
        if (gap.type === 'idle-gap' && gap.startT < toT) marks.push(toRow(gap, policy));
      }
    }
    if (this.lifetimes.length > MAX_LIFETIMES) this.forgetEndedLifetimes();
    const lifetimes = valid
      ? this.lifetimes
          .filter((l) => l.openT < toT && (l.closeT === null || l.closeT >= fromT))
          .map(({ openT, closeT, closeCode }) => ({ openT, closeT, closeCode }))
      : [];
    return {
      type: 'lane',
      requestId,
      fromT,
      toT,
      bucketMs,
      messagesIn,
      messagesOut,
      marks,
      messagesIncluded,
      lifetimes,
    };
  }

  /** Forgets connections that ended before the oldest retained event. */
  forgetEndedLifetimes(): void {
    const firstT = this.source.size > 0 ? this.source.timeAt(0) : Infinity;
    const kept = this.lifetimes.filter((l) => l.closeT === null || l.closeT >= firstT);
    this.lifetimes.splice(0, this.lifetimes.length, ...kept);
  }

  dispose(): void {
    this.subscription?.dispose();
  }

  private collectLifetimes(connection: Connection, clock: Clock): void {
    const source = this.source;
    for (let position = 0; position < source.size; position++) {
      const type = source.typeAt(position);
      if (type === 'open' || type === 'close') this.noteLifetime(source.eventAt(position));
    }
    // Opened before the oldest retained event: the open itself was evicted.
    const session = connection.session;
    const last = this.lifetimes[this.lifetimes.length - 1];
    if (session && session.state === 'open' && (!last || last.closeT !== null)) {
      const now = clock.now();
      this.lifetimes.push({
        openSeq: source.size > 0 ? source.seqAt(0) : 0,
        openT: now - session.getStats().uptimeMs,
        closeT: null,
        closeCode: null,
      });
    }
  }

  private noteLifetime(event: SessionEvent): void {
    if (event.type === 'open') {
      this.lifetimes.push({ openSeq: event.seq, openT: event.t, closeT: null, closeCode: null });
    } else if (event.type === 'close') {
      const last = this.lifetimes[this.lifetimes.length - 1];
      if (last && last.closeT === null) {
        last.closeT = event.t;
        last.closeCode = event.code;
      } else {
        this.lifetimes.push({
          openSeq: event.seq,
          openT: event.t - (event.ageMs ?? 0),
          closeT: event.t,
          closeCode: event.code,
        });
      }
    }
  }
}
