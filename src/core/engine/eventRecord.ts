import { bytesToBase64, utf8Decode, utf8DecodePrefix } from '../common/payload.js';
import type { Direction, MessageEvent, SessionEvent, SessionEventType } from '../model/sessionEvents.js';

// Flags of a compactly stored message.
export const MESSAGE_OUT = 1;
export const MESSAGE_BINARY = 2;
export const MESSAGE_TRUNCATED = 4;
export const MESSAGE_HEARTBEAT_PING = 8;
export const MESSAGE_HEARTBEAT_PONG = 16;
const COMPACT = 128;

const MIN_ARENA_BYTES = 64 * 1024;
// Slots allocated up front by default. Allocated whole, a default capacity of 100 000 events kept
// about 0.9 MB resident per empty record (bench:tap), yet most sessions, a tap's above all, never
// fill it: the slots double on demand instead.
const DEFAULT_INITIAL_SLOTS = 1024;
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
  /** Slots allocated up front (and again after clear()), at most maxEvents; 1024 by default. */
  initialSlots?: number;
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
  /** Most events retained. */
  readonly capacity: number;
  private readonly initialSlots: number;
  /**
   * Slots allocated, up to `capacity`: the ring wraps here. Growing (growSlots) moves the
   * retained events to slots 0…count-1, so the ring never wraps across a growth.
   */
  private slots = 0;
  private objects: Array<SessionEvent | undefined> = [];
  private flags = new Uint8Array(0);
  /** Per slot, NUMBER_FIELDS numbers side by side: one cache line per message, not five. */
  private numbers = new Float64Array(0);
  /** Wire sizes of truncated compact messages, by slot; created with the first one. */
  private wireSizes: Float64Array | null = null;
  private readonly maxArenaBytes: number;
  private arena: Uint8Array;
  /**
   * Absolute byte positions: payload bytes in [arenaTail, arenaHead) may still be referenced.
   * The tail may lag behind (evicting on the hot path does not read the evicted slot, which
   * is cold in cache); reserve() catches it up from the oldest retained message when short
   * of room.
   */
  private arenaHead = 0;
  private arenaTail = 0;
  /** arenaHead % arena.length, kept incrementally: floating-point modulo is slow on the hot path. */
  private arenaHeadOffset = 0;
  /**
   * Whether arenaTail is exact (see above). Catching up relies on payload positions never
   * decreasing in seq order: runs are stored in stream order, their messages recorded in that
   * order, and appendMessage() copies into the arena only while no run is held (below).
   */
  private arenaTailExact = true;
  /**
   * Raw bytes stored by storeRaw() from this arena position on may still be claimed by
   * appendStoredMessage(); Infinity when none. Nothing at or after it is given up to make room.
   */
  rawHold = Infinity;

  private head = 0; // slot of the oldest retained event
  private count = 0;
  private nextSeq = 1;
  private dropped = 0;

  constructor(limits: EventRecordLimits | number) {
    const {
      maxEvents,
      maxPayloadBytes,
      initialSlots = DEFAULT_INITIAL_SLOTS,
    } = typeof limits === 'number' ? { maxEvents: limits, maxPayloadBytes: 128 * 1024 * 1024 } : limits;
    if (!Number.isInteger(maxEvents) || maxEvents < 1) {
      throw new RangeError(`record capacity must be a positive integer, got ${maxEvents}`);
    }
    if (!(maxPayloadBytes >= 1)) throw new RangeError(`record payload budget must be positive, got ${maxPayloadBytes}`);
    if (!Number.isInteger(initialSlots) || initialSlots < 1) {
      throw new RangeError(`record initial slots must be a positive integer, got ${initialSlots}`);
    }
    this.capacity = maxEvents;
    this.initialSlots = Math.min(maxEvents, initialSlots);
    this.allocateSlots(this.initialSlots);
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
    // While raw bytes are held for messages still to come, a copy placed after them would
    // break the order of payload positions (see arenaTailExact): such a message is kept as an
    // object. So a copy never finds held bytes in its way.
    if (rttMs !== undefined || this.rawHold !== Infinity) {
      return this.append(messageEvent(t, flags, size, payload, rttMs)).seq;
    }
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
      (this.wireSizes ??= new Float64Array(this.slots))[slot] = size;
    }
    this.flags[slot] = messageFlags | COMPACT;
    const base = slot * NUMBER_FIELDS;
    const numbers = this.numbers;
    numbers[base + TIME] = t;
    numbers[base + PAYLOAD_START] = start;
    numbers[base + PAYLOAD_LENGTH] = bytes.length;
    return this.nextSeq++;
  }

  /**
   * Copies `source[from, to)` into the payload arena in one piece and returns its arena
   * position, or -1 when it cannot be kept without dropping held bytes. Messages inside it
   * are recorded afterwards with appendStoredMessage(), so a run of many small messages
   * costs one copy instead of one per message.
   */
  storeRaw(source: Uint8Array, from: number, to: number): number {
    const length = to - from;
    // A piece that would push out most of the record is not worth keeping whole.
    if (length > this.maxArenaBytes / 4) return -1;
    const offset = this.reserve(length);
    if (offset < 0) return -1;
    this.arena.set(from === 0 && to === source.length ? source : source.subarray(from, to), offset);
    return this.arenaHead - length;
  }

  /**
   * Records a message whose payload storeRaw() already put at arena position `start`, with
   * nothing cut from it. The hot path of a busy connection: no copy, a few stores.
   */
  appendStoredMessage(t: number, flags: number, start: number, length: number): number {
    let slot: number;
    if (this.count === this.capacity) {
      // Full, as a busy session's record is for good: the oldest slot becomes the newest
      // (all `capacity` slots are allocated by then).
      slot = this.head;
      this.head = slot + 1 === this.slots ? 0 : slot + 1;
      this.dropped++;
      this.arenaTailExact = false;
    } else {
      slot = this.claimSlot();
    }
    this.objects[slot] = undefined;
    this.flags[slot] = flags | COMPACT;
    const base = slot * NUMBER_FIELDS;
    const numbers = this.numbers;
    numbers[base + TIME] = t;
    numbers[base + PAYLOAD_START] = start;
    numbers[base + PAYLOAD_LENGTH] = length;
    return this.nextSeq++;
  }

  /**
   * appendStoredMessage() for messages `from` to `to` of parallel arrays: arena positions,
   * and keys of length × 2 + 1 for binary (+ 0 for text). Returns their total length.
   */
  appendStoredMessages(t: number, starts: Float64Array, keys: Float64Array, from: number, to: number): number {
    let bytes = 0;
    for (let k = from; k < to; k++) {
      const key = keys[k]!;
      const binary = key % 2;
      const length = (key - binary) / 2;
      this.appendStoredMessage(t, binary === 1 ? MESSAGE_BINARY : 0, starts[k]!, length);
      bytes += length;
    }
    return bytes;
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
    this.catchUpArenaTail();
    return this.arenaHead - this.arenaTail;
  }

  /** The event with this seq, if still retained; a fresh object for compact messages. */
  get(seq: number): SessionEvent | undefined {
    const offset = seq - this.firstSeq;
    if (!Number.isInteger(offset) || offset < 0 || offset >= this.count) return undefined;
    return this.materialize((this.head + offset) % this.slots, seq);
  }

  // ---- cheap reads: the timeline filters and draws from these without materialising events ----

  /** Ring slot of a retained seq, or -1. */
  private slotOf(seq: number): number {
    const offset = seq - (this.nextSeq - this.count);
    if (offset < 0 || offset >= this.count || !Number.isInteger(offset)) return -1;
    const slot = this.head + offset;
    return slot >= this.slots ? slot - this.slots : slot;
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
    return (
      event.type === 'ping' || event.type === 'pong' || (event.type === 'message' && event.heartbeat !== undefined)
    );
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
    for (let seq = start; seq < end; seq++) out.push(this.materialize((this.head + seq - first) % this.slots, seq));
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
    // Back to the initial slots: a cleared record may well stay small for a while.
    this.allocateSlots(this.initialSlots);
    this.wireSizes = null;
    this.head = 0;
    this.count = 0;
    this.dropped = 0;
    // Raw bytes held for messages not yet recorded go too; their owner forgets them (see
    // Session.clearRecord).
    this.rawHold = Infinity;
    this.resetArenaPositions();
    this.arena = new Uint8Array(MIN_ARENA_BYTES);
  }

  private claimSlot(): number {
    // One test on the hot path for both cases: all slots in use, then grow or, when full, evict.
    if (this.count === this.slots) {
      if (this.slots < this.capacity) this.growSlots();
      else this.evictOldest();
    }
    // Conditional wrap, not `%`: an integer division per event shows in ingest profiles.
    let slot = this.head + this.count;
    if (slot >= this.slots) slot -= this.slots;
    this.count++;
    return slot;
  }

  /**
   * Doubles the slots (up to `capacity`), moving the retained events in order to slots
   * 0…count-1. The head is not always slot 0 before: making room for a payload evicts the
   * oldest event (evictOldest(true)) while the record is not full.
   */
  private growSlots(): void {
    const { objects, flags, numbers, wireSizes } = this;
    // The retained events are slots [head, head + firstRun) then [0, count - firstRun).
    const firstRun = Math.min(this.count, this.slots - this.head);
    const runs: Array<[from: number, to: number, at: number]> = [
      [this.head, this.head + firstRun, 0],
      [0, this.count - firstRun, firstRun],
    ];
    this.allocateSlots(Math.min(this.capacity, this.slots * 2));
    if (wireSizes) this.wireSizes = new Float64Array(this.slots);
    for (const [from, to, at] of runs) {
      for (let k = from; k < to; k++) this.objects[at + k - from] = objects[k];
      this.flags.set(flags.subarray(from, to), at);
      this.numbers.set(numbers.subarray(from * NUMBER_FIELDS, to * NUMBER_FIELDS), at * NUMBER_FIELDS);
      this.wireSizes?.set(wireSizes!.subarray(from, to), at);
    }
    this.head = 0;
  }

  /** Fresh, empty slot arrays; wireSizes is left to the caller. */
  private allocateSlots(slots: number): void {
    this.slots = slots;
    this.objects = new Array<SessionEvent | undefined>(slots);
    this.flags = new Uint8Array(slots);
    this.numbers = new Float64Array(slots * NUMBER_FIELDS);
  }

  /**
   * Drops the oldest event. Making room for a payload (`forRoom`) reads its slot to move the
   * tail past its payload; elsewhere the tail is left to lag rather than read a cold slot.
   */
  private evictOldest(forRoom = false): void {
    const slot = this.head;
    if (!forRoom) this.arenaTailExact = false;
    else if (this.flags[slot]! & COMPACT) {
      const base = slot * NUMBER_FIELDS;
      const end = this.numbers[base + PAYLOAD_START]! + this.numbers[base + PAYLOAD_LENGTH]!;
      if (end > this.arenaTail) this.arenaTail = end;
    }
    this.objects[slot] = undefined;
    this.head = this.head + 1 === this.slots ? 0 : this.head + 1;
    this.count--;
    this.dropped++;
    if (this.count === 0 && this.rawHold === Infinity) this.resetArenaPositions();
  }

  /** With no event left, no payload byte is referenced: start the arena over. */
  private resetArenaPositions(): void {
    this.arenaHead = 0;
    this.arenaTail = 0;
    this.arenaHeadOffset = 0;
    this.arenaTailExact = true;
  }

  /**
   * Moves the tail up to the oldest byte still needed: the payload of the oldest retained
   * compact message (positions rise with seq), or held raw bytes, or else the head.
   */
  private catchUpArenaTail(): void {
    if (this.arenaTailExact) return;
    this.arenaTailExact = true;
    let tail = Math.min(this.rawHold, this.arenaHead);
    for (let k = 0, slot = this.head; k < this.count; k++) {
      if (this.flags[slot]! & COMPACT) {
        tail = Math.min(tail, this.numbers[slot * NUMBER_FIELDS + PAYLOAD_START]!);
        break;
      }
      slot = slot + 1 === this.slots ? 0 : slot + 1;
    }
    if (tail > this.arenaTail) this.arenaTail = tail;
  }

  /**
   * Finds room for `length` contiguous payload bytes, growing the arena or evicting old
   * events, and advances the head past them. Returns their offset in the arena, or -1 when
   * held raw bytes leave no room.
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
      if (!this.arenaTailExact) this.catchUpArenaTail();
      else if (size < this.maxArenaBytes) this.grow();
      else if (this.count > 0) this.evictOldest(true);
      else if (this.rawHold === Infinity) this.resetArenaPositions();
      else if (this.arenaTail < this.rawHold) this.arenaTail = Math.min(this.rawHold, this.arenaHead);
      else return -1;
    }
  }

  /**
   * Doubles the arena. Absolute positions stay valid: with sizes that are powers of two,
   * a payload contiguous at `start % size` is also contiguous at `start % (2 * size)`.
   */
  private grow(): void {
    const old = this.arena;
    const next = new Uint8Array(Math.min(this.maxArenaBytes, old.length * 2));
    for (let position = this.arenaTail; position < this.arenaHead;) {
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
function messageEvent(
  t: number,
  flags: number,
  size: number,
  bytes: Uint8Array,
  rttMs: number | undefined,
): MessageEvent {
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
