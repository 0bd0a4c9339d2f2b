import type { Clock } from '../common/clock.js';
import { compileExpect, type HeartbeatConfig } from '../model/endpoint.js';
import { DisposableSlot, type IDisposable } from '../common/events.js';
import type { OutboundFrame, ProtocolHeartbeat } from './appProtocol.js';

export interface HeartbeatIo {
  sendPing(payload: string): void;
  sendText(text: string): void;
  /** One beat of an application protocol's own heartbeat (see ProtocolHeartbeat). */
  sendBeat(frame: OutboundFrame): void;
  /** No sign of life within the timeout: the link is dead. */
  dead(waitedMs: number): void;
}

/** A ping we sent and have not yet matched to a reply. */
interface Outstanding {
  payload: string;
  sentAt: number;
}

// Pongs may arrive late; remember a few recent pings so a late pong still gets its RTT.
const MAX_OUTSTANDING = 8;

/**
 * Keeps one open connection honest. In `ping` mode it sends RFC 6455 pings, in `text`
 * mode an application-level text message. Any inbound frame counts as a sign of life:
 * a busy connection whose pong is queued behind data is not dead.
 */
export class Heartbeat implements IDisposable {
  private readonly intervalTimer = new DisposableSlot<IDisposable>();
  private readonly deadlineTimer = new DisposableSlot<IDisposable>();
  private readonly outstanding: Outstanding[] = [];
  private readonly matchesReply: (text: string) => boolean;
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private counter = 0;
  /** When the oldest unconfirmed heartbeat was sent; null while the link is proven alive. */
  private waitingSince: number | null = null;
  private disposed = false;

  /**
   * With `protocol`, the application protocol's heartbeat runs instead of `config`'s: its beats
   * at its cadence, or, when the server drives it (no beat of ours), only the watch that the
   * server's beats keep coming.
   */
  constructor(
    private readonly config: HeartbeatConfig,
    private readonly clock: Clock,
    private readonly io: HeartbeatIo,
    private readonly protocol: ProtocolHeartbeat | null = null,
  ) {
    this.matchesReply = config.mode === 'text' && !protocol ? compileExpect(config.expect) : () => false;
    this.intervalMs = protocol?.intervalMs ?? config.intervalMs;
    // A server-driven heartbeat is late only after its own interval and then its timeout.
    this.timeoutMs = protocol
      ? protocol.beat
        ? protocol.timeoutMs
        : protocol.intervalMs + protocol.timeoutMs
      : config.timeoutMs;
  }

  get mode(): HeartbeatConfig['mode'] | 'protocol' {
    return this.protocol ? 'protocol' : this.config.mode;
  }

  /** The longest silence that is normal while this heartbeat runs; null when it is off. */
  get expectedQuietMs(): number | null {
    return this.mode === 'off' ? null : this.intervalMs + this.timeoutMs;
  }

  start(): void {
    if (this.mode === 'off' || this.disposed) return;
    this.scheduleNext();
  }

  /** Any inbound frame proves the link is alive. */
  noteInbound(): void {
    if (this.waitingSince !== null) {
      this.waitingSince = null;
      this.deadlineTimer.clear();
    }
  }

  /** A pong frame arrived; returns the RTT when it answers one of our pings. */
  notePong(payload: string): number | null {
    if (this.protocol || this.config.mode !== 'ping') return null;
    return this.takeRtt((o) => o.payload === payload);
  }

  /** A frame the protocol says answers our beat (`true`: the oldest; a string: the beat with that id). */
  noteProtocolReply(answers: true | string): number | null {
    if (!this.protocol?.paired) return null;
    return this.takeRtt(answers === true ? () => true : (o) => o.payload === answers);
  }

  /**
   * An inbound text message in text mode: returns whether it is the heartbeat reply and,
   * if so, the RTT to the oldest unanswered heartbeat.
   */
  matchTextReply(text: string): { isReply: boolean; rttMs: number | null } {
    if (this.config.mode !== 'text' || !this.matchesReply(text)) return { isReply: false, rttMs: null };
    return { isReply: true, rttMs: this.takeRtt(() => true) };
  }

  private takeRtt(match: (o: Outstanding) => boolean): number | null {
    const index = this.outstanding.findIndex(match);
    if (index < 0) return null;
    const answered = this.outstanding[index]!;
    // Older pings than the one answered will not be answered any more.
    this.outstanding.splice(0, index + 1);
    return roundRtt(this.clock.monotonic() - answered.sentAt);
  }

  private scheduleNext(): void {
    this.intervalTimer.value = this.clock.setTimeout(() => this.beat(), this.intervalMs);
  }

  private beat(): void {
    if (this.disposed) return;
    this.scheduleNext();
    // Still waiting for a sign of life from an earlier heartbeat: let its deadline decide.
    if (this.waitingSince !== null) return;
    const now = this.clock.monotonic();
    this.waitingSince = now;
    this.deadlineTimer.value = this.clock.setTimeout(() => this.expire(), this.timeoutMs);
    if (this.protocol) {
      if (!this.protocol.beat) return; // the server beats; the deadline watches that it does
      const beat = this.protocol.beat();
      this.remember(beat.id ?? `beat-${++this.counter}`, now);
      this.io.sendBeat(beat.frame);
      return;
    }
    const payload = this.config.mode === 'ping' ? `wsi-${++this.counter}` : this.config.payload;
    this.remember(payload, now);
    if (this.config.mode === 'ping') this.io.sendPing(payload);
    else this.io.sendText(payload);
  }

  private remember(payload: string, sentAt: number): void {
    this.outstanding.push({ payload, sentAt });
    if (this.outstanding.length > MAX_OUTSTANDING) this.outstanding.shift();
  }

  private expire(): void {
    if (this.disposed || this.waitingSince === null) return;
    const waited = Math.round(this.clock.monotonic() - this.waitingSince);
    this.dispose();
    this.io.dead(waited);
  }

  dispose(): void {
    this.disposed = true;
    this.intervalTimer.dispose();
    this.deadlineTimer.dispose();
  }
}

function roundRtt(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
