// One view over a connection's events for the timeline feed: the live session's ring buffer
// or an imported session's array. Reads are by *position* (0 = oldest retained event) inside
// one synchronous step; positions shift when the ring buffer drops events, so anything kept
// across steps is kept as a seq.
//
// The type, direction, time and heartbeat reads never materialise an event: the feed filters
// and counts a flood of compactly stored messages with them.

import type { EventRecord } from '../../core/engine/eventRecord.js';
import type { Direction, SessionEvent, SessionEventType } from '../../core/model/sessionEvents.js';

export interface TimelineSource {
  /** A live record grows, drops its oldest events and may be cleared; an imported one never changes. */
  readonly live: boolean;
  /** Events retained now. */
  readonly size: number;
  /** Seq of the newest event ever recorded (imported: of the last event), 0 when none. */
  readonly lastSeq: number;
  /** Changes exactly when the record is cleared. */
  readonly clearEpoch: number;
  seqAt(position: number): number;
  /** Position of a retained seq, or null. */
  positionOf(seq: number): number | null;
  /** Position of the first retained event with a seq ≥ `seq` (size when none). */
  positionAtOrAfterSeq(seq: number): number;
  /** Position of the first event at or after `t` (size when none); events are in time order. */
  positionAtOrAfterTime(t: number): number;
  timeAt(position: number): number;
  typeAt(position: number): SessionEventType;
  directionAt(position: number): Direction | null;
  /** Ping and pong frames, and text-heartbeat messages. */
  isHeartbeatAt(position: number): boolean;
  eventAt(position: number): SessionEvent;
  /** The event with message payloads cut to `maxPayloadBytes` (enough for a preview). */
  previewAt(position: number, maxPayloadBytes: number): SessionEvent;
}

/** Binary search: the first position in [0, size) for which `isAfter` holds. */
function firstPosition(size: number, isAfter: (position: number) => boolean): number {
  let low = 0;
  let high = size;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (isAfter(middle)) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** Over a live session's ring buffer: seqs are contiguous, so position = seq − firstSeq. */
export class RecordSource implements TimelineSource {
  readonly live = true;

  constructor(private readonly record: EventRecord) {}

  get size(): number {
    return this.record.size;
  }

  get lastSeq(): number {
    return this.record.lastSeq;
  }

  get clearEpoch(): number {
    // Without a clear, firstSeq − 1 = droppedCount; clear() resets the count but not the seq.
    return this.record.firstSeq - 1 - this.record.droppedCount;
  }

  seqAt(position: number): number {
    return this.record.firstSeq + position;
  }

  positionOf(seq: number): number | null {
    const position = seq - this.record.firstSeq;
    return Number.isInteger(position) && position >= 0 && position < this.record.size ? position : null;
  }

  positionAtOrAfterSeq(seq: number): number {
    return Math.min(this.record.size, Math.max(0, Math.ceil(seq) - this.record.firstSeq));
  }

  positionAtOrAfterTime(t: number): number {
    return firstPosition(this.record.size, (position) => this.timeAt(position) >= t);
  }

  timeAt(position: number): number {
    return this.record.timeOf(this.record.firstSeq + position);
  }

  typeAt(position: number): SessionEventType {
    return this.record.typeOf(this.record.firstSeq + position)!;
  }

  directionAt(position: number): Direction | null {
    return this.record.directionOf(this.record.firstSeq + position);
  }

  isHeartbeatAt(position: number): boolean {
    return this.record.isHeartbeatTraffic(this.record.firstSeq + position);
  }

  eventAt(position: number): SessionEvent {
    return this.record.get(this.record.firstSeq + position)!;
  }

  previewAt(position: number, maxPayloadBytes: number): SessionEvent {
    return this.record.getPreview(this.record.firstSeq + position, maxPayloadBytes)!;
  }
}

/** Over an imported session: a frozen array whose seqs increase but may have gaps. */
export class ArraySource implements TimelineSource {
  readonly live = false;
  readonly clearEpoch = 0;

  constructor(private readonly events: readonly SessionEvent[]) {}

  get size(): number {
    return this.events.length;
  }

  get lastSeq(): number {
    return this.events[this.events.length - 1]?.seq ?? 0;
  }

  seqAt(position: number): number {
    return this.events[position]!.seq;
  }

  positionOf(seq: number): number | null {
    const position = this.positionAtOrAfterSeq(seq);
    return this.events[position]?.seq === seq ? position : null;
  }

  positionAtOrAfterSeq(seq: number): number {
    return firstPosition(this.events.length, (position) => this.events[position]!.seq >= seq);
  }

  positionAtOrAfterTime(t: number): number {
    return firstPosition(this.events.length, (position) => this.events[position]!.t >= t);
  }

  timeAt(position: number): number {
    return this.events[position]!.t;
  }

  typeAt(position: number): SessionEventType {
    return this.events[position]!.type;
  }

  directionAt(position: number): Direction | null {
    const event = this.events[position]!;
    return event.type === 'message' || event.type === 'ping' || event.type === 'pong' ? event.direction : null;
  }

  isHeartbeatAt(position: number): boolean {
    const event = this.events[position]!;
    return (
      event.type === 'ping' || event.type === 'pong' || (event.type === 'message' && event.heartbeat !== undefined)
    );
  }

  eventAt(position: number): SessionEvent {
    return this.events[position]!;
  }

  previewAt(position: number): SessionEvent {
    return this.events[position]!;
  }
}
