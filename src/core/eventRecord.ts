import type { SessionEvent } from './sessionEvents.js';

/**
 * One session's ordered event record: a ring buffer that stamps `seq` and, when full,
 * drops the oldest events while keeping count of how many it dropped.
 */
export class EventRecord {
  private readonly buffer: Array<SessionEvent | undefined>;
  private head = 0; // index of the oldest retained event
  private count = 0;
  private nextSeq = 1;
  private dropped = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`record capacity must be a positive integer, got ${capacity}`);
    }
    this.buffer = new Array<SessionEvent | undefined>(capacity);
  }

  /**
   * Stamps `seq` on the event and stores it. Callers create events with `seq: 0` as the
   * first property so the object's shape never changes after creation (cheaper on the
   * ingest hot path than adding the property later).
   */
  append(event: SessionEvent): SessionEvent {
    const stored = event;
    stored.seq = this.nextSeq++;
    if (this.count < this.capacity) {
      this.buffer[(this.head + this.count) % this.capacity] = stored;
      this.count++;
    } else {
      this.buffer[this.head] = stored;
      this.head = (this.head + 1) % this.capacity;
      this.dropped++;
    }
    return stored;
  }

  get size(): number {
    return this.count;
  }

  /** Events dropped from the front since the record was created or cleared. */
  get droppedCount(): number {
    return this.dropped;
  }

  /** `seq` of the oldest retained event, or the next seq when empty. */
  get firstSeq(): number {
    return this.count === 0 ? this.nextSeq : this.nextSeq - this.count;
  }

  /** `seq` of the newest event, or 0 when nothing was ever recorded. */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  /** The event with this seq, if still retained. */
  get(seq: number): SessionEvent | undefined {
    const offset = seq - this.firstSeq;
    if (!Number.isInteger(offset) || offset < 0 || offset >= this.count) return undefined;
    return this.buffer[(this.head + offset) % this.capacity];
  }

  /** Up to `limit` retained events starting at `fromSeq` (clamped to what is retained). */
  slice(fromSeq: number, limit: number): SessionEvent[] {
    const start = Math.max(fromSeq, this.firstSeq);
    const end = Math.min(this.lastSeq + 1, start + Math.max(0, limit));
    const out: SessionEvent[] = [];
    for (let seq = start; seq < end; seq++) out.push(this.buffer[(this.head + seq - this.firstSeq) % this.capacity]!);
    return out;
  }

  /** All retained events, oldest first. */
  toArray(): SessionEvent[] {
    return this.slice(this.firstSeq, this.count);
  }

  *[Symbol.iterator](): IterableIterator<SessionEvent> {
    const first = this.firstSeq;
    for (let i = 0; i < this.count; i++) {
      // Re-read firstSeq-relative positions so appends during iteration do not skip events.
      const event = this.get(first + i);
      if (event) yield event;
    }
  }

  /** Forgets retained events. Seq keeps increasing so readers can tell old from new. */
  clear(): void {
    this.buffer.fill(undefined);
    this.head = 0;
    this.count = 0;
    this.dropped = 0;
  }
}
