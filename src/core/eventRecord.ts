import { bytesToBase64, utf8Decode, utf8DecodePrefix } from './payload.js';
import type { Direction, MessageEvent, SessionEvent, SessionEventType } from './sessionEvents.js';

// Flags of a compactly stored message.
export const MESSAGE_OUT = 1;
export const MESSAGE_BINARY = 2;
export const MESSAGE_TRUNCATED = 4;
export const MESSAGE_HEARTBEAT_PING = 8;
export const MESSAGE_HEARTBEAT_PONG = 16;
const COMPACT = 128;

const MIN_ARENA_BYTES = 64 * 1024;
// Layout of a compact message's numbers. The size on the wire is the stored length unless
// the payload was truncated; then it lives in `wireSizes`, which only truncated messages
// touch. A message with an RTT (a text-heartbeat reply, a few a minute) is kept as an
// object instead. Every byte written per message costs ingest throughput and memory.
const NUMBER_FIELDS = 3;
const TIME = 0;
const PAYLOAD_START = 1;
const PAYLOAD_LENGTH = 2;

export interface EventRecordLimits {
  /** Most events retained. */
  maxEvents: number;
  /** Most payload bytes retained for compactly stored messages (rounded up to a power of two). */
  maxPayloadBytes: number;
}

/**
 * One session's ordered event record: a ring buffer that stamps `seq` and, when full,
 * drops the oldest events while counting how many it dropped.
 *
 * Inbound messages — the bulk of a busy session — are not kept as objects. Their fixed
 * fields live in typed arrays and their payload bytes in one ring "arena", so a flood of
 * messages creates no long-lived garbage; events are materialised as plain objects only
 * when read. Everything else is kept as the object it was recorded as.
 */
export class EventRecord {
  readonly capacity: number;
  private readonly objects: Array<SessionEvent | undefined>;
  private readonly flags: Uint8Array;
  /** Per slot, NUMBER_FIELDS numbers side by side: one cache line per message, not five. */
  private readonly numbers: Float64Array;
  /** Wire sizes of truncated compact messages, by slot; created with the first one. */
  private wireSizes: Float64Array | null = null;
  private readonly maxArenaBytes: number;
  private arena: Uint8Array;
  /** Absolute byte positions: payload bytes in [arenaTail, arenaHead) may still be referenced. */
  private arenaHead = 0;
  private arenaTail = 0;
  /** arenaHead % arena.length, kept incrementally: floating-point modulo is slow on the hot path. */
  private arenaHeadOffset = 0;

  private head = 0; // slot of the oldest retained event
  private count = 0;
  private nextSeq = 1;
  private dropped = 0;

  constructor(limits: EventRecordLimits | number) {
    const { maxEvents, maxPayloadBytes } = typeof limits === 'number' ? { maxEvents: limits, maxPayloadBytes: 128 * 1024 * 1024 } : limits;
    if (!Number.isInteger(maxEvents) || maxEvents < 1) {
      throw new RangeError(`record capacity must be a positive integer, got ${maxEvents}`);
    }
    if (!(maxPayloadBytes >= 1)) throw new RangeError(`record payload budget must be positive, got ${maxPayloadBytes}`);
    this.capacity = maxEvents;
    this.objects = new Array<SessionEvent | undefined>(maxEvents);
    this.flags = new Uint8Array(maxEvents);
    this.numbers = new Float64Array(maxEvents * NUMBER_FIELDS);
    // Powers of two keep every payload contiguous when the arena doubles (see grow()).
    let arenaMax = MIN_ARENA_BYTES;
    while (arenaMax < maxPayloadBytes) arenaMax *= 2;
    this.maxArenaBytes = arenaMax;
    this.arena = new Uint8Array(MIN_ARENA_BYTES);
  }

  /**
   * Stamps `seq` on the event and stores it. Callers create events with `seq: 0` as the
   * first property so the object's shape never changes after creation.
   */
  append(event: SessionEvent): SessionEvent {
    const slot = this.claimSlot();
    event.seq = this.nextSeq++;
    this.objects[slot] = event;
    this.flags[slot] = 0;
    return event;
  }

  /**
   * Stores a message compactly and returns its seq. `payload` is what the record keeps
   * (already cut to the payload cap); `size` is the size on the wire.
   */
  appendMessage(t: number, flags: number, size: number, payload: Uint8Array, rttMs: number | undefined): number {
    if (rttMs !== undefined) return this.append(messageEvent(t, flags, size, payload, rttMs)).seq;
    let bytes = payload;
    let messageFlags = flags;
    if (bytes.length > this.maxArenaBytes) {
      bytes = bytes.subarray(0, this.maxArenaBytes);
      messageFlags |= MESSAGE_TRUNCATED;
    }
    // Free the slot first: evicting after reserving could reset the arena under the new payload.
    if (this.count === this.capacity) this.evictOldest();
    const offset = this.reserve(bytes.length);
    const start = this.arenaHead - bytes.length;
    this.arena.set(bytes, offset);
    const slot = this.claimSlot();
    this.objects[slot] = undefined;
    if (size !== bytes.length || messageFlags & MESSAGE_TRUNCATED) {
      messageFlags |= MESSAGE_TRUNCATED;
      (this.wireSizes ??= new Float64Array(this.capacity))[slot] = size;
    }
    this.flags[slot] = messageFlags | COMPACT;
    const base = slot * NUMBER_FIELDS;
    const numbers = this.numbers;
    numbers[base + TIME] = t;
    numbers[base + PAYLOAD_START] = start;
    numbers[base + PAYLOAD_LENGTH] = bytes.length;
    return this.nextSeq++;
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
    return this.nextSeq - this.count;
  }

  /** `seq` of the newest event, or 0 when nothing was ever recorded. */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  /** Payload bytes currently held for compactly stored messages. */
  get payloadBytes(): number {
    return this.arenaHead - this.arenaTail;
  }

  /** The event with this seq, if still retained; a fresh object for compact messages. */
  get(seq: number): SessionEvent | undefined {
    const offset = seq - this.firstSeq;
    if (!Number.isInteger(offset) || offset < 0 || offset >= this.count) return undefined;
    return this.materialize((this.head + offset) % this.capacity, seq);
  }

  // ---- cheap reads: the timeline filters and draws from these without materialising events ----

  /** Ring slot of a retained seq, or -1. */
  private slotOf(seq: number): number {
    const offset = seq - (this.nextSeq - this.count);
    if (offset < 0 || offset >= this.count || !Number.isInteger(offset)) return -1;
    const slot = this.head + offset;
    return slot >= this.capacity ? slot - this.capacity : slot;
  }

  /** `t` of a retained event, NaN when not retained. */
  timeOf(seq: number): number {
    const slot = this.slotOf(seq);
    if (slot < 0) return NaN;
    return this.flags[slot]! & COMPACT ? this.numbers[slot * NUMBER_FIELDS + TIME]! : this.objects[slot]!.t;
  }

  /** `type` of a retained event, undefined when not retained. */
  typeOf(seq: number): SessionEventType | undefined {
    const slot = this.slotOf(seq);
    if (slot < 0) return undefined;
    return this.flags[slot]! & COMPACT ? 'message' : this.objects[slot]!.type;
  }

  /** Direction of a retained message, ping or pong; null for other events and unknown seqs. */
  directionOf(seq: number): Direction | null {
    const slot = this.slotOf(seq);
    if (slot < 0) return null;
    const flags = this.flags[slot]!;
    if (flags & COMPACT) return flags & MESSAGE_OUT ? 'out' : 'in';
    const event = this.objects[slot]!;
    return event.type === 'message' || event.type === 'ping' || event.type === 'pong' ? event.direction : null;
  }

  /** Whether a retained event is heartbeat traffic: a ping or pong frame, or a text-heartbeat message. */
  isHeartbeatTraffic(seq: number): boolean {
    const slot = this.slotOf(seq);
    if (slot < 0) return false;
    const flags = this.flags[slot]!;
    if (flags & COMPACT) return (flags & (MESSAGE_HEARTBEAT_PING | MESSAGE_HEARTBEAT_PONG)) !== 0;
    const event = this.objects[slot]!;
    return event.type === 'ping' || event.type === 'pong' || (event.type === 'message' && event.heartbeat !== undefined);
  }

  /**
   * The event with this seq, like get(), but a compactly stored message decodes at most
   * `maxPayloadBytes` of its payload (and says `truncated`): enough for a list row's preview.
   */
  getPreview(seq: number, maxPayloadBytes: number): SessionEvent | undefined {
    const slot = this.slotOf(seq);
    if (slot < 0) return undefined;
    return this.materialize(slot, seq, maxPayloadBytes);
  }

  /** Up to `limit` retained events starting at `fromSeq` (clamped to what is retained). */
  slice(fromSeq: number, limit: number): SessionEvent[] {
    const first = this.firstSeq;
    const start = Math.max(fromSeq, first);
    const end = Math.min(this.lastSeq + 1, start + Math.max(0, limit));
    const out: SessionEvent[] = [];
    for (let seq = start; seq < end; seq++) out.push(this.materialize((this.head + seq - first) % this.capacity, seq));
    return out;
  }

  /** All retained events, oldest first. */
  toArray(): SessionEvent[] {
    return this.slice(this.firstSeq, this.count);
  }

  *[Symbol.iterator](): IterableIterator<SessionEvent> {
    // Walk by seq, so events appended meanwhile are included and dropped ones skipped.
    let seq = this.firstSeq;
    while (seq <= this.lastSeq) {
      seq = Math.max(seq, this.firstSeq);
      const event = this.get(seq);
      if (!event) return;
      yield event;
      seq++;
    }
  }

  /** Forgets retained events. Seq keeps increasing so readers can tell old from new. */
  clear(): void {
    this.objects.fill(undefined);
    this.head = 0;
    this.count = 0;
    this.dropped = 0;
    this.resetArenaPositions();
    this.arena = new Uint8Array(MIN_ARENA_BYTES);
  }

  private claimSlot(): number {
    if (this.count === this.capacity) this.evictOldest();
    // Conditional wrap, not `%`: an integer division per event shows in ingest profiles.
    let slot = this.head + this.count;
    if (slot >= this.capacity) slot -= this.capacity;
    this.count++;
    return slot;
  }

  private evictOldest(): void {
    const slot = this.head;
    if (this.flags[slot]! & COMPACT) {
      const base = slot * NUMBER_FIELDS;
      this.arenaTail = this.numbers[base + PAYLOAD_START]! + this.numbers[base + PAYLOAD_LENGTH]!;
    }
    this.objects[slot] = undefined;
    this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
    this.count--;
    this.dropped++;
    if (this.count === 0) this.resetArenaPositions();
  }

  /** With no event left, no payload byte is referenced: start the arena over. */
  private resetArenaPositions(): void {
    this.arenaHead = 0;
    this.arenaTail = 0;
    this.arenaHeadOffset = 0;
  }

  /**
   * Finds room for `length` contiguous payload bytes, growing the arena or evicting old
   * events, and advances the head past them. Returns their offset in the arena.
   */
  private reserve(length: number): number {
    for (;;) {
      const size = this.arena.length;
      const offset = this.arenaHeadOffset;
      // A payload never wraps around the end of the arena: skip to the start instead.
      const padding = offset + length > size ? size - offset : 0;
      if (this.arenaHead + padding + length - this.arenaTail <= size) {
        this.arenaHead += padding + length;
        const startOffset = padding ? 0 : offset;
        const end = startOffset + length;
        this.arenaHeadOffset = end === size ? 0 : end;
        return startOffset;
      }
      if (size < this.maxArenaBytes) this.grow();
      else if (this.count > 0) this.evictOldest();
      else this.resetArenaPositions();
    }
  }

  /**
   * Doubles the arena. Absolute positions stay valid: with sizes that are powers of two,
   * a payload contiguous at `start % size` is also contiguous at `start % (2 * size)`.
   */
  private grow(): void {
    const old = this.arena;
    const next = new Uint8Array(Math.min(this.maxArenaBytes, old.length * 2));
    for (let position = this.arenaTail; position < this.arenaHead; ) {
      const from = position % old.length;
      const to = position % next.length;
      const run = Math.min(this.arenaHead - position, old.length - from, next.length - to);
      next.set(old.subarray(from, from + run), to);
      position += run;
    }
    this.arena = next;
    this.arenaHeadOffset = this.arenaHead % next.length;
  }

  private materialize(slot: number, seq: number, maxPayloadBytes = Infinity): SessionEvent {
    const flags = this.flags[slot]!;
    if (!(flags & COMPACT)) return this.objects[slot]!;
    const base = slot * NUMBER_FIELDS;
    const start = this.numbers[base + PAYLOAD_START]! % this.arena.length;
    const length = this.numbers[base + PAYLOAD_LENGTH]!;
    const bytes = this.arena.subarray(start, start + Math.min(length, maxPayloadBytes));
    const size = flags & MESSAGE_TRUNCATED ? this.wireSizes![slot]! : length;
    // A preview cut shorter than the payload reads as truncated: size > bytes.length.
    const event = messageEvent(this.numbers[base + TIME]!, flags, size, bytes, undefined);
    event.seq = seq;
    return event;
  }
}

/** A message as an event object, from the bytes the record keeps of it. */
function messageEvent(t: number, flags: number, size: number, bytes: Uint8Array, rttMs: number | undefined): MessageEvent {
  const binary = (flags & MESSAGE_BINARY) !== 0;
  const truncated = (flags & MESSAGE_TRUNCATED) !== 0 || size > bytes.length;
  const data = binary ? bytesToBase64(bytes) : truncated ? utf8DecodePrefix(bytes) : utf8Decode(bytes);
  const event: MessageEvent = {
    seq: 0,
    t,
    type: 'message',
    direction: flags & MESSAGE_OUT ? 'out' : 'in',
    opcode: binary ? 'binary' : 'text',
    size,
    data,
    truncated,
  };
  if (flags & MESSAGE_HEARTBEAT_PING) event.heartbeat = 'ping';
  else if (flags & MESSAGE_HEARTBEAT_PONG) event.heartbeat = 'pong';
  if (rttMs !== undefined) event.rttMs = rttMs;
  return event;
}
