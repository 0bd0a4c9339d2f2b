import type { EventRecord } from './eventRecord.js';

// Frame header fields (RFC 6455 §5.2).
const FIN = 0x80;
const RSV = 0x70;
const OPCODE = 0x0f;
const MASKED = 0x80;
const CONTINUATION = 0x0;
const BINARY = 0x2;
const FIRST_CONTROL = 0x8;
const MAX_HEADER_BYTES = 14;
const MAX_CONTROL_PAYLOAD = 125;

/** What take() answers for a message whose payload was not captured: copy it instead. */
export const NOT_CAPTURED = -1;

/**
 * A queued message's key: its length and kind in one number, so that confirming it is one
 * comparison. Messages not captured have negative keys and are never confirmed.
 */
function messageKey(length: number, binary: boolean): number {
  return length * 2 + (binary ? 1 : 0);
}
function notCapturedKey(binary: boolean): number {
  return binary ? -2 : -1;
}

/**
 * Keeps the payloads of inbound messages with one copy per read from the connection
 * instead of one per message.
 *
 * At tens of thousands of messages a second, copying each payload into the record costs
 * about as much as the WebSocket parser's own work on the frame. So the capture sees each
 * chunk the socket read before the parser does, copies it into the record's payload arena
 * in one piece, and walks the frame headers to learn where each message's payload lies.
 * When the parser then delivers a message, the session asks confirm() or take() for that
 * position and the record only notes it.
 *
 * It reads headers only; validating frames stays the parser's job. Whatever it does not
 * capture (fragmented or compressed messages, payloads over the record's cap, a payload
 * split where the arena wraps, a read the arena has no room for) is answered NOT_CAPTURED
 * and copied from the parser's message as before. Should the two ever disagree on a
 * message's length or kind, capture stops for the connection and every later message is
 * copied: it can be slower, never wrong.
 *
 * The queue is linear: [0, confirmedFrom) is done, [confirmedFrom, next) was confirmed and
 * waits for takeConfirmed(), [next, end) waits for the parser.
 */
export class InboundCapture {
  // Parser state, carried across chunks.
  private readonly header = new Uint8Array(MAX_HEADER_BYTES);
  private headerHave = 0;
  /** Payload bytes of the current frame still to come. */
  private payloadLeft = 0;
  /** Whether the current frame's payload is copied into the arena. */
  private payloadKept = true;
  /** Whether the fragmented message under way is binary (its last frame says only "continuation"). */
  private fragmentedBinary = false;
  /** Queue index of the message whose payload continues in the next chunk, or -1. */
  private openEntry = -1;
  /** Arena position where that payload must continue to stay contiguous. */
  private openContinuesAt = 0;

  // Messages found in the stream, in order (see the class comment).
  /** Arena positions of payloads (chunk positions while the chunk is walked), or NOT_CAPTURED. */
  private starts = new Float64Array(1024);
  /** messageKey() or notCapturedKey() of each message. */
  private keys = new Float64Array(1024);
  private confirmedFrom = 0;
  private next = 0;
  private end = 0;

  // Per chunk: the kept runs and where each landed in the arena.
  private readonly runFrom: number[] = [];
  private readonly runTo: number[] = [];
  private readonly runAt: number[] = [];
  /** The first queued message found while each run was open. */
  private readonly runFirstEntry: number[] = [];

  /** Total size of the messages the last takeConfirmed() recorded. */
  takenBytes = 0;
  private stopped = false;
  /** Why capture stopped, for tests and logs; null while it runs. */
  stopReason: string | null = null;

  constructor(
    private readonly record: EventRecord,
    /** Payloads longer than this are not captured (the record keeps a truncated copy). */
    private readonly maxPayloadBytes: number,
  ) {}

  get isCapturing(): boolean {
    return !this.stopped;
  }

  /** Messages confirmed and not yet handed over by takeConfirmed(). */
  get confirmedCount(): number {
    return this.next - this.confirmedFrom;
  }

  /** Bytes as the socket read them, before the WebSocket parser sees them. */
  observe(chunk: Uint8Array): void {
    if (this.stopped) return;
    this.compactQueue();
    const n = chunk.length;
    const runFrom = this.runFrom;
    const runTo = this.runTo;
    const runFirstEntry = this.runFirstEntry;
    runFrom.length = 0;
    runTo.length = 0;
    runFirstEntry.length = 0;
    const firstNew = this.end;
    runFirstEntry.push(firstNew);
    // A payload begun in an earlier chunk: is it still incomplete after this one?
    const carried = this.openEntry;
    const carriedStaysOpen = carried >= 0 && this.payloadLeft > n;
    this.openEntry = -1;

    // The walk keeps its state in locals: it runs once per frame on a busy connection.
    let payloadLeft = this.payloadLeft;
    let payloadKept = this.payloadKept;
    let runStart = payloadLeft > 0 && !payloadKept ? -1 : 0;
    let end = this.end;
    let i = 0;
    while (i < n) {
      if (payloadLeft > 0) {
        const rest = n - i;
        if (payloadLeft > rest) {
          payloadLeft -= rest;
          i = n;
          break;
        }
        i += payloadLeft;
        payloadLeft = 0;
        if (!payloadKept) {
          payloadKept = true;
          runStart = i;
        }
        continue;
      }
      // A header: read in place when whole, else gathered across chunks.
      let b0: number;
      let b1: number;
      let length: number;
      if (this.headerHave === 0 && i + MAX_HEADER_BYTES <= n) {
        b0 = chunk[i]!;
        b1 = chunk[i + 1]!;
        length = b1 & 0x7f;
        i += 2;
        if (length === 126) {
          length = (chunk[i]! << 8) | chunk[i + 1]!;
          i += 2;
        } else if (length === 127) {
          length = readLength64(chunk, i);
          i += 8;
        }
        if (b1 & MASKED) i += 4;
      } else {
        const taken = this.gatherHeader(chunk, i);
        if (taken < 0) {
          i = n;
          break;
        }
        const header = this.header;
        b0 = header[0]!;
        b1 = header[1]!;
        length = b1 & 0x7f;
        if (length === 126) length = (header[2]! << 8) | header[3]!;
        else if (length === 127) length = readLength64(header, 2);
        i += taken;
        this.headerHave = 0;
      }
      const opcode = b0 & OPCODE;
      let kept = true;
      if (opcode >= FIRST_CONTROL) {
        // Pings, pongs and closes reach the session through their own events; their few
        // bytes stay in the run rather than splitting it.
        kept = length <= MAX_CONTROL_PAYLOAD;
      } else if (opcode <= BINARY) {
        const final = (b0 & FIN) !== 0;
        if (
          final &&
          opcode !== CONTINUATION &&
          (b0 & RSV) === 0 &&
          (b1 & MASKED) === 0 &&
          length <= this.maxPayloadBytes
        ) {
          if (end === this.starts.length) this.growQueue();
          this.starts[end] = i;
          this.keys[end] = messageKey(length, opcode === BINARY);
          if (length > n - i) this.openEntry = end;
          end++;
        } else {
          kept = false;
          if (final) {
            // The last frame of a message the parser delivers whole: copied from it instead.
            if (end === this.starts.length) this.growQueue();
            this.starts[end] = NOT_CAPTURED;
            this.keys[end] = notCapturedKey(opcode === CONTINUATION ? this.fragmentedBinary : opcode === BINARY);
            end++;
          } else if (opcode !== CONTINUATION) {
            this.fragmentedBinary = opcode === BINARY;
          }
        }
      } else {
        this.end = end;
        this.stop(`reserved opcode ${opcode}`);
        return;
      }
      if (!kept && length > 0) {
        // Skip this payload: the run so far ends at its header.
        if (runStart >= 0 && i > runStart) {
          runFrom.push(runStart);
          runTo.push(i);
          runFirstEntry.push(end);
        }
        runStart = -1;
        payloadKept = false;
      } else {
        payloadKept = true;
      }
      payloadLeft = length;
    }
    if (runStart >= 0 && n > runStart) {
      runFrom.push(runStart);
      runTo.push(n);
    }
    this.payloadLeft = payloadLeft;
    this.payloadKept = payloadKept;
    this.end = end;
    this.storeRuns(chunk, firstNew, carried, carriedStaysOpen);
  }

  /**
   * The fast path: true when the next message is captured and matches what the parser
   * delivered; it then waits for takeConfirmed(). False leaves it to take().
   */
  confirm(length: number, isBinary: boolean): boolean {
    const k = this.next;
    if (k === this.end || this.keys[k] !== length * 2 + (isBinary ? 1 : 0)) return false;
    this.next = k + 1;
    return true;
  }

  /**
   * Records up to `max` of the confirmed messages, all at time `t`, and returns how many it
   * recorded; takenBytes is then their total size.
   */
  takeConfirmed(t: number, max = Infinity): number {
    const from = this.confirmedFrom;
    const to = Math.min(this.next, from + max);
    this.takenBytes = this.record.appendStoredMessages(t, this.starts, this.keys, from, to);
    this.confirmedFrom = to;
    this.updateHold();
    return to - from;
  }

  /**
   * The slow path, for a message confirm() turned down: its arena position, or NOT_CAPTURED
   * (copy it). Confirmed messages must have been taken first.
   */
  take(length: number, isBinary: boolean): number {
    if (this.stopped) return NOT_CAPTURED;
    if (this.next === this.end) {
      this.stop('the parser delivered a message the capture did not see');
      return NOT_CAPTURED;
    }
    const k = this.next++;
    this.confirmedFrom = this.next;
    const key = this.keys[k]!;
    const binary = key < 0 ? key === notCapturedKey(true) : key % 2 === 1;
    const expected = key < 0 ? length : (key - (binary ? 1 : 0)) / 2;
    if (expected !== length || binary !== isBinary) {
      this.stop(
        `the parser delivered a ${isBinary ? 'binary' : 'text'} message of ${length} bytes where a ${binary ? 'binary' : 'text'} one of ${expected} was expected`,
      );
      return NOT_CAPTURED;
    }
    this.updateHold();
    return this.starts[k]!;
  }

  /**
   * The record was cleared (see Session.clearRecord): the queued positions point at nothing,
   * so those messages are copied.
   */
  invalidatePending(): void {
    for (let k = this.next; k < this.end; k++) this.voidEntry(k);
    if (this.openEntry >= this.next) this.openEntry = -1;
    this.updateHold();
  }

  /** Stops capturing; every later message is copied. Messages already confirmed can still be taken. */
  stop(reason: string): void {
    if (this.stopped) return;
    this.stopped = true;
    this.stopReason = reason;
    this.end = this.next;
    this.openEntry = -1;
    this.updateHold();
  }

  /** Drops finished entries from the front so the queue stays short. */
  private compactQueue(): void {
    const from = this.confirmedFrom;
    if (from === 0) return;
    const count = this.end - from;
    if (count > 0) {
      this.starts.copyWithin(0, from, this.end);
      this.keys.copyWithin(0, from, this.end);
    }
    if (this.openEntry >= 0) this.openEntry -= from;
    this.next -= from;
    this.end = count;
    this.confirmedFrom = 0;
  }

  private growQueue(): void {
    const starts = new Float64Array(this.starts.length * 2);
    const keys = new Float64Array(this.starts.length * 2);
    starts.set(this.starts);
    keys.set(this.keys);
    this.starts = starts;
    this.keys = keys;
  }

  /**
   * Copies the chunk's kept runs into the arena and turns the chunk positions of the
   * messages found in it into arena positions.
   */
  private storeRuns(chunk: Uint8Array, firstNew: number, carried: number, carriedStaysOpen: boolean): void {
    const runFrom = this.runFrom;
    const runTo = this.runTo;
    const runAt = this.runAt;
    runAt.length = runFrom.length;
    const record = this.record;
    // Making room must not reuse payloads not yet recorded: hold from the oldest one, and
    // from each run as soon as it is stored.
    this.updateHold(firstNew);
    for (let r = 0; r < runFrom.length; r++) {
      const at = record.storeRaw(chunk, runFrom[r]!, runTo[r]!);
      runAt[r] = at;
      if (at >= 0 && record.rawHold === Infinity) record.rawHold = at;
    }
    // A payload begun in an earlier chunk stays captured only if this chunk's first run
    // (which starts with the rest of it) landed right after what came before.
    if (carried >= 0) {
      const contiguous = runFrom.length > 0 && runFrom[0] === 0 && runAt[0] === this.openContinuesAt;
      if (!contiguous) this.voidEntry(carried);
      else if (carriedStaysOpen) {
        this.openEntry = carried;
        this.openContinuesAt = runAt[0]! + (runTo[0]! - runFrom[0]!);
      }
    }
    // Messages found while run r was open start in it: shift their chunk positions to the
    // run's arena position (one add each), or void them if the run was not kept.
    const starts = this.starts;
    const runFirstEntry = this.runFirstEntry;
    for (let r = 0; r < runFrom.length; r++) {
      const at = runAt[r]!;
      const shift = at - runFrom[r]!;
      const last = r + 1 < runFirstEntry.length ? runFirstEntry[r + 1]! : this.end;
      for (let k = runFirstEntry[r]!; k < last; k++) {
        if (starts[k]! < 0) continue;
        if (at < 0) this.voidEntry(k);
        else starts[k] = starts[k]! + shift;
      }
    }
    if (this.openEntry >= firstNew) {
      if (starts[this.openEntry]! < 0) this.openEntry = -1;
      else {
        this.openContinuesAt = runAt[runFrom.length - 1]! + (runTo[runFrom.length - 1]! - runFrom[runFrom.length - 1]!);
      }
    }
    this.updateHold();
  }

  /** Holds the arena from the oldest captured payload among entries before `limit` not yet recorded. */
  private updateHold(limit = this.end): void {
    let hold = Infinity;
    for (let k = this.confirmedFrom; k < limit; k++) {
      const start = this.starts[k]!;
      if (start >= 0) {
        hold = start;
        break;
      }
    }
    this.record.rawHold = hold;
  }

  /** Gathers a header split across chunks; returns the bytes it took from this chunk, or -1 if it needs more. */
  private gatherHeader(chunk: Uint8Array, at: number): number {
    const header = this.header;
    let have = this.headerHave;
    let i = at;
    const n = chunk.length;
    while (have < 2 && i < n) header[have++] = chunk[i++]!;
    if (have < 2) {
      this.headerHave = have;
      return -1;
    }
    const length7 = header[1]! & 0x7f;
    const need = 2 + (length7 === 126 ? 2 : length7 === 127 ? 8 : 0) + (header[1]! & MASKED ? 4 : 0);
    while (have < need && i < n) header[have++] = chunk[i++]!;
    this.headerHave = have;
    if (have < need) return -1;
    return i - at;
  }

  /** Turns a queued message into one that is copied. */
  private voidEntry(k: number): void {
    const key = this.keys[k]!;
    if (key < 0) return;
    this.starts[k] = NOT_CAPTURED;
    this.keys[k] = notCapturedKey(key % 2 === 1);
  }
}

/** A 64-bit payload length; beyond 2^53 it no longer matters exactly (it is over any cap). */
function readLength64(bytes: Uint8Array, at: number): number {
  const high = ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
  const low = ((bytes[at + 4]! << 24) | (bytes[at + 5]! << 16) | (bytes[at + 6]! << 8) | bytes[at + 7]!) >>> 0;
  return high * 0x1_0000_0000 + low;
}
